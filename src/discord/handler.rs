//! The event handler: turns each Discord event into a request for the library and
//! the library's reply into Discord's messages (through `render`). The gateway
//! (`gateway.rs`) hands it each event in a task of its own; each is handled inside a
//! tracing span.
//!
//! Interactions arrive over the gateway or at the interactions endpoint (`serve`);
//! the same code answers both, and only where the first response goes differs (a
//! [`Responder`]). Follow-ups go over REST either way.
//!
//! Answering takes microseconds, so interactions are answered directly, well inside
//! Discord's 3-second window, without deferring (only `/reload`, which may take
//! longer, is deferred and then completed), and the matcher runs on the async
//! workers rather than `spawn_blocking` (whose hand-off would cost more than the
//! search; the question's length bounds its time).

use std::collections::{HashSet, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use serenity::all::{
    CommandInteraction, ComponentInteraction, CreateAutocompleteResponse, CreateInteractionResponse,
    CreateInteractionResponseMessage, CreateMessage, EditInteractionResponse, GuildId, Http, Interaction, Message,
    Ready, UserId,
};
use tokio::sync::{mpsc, oneshot};
use tracing::{debug, error, info, info_span, warn, Instrument};

use super::commands::{self, Request};
use super::cooldown::Cooldowns;
use super::metrics::{Metrics, Outcome};
use super::render::{self, limits};
use super::{describe, status, BotError, Settings};
use crate::engine::SharedEngine;
use crate::reply::Reply;
use crate::text;

pub struct Handler {
    engine: Arc<SharedEngine>,
    settings: Settings,
    cooldowns: Cooldowns,
    me: OnceLock<UserId>,
    /// Commands are registered once per process, not on every shard's READY.
    registered: AtomicBool,
    /// Where a failure that stops the bot goes (a token revoked while running).
    fatal: mpsc::UnboundedSender<BotError>,
    metrics: Metrics,
    /// The interactions taken, so that one delivered both over the gateway and to
    /// the endpoint is answered once.
    taken: Taken,
    /// Whether the HTTP client has the bot token: without it (`serve` alone), a 401
    /// is Discord refusing the empty one, not a token gone bad.
    has_token: bool,
}

/// Where an interaction's first response goes.
pub enum Responder {
    /// Over the gateway: a REST callback, `POST /interactions/{id}/{token}/callback`.
    Callback,
    /// At the interactions endpoint: the body of the HTTP response to Discord's POST.
    Body(Mutex<Option<oneshot::Sender<CreateInteractionResponse>>>),
}

impl Responder {
    /// A responder for the endpoint, and where its response arrives.
    pub fn body() -> (Responder, oneshot::Receiver<CreateInteractionResponse>) {
        let (send, receive) = oneshot::channel();
        (Responder::Body(Mutex::new(Some(send))), receive)
    }
}

/// The ids of the interactions taken in the last [`TAKEN_FOR`], at most [`MAX_TAKEN`].
#[derive(Default)]
struct Taken(Mutex<TakenIds>);

#[derive(Default)]
struct TakenIds {
    ids: HashSet<u64>,
    /// The same ids, oldest first, with when each was taken.
    order: VecDeque<(Instant, u64)>,
}

/// An interaction can be answered for 15 minutes; a copy would come within seconds.
const TAKEN_FOR: Duration = Duration::from_secs(15 * 60);
/// A bound on memory (about 40 bytes each) under a flood of interactions.
const MAX_TAKEN: usize = 200_000;

impl Taken {
    /// Whether `id` is taken for the first time (and so is to be answered).
    fn first(&self, id: u64) -> bool {
        let mut guard = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let TakenIds { ids, order } = &mut *guard;
        let now = Instant::now();
        while let Some(&(at, old)) = order.front() {
            if now.duration_since(at) < TAKEN_FOR && order.len() < MAX_TAKEN {
                break;
            }
            order.pop_front();
            ids.remove(&old);
        }
        if !ids.insert(id) {
            return false;
        }
        order.push_back((now, id));
        true
    }
}

impl Handler {
    pub fn new(
        engine: Arc<SharedEngine>,
        settings: Settings,
        fatal: mpsc::UnboundedSender<BotError>,
        metrics: Metrics,
    ) -> Handler {
        let cooldowns = Cooldowns::new(settings.user_cooldown, settings.channel_cooldown);
        Handler {
            engine,
            settings,
            cooldowns,
            me: OnceLock::new(),
            registered: AtomicBool::new(false),
            fatal,
            metrics,
            taken: Taken::default(),
            has_token: true,
        }
    }

    /// A handler whose HTTP client has no bot token (`serve` without one).
    pub fn without_token(self) -> Handler {
        Handler { has_token: false, ..self }
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The confidence a direct question needs: the configured one, or the one
    /// learned with the current fact base.
    fn threshold(&self, engine: &crate::Engine) -> f32 {
        self.settings.threshold.unwrap_or_else(|| engine.matcher().threshold())
    }

    pub async fn register_commands(&self, http: &Http) {
        if !self.settings.registers_commands() || self.registered.swap(true, Ordering::SeqCst) {
            return;
        }
        let definitions = commands::definitions(!self.settings.owners.is_empty());
        let result = match self.settings.guild_id {
            Some(guild) => guild.set_commands(http, definitions).await,
            None => serenity::all::Command::set_global_commands(http, definitions).await,
        };
        match result {
            Ok(registered) => {
                info!(
                    count = registered.len(),
                    guild = self.settings.guild_id.map(|g| g.get()),
                    "slash commands registered"
                )
            }
            Err(e) if status(&e) == Some(401) => self.refused("the slash commands", &e),
            Err(e) => {
                self.registered.store(false, Ordering::SeqCst);
                warn!(error = %describe(&e), "could not register slash commands; will retry on the next READY");
            }
        }
    }

    async fn command(&self, http: &Http, command: &CommandInteraction, responder: &Responder) {
        let started = Instant::now();
        let engine = self.engine.current();
        let request = commands::parse(command);
        debug!(?request, "command");
        let mut outcome = None;
        let (embed, button, ephemeral) = match &request {
            Request::Ask { question, private } => {
                let reply = engine.ask_with(question, self.threshold(&engine));
                log_reply(&reply);
                outcome = Some(Outcome::of(question, &reply));
                (
                    render::answer(&reply),
                    render::sources_button(&reply),
                    private.unwrap_or(self.settings.private_by_default),
                )
            }
            Request::Fact { topic } => {
                let reply = match engine.kb().find(topic) {
                    Some(id) => engine.fact_reply(id),
                    None => engine.ask_with(topic, self.threshold(&engine)),
                };
                log_reply(&reply);
                outcome = Some(Outcome::of(topic, &reply));
                (render::answer(&reply), render::sources_button(&reply), self.settings.private_by_default)
            }
            Request::Sources => (render::source_list(engine.kb()), None, true),
            Request::About => (render::about(engine.kb()), None, true),
            Request::Reload => return self.reload(http, command, responder).await,
            Request::Unknown { name } => {
                warn!(name, "an unknown command was invoked; is an old registration left over?");
                let reply = Reply::unknown(engine.kb(), name, 0.0, []);
                (render::answer(&reply), None, true)
            }
        };
        let mut message = CreateInteractionResponseMessage::new()
            .embed(embed)
            .ephemeral(ephemeral)
            .allowed_mentions(render::no_pings());
        if let Some(row) = button {
            message = message.components(vec![row]);
        }
        let response = CreateInteractionResponse::Message(message);
        self.respond("the command", responder, response, |r| command.create_response(http, r)).await;
        if let Some(outcome) = outcome {
            self.metrics.question(outcome, started.elapsed());
        }
    }

    /// Sends an interaction's first response where `responder` says: over REST, tried
    /// again as [`Self::deliver`] does, or as the endpoint's HTTP response. Whether it
    /// went out.
    async fn respond<F, Fut>(
        &self,
        what: &str,
        responder: &Responder,
        response: CreateInteractionResponse,
        callback: F,
    ) -> bool
    where
        F: Fn(CreateInteractionResponse) -> Fut,
        Fut: std::future::Future<Output = serenity::Result<()>>,
    {
        match responder {
            Responder::Callback => self.deliver(what, || callback(response.clone())).await,
            Responder::Body(slot) => {
                let sender = slot.lock().unwrap_or_else(|e| e.into_inner()).take();
                let sent = sender.is_some_and(|s| s.send(response).is_ok());
                if !sent {
                    warn!("could not send {what}: the endpoint's request was gone (answered too late?)");
                }
                sent
            }
        }
    }

    /// Re-reads the fact base for an owner. Loading a large base can take longer
    /// than Discord's 3 seconds, so the reply is deferred, then edited.
    async fn reload(&self, http: &Http, command: &CommandInteraction, responder: &Responder) {
        let private = CreateInteractionResponseMessage::new().ephemeral(true).allowed_mentions(render::no_pings());
        if !self.settings.owners.contains(&command.user.id) {
            warn!(user = command.user.id.get(), "refused /reload from someone who is not an owner");
            let refusal = private.content("Only the bot's owners can reload the fact base.");
            let response = CreateInteractionResponse::Message(refusal);
            self.respond("the refusal", responder, response, |r| command.create_response(http, r)).await;
            return;
        }
        let deferred = CreateInteractionResponse::Defer(private);
        if !self.respond("the deferral", responder, deferred, |r| command.create_response(http, r)).await {
            return;
        }
        let engine = self.engine.clone();
        let Some(path) = self.settings.knowledge.clone() else {
            warn!("/reload: {}", super::BUILTIN_RELOAD);
            let edit =
                EditInteractionResponse::new().content(super::BUILTIN_RELOAD).allowed_mentions(render::no_pings());
            self.deliver("the reload report", || command.edit_response(http, edit.clone())).await;
            return;
        };
        let outcome = tokio::task::spawn_blocking(move || engine.reload(Some(&path))).await;
        let text = match outcome {
            Ok(Ok(stats)) => {
                self.metrics.reload(true);
                info!(%stats, "fact base reloaded by /reload");
                format!("Reloaded: {stats}.")
            }
            Ok(Err(e)) => {
                self.metrics.reload(false);
                warn!(error = %e, "the new fact base was rejected; the old one stays");
                format!("The new fact base was rejected; the old one stays.\n```\n{e}\n```")
            }
            Err(e) => format!("The reload failed: {e}"),
        };
        let edit = EditInteractionResponse::new()
            .content(render::cut(&text, limits::CONTENT))
            .allowed_mentions(render::no_pings());
        self.deliver("the reload report", || command.edit_response(http, edit.clone())).await;
    }

    async fn autocomplete(&self, http: &Http, interaction: &CommandInteraction, responder: &Responder) {
        let engine = self.engine.current();
        let typed = interaction.data.autocomplete().map_or("", |o| o.value);
        let mut response = CreateAutocompleteResponse::new();
        for id in engine.complete(typed, limits::CHOICES) {
            let fact = engine.kb().fact(id);
            response = response.add_string_choice(render::choice_name(&fact.title), fact.id.clone());
        }
        let response = CreateInteractionResponse::Autocomplete(response);
        self.respond("the autocomplete choices", responder, response, |r| interaction.create_response(http, r)).await;
    }

    async fn component(&self, http: &Http, click: &ComponentInteraction, responder: &Responder) {
        if click.data.custom_id.starts_with(render::SOURCES_BUTTON) {
            self.metrics.click("sources");
        }
        let engine = self.engine.current();
        let embed = match click.data.custom_id.strip_prefix(render::SOURCES_BUTTON).and_then(|id| engine.kb().find(id))
        {
            Some(id) => render::sources(&engine.fact_reply(id)),
            None => {
                debug!(custom_id = click.data.custom_id, "a button for a fact that no longer exists");
                render::answer(&Reply::unknown(engine.kb(), "", 0.0, []))
            }
        };
        let message =
            CreateInteractionResponseMessage::new().embed(embed).ephemeral(true).allowed_mentions(render::no_pings());
        let response = CreateInteractionResponse::Message(message);
        self.respond("the sources", responder, response, |r| click.create_response(http, r)).await;
    }

    /// Community Q&A: answer a mention, a direct message, or a confident-enough
    /// question in a Q&A channel; otherwise stay quiet.
    ///
    /// The cheap checks (who wrote it, where, whether it asks anything, cooldowns)
    /// come before the matcher, so a flood of messages from someone cooling down
    /// costs a few comparisons each, not a search. The cooldown is only looked at
    /// here and taken once the bot has decided to answer: an unprompted question it
    /// is not sure of must not use up anyone's turn.
    async fn community(&self, http: &Http, msg: &Message) {
        let Some(&me) = self.me.get() else { return };
        if msg.author.bot || msg.author.id == me {
            return;
        }
        let direct = self.settings.answer_mentions && (msg.guild_id.is_none() || mentions(msg, me));
        let unprompted =
            !direct && self.settings.qa_channels.contains(&msg.channel_id) && text::looks_like_question(&msg.content);
        if !direct && !unprompted {
            return;
        }
        if !self.cooldowns.ready(msg.author.id, msg.channel_id) {
            debug!("cooling down; staying quiet");
            return;
        }
        let started = Instant::now();
        let engine = self.engine.current();
        let answer = self.threshold(&engine);
        // Unprompted answers need at least what direct ones need.
        let threshold = if direct { answer } else { self.settings.unprompted_threshold.max(answer) };
        let reply = engine.ask_with(&msg.content, threshold);
        log_reply(&reply);
        let outcome = Outcome::of(&msg.content, &reply);
        if !direct && !reply.is_answer() {
            debug!("not confident enough to answer unprompted; staying quiet");
            self.metrics.question(outcome, started.elapsed());
            return;
        }
        // Two messages can both pass `ready` while neither has answered yet; only
        // one gets the turn.
        if !self.cooldowns.try_take(msg.author.id, msg.channel_id) {
            debug!("cooling down; staying quiet");
            return;
        }
        let mut message = CreateMessage::new()
            .embed(render::answer(&reply))
            .reference_message(msg)
            .allowed_mentions(render::no_pings());
        if let Some(row) = render::sources_button(&reply) {
            message = message.components(vec![row]);
        }
        self.deliver("the reply", || msg.channel_id.send_message(http, message.clone())).await;
        self.metrics.question(outcome, started.elapsed());
    }
}

/// An interaction must be answered within Discord's 3 seconds. A reply that fails
/// with a server error or a lost connection is tried once more if that window is
/// still open (a reply to a channel message keeps to the same window: an answer
/// much later than its question reads as noise). A reply in flight is never cancelled (that would only make its loss
/// certain); one that hangs ends with the HTTP client's timeout, and holds up
/// nothing meanwhile, since every event has its own task.
const INTERACTION_WINDOW: Duration = Duration::from_millis(2_500);
const RETRY_PAUSE: Duration = Duration::from_millis(150);

impl Handler {
    /// Sends a reply; whether it was delivered. A server error or a lost connection
    /// is tried once more if the window is still open (serenity's rate limiter
    /// already waits out a 429 and tries again).
    async fn deliver<F, Fut, T>(&self, what: &str, send: F) -> bool
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = serenity::Result<T>>,
    {
        let started = tokio::time::Instant::now();
        for attempt in 1..=2 {
            match send().await {
                Ok(_) => return true,
                Err(e) if attempt == 1 && is_transient(&e) && started.elapsed() + RETRY_PAUSE < INTERACTION_WINDOW => {
                    self.metrics.rest_error(status(&e));
                    warn!(error = %describe(&e), "could not send {what}; trying once more");
                    tokio::time::sleep(RETRY_PAUSE).await;
                }
                Err(e) => {
                    self.refused(what, &e);
                    return false;
                }
            }
        }
        false
    }

    /// Reports a request that failed for good, with what to do about it where
    /// there is something: a rejected token stops the bot.
    fn refused(&self, what: &str, error: &serenity::Error) {
        self.metrics.rest_error(status(error));
        match status(error) {
            Some(401) if !self.has_token => warn!(
                error = %describe(error),
                "could not send {what}: without a bot token Discord may refuse it; set DISCORD_TOKEN for follow-ups"
            ),
            Some(401) => {
                error!(error = %describe(error), "Discord rejected the bot token while sending {what}; stopping");
                let _ = self.fatal.send(BotError::BadToken);
            }
            Some(403) => warn!(
                error = %describe(error),
                "could not send {what}: the bot lacks a permission here (it needs View Channels, Send Messages, \
                 Send Messages in Threads, Embed Links and Read Message History)"
            ),
            Some(404) => warn!(
                error = %describe(error),
                "could not send {what}: Discord no longer knows what it answers (an interaction answered too late, \
                 or a deleted channel or message)"
            ),
            _ => warn!(error = %describe(error), "could not send {what}"),
        }
    }
}

/// A failure that a second try may not meet: a server error or a lost connection.
fn is_transient(error: &serenity::Error) -> bool {
    use serenity::all::HttpError;
    match error {
        serenity::Error::Http(HttpError::UnsuccessfulRequest(response)) => response.status_code.is_server_error(),
        serenity::Error::Http(HttpError::Request(_)) => true,
        _ => false,
    }
}

/// Whether `msg` mentions the bot itself (not @everyone or a role).
fn mentions(msg: &Message, me: UserId) -> bool {
    msg.mentions.iter().any(|u| u.id == me)
        || msg.content.contains(&format!("<@{me}>"))
        || msg.content.contains(&format!("<@!{me}>"))
}

fn log_reply(reply: &Reply) {
    info!(status = %reply.status, fact = reply.fact_id.as_deref(), confidence = reply.confidence, "answered");
}

impl Handler {
    pub async fn ready(&self, http: &Http, ready: Ready) {
        let span = info_span!("ready", shard = ready.shard.map(|s| s.id.0), guilds = ready.guilds.len());
        async {
            let _ = self.me.set(ready.user.id);
            info!(user = %ready.user.name, "connected");
            self.register_commands(http).await;
        }
        .instrument(span)
        .await;
    }

    /// Answers `interaction`, unless it was taken already (by the other path, when
    /// the gateway and the endpoint run in one process).
    pub async fn interaction(&self, http: &Http, interaction: Interaction, responder: Responder) {
        let (kind, id, user, guild): (&str, _, _, Option<GuildId>) = match &interaction {
            Interaction::Command(c) => ("command", c.id.get(), c.user.id.get(), c.guild_id),
            Interaction::Autocomplete(c) => ("autocomplete", c.id.get(), c.user.id.get(), c.guild_id),
            Interaction::Component(c) => ("component", c.id.get(), c.user.id.get(), c.guild_id),
            _ => ("other", 0, 0, None),
        };
        let span = info_span!("interaction", kind, id, user, guild = guild.map(|g| g.get()));
        async {
            if !self.taken.first(interaction.id().get()) {
                debug!("taken already; not answered twice");
                return;
            }
            let responder = &responder;
            match &interaction {
                Interaction::Command(c) => self.command(http, c, responder).await,
                Interaction::Autocomplete(c) => self.autocomplete(http, c, responder).await,
                Interaction::Component(c) => self.component(http, c, responder).await,
                other => debug!(kind = ?other.kind(), "ignored an interaction of another kind"),
            }
        }
        .instrument(span)
        .await;
    }

    pub async fn message(&self, http: &Http, msg: Message) {
        let span = info_span!("message", id = msg.id.get(), channel = msg.channel_id.get(), user = msg.author.id.get());
        self.community(http, &msg).instrument(span).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_interaction_is_taken_once_and_old_ones_are_forgotten() {
        let taken = Taken::default();
        assert!(taken.first(1));
        assert!(!taken.first(1), "the second copy is not answered");
        assert!(taken.first(2));
        for id in 3..=MAX_TAKEN as u64 + 1 {
            taken.first(id);
        }
        let held = taken.0.lock().unwrap().ids.len();
        assert_eq!(held, MAX_TAKEN, "memory stays bounded");
        assert!(taken.first(1), "the oldest was forgotten to make room");
    }
}
