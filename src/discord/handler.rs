//! The event handler: turns each Discord event into a request for the library and
//! the library's reply into Discord's messages (through `render`). The gateway
//! (`gateway.rs`) hands it each event in a task of its own; each is handled inside a
//! tracing span.
//!
//! Interactions arrive over the gateway or at the interactions endpoint (`serve`);
//! the same code answers both, and only where the first response goes differs (a
//! [`Responder`]). Follow-ups go over REST either way.
//!
//! Buttons, the 👎's modal, the ❌ reaction and the message context menu are handled
//! here too; each click carries what it needs in its custom id (`render`), so any
//! process answers it. What fans do is written to the record through a
//! [`Recorder`], which never makes a reply wait. Each server's `/settings` are held
//! in memory (loaded at start, saved on change), so a message never waits on the
//! database either.
//!
//! Answering takes microseconds, so interactions are answered directly, well inside
//! Discord's 3-second window, without deferring (only `/reload`, which may take
//! longer, is deferred and then completed), and the matcher runs on the async
//! workers rather than `spawn_blocking` (whose hand-off would cost more than the
//! search; the question's length bounds its time).

use std::collections::{HashMap, HashSet, VecDeque};
use std::hash::Hash;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::{Duration, Instant};

use serde::Deserialize;
use serenity::all::{
    ActionRowComponent, ButtonKind, ChannelId, CommandInteraction, ComponentInteraction, CreateActionRow,
    CreateAutocompleteResponse, CreateEmbed, CreateInteractionResponse, CreateInteractionResponseMessage,
    CreateMessage, EditInteractionResponse, GatewayIntents, GuildId, Http, Interaction, Message, ModalInteraction,
    Permissions, Reaction, Ready, UserId,
};
use tokio::sync::{mpsc, oneshot};
use tracing::{debug, error, info, info_span, warn, Instrument};

use super::commands::{self, Request, SettingsChange};
use super::cooldown::Cooldowns;
use super::metrics::{Metrics, Outcome};
use super::render::{self, limits, Buttons, Click};
use super::{describe, status, BotError, Settings};
use crate::engine::SharedEngine;
use crate::reply::Reply;
use crate::store::{self, Asked, Feedback, GuildSettings, Record, RecordId, Recorder, SuggestionTaken};
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
    /// Where fans' questions and feedback are recorded, if anywhere.
    recorder: Option<Recorder>,
    /// Each server's own settings, by guild id: loaded at start, changed by
    /// `/settings`, read by every message without touching the database.
    guilds: RwLock<HashMap<u64, GuildSettings>>,
    /// Each thread's parent channel, learnt from the gateway's thread events, so
    /// that a thread under a Q&A channel counts as that channel.
    threads: Mutex<Bounded<u64, u64>>,
    /// The 👍 and 👎 already counted, by answer and user, so a second click is
    /// thanked without a second write.
    feedback: Taken,
    /// The questions of recent answers, for a 👎 record (where questions are recorded).
    recent: super::recent::RecentQuestions,
    /// The gateway intents the bot asks for, decided at start.
    intents: GatewayIntents,
}

/// A map that forgets its oldest entries past a bound: memory stays bounded
/// however many threads Discord announces.
struct Bounded<K, V> {
    map: HashMap<K, V>,
    order: VecDeque<K>,
    max: usize,
}

impl<K: Hash + Eq + Copy, V> Bounded<K, V> {
    fn new(max: usize) -> Self {
        Bounded { map: HashMap::new(), order: VecDeque::new(), max }
    }

    fn insert(&mut self, key: K, value: V) {
        if self.map.insert(key, value).is_none() {
            self.order.push_back(key);
        }
        while self.map.len() > self.max {
            match self.order.pop_front() {
                Some(old) => {
                    self.map.remove(&old);
                }
                None => break,
            }
        }
    }

    fn remove(&mut self, key: &K) {
        // Out of `order` too, or deleted threads would pile up there unbounded. A
        // scan, but threads are deleted far less often than messages arrive.
        if self.map.remove(key).is_some() {
            self.order.retain(|k| k != key);
        }
    }

    fn get(&self, key: &K) -> Option<&V> {
        self.map.get(key)
    }
}

/// Threads remembered with their parents.
const MAX_THREADS: usize = 100_000;

/// A thread as the gateway's thread events and GUILD_CREATE describe it: only
/// what the bot needs (serenity's channel type wants every field of a channel).
#[derive(Debug, Deserialize)]
pub struct ThreadInfo {
    pub id: ChannelId,
    #[serde(default)]
    pub parent_id: Option<ChannelId>,
}

/// The threads of THREAD_LIST_SYNC and GUILD_CREATE.
#[derive(Debug, Default, Deserialize)]
pub struct ThreadList {
    #[serde(default)]
    pub threads: Vec<ThreadInfo>,
}

/// A server's settings in effect: its own where it has them, the config's elsewhere.
#[derive(Debug, Clone)]
struct Local {
    qa_channels: Option<Vec<u64>>,
    unprompted: bool,
    unprompted_threshold: f32,
    waits: (Duration, Duration),
    record_questions: bool,
    private: bool,
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
    /// A handler recording to `recorder`, if any, with the servers' settings
    /// `guilds` (as the store held them at start).
    pub fn new(
        engine: Arc<SharedEngine>,
        settings: Settings,
        fatal: mpsc::UnboundedSender<BotError>,
        metrics: Metrics,
        recorder: Option<Recorder>,
        guilds: Vec<(u64, GuildSettings)>,
    ) -> Handler {
        let cooldowns = Cooldowns::new(settings.user_cooldown, settings.channel_cooldown);
        let guild_qa = guilds.iter().any(|(_, g)| g.qa_channels.as_ref().is_some_and(|c| !c.is_empty()));
        let intents = settings.intents_with(guild_qa);
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
            recorder,
            guilds: RwLock::new(guilds.into_iter().collect()),
            threads: Mutex::new(Bounded::new(MAX_THREADS)),
            feedback: Taken::default(),
            recent: Default::default(),
            intents,
        }
    }

    /// The gateway intents: the config's needs, and the Q&A channels servers set.
    pub fn intents(&self) -> GatewayIntents {
        self.intents
    }

    /// The settings in effect in `guild`.
    fn local(&self, guild: Option<GuildId>) -> Local {
        let own = guild.and_then(|g| self.guilds.read().unwrap_or_else(|e| e.into_inner()).get(&g.get()).cloned());
        let own = own.unwrap_or_default();
        let s = &self.settings;
        // Checked again here: a value the database holds is not trusted to be sane.
        let seconds = |v: Option<f64>, default: Duration| {
            v.filter(|v| (0.0..=86_400.0).contains(v)).map_or(default, Duration::from_secs_f64)
        };
        Local {
            qa_channels: own.qa_channels,
            unprompted: own.unprompted.unwrap_or(s.unprompted),
            unprompted_threshold: own
                .unprompted_threshold
                .filter(|t| (0.0..=1.0).contains(t))
                .unwrap_or(s.unprompted_threshold),
            waits: (
                seconds(own.user_cooldown_seconds, s.user_cooldown),
                seconds(own.channel_cooldown_seconds, s.channel_cooldown),
            ),
            record_questions: own.record_questions.unwrap_or(s.records.record_questions),
            private: own.private_by_default.unwrap_or(s.private_by_default),
        }
    }

    /// Whether `channel` (or, for a thread, its parent) is a Q&A channel under `local`.
    fn is_qa(&self, local: &Local, channel: ChannelId) -> bool {
        let parent = self.threads.lock().unwrap_or_else(|e| e.into_inner()).get(&channel.get()).copied();
        let is = |c: u64| match &local.qa_channels {
            Some(own) => own.contains(&c),
            None => self.settings.qa_channels.contains(&ChannelId::new(c)),
        };
        is(channel.get()) || parent.is_some_and(is)
    }

    /// Learns (or forgets, for a thread deleted) a thread's parent.
    pub fn thread(&self, thread: ThreadInfo, deleted: bool) {
        let _span =
            tracing::debug_span!("thread", id = thread.id.get(), parent = thread.parent_id.map(|p| p.get())).entered();
        debug!(deleted, "a thread's parent");
        let mut threads = self.threads.lock().unwrap_or_else(|e| e.into_inner());
        match thread.parent_id {
            Some(parent) if !deleted => threads.insert(thread.id.get(), parent.get()),
            _ => threads.remove(&thread.id.get()),
        }
    }

    /// Records a question for the curators if the bot did not answer it, or
    /// answered below the review confidence; its text only where the server
    /// records questions. Never waits.
    fn record_question(&self, reply: &Reply, id: RecordId, guild: Option<GuildId>, question: &str, local: &Local) {
        let Some(recorder) = &self.recorder else { return };
        let text = || text::clip(question, text::MAX_QUESTION_CHARS).to_string();
        if reply.is_answer() && local.record_questions {
            self.recent.keep(id, text());
        }
        if reply.is_chat() || (reply.is_answer() && reply.confidence >= self.settings.records.review_confidence) {
            return;
        }
        recorder.record(Record::Asked(Asked {
            id,
            at: store::now(),
            guild: guild.map(GuildId::get),
            text: local.record_questions.then(text),
            fact: reply.fact_id.clone().or_else(|| reply.suggested.first().cloned()),
            confidence: reply.confidence,
            answered: reply.is_answer(),
        }));
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
        let local = self.local(command.guild_id);
        let record = RecordId::random();
        let buttons = Buttons { record, remove_for: None };
        let (embed, rows, ephemeral) = match &request {
            Request::Ask { question, private } => {
                let reply = engine.ask_with(question, self.threshold(&engine));
                log_reply(&reply);
                outcome = Some(Outcome::of(question, &reply));
                self.record_question(&reply, record, command.guild_id, question, &local);
                (render::answer(&reply), render::components(&reply, &buttons), private.unwrap_or(local.private))
            }
            Request::Fact { topic } => {
                let reply = match engine.kb().find(topic) {
                    Some(id) => engine.fact_reply(id),
                    None => engine.ask_with(topic, self.threshold(&engine)),
                };
                log_reply(&reply);
                outcome = Some(Outcome::of(topic, &reply));
                self.record_question(&reply, record, command.guild_id, topic, &local);
                (render::answer(&reply), render::components(&reply, &buttons), local.private)
            }
            Request::Sources => (render::source_list(engine.kb()), Vec::new(), true),
            Request::About => (render::about(engine.kb()), Vec::new(), true),
            Request::Reload => return self.reload(http, command, responder).await,
            Request::Settings(change) => {
                let text = self.settings_command(command, change).await;
                (render::notice(&text), Vec::new(), true)
            }
            Request::AnswerMessage(target) => {
                let text = self.answer_message(http, command, target.as_deref()).await;
                (render::notice(text), Vec::new(), true)
            }
            Request::Unknown { name } => {
                warn!(name, "an unknown command was invoked; is an old registration left over?");
                let reply = Reply::unknown(engine.kb(), name, 0.0, []);
                (render::answer(&reply), Vec::new(), true)
            }
        };
        let message = CreateInteractionResponseMessage::new()
            .embed(embed)
            .ephemeral(ephemeral)
            .allowed_mentions(render::no_pings())
            .components(rows);
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

    /// A click on one of the bot's buttons, read from its custom id alone.
    async fn component(&self, http: &Http, click: &ComponentInteraction, responder: &Responder) {
        let engine = self.engine.current();
        let parsed = Click::parse(&click.data.custom_id);
        let user = click.user.id.get();
        let guild = click.guild_id.map(GuildId::get);
        let private = |embed: CreateEmbed, rows: Vec<CreateActionRow>| {
            let message = CreateInteractionResponseMessage::new()
                .embed(embed)
                .components(rows)
                .ephemeral(true)
                .allowed_mentions(render::no_pings());
            CreateInteractionResponse::Message(message)
        };
        // A fact's reply, privately, with buttons of its own; or, for a fact gone
        // since the button was made, a polite word.
        let fact_reply = |fact: &str| match engine.kb().find(fact) {
            Some(id) => {
                let reply = engine.fact_reply(id);
                let rows = render::components(&reply, &Buttons { record: RecordId::random(), remove_for: None });
                private(render::answer(&reply), rows)
            }
            None => {
                debug!(fact, "a button for a fact that no longer exists");
                private(render::notice(CHANGED), Vec::new())
            }
        };
        let response = match parsed {
            Some(Click::Sources { fact }) => {
                self.metrics.click("sources");
                match engine.kb().find(&fact) {
                    Some(id) => private(render::sources(&engine.fact_reply(id)), Vec::new()),
                    None => private(render::notice(CHANGED), Vec::new()),
                }
            }
            Some(Click::Suggestion { question, fact }) => {
                self.metrics.click("suggestion");
                if let (Some(recorder), Some(_)) = (&self.recorder, engine.kb().find(&fact)) {
                    let user = recorder.user(user);
                    let taken = SuggestionTaken { question, at: store::now(), guild, user, fact: fact.clone() };
                    recorder.record(Record::SuggestionTaken(taken));
                }
                fact_reply(&fact)
            }
            Some(Click::Related { fact }) => {
                self.metrics.click("related");
                fact_reply(&fact)
            }
            Some(Click::Feedback { helpful, answer, confidence, fact }) => {
                self.metrics.click(if helpful { "helpful" } else { "unhelpful" });
                let first = self.feedback.first(feedback_key(answer, user));
                if let (Some(recorder), true) = (&self.recorder, first) {
                    recorder.record(Record::Feedback(Feedback {
                        answer,
                        at: store::now(),
                        guild,
                        user: recorder.user(user),
                        helpful,
                        fact: Some(fact),
                        confidence,
                        question: self.recent.question(answer),
                    }));
                }
                match (helpful, first) {
                    (false, _) => CreateInteractionResponse::Modal(render::note_modal(answer)),
                    (true, true) => private(render::notice(THANKS), Vec::new()),
                    (true, false) => private(render::notice(COUNTED), Vec::new()),
                }
            }
            Some(Click::Remove { asker }) => {
                self.metrics.click("remove");
                let moderator = click
                    .member
                    .as_ref()
                    .and_then(|m| m.permissions)
                    .is_some_and(|p| p.contains(Permissions::MANAGE_MESSAGES) || p.administrator());
                if user == asker || moderator {
                    let (channel, message) = (click.channel_id, click.message.id);
                    // Bounded: the click's own answer is due within Discord's 3 seconds.
                    let removal =
                        self.deliver("the removal", || http.delete_message(channel, message, Some("removed by a fan")));
                    let removed = tokio::time::timeout(INTERACTION_WINDOW, removal).await.unwrap_or(false);
                    private(render::notice(if removed { REMOVED } else { NOT_REMOVED }), Vec::new())
                } else {
                    info!(asker, "refused to remove an answer for someone who neither asked nor moderates");
                    private(render::notice(NOT_YOURS), Vec::new())
                }
            }
            None => {
                debug!(custom_id = %render::cut(&click.data.custom_id, 120), "a button this bot does not know");
                private(render::notice(CHANGED), Vec::new())
            }
        };
        self.respond("the click's answer", responder, response, |r| click.create_response(http, r)).await;
    }

    /// The 👎's modal, submitted: its note joins that feedback in the record.
    async fn modal(&self, http: &Http, modal: &ModalInteraction, responder: &Responder) {
        let note = modal
            .data
            .components
            .iter()
            .flat_map(|row| row.components.iter())
            .find_map(|c| match c {
                ActionRowComponent::InputText(t) => t.value.clone(),
                _ => None,
            })
            .unwrap_or_default();
        let note: String = note.trim().chars().take(render::MAX_NOTE_CHARS).collect();
        match (render::note_answer(&modal.data.custom_id), &self.recorder) {
            (Some(answer), Some(recorder)) if !note.is_empty() => {
                let user = recorder.user(modal.user.id.get());
                recorder.record(Record::Note { answer, user, text: note });
            }
            (None, _) => debug!("a modal this bot does not know"),
            _ => {}
        }
        let message = CreateInteractionResponseMessage::new()
            .embed(render::notice(THANKS))
            .ephemeral(true)
            .allowed_mentions(render::no_pings());
        let response = CreateInteractionResponse::Message(message);
        self.respond("the thanks for a note", responder, response, |r| modal.create_response(http, r)).await;
    }

    /// `/settings`: lists this server's settings, or changes some, for members with
    /// Manage Server. What to say back.
    async fn settings_command(&self, command: &CommandInteraction, change: &SettingsChange) -> String {
        let Some(guild) = command.guild_id else {
            return "Settings are per server: use /settings in a server.".into();
        };
        let permitted = command
            .member
            .as_ref()
            .and_then(|m| m.permissions)
            .is_some_and(|p| p.contains(Permissions::MANAGE_GUILD) || p.administrator());
        if !permitted {
            info!("refused /settings from a member without Manage Server");
            return "Only members with the Manage Server permission can see or change the bot's settings here.".into();
        }
        if change.is_empty() {
            return self.describe_settings(guild);
        }
        let checks = [
            ("unprompted_threshold", change.unprompted_threshold, 1.0),
            ("user_cooldown", change.user_cooldown, 86_400.0),
            ("channel_cooldown", change.channel_cooldown, 86_400.0),
        ];
        for (name, value, max) in checks {
            if let Some(v) = value.filter(|v| !(0.0..=max).contains(v)) {
                return format!("{name} must be between 0 and {max}, not {v}: nothing was changed.");
            }
        }
        let updated = {
            let mut guilds = self.guilds.write().unwrap_or_else(|e| e.into_inner());
            let own = guilds.entry(guild.get()).or_default();
            if change.reset {
                *own = GuildSettings::default();
            }
            let configured = || self.settings.qa_channels.iter().map(|c| c.get()).collect::<Vec<_>>();
            if let Some(add) = change.add_qa_channel {
                let channels = own.qa_channels.get_or_insert_with(configured);
                if !channels.contains(&add.get()) {
                    channels.push(add.get());
                }
            }
            if let Some(remove) = change.remove_qa_channel {
                own.qa_channels.get_or_insert_with(configured).retain(|&c| c != remove.get());
            }
            own.unprompted = change.unprompted.or(own.unprompted);
            own.unprompted_threshold = change.unprompted_threshold.map(|t| t as f32).or(own.unprompted_threshold);
            own.user_cooldown_seconds = change.user_cooldown.or(own.user_cooldown_seconds);
            own.channel_cooldown_seconds = change.channel_cooldown.or(own.channel_cooldown_seconds);
            own.record_questions = change.record_questions.or(own.record_questions);
            own.private_by_default = change.private_answers.or(own.private_by_default);
            own.clone()
        };
        info!(?updated, "server settings changed");
        let saved = match &self.recorder {
            None => Some("Saved in memory only: this bot has no database, so a restart forgets them."),
            Some(recorder) => {
                match tokio::time::timeout(SAVE_TIMEOUT, recorder.store().save_guild_settings(guild.get(), &updated))
                    .await
                {
                    Ok(Ok(())) => None,
                    Ok(Err(e)) => {
                        warn!(error = %e, "could not save a server's settings");
                        Some("In effect now, but they could not be saved: a restart will forget them.")
                    }
                    Err(_) => {
                        warn!("saving a server's settings took too long");
                        Some("In effect now, but saving them took too long: a restart may forget them.")
                    }
                }
            }
        };
        let mut text = format!("Changed.\n\n{}", self.describe_settings(guild));
        if let Some(saved) = saved {
            text.push_str(&format!("\n\n{saved}"));
        }
        let has_qa = updated.qa_channels.as_ref().is_some_and(|c| !c.is_empty());
        if has_qa && !self.intents.message_content() {
            text.push_str("\n\nThe bot must restart before it can read messages in Q&A channels.");
        }
        text
    }

    /// This server's settings as `/settings` lists them.
    fn describe_settings(&self, guild: GuildId) -> String {
        let own = self.guilds.read().unwrap_or_else(|e| e.into_inner()).get(&guild.get()).cloned().unwrap_or_default();
        let local = self.local(Some(guild));
        let default = |set: bool| if set { "" } else { " (default)" };
        let on = |b: bool| if b { "on" } else { "off" };
        let channels: Vec<String> = match &local.qa_channels {
            Some(own) => own.iter().map(|c| format!("<#{c}>")).collect(),
            None => self.settings.qa_channels.iter().map(|c| format!("<#{c}>")).collect(),
        };
        let channels = if channels.is_empty() { "none".to_string() } else { channels.join(", ") };
        format!(
            "**This server's settings**\n\
             Q&A channels: {channels}{}\n\
             Unprompted answers: {}{}\n\
             Unprompted threshold: {:.2}{}\n\
             Cooldowns: {} s per member{}, {} s per channel{}\n\
             Record questions' text: {}{}\n\
             /ask answers: {}{}",
            default(own.qa_channels.is_some()),
            on(local.unprompted),
            default(own.unprompted.is_some()),
            local.unprompted_threshold,
            default(own.unprompted_threshold.is_some()),
            local.waits.0.as_secs_f64(),
            default(own.user_cooldown_seconds.is_some()),
            local.waits.1.as_secs_f64(),
            default(own.channel_cooldown_seconds.is_some()),
            on(local.record_questions),
            default(own.record_questions.is_some()),
            if local.private { "private" } else { "public" },
            default(own.private_by_default.is_some()),
        )
    }

    /// The message context-menu command: answers the chosen message as a reply to
    /// it, for a helper who sees a question go unanswered. What to tell the helper.
    async fn answer_message(
        &self,
        http: &Http,
        command: &CommandInteraction,
        target: Option<&Message>,
    ) -> &'static str {
        let Some(target) = target else {
            return "Discord did not say which message to answer.";
        };
        if target.content.trim().is_empty() {
            return "That message has no text to answer.";
        }
        let started = Instant::now();
        let engine = self.engine.current();
        let reply = engine.ask_with(&target.content, self.threshold(&engine));
        log_reply(&reply);
        let record = RecordId::random();
        self.record_question(&reply, record, command.guild_id, &target.content, &self.local(command.guild_id));
        let message = CreateMessage::new()
            .embed(render::answer(&reply))
            .components(render::components(&reply, &Buttons { record, remove_for: None }))
            .reference_message(target)
            .allowed_mentions(render::no_pings());
        let sent =
            self.deliver("the answer to a message", || target.channel_id.send_message(http, message.clone())).await;
        self.metrics.question(Outcome::of(&target.content, &reply), started.elapsed());
        if sent {
            "Answered, as a reply to that message."
        } else {
            "The answer could not be posted there: does the bot have Send Messages and Read Message History in that channel?"
        }
    }

    /// A reaction: ❌ on an answer the bot posted unprompted removes it, when the
    /// one who asked adds it. (A moderator can delete it as any message, or press
    /// its Remove button.)
    async fn reaction(&self, http: &Http, reaction: &Reaction) {
        let Some(&me) = self.me.get() else { return };
        if !reaction.emoji.unicode_eq(REMOVE_EMOJI) {
            return;
        }
        let Some(user) = reaction.user_id.filter(|&u| u != me) else { return };
        if reaction.message_author_id.is_some_and(|author| author != me) {
            return;
        }
        let message = match http.get_message(reaction.channel_id, reaction.message_id).await {
            Ok(message) => message,
            Err(e) => {
                debug!(error = %describe(&e), "could not read the message reacted to");
                return;
            }
        };
        if message.author.id != me {
            return;
        }
        let asker = message.components.iter().flat_map(|row| row.components.iter()).find_map(|c| match c {
            ActionRowComponent::Button(b) => match &b.data {
                ButtonKind::NonLink { custom_id, .. } => match Click::parse(custom_id) {
                    Some(Click::Remove { asker }) => Some(asker),
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        });
        if asker != Some(user.get()) {
            debug!("a ❌ from someone other than the asker, or on an answer that was asked for; kept");
            return;
        }
        self.metrics.click("remove");
        let (channel, id) = (reaction.channel_id, reaction.message_id);
        self.deliver("the removal", || http.delete_message(channel, id, Some("removed by the asker"))).await;
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
        let local = self.local(msg.guild_id);
        let unprompted = !direct
            && local.unprompted
            && self.is_qa(&local, msg.channel_id)
            && text::looks_like_question(&msg.content);
        if !direct && !unprompted {
            return;
        }
        if !self.cooldowns.ready_with(msg.author.id, msg.channel_id, local.waits) {
            debug!("cooling down; staying quiet");
            return;
        }
        let started = Instant::now();
        let engine = self.engine.current();
        let answer = self.threshold(&engine);
        // Unprompted answers need at least what direct ones need.
        let threshold = if direct { answer } else { local.unprompted_threshold.max(answer) };
        let reply = engine.ask_with(&msg.content, threshold);
        log_reply(&reply);
        let outcome = Outcome::of(&msg.content, &reply);
        let record = RecordId::random();
        self.record_question(&reply, record, msg.guild_id, &msg.content, &local);
        if !direct && !reply.is_answer() {
            debug!("not confident enough to answer unprompted; staying quiet");
            self.metrics.question(outcome, started.elapsed());
            return;
        }
        // Two messages can both pass `ready` while neither has answered yet; only
        // one gets the turn.
        if !self.cooldowns.try_take_with(msg.author.id, msg.channel_id, local.waits) {
            debug!("cooling down; staying quiet");
            return;
        }
        // Who asked may remove an answer nobody asked the bot for.
        let buttons = Buttons { record, remove_for: (!direct).then(|| msg.author.id.get()) };
        let message = CreateMessage::new()
            .embed(render::answer(&reply))
            .components(render::components(&reply, &buttons))
            .reference_message(msg)
            .allowed_mentions(render::no_pings());
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
                 Send Messages in Threads, Embed Links and Read Message History, and Manage Messages to remove an \
                 answer)"
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

/// Said for a button whose fact is gone (a reload removed or renamed it).
const CHANGED: &str = "This answer has changed since it was posted: ask again to get the current one.";
const THANKS: &str = "Thanks for the feedback: it helps the curators improve the answers.";
const COUNTED: &str = "Thanks: your feedback on this answer is already counted.";
const REMOVED: &str = "Removed.";
const NOT_REMOVED: &str = "The answer could not be removed: does the bot have Manage Messages here?";
const NOT_YOURS: &str =
    "Only the person who asked, or someone with the Manage Messages permission, can remove this answer.";
/// The reaction that removes an unprompted answer.
pub const REMOVE_EMOJI: &str = "❌";
/// How long `/settings` waits for the database before saying it could not save.
const SAVE_TIMEOUT: Duration = Duration::from_secs(2);

/// One number per (answer, user), to count a user's feedback on an answer once.
fn feedback_key(answer: RecordId, user: u64) -> u64 {
    let hash = blake3::hash(&[answer.0.to_le_bytes(), user.to_le_bytes()].concat());
    let mut key = [0; 8];
    key.copy_from_slice(&hash.as_bytes()[..8]);
    u64::from_le_bytes(key)
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
            Interaction::Modal(m) => ("modal", m.id.get(), m.user.id.get(), m.guild_id),
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
                Interaction::Modal(m) => self.modal(http, m, responder).await,
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

    pub async fn reaction_added(&self, http: &Http, reaction: Reaction) {
        let span = info_span!(
            "reaction",
            message = reaction.message_id.get(),
            channel = reaction.channel_id.get(),
            user = reaction.user_id.map(|u| u.get())
        );
        self.reaction(http, &reaction).instrument(span).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_thread_map_stays_bounded_through_creations_and_deletions() {
        let mut threads = Bounded::new(3);
        for id in 0..10u64 {
            threads.insert(id, id + 100);
            threads.remove(&id);
        }
        assert!(threads.map.is_empty() && threads.order.is_empty());
        for id in 0..10u64 {
            threads.insert(id, id + 100);
        }
        assert_eq!((threads.map.len(), threads.order.len()), (3, 3));
        assert_eq!(threads.get(&9), Some(&109));
        assert_eq!(threads.get(&0), None, "the oldest was forgotten");
    }

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
