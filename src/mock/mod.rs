//! A mock Discord on loopback: the REST API over HTTPS and the gateway over a
//! WebSocket, enough of both for the unchanged serenity client to run the real bot
//! against it. It records every REST request and the ops of the gateway frames the
//! bot sends, and can be told to misbehave so that tests can see the bot cope: one
//! [`Fault`] type for both sides (a status such as 429, 401 or 503, no answer, a cut
//! connection, a close code, op 7, op 9, an unacknowledged heartbeat), queued for
//! the next matching request or gateway [`Step`], or injected at once; and answers
//! can be slowed down.
//!
//! The REST side serves `https://discord.com` with a self-signed certificate; the
//! bot's HTTP client resolves `discord.com` to it and trusts that certificate (see
//! [`crate::discord::Endpoint`]). The gateway is plain `ws://` on another port: its
//! URL reaches the bot the way Discord's does, from `GET /gateway`.

pub mod console;
pub mod endpoint;
mod gateway;
pub mod payloads;
mod rest;

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde::Serialize;
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use crate::discord::Endpoint;
use payloads::Place;

/// The bot's user id, which is also its application id, as on Discord.
pub const BOT_ID: u64 = 1_000_000_000_000_000_001;
/// The first guild: shard 0 of any shard count, (100 << 22 >> 22) % n == 100 % n.
pub const GUILD: u64 = 100 << 22;
/// A second guild, on shard 1 of 2.
pub const OTHER_GUILD: u64 = 101 << 22;
/// A Q&A channel and a general channel in each guild.
pub const QA_CHANNEL: u64 = 3_000;
pub const GENERAL_CHANNEL: u64 = 3_001;

/// A recorded REST request.
#[derive(Debug, Clone, Serialize)]
pub struct Recorded {
    pub method: String,
    /// The path below `/api/v10`, with its query.
    pub path: String,
    pub body: Value,
    /// The status the mock answered with (0 while it has not answered).
    #[serde(skip)]
    pub status: u16,
    /// The `Authorization` header, to tell apart bots sharing one mock.
    #[serde(skip)]
    pub auth: String,
    /// What the mock answered (a posted message, with its id), `Null` for none.
    #[serde(skip)]
    pub response: Value,
}

/// A way to misbehave, once. A test queues one for the next REST request that
/// matches ([`MockDiscord::fail_next`]) or the next gateway [`Step`]
/// ([`MockDiscord::fail_next_step`]), or applies one at once to every gateway
/// connection ([`MockDiscord::inject`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Fault {
    /// 429 with a retry-after of this many seconds.
    RateLimit(f64),
    /// This status, with a Discord error body.
    Status(u16),
    /// Never answer: a request hangs, a heartbeat goes unacknowledged (a zombie
    /// connection).
    Hang,
    /// Close the gateway connection with this code. A code that ends the session
    /// (4007, 4009) also makes the mock forget it, as Discord does.
    Close(u16),
    /// Op 7: Discord asks the client to reconnect and resume.
    Reconnect,
    /// Op 9. A session that is not resumable is forgotten.
    InvalidSession { resumable: bool },
    /// Cut the connection (or refuse a new one) without a word, as a network
    /// failure would.
    Drop,
}

impl Fault {
    /// Whether Discord forgets the session when this happens.
    fn ends_session(self) -> bool {
        matches!(self, Fault::Close(4007 | 4009) | Fault::InvalidSession { resumable: false })
    }
}

/// A moment in the gateway protocol when a queued [`Fault`] can strike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// A new connection, before the WebSocket handshake (only `Drop` applies).
    Connect,
    /// The client's IDENTIFY (a `Close(4004)` here is a refused token).
    Identify,
    /// The client's RESUME.
    Resume,
    /// The client's heartbeat.
    Heartbeat,
}

/// What a queued fault waits for.
enum Trigger {
    /// A REST request for which the matcher holds, given `(path, body)`.
    Request(Matcher),
    Gateway(Step),
}

/// A fan in the mock's guilds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fan {
    pub id: u64,
    pub name: String,
    pub bot: bool,
    /// Their permissions in the guild's channels, as interactions carry them.
    pub permissions: u64,
}

impl Fan {
    /// A plain member: no Manage Messages, no Manage Server.
    pub fn new(id: u64, name: &str) -> Fan {
        Fan { id, name: name.to_string(), bot: false, permissions: payloads::MEMBER }
    }

    /// This fan with `extra` permissions too (`payloads::MANAGE_MESSAGES`, ...).
    pub fn with(self, extra: u64) -> Fan {
        Fan { permissions: self.permissions | extra, ..self }
    }

    fn json(&self) -> Value {
        payloads::user(self.id, &self.name, self.bot)
    }
}

/// An event the mock sent, to find the bot's response to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sent {
    Interaction {
        id: u64,
        token: String,
    },
    Message {
        id: u64,
    },
    /// A reaction on message `message`: the bot answers by deleting it, or not at all.
    Reaction {
        message: u64,
    },
}

impl Sent {
    /// Whether `request` is the bot responding to this event.
    pub fn is_answered_by(&self, request: &Recorded) -> bool {
        match self {
            Sent::Interaction { id, token } => {
                request.path.starts_with(&format!("/interactions/{id}/"))
                    || request.path.starts_with(&format!("/webhooks/{BOT_ID}/{token}"))
            }
            Sent::Message { id } => {
                request.method == "POST"
                    && request.path.starts_with("/channels/")
                    && request.body["message_reference"]["message_id"] == json!(id.to_string())
            }
            Sent::Reaction { message } => {
                request.method == "DELETE" && request.path.ends_with(&format!("/messages/{message}"))
            }
        }
    }
}

pub struct MockDiscord {
    shared: Arc<Shared>,
    rest: SocketAddr,
    certificate_der: Vec<u8>,
    tasks: Vec<JoinHandle<()>>,
}

struct Shared {
    next_id: AtomicU64,
    gateway_url: String,
    heartbeat_interval_ms: u64,
    bot: Value,
    requests: Mutex<Vec<Recorded>>,
    /// Bumped on every recorded request or answer, to wake waiters.
    changes: watch::Sender<u64>,
    faults: Mutex<VecDeque<(Trigger, Fault)>>,
    /// The op of every gateway frame the client sent but heartbeats, in order.
    client_ops: Mutex<Vec<u64>>,
    latency: Mutex<Duration>,
    sessions: Mutex<HashMap<String, gateway::Session>>,
    /// The messages the bot posted, by id, for GET and DELETE (the oldest
    /// forgotten past [`POSTED`]).
    posted: Mutex<VecDeque<(u64, Value)>>,
}

/// Messages the mock remembers the bot posting.
const POSTED: usize = 10_000;

/// Locks a mutex, ignoring poisoning: the mock's state stays consistent between
/// statements, and a panicking test must not hide the real failure behind another.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    /// Takes the first queued fault whose trigger `applies`.
    fn take_fault(&self, applies: impl Fn(&Trigger) -> bool) -> Option<Fault> {
        let mut faults = lock(&self.faults);
        let at = faults.iter().position(|(trigger, _)| applies(trigger))?;
        faults.remove(at).map(|(_, fault)| fault)
    }
}

impl MockDiscord {
    /// Starts the mock on loopback ports chosen by the system.
    pub async fn start() -> std::io::Result<MockDiscord> {
        Self::start_with(Duration::from_millis(41_250)).await
    }

    /// Starts the mock with a given heartbeat interval (short in tests of heartbeats).
    pub async fn start_with(heartbeat: Duration) -> std::io::Result<MockDiscord> {
        let gateway_listener = TcpListener::bind("127.0.0.1:0").await?;
        let rest_listener = TcpListener::bind("127.0.0.1:0").await?;
        let certified = rcgen::generate_simple_self_signed(vec!["discord.com".to_string()])
            .map_err(|e| std::io::Error::other(format!("cannot make the mock's certificate: {e}")))?;
        let shared = Arc::new(Shared {
            next_id: AtomicU64::new(1 << 32),
            gateway_url: format!("ws://{}", gateway_listener.local_addr()?),
            heartbeat_interval_ms: heartbeat.as_millis().max(1) as u64,
            bot: payloads::user(BOT_ID, "First Kiss Bot", true),
            requests: Mutex::default(),
            changes: watch::channel(0).0,
            faults: Mutex::default(),
            client_ops: Mutex::default(),
            latency: Mutex::default(),
            sessions: Mutex::default(),
            posted: Mutex::default(),
        });
        let rest = rest_listener.local_addr()?;
        let certificate_der = certified.cert.der().to_vec();
        let tls = rest::tls_config(&certified)?;
        let tasks = vec![
            tokio::spawn(gateway::serve(gateway_listener, shared.clone())),
            tokio::spawn(rest::serve(rest_listener, tls, shared.clone())),
        ];
        Ok(MockDiscord { shared, rest, certificate_der, tasks })
    }

    /// Where the bot should send its traffic to reach this mock.
    pub fn endpoint(&self) -> Endpoint {
        Endpoint::Mock { rest: self.rest, certificate_der: self.certificate_der.clone() }
    }

    /// Every REST request so far, in order.
    pub fn requests(&self) -> Vec<Recorded> {
        lock(&self.shared.requests).clone()
    }

    /// Every REST request since the last call, in order, forgotten by the mock: for a
    /// long run, whose record would otherwise grow with every request.
    pub fn take_requests(&self) -> Vec<Recorded> {
        std::mem::take(&mut *lock(&self.shared.requests))
    }

    /// Waits until `done` holds for the requests so far, or `timeout` passes; returns
    /// the requests either way, and whether `done` held.
    pub async fn wait_until(&self, timeout: Duration, done: impl Fn(&[Recorded]) -> bool) -> (Vec<Recorded>, bool) {
        let mut changes = self.shared.changes.subscribe();
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let requests = self.requests();
            if done(&requests) {
                return (requests, true);
            }
            if tokio::time::timeout_at(deadline, changes.changed()).await.is_err() {
                let requests = self.requests();
                let held = done(&requests);
                return (requests, held);
            }
        }
    }

    /// Waits for the bot's answers to `sent` (successful ones), until `count` have
    /// arrived or `timeout` passes.
    pub async fn answers(&self, sent: &Sent, count: usize, timeout: Duration) -> Vec<Recorded> {
        let answered = |r: &Recorded| sent.is_answered_by(r) && (200..300).contains(&r.status);
        let (requests, _) = self.wait_until(timeout, |rs| rs.iter().filter(|r| answered(r)).count() >= count).await;
        requests.into_iter().filter(answered).collect()
    }

    /// Waits until `shards` gateway sessions have been identified and the bot has
    /// registered its commands.
    pub async fn ready(&self, shards: usize, timeout: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut changes = self.shared.changes.subscribe();
        loop {
            let identified = lock(&self.shared.sessions).values().filter(|s| s.connected()).count();
            let registered = self.requests().iter().any(|r| r.method == "PUT" && r.path.ends_with("/commands"));
            if identified >= shards && registered {
                return true;
            }
            if tokio::time::timeout_at(deadline, changes.changed()).await.is_err() {
                return false;
            }
        }
    }

    /// Misbehave once on the next request whose path contains `route`.
    pub fn fail_next(&self, route: &str, fault: Fault) {
        let route = route.to_string();
        self.fail_next_where(move |path, _| path.contains(route.as_str()), fault);
    }

    /// Misbehave once on the next request for which `applies(path, body)` holds, to
    /// pick one of several requests racing each other.
    pub fn fail_next_where(&self, applies: impl Fn(&str, &Value) -> bool + Send + Sync + 'static, fault: Fault) {
        lock(&self.shared.faults).push_back((Trigger::Request(Box::new(applies)), fault));
    }

    /// Misbehave once at the next `step` of any gateway connection.
    pub fn fail_next_step(&self, step: Step, fault: Fault) {
        lock(&self.shared.faults).push_back((Trigger::Gateway(step), fault));
    }

    /// Applies a gateway fault now, to every open connection: a close code, op 7,
    /// op 9, or a cut.
    pub fn inject(&self, fault: Fault) {
        let mut sessions = lock(&self.shared.sessions);
        for session in sessions.values_mut() {
            session.suffer(fault);
        }
        if fault.ends_session() {
            sessions.clear();
        }
    }

    /// The op of every gateway frame the bot sent except heartbeats, in order:
    /// `[2, 6]` is an IDENTIFY, then a RESUME.
    pub fn gateway_ops(&self) -> Vec<u64> {
        lock(&self.shared.client_ops).clone()
    }

    /// Waits until `done` holds for [`Self::gateway_ops`], or `timeout` passes;
    /// returns the ops either way, and whether `done` held.
    pub async fn wait_for_ops(&self, timeout: Duration, done: impl Fn(&[u64]) -> bool) -> (Vec<u64>, bool) {
        let mut changes = self.shared.changes.subscribe();
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let ops = self.gateway_ops();
            if done(&ops) || tokio::time::timeout_at(deadline, changes.changed()).await.is_err() {
                let held = done(&ops);
                return (ops, held);
            }
        }
    }

    /// Delay every REST answer by `latency`.
    pub fn set_latency(&self, latency: Duration) {
        *lock(&self.shared.latency) = latency;
    }

    /// Drops every gateway connection abruptly, as a network failure would. The bot
    /// reconnects and resumes; events sent meanwhile are replayed on resume.
    pub fn drop_connections(&self) {
        self.inject(Fault::Drop);
    }

    /// The shards the bot identified as, `[id, count]`, one per session.
    pub fn shards(&self) -> Vec<[u32; 2]> {
        let mut shards: Vec<[u32; 2]> = lock(&self.shared.sessions).values().map(|s| s.shard).collect();
        shards.sort_unstable();
        shards
    }

    fn id(&self) -> u64 {
        self.shared.next_id.fetch_add(1, Ordering::Relaxed)
    }

    /// A fan invokes a slash command with `options`.
    pub fn command(&self, place: Place, fan: &Fan, name: &str, options: &[(&str, Value)]) -> Sent {
        self.over_gateway(place, self.command_interaction(place, fan, name, options))
    }

    /// A fan types `typed` into a command's autocompleted option.
    pub fn autocomplete(&self, place: Place, fan: &Fan, name: &str, option: &str, typed: &str) -> Sent {
        self.over_gateway(place, self.autocomplete_interaction(place, fan, name, option, typed))
    }

    /// A fan clicks a button with `custom_id` under one of the bot's messages.
    pub fn click(&self, place: Place, fan: &Fan, custom_id: &str) -> Sent {
        self.over_gateway(place, self.click_interaction(place, fan, custom_id))
    }

    /// A fan clicks a button with `custom_id` under the bot's message `message` (as
    /// REST returned it when the bot posted it).
    pub fn click_on(&self, place: Place, fan: &Fan, custom_id: &str, message: &Value) -> Sent {
        let (sent, interaction) =
            self.interaction(place, fan, 3, payloads::button_data(custom_id), Some(message.clone()));
        self.over_gateway(place, (sent, interaction))
    }

    /// A fan submits the modal `custom_id` with `text` in its one field.
    pub fn submit_modal(&self, place: Place, fan: &Fan, custom_id: &str, text: &str) -> Sent {
        self.over_gateway(place, self.modal_interaction(place, fan, custom_id, text))
    }

    /// The interaction of [`Self::submit_modal`], not sent.
    pub fn modal_interaction(&self, place: Place, fan: &Fan, custom_id: &str, text: &str) -> (Sent, Value) {
        self.interaction(place, fan, 5, payloads::modal_data(custom_id, "note", text), None)
    }

    /// A fan uses the message context-menu command `name` on `target` (a message as
    /// Discord sends it: see [`Self::message_json`]).
    pub fn message_command(&self, place: Place, fan: &Fan, name: &str, target: &Value) -> Sent {
        let data = payloads::message_command_data(self.id(), name, target);
        self.over_gateway(place, self.interaction(place, fan, 2, data, None))
    }

    /// A fan adds `emoji` to the message `message` by `author`.
    pub fn react(&self, place: Place, fan: &Fan, message: u64, author: u64, emoji: &str) -> Sent {
        self.dispatch(place.guild, "MESSAGE_REACTION_ADD", payloads::reaction(place, fan.id, message, author, emoji));
        Sent::Reaction { message }
    }

    /// A fan opens a thread (or a forum post) under channel `parent`; its channel id.
    pub fn thread(&self, guild: u64, parent: u64, fan: &Fan, name: &str) -> u64 {
        let id = self.id();
        self.dispatch(guild, "THREAD_CREATE", payloads::thread(id, guild, parent, fan.id, name));
        id
    }

    /// Discord tells the bot the threads open in `guild` (THREAD_LIST_SYNC), each
    /// `(thread, parent)`, as it does when the bot gains access to their channels.
    pub fn sync_threads(&self, guild: u64, threads: &[(u64, u64)]) {
        let threads: Vec<Value> =
            threads.iter().map(|&(id, parent)| payloads::thread(id, guild, parent, BOT_ID, "a thread")).collect();
        self.dispatch(guild, "THREAD_LIST_SYNC", payloads::thread_list_sync(guild, &threads));
    }

    /// A message as [`Self::message`] sends it, returned rather than sent: the
    /// target of a context-menu command, sent with [`Self::post`].
    pub fn message_json(&self, place: Place, author: &Fan, content: &str) -> Value {
        payloads::message(self.id(), place, author.json(), content, &[], &json!({}))
    }

    /// Sends a message made by [`Self::message_json`].
    pub fn post(&self, place: Place, message: Value) -> Sent {
        let id = message["id"].as_str().and_then(|i| i.parse().ok()).unwrap_or(0);
        self.dispatch(place.guild, "MESSAGE_CREATE", message);
        Sent::Message { id }
    }

    /// The interaction of [`Self::command`], not sent: to post it to an interactions
    /// endpoint ([`endpoint::Client`]) instead, or as well.
    pub fn command_interaction(&self, place: Place, fan: &Fan, name: &str, options: &[(&str, Value)]) -> (Sent, Value) {
        let data = payloads::command_data(self.id(), name, options, None);
        self.interaction(place, fan, 2, data, None)
    }

    /// The interaction of [`Self::autocomplete`], not sent.
    pub fn autocomplete_interaction(
        &self,
        place: Place,
        fan: &Fan,
        name: &str,
        option: &str,
        typed: &str,
    ) -> (Sent, Value) {
        let data = payloads::command_data(self.id(), name, &[(option, json!(typed))], Some(option));
        self.interaction(place, fan, 4, data, None)
    }

    /// The interaction of [`Self::click`], not sent.
    pub fn click_interaction(&self, place: Place, fan: &Fan, custom_id: &str) -> (Sent, Value) {
        let message = payloads::message(self.id(), place, self.shared.bot.clone(), "", &[], &json!({}));
        self.interaction(place, fan, 3, payloads::button_data(custom_id), Some(message))
    }

    /// A PING, as Discord checks an interactions endpoint.
    pub fn ping_interaction(&self) -> Value {
        let id = self.id();
        payloads::ping(id, BOT_ID, &format!("interaction-token-{id}"))
    }

    fn interaction(&self, place: Place, fan: &Fan, kind: u8, data: Value, message: Option<Value>) -> (Sent, Value) {
        let id = self.id();
        let token = format!("interaction-token-{id}");
        let interaction = payloads::Interaction {
            id,
            token: &token,
            app_id: BOT_ID,
            place,
            user: fan.json(),
            permissions: fan.permissions,
            kind,
            data,
            message,
        }
        .to_json();
        (Sent::Interaction { id, token }, interaction)
    }

    /// Sends an interaction over the gateway, to the shard of its guild.
    pub fn over_gateway(&self, place: Place, (sent, interaction): (Sent, Value)) -> Sent {
        self.dispatch(place.guild, "INTERACTION_CREATE", interaction);
        sent
    }

    /// A fan (or a bot) posts `content`; `mentions_bot` makes it mention the bot the
    /// way Discord does (`<@id>` in the text and the bot in `mentions`).
    pub fn message(&self, place: Place, author: &Fan, content: &str, mentions_bot: bool) -> Sent {
        let id = self.id();
        let (content, mentions) = if mentions_bot {
            (format!("<@{BOT_ID}> {content}"), vec![self.shared.bot.clone()])
        } else {
            (content.to_string(), vec![])
        };
        let message = payloads::message(id, place, author.json(), &content, &mentions, &json!({}));
        self.dispatch(place.guild, "MESSAGE_CREATE", message);
        Sent::Message { id }
    }

    /// Sends a raw gateway frame to the shard of `guild` (for tests of malformed
    /// payloads and unknown events).
    pub fn send_raw(&self, guild: u64, frame: Value) {
        gateway::send_to_guild(&self.shared, guild, gateway::Outgoing::Frame(frame.to_string().into()));
    }

    fn dispatch(&self, guild: u64, kind: &str, data: Value) {
        gateway::send_to_guild(&self.shared, guild, gateway::Outgoing::Dispatch(kind.to_string(), data));
    }
}

impl Drop for MockDiscord {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
        for session in lock(&self.shared.sessions).values_mut() {
            session.drop_connection();
        }
    }
}

/// The place a guild's Q&A channel is.
pub fn qa(guild: u64) -> Place {
    Place { guild, channel: QA_CHANNEL }
}

/// A guild's general channel, where the bot answers only when mentioned.
pub fn general(guild: u64) -> Place {
    Place { guild, channel: GENERAL_CHANNEL }
}

/// The mock's gateway sessions' outgoing queues, for `gateway` and `rest`.
type Outbox = mpsc::UnboundedSender<gateway::Outgoing>;

/// Which requests a fault applies to: `(path, body)`.
type Matcher = Box<dyn Fn(&str, &Value) -> bool + Send + Sync>;
