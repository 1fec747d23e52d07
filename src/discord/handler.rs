//! The event handler: turns each Discord event into a request for the library and
//! the library's reply into Discord's messages (through `render`). The gateway
//! (`gateway.rs`) hands it each event in a task of its own; each is handled inside a
//! tracing span.
//!
//! Answering takes microseconds, so interactions are answered directly, well inside
//! Discord's 3-second window, without deferring, and the matcher runs on the async
//! workers rather than `spawn_blocking` (whose hand-off would cost more than the
//! search; the question's length bounds its time).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use serenity::all::{
    CommandInteraction, ComponentInteraction, CreateAutocompleteResponse, CreateInteractionResponse,
    CreateInteractionResponseMessage, CreateMessage, EditInteractionResponse, GuildId, Http, Interaction, Message,
    Ready, UserId,
};
use tokio::sync::mpsc;
use tracing::{debug, error, info, info_span, warn, Instrument};

use super::commands::{self, Request};
use super::cooldown::Cooldowns;
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
}

impl Handler {
    pub fn new(engine: Arc<SharedEngine>, settings: Settings, fatal: mpsc::UnboundedSender<BotError>) -> Handler {
        let cooldowns = Cooldowns::new(settings.user_cooldown, settings.channel_cooldown);
        Handler { engine, settings, cooldowns, me: OnceLock::new(), registered: AtomicBool::new(false), fatal }
    }

    /// The confidence a direct question needs: the configured one, or the one
    /// learned with the current fact base.
    fn threshold(&self, engine: &crate::Engine) -> f32 {
        self.settings.threshold.unwrap_or_else(|| engine.matcher().threshold())
    }

    async fn register_commands(&self, http: &Http) {
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

    async fn command(&self, http: &Http, command: &CommandInteraction) {
        let engine = self.engine.current();
        let request = commands::parse(command);
        debug!(?request, "command");
        let (embed, button, ephemeral) = match &request {
            Request::Ask { question, private } => {
                let reply = engine.ask_with(question, self.threshold(&engine));
                log_reply(&reply);
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
                (render::answer(&reply), render::sources_button(&reply), self.settings.private_by_default)
            }
            Request::Sources => (render::source_list(engine.kb()), None, true),
            Request::About => (render::about(engine.kb()), None, true),
            Request::Reload => return self.reload(http, command).await,
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
        self.deliver("the command", || command.create_response(http, response.clone())).await;
    }

    /// Re-reads the fact base for an owner. Loading a large base can take longer
    /// than Discord's 3 seconds, so the reply is deferred, then edited.
    async fn reload(&self, http: &Http, command: &CommandInteraction) {
        let private = CreateInteractionResponseMessage::new().ephemeral(true).allowed_mentions(render::no_pings());
        if !self.settings.owners.contains(&command.user.id) {
            warn!(user = command.user.id.get(), "refused /reload from someone who is not an owner");
            let refusal = private.content("Only the bot's owners can reload the fact base.");
            let response = CreateInteractionResponse::Message(refusal);
            self.deliver("the refusal", || command.create_response(http, response.clone())).await;
            return;
        }
        let deferred = CreateInteractionResponse::Defer(private);
        if !self.deliver("the deferral", || command.create_response(http, deferred.clone())).await {
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
                info!(%stats, "fact base reloaded by /reload");
                format!("Reloaded: {stats}.")
            }
            Ok(Err(e)) => {
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

    async fn autocomplete(&self, http: &Http, interaction: &CommandInteraction) {
        let engine = self.engine.current();
        let typed = interaction.data.autocomplete().map_or("", |o| o.value);
        let mut response = CreateAutocompleteResponse::new();
        for id in engine.complete(typed, limits::CHOICES) {
            let fact = engine.kb().fact(id);
            response = response.add_string_choice(render::choice_name(&fact.title), fact.id.clone());
        }
        let response = CreateInteractionResponse::Autocomplete(response);
        self.deliver("the autocomplete choices", || interaction.create_response(http, response.clone())).await;
    }

    async fn component(&self, http: &Http, click: &ComponentInteraction) {
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
        self.deliver("the sources", || click.create_response(http, response.clone())).await;
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
        let engine = self.engine.current();
        let answer = self.threshold(&engine);
        // Unprompted answers need at least what direct ones need.
        let threshold = if direct { answer } else { self.settings.unprompted_threshold.max(answer) };
        let reply = engine.ask_with(&msg.content, threshold);
        log_reply(&reply);
        if !direct && !reply.is_answer() {
            debug!("not confident enough to answer unprompted; staying quiet");
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
        match status(error) {
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

    pub async fn interaction(&self, http: &Http, interaction: Interaction) {
        let (kind, id, user, guild): (&str, _, _, Option<GuildId>) = match &interaction {
            Interaction::Command(c) => ("command", c.id.get(), c.user.id.get(), c.guild_id),
            Interaction::Autocomplete(c) => ("autocomplete", c.id.get(), c.user.id.get(), c.guild_id),
            Interaction::Component(c) => ("component", c.id.get(), c.user.id.get(), c.guild_id),
            _ => ("other", 0, 0, None),
        };
        let span = info_span!("interaction", kind, id, user, guild = guild.map(|g| g.get()));
        async {
            match &interaction {
                Interaction::Command(c) => self.command(http, c).await,
                Interaction::Autocomplete(c) => self.autocomplete(http, c).await,
                Interaction::Component(c) => self.component(http, c).await,
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
