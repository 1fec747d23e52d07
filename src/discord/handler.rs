//! The serenity event handler: turns each Discord event into a request for the
//! library and the library's reply into Discord's messages (through `render`). Each
//! event is handled in its own task, inside a tracing span.
//!
//! Answering takes microseconds, so interactions are answered directly, well inside
//! Discord's 3-second window, without deferring.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use serenity::all::{
    CommandInteraction, ComponentInteraction, Context, CreateAutocompleteResponse, CreateInteractionResponse,
    CreateInteractionResponseMessage, CreateMessage, EditInteractionResponse, Event, EventHandler, GuildId,
    Interaction, Message, RawEventHandler, Ready, ResumedEvent, UserId,
};
use serenity::async_trait;
use tracing::{debug, info, info_span, warn, Instrument};

use super::commands::{self, Request};
use super::cooldown::Cooldowns;
use super::inflight::InFlight;
use super::render::{self, limits};
use super::{describe, Settings};
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
    /// Events being handled: shutdown closes it to new ones and waits for the rest.
    inflight: Arc<InFlight>,
}

impl Handler {
    pub fn new(engine: Arc<SharedEngine>, settings: Settings, inflight: Arc<InFlight>) -> Handler {
        let cooldowns = Cooldowns::new(settings.user_cooldown, settings.channel_cooldown);
        Handler { engine, settings, cooldowns, me: OnceLock::new(), registered: AtomicBool::new(false), inflight }
    }

    async fn register_commands(&self, ctx: &Context) {
        if !self.settings.registers_commands() || self.registered.swap(true, Ordering::SeqCst) {
            return;
        }
        let definitions = commands::definitions(!self.settings.owners.is_empty());
        let result = match self.settings.guild_id {
            Some(guild) => guild.set_commands(&ctx.http, definitions).await,
            None => serenity::all::Command::set_global_commands(&ctx.http, definitions).await,
        };
        match result {
            Ok(registered) => {
                info!(count = registered.len(), guild = ?self.settings.guild_id, "slash commands registered")
            }
            Err(e) => {
                self.registered.store(false, Ordering::SeqCst);
                warn!(error = %describe(&e), "could not register slash commands; will retry on the next READY");
            }
        }
    }

    async fn command(&self, ctx: &Context, command: &CommandInteraction) {
        let engine = self.engine.current();
        let request = commands::parse(command);
        debug!(?request, "command");
        let (embed, button, ephemeral) = match &request {
            Request::Ask { question, private } => {
                let reply = engine.ask_with(question, self.settings.threshold);
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
                    None => engine.ask_with(topic, self.settings.threshold),
                };
                log_reply(&reply);
                (render::answer(&reply), render::sources_button(&reply), self.settings.private_by_default)
            }
            Request::Sources => (render::source_list(engine.kb()), None, true),
            Request::About => (render::about(engine.kb()), None, true),
            Request::Reload => return self.reload(ctx, command).await,
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
        deliver("the command", || command.create_response(&ctx.http, response.clone())).await;
    }

    /// Re-reads the fact base for an owner. Loading a large base can take longer
    /// than Discord's 3 seconds, so the reply is deferred, then edited.
    async fn reload(&self, ctx: &Context, command: &CommandInteraction) {
        let private = CreateInteractionResponseMessage::new().ephemeral(true).allowed_mentions(render::no_pings());
        if !self.settings.owners.contains(&command.user.id) {
            warn!(user = command.user.id.get(), "refused /reload from someone who is not an owner");
            let refusal = private.content("Only the bot's owners can reload the fact base.");
            let response = CreateInteractionResponse::Message(refusal);
            deliver("the refusal", || command.create_response(&ctx.http, response.clone())).await;
            return;
        }
        let deferred = CreateInteractionResponse::Defer(private);
        if !deliver("the deferral", || command.create_response(&ctx.http, deferred.clone())).await {
            return;
        }
        let engine = self.engine.clone();
        let path = self.settings.knowledge.clone();
        let outcome = tokio::task::spawn_blocking(move || engine.reload(path.as_deref())).await;
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
        if let Err(e) = command.edit_response(&ctx.http, edit).await {
            warn!(error = %describe(&e), "could not report the reload");
        }
    }

    async fn autocomplete(&self, ctx: &Context, interaction: &CommandInteraction) {
        let engine = self.engine.current();
        let typed = interaction.data.autocomplete().map_or("", |o| o.value);
        let mut response = CreateAutocompleteResponse::new();
        for id in engine.complete(typed, limits::CHOICES) {
            let fact = engine.kb().fact(id);
            response = response.add_string_choice(render::choice_name(&fact.title), fact.id.clone());
        }
        if let Err(e) = interaction.create_response(&ctx.http, CreateInteractionResponse::Autocomplete(response)).await
        {
            warn!(error = %describe(&e), "could not send autocomplete choices");
        }
    }

    async fn component(&self, ctx: &Context, click: &ComponentInteraction) {
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
        deliver("the sources", || click.create_response(&ctx.http, response.clone())).await;
    }

    /// Community Q&A: answer a mention, a direct message, or a confident-enough
    /// question in a Q&A channel; otherwise stay quiet.
    ///
    /// The cheap checks (who wrote it, where, whether it asks anything, cooldowns)
    /// come before the matcher, so a flood of messages from someone cooling down
    /// costs a few comparisons each, not a search. The cooldown is only looked at
    /// here and taken once the bot has decided to answer: an unprompted question it
    /// is not sure of must not use up anyone's turn.
    async fn community(&self, ctx: &Context, msg: &Message) {
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
        let threshold = if direct { self.settings.threshold } else { self.settings.unprompted_threshold };
        let reply = self.engine.current().ask_with(&msg.content, threshold);
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
        if let Err(e) = msg.channel_id.send_message(&ctx.http, message).await {
            warn!(error = %describe(&e), "could not reply");
        }
    }
}

/// An interaction must be answered within Discord's 3 seconds. A reply that fails
/// with a server error or a lost connection is tried once more if that window is
/// still open. A reply in flight is never cancelled (that would only make its loss
/// certain); one that hangs ends with the HTTP client's timeout, and holds up
/// nothing meanwhile, since every event has its own task.
const INTERACTION_WINDOW: Duration = Duration::from_millis(2_500);
const RETRY_PAUSE: Duration = Duration::from_millis(150);

/// Sends an interaction reply; whether it was delivered.
async fn deliver<F, Fut>(what: &str, send: F) -> bool
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = serenity::Result<()>>,
{
    let started = tokio::time::Instant::now();
    for attempt in 1..=2 {
        match send().await {
            Ok(()) => return true,
            Err(e) if attempt == 1 && is_transient(&e) && started.elapsed() + RETRY_PAUSE < INTERACTION_WINDOW => {
                warn!(error = %describe(&e), "could not send {what}; trying once more");
                tokio::time::sleep(RETRY_PAUSE).await;
            }
            Err(e) => {
                warn!(error = %describe(&e), "could not send {what}");
                return false;
            }
        }
    }
    false
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
    info!(status = ?reply.status, fact = reply.fact_id.as_deref(), confidence = reply.confidence, "answered");
}

#[async_trait]
impl EventHandler for Handler {
    async fn ready(&self, ctx: Context, ready: Ready) {
        let span = info_span!("ready", shard = ?ready.shard.map(|s| s.id.0), guilds = ready.guilds.len());
        async {
            let _ = self.me.set(ready.user.id);
            info!(user = %ready.user.name, "connected");
            self.register_commands(&ctx).await;
        }
        .instrument(span)
        .await;
    }

    async fn resume(&self, _ctx: Context, _event: ResumedEvent) {
        info!("gateway session resumed");
    }

    async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
        let (kind, id, user, guild): (&str, _, _, Option<GuildId>) = match &interaction {
            Interaction::Command(c) => ("command", c.id.get(), c.user.id.get(), c.guild_id),
            Interaction::Autocomplete(c) => ("autocomplete", c.id.get(), c.user.id.get(), c.guild_id),
            Interaction::Component(c) => ("component", c.id.get(), c.user.id.get(), c.guild_id),
            _ => ("other", 0, 0, None),
        };
        let span = info_span!("interaction", kind, id, user, guild = guild.map(|g| g.get()));
        let Some(_ticket) = self.inflight.enter() else {
            span.in_scope(|| debug!("shutting down; not answered"));
            return;
        };
        async {
            match &interaction {
                Interaction::Command(c) => self.command(&ctx, c).await,
                Interaction::Autocomplete(c) => self.autocomplete(&ctx, c).await,
                Interaction::Component(c) => self.component(&ctx, c).await,
                other => debug!(kind = ?other.kind(), "ignored an interaction of another kind"),
            }
        }
        .instrument(span)
        .await;
    }

    async fn message(&self, ctx: Context, msg: Message) {
        let span = info_span!("message", id = msg.id.get(), channel = msg.channel_id.get(), user = msg.author.id.get());
        let Some(_ticket) = self.inflight.enter() else {
            span.in_scope(|| debug!("shutting down; not answered"));
            return;
        };
        self.community(&ctx, &msg).instrument(span).await;
    }
}

/// serenity turns an event it cannot read (a field missing, a new event type) into
/// `Event::Unknown` and drops it quietly; say so, so that a lost question is visible.
pub struct UnreadableEvents;

#[async_trait]
impl RawEventHandler for UnreadableEvents {
    async fn raw_event(&self, _ctx: Context, event: Event) {
        if let Event::Unknown(unknown) = &event {
            warn!(kind = unknown.kind, "Discord sent an event this bot could not read; it was dropped");
        }
    }
}
