//! The bot's gateway connection, one task per shard: connect, identify or resume,
//! heartbeat, hand each event to the [`Handler`], and reconnect when Discord or the
//! network asks for it.
//!
//! serenity's `ShardManager` does this too, but not well enough to run unattended:
//! it retries a failed connection every 5 s forever and logs each failure as a
//! `Debug` dump; after a zombie connection or a non-resumable session it stalls for
//! 5 s on its own shutdown; and it re-identifies where a resume would keep the
//! events sent meanwhile. Here every outcome of a connection is one of the few that
//! [`Closed`] names, and each has its remedy: resume, identify afresh, back off, or
//! stop the bot with one line that says what to fix. serenity still supplies the
//! models, the HTTP client and its rate limiter.

use std::sync::Arc;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde::Deserialize;
use serde_json::{json, Value};
use serenity::all::{GatewayIntents, Http, Interaction, Message, Reaction, Ready};
use tokio::sync::{watch, Mutex};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message as Frame;
use tracing::{debug, info, warn, Instrument};

use super::handler::{Handler, Responder, ThreadInfo, ThreadList};
use super::inflight::InFlight;
use super::metrics::Metrics;
use super::{BotError, Secret};

/// The gateway version and encoding the bot speaks.
const QUERY: &str = "?v=10&encoding=json";
/// How long connecting, and then waiting for HELLO, may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);
/// The first pause after a failed connection; it doubles with each failure in a row.
const BACKOFF_FIRST: Duration = Duration::from_secs(1);
/// The longest pause between attempts: an outage of hours is retried every minute.
const BACKOFF_CAP: Duration = Duration::from_secs(60);
/// The close code for a connection the bot drops but means to resume: anything
/// but 1000 and 1001, which end the session.
const CLOSE_TO_RESUME: u16 = 4000;

/// What every shard of the process shares.
pub struct Shared {
    /// The gateway URL, from `GET /gateway/bot`.
    pub url: String,
    pub token: Secret,
    pub intents: GatewayIntents,
    pub handler: Arc<Handler>,
    pub http: Arc<Http>,
    pub inflight: Arc<InFlight>,
    pub identify: IdentifyGate,
    pub metrics: Metrics,
}

/// Discord allows one IDENTIFY per 5 seconds (per `max_concurrency` bucket; the bot
/// assumes one), across the shards of a process: the gate spaces them out.
pub struct IdentifyGate {
    every: Duration,
    last: Mutex<Option<Instant>>,
}

impl IdentifyGate {
    pub fn new(every: Duration) -> IdentifyGate {
        IdentifyGate { every, last: Mutex::new(None) }
    }

    /// Waits until another IDENTIFY is allowed, and takes the turn.
    async fn wait_turn(&self) {
        let mut last = self.last.lock().await;
        if let Some(at) = *last {
            tokio::time::sleep_until(at + self.every).await;
        }
        *last = Some(Instant::now());
    }
}

/// A session that can be resumed after its connection is lost.
struct Session {
    id: String,
    seq: u64,
    resume_url: String,
}

/// How a connection ended, and so what the shard does next.
#[derive(Debug)]
enum Closed {
    /// The bot is shutting down.
    Stopped,
    /// Reconnect and resume the session (or identify, if there is none): a short
    /// reason for the metrics, and the log line.
    Resume(String, String),
    /// Reconnect with a new session: the old one is gone.
    Identify(String, String),
    /// Nothing will work until a person changes something.
    Fatal(BotError),
}

/// Runs one shard until `stop` turns true, or a failure that no retry can mend.
pub async fn run_shard(shared: Arc<Shared>, shard: [u32; 2], mut stop: watch::Receiver<bool>) -> Result<(), BotError> {
    let mut session: Option<Session> = None;
    // Failed connections in a row: the backoff grows with them, and is forgotten
    // once a connection gets as far as READY or RESUMED.
    let mut failures = 0u32;
    loop {
        let mut established = false;
        let closed = connection(&shared, shard, &mut session, &mut established, &mut stop).await;
        if established {
            shared.metrics.shard_connected(false);
        }
        let why = match closed {
            Closed::Stopped => return Ok(()),
            Closed::Fatal(e) => return Err(e),
            Closed::Resume(reason, why) => {
                shared.metrics.reconnect(reason);
                why
            }
            Closed::Identify(reason, why) => {
                shared.metrics.reconnect(reason);
                session = None;
                why
            }
        };
        failures = if established { 0 } else { failures + 1 };
        if failures == 0 {
            info!("{why}; reconnecting");
            continue;
        }
        let pause = backoff(failures, jitter());
        warn!(attempt = failures, "{why}; trying again in {:.1} s", pause.as_secs_f64());
        tokio::select! {
            () = tokio::time::sleep(pause) => {}
            () = stopping(&mut stop) => return Ok(()),
        }
    }
}

/// Completes once the bot is shutting down.
async fn stopping(stop: &mut watch::Receiver<bool>) {
    // An error means the sender is gone: nobody is left to keep the shard running.
    let _ = stop.wait_for(|stop| *stop).await;
}

/// The pause after the `failures`-th failure in a row: [`BACKOFF_FIRST`] doubling
/// up to [`BACKOFF_CAP`], scaled by `jitter` (0 to 1) into its upper half, so that
/// many bots cut off together do not come back together.
pub(super) fn backoff(failures: u32, jitter: f64) -> Duration {
    let doubled = BACKOFF_FIRST.saturating_mul(1 << failures.saturating_sub(1).min(16));
    doubled.min(BACKOFF_CAP).mul_f64(0.5 + 0.5 * jitter.clamp(0.0, 1.0))
}

/// A number between 0 and 1 that differs from call to call: enough for spreading
/// retries, with no random number generator to depend on.
pub(super) fn jitter() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher
        .write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos());
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// A frame from the gateway, before its event (if any) is read.
#[derive(Deserialize)]
struct Incoming {
    op: u8,
    #[serde(default)]
    s: Option<u64>,
    #[serde(default)]
    t: Option<String>,
    #[serde(default)]
    d: Value,
}

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// One WebSocket connection, from connect to close.
async fn connection(
    shared: &Shared,
    shard: [u32; 2],
    session: &mut Option<Session>,
    established: &mut bool,
    stop: &mut watch::Receiver<bool>,
) -> Closed {
    // Discord's URLs have no path ("wss://gateway.discord.gg"); the request needs one.
    let base = session.as_ref().map_or(shared.url.as_str(), |s| s.resume_url.as_str()).trim_end_matches('/');
    let url = format!("{base}/{QUERY}");
    let connected = tokio::select! {
        connected = tokio::time::timeout(CONNECT_TIMEOUT, hello(&url)) => connected,
        () = stopping(stop) => return Closed::Stopped,
    };
    let (mut socket, interval) = match connected {
        Err(_) => return resume("timeout", "the Discord gateway did not answer in time".into()),
        Ok(Err(why)) => return resume("connect_failed", why),
        Ok(Ok(hello)) => hello,
    };
    let start = match session {
        Some(s) => json!({"op": 6, "d": {"token": shared.token.expose(), "session_id": s.id, "seq": s.seq}}),
        None => {
            tokio::select! {
                () = shared.identify.wait_turn() => {}
                () = stopping(stop) => return Closed::Stopped,
            }
            identify(shared, shard)
        }
    };
    if let Err(e) = socket.send(Frame::Text(start.to_string())).await {
        return resume("connection_failed", format!("the gateway connection failed: {e}"));
    }
    // The first heartbeat goes out at a random point of the first interval, as
    // Discord asks, so that shards reconnecting together spread their heartbeats.
    let mut heartbeat = tokio::time::interval_at(Instant::now() + interval.mul_f64(jitter()), interval);
    heartbeat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut acknowledged = true;
    loop {
        let frame = tokio::select! {
            () = stopping(stop) => {
                close(&mut socket, 1000).await;
                return Closed::Stopped;
            }
            _ = heartbeat.tick() => {
                if !acknowledged {
                    close(&mut socket, CLOSE_TO_RESUME).await;
                    return resume("zombie", "Discord stopped acknowledging heartbeats (a zombie connection)".into());
                }
                let seq = session.as_ref().map(|s| s.seq);
                if let Err(e) = socket.send(Frame::Text(json!({"op": 1, "d": seq}).to_string())).await {
                    return resume("connection_failed", format!("the gateway connection failed: {e}"));
                }
                acknowledged = false;
                continue;
            }
            frame = socket.next() => frame,
        };
        let text = match frame {
            Some(Ok(Frame::Text(text))) => text,
            Some(Ok(Frame::Close(frame))) => return closed_by_discord(frame, shared.intents),
            Some(Ok(_)) => continue,
            Some(Err(e)) => return resume("connection_failed", format!("the gateway connection failed: {e}")),
            None => return resume("connection_ended", "the gateway connection ended".into()),
        };
        let incoming = match serde_json::from_str::<Incoming>(&text) {
            Ok(incoming) => incoming,
            Err(e) => {
                warn!("Discord sent a gateway frame this bot could not read ({e}); it was dropped");
                continue;
            }
        };
        match incoming.op {
            0 => {
                if let (Some(seq), Some(s)) = (incoming.s, session.as_mut()) {
                    s.seq = s.seq.max(seq);
                }
                let kind = incoming.t.unwrap_or_default();
                if let Some(new) = dispatch(shared, &kind, incoming.d, incoming.s) {
                    *session = Some(new);
                }
                if matches!(kind.as_str(), "READY" | "RESUMED") && !*established {
                    *established = true;
                    shared.metrics.shard_connected(true);
                }
            }
            // Discord asks for a heartbeat now.
            1 => {
                let seq = session.as_ref().map(|s| s.seq);
                if let Err(e) = socket.send(Frame::Text(json!({"op": 1, "d": seq}).to_string())).await {
                    return resume("connection_failed", format!("the gateway connection failed: {e}"));
                }
            }
            7 => {
                close(&mut socket, CLOSE_TO_RESUME).await;
                return resume("reconnect_requested", "Discord asked the bot to reconnect".into());
            }
            9 => {
                close(&mut socket, CLOSE_TO_RESUME).await;
                return if incoming.d.as_bool() == Some(true) {
                    resume("invalid_session", "Discord invalidated the session, resumably".into())
                } else {
                    Closed::Identify("invalid_session".into(), "Discord invalidated the session".into())
                };
            }
            11 => acknowledged = true,
            other => debug!(op = other, "ignored a gateway frame"),
        }
    }
}

fn resume(reason: &str, why: String) -> Closed {
    Closed::Resume(reason.to_string(), why)
}

/// Connects and reads HELLO; the socket and the heartbeat interval, or why not.
async fn hello(url: &str) -> Result<(Socket, Duration), String> {
    let (mut socket, _) =
        tokio_tungstenite::connect_async(url).await.map_err(|e| format!("cannot reach the Discord gateway: {e}"))?;
    loop {
        match socket.next().await {
            Some(Ok(Frame::Text(text))) => {
                let incoming: Incoming =
                    serde_json::from_str(&text).map_err(|e| format!("the gateway's HELLO was unreadable: {e}"))?;
                if incoming.op == 10 {
                    let ms = incoming.d["heartbeat_interval"].as_u64().unwrap_or(41_250).max(1);
                    return Ok((socket, Duration::from_millis(ms)));
                }
            }
            Some(Ok(Frame::Close(frame))) => {
                return Err(format!("the gateway closed the connection at once ({})", close_code(frame.as_ref())))
            }
            Some(Ok(_)) => {}
            Some(Err(e)) => return Err(format!("the gateway connection failed: {e}")),
            None => return Err("the gateway closed the connection at once".into()),
        }
    }
}

fn identify(shared: &Shared, shard: [u32; 2]) -> Value {
    json!({"op": 2, "d": {
        "token": shared.token.expose(),
        "intents": shared.intents.bits(),
        "shard": shard,
        "properties": {"os": std::env::consts::OS, "browser": "firstkiss-bot", "device": "firstkiss-bot"},
        "large_threshold": 50,
    }})
}

/// Sends a close frame, best effort: the connection may be dead already.
async fn close(socket: &mut Socket, code: u16) {
    let frame = CloseFrame { code: CloseCode::from(code), reason: "".into() };
    let _ = tokio::time::timeout(Duration::from_secs(1), socket.close(Some(frame))).await;
}

fn close_code(frame: Option<&CloseFrame<'_>>) -> String {
    frame.map_or_else(|| "no close code".to_string(), |f| format!("close code {}", u16::from(f.code)))
}

/// What Discord's close code means for the bot.
/// <https://discord.com/developers/docs/topics/opcodes-and-status-codes#gateway-gateway-close-event-codes>
fn closed_by_discord(frame: Option<CloseFrame<'_>>, intents: GatewayIntents) -> Closed {
    let code = frame.as_ref().map(|f| u16::from(f.code));
    let why = format!("Discord closed the gateway connection ({})", close_code(frame.as_ref()));
    match code {
        Some(4004) => Closed::Fatal(BotError::BadToken),
        Some(4013) => Closed::Fatal(BotError::InvalidIntents),
        Some(4014) => Closed::Fatal(BotError::DisallowedIntents { message_content: intents.message_content() }),
        Some(code @ (4010 | 4011)) => Closed::Fatal(BotError::Sharding(code)),
        Some(4012) => Closed::Fatal(BotError::Gateway(
            "Discord no longer accepts the gateway version this bot speaks (close code 4012): update the bot".into(),
        )),
        // An invalid sequence number or a timed-out session cannot be resumed.
        Some(code @ (4007 | 4009)) => Closed::Identify(format!("close_{code}"), why),
        // Everything else, 4000 to 4008 included, is worth a resume.
        Some(code) => Closed::Resume(format!("close_{code}"), why),
        None => resume("closed", why),
    }
}

/// Hands an event to the handler in a task of its own, inside the shard's span (so
/// that its logs name the shard); a READY returns the new session.
fn dispatch(shared: &Shared, kind: &str, data: Value, seq: Option<u64>) -> Option<Session> {
    let unreadable = |e: serde_json::Error| {
        warn!(kind, "Discord sent an event this bot could not read ({e}); it was dropped");
    };
    let handler = shared.handler.clone();
    let http = shared.http.clone();
    match kind {
        "READY" => {
            let ready: Ready = serde_json::from_value(data).map_err(unreadable).ok()?;
            http.set_application_id(ready.application.id);
            let session = Session {
                id: ready.session_id.clone(),
                seq: seq.unwrap_or(0),
                resume_url: ready.resume_gateway_url.clone(),
            };
            tokio::spawn(async move { handler.ready(&http, ready).await }.in_current_span());
            Some(session)
        }
        "RESUMED" => {
            info!("gateway session resumed");
            None
        }
        "INTERACTION_CREATE" | "MESSAGE_CREATE" => {
            // Taken here, before the task starts, so that shutdown never misses an
            // event that was already accepted.
            let Some(ticket) = shared.inflight.enter() else {
                debug!(kind, "shutting down; not answered");
                return None;
            };
            if kind == "INTERACTION_CREATE" {
                let interaction: Interaction = serde_json::from_value(data).map_err(unreadable).ok()?;
                tokio::spawn(
                    async move {
                        handler.interaction(&http, interaction, Responder::Callback).await;
                        drop(ticket);
                    }
                    .in_current_span(),
                );
            } else {
                let message: Message = serde_json::from_value(data).map_err(unreadable).ok()?;
                tokio::spawn(
                    async move {
                        handler.message(&http, message).await;
                        drop(ticket);
                    }
                    .in_current_span(),
                );
            }
            None
        }
        "THREAD_CREATE" | "THREAD_UPDATE" | "THREAD_DELETE" => {
            let thread: ThreadInfo = serde_json::from_value(data).map_err(unreadable).ok()?;
            handler.thread(thread, kind == "THREAD_DELETE");
            None
        }
        // The threads a server has open, when the bot joins it or gains access.
        "GUILD_CREATE" | "THREAD_LIST_SYNC" => {
            let list: ThreadList = serde_json::from_value(data).map_err(unreadable).ok()?;
            for thread in list.threads {
                handler.thread(thread, false);
            }
            None
        }
        "MESSAGE_REACTION_ADD" => {
            let Some(ticket) = shared.inflight.enter() else {
                debug!(kind, "shutting down; not handled");
                return None;
            };
            let reaction: Reaction = serde_json::from_value(data).map_err(unreadable).ok()?;
            tokio::spawn(
                async move {
                    handler.reaction_added(&http, reaction).await;
                    drop(ticket);
                }
                .in_current_span(),
            );
            None
        }
        _ => {
            debug!(kind, "an event the bot does not use");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_one_second_to_a_minute_with_jitter() {
        let full: Vec<u64> = (1..=9).map(|n| backoff(n, 1.0).as_secs()).collect();
        assert_eq!(full, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
        assert_eq!(backoff(3, 0.0), Duration::from_secs(2), "jitter takes at most half");
        assert_eq!(backoff(u32::MAX, 1.0), BACKOFF_CAP);
        for _ in 0..100 {
            let j = jitter();
            assert!((0.0..1.0).contains(&j), "{j}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn identifies_are_spaced_out_across_shards() {
        let gate = Arc::new(IdentifyGate::new(Duration::from_secs(5)));
        let started = Instant::now();
        let shards: Vec<_> = (0..3)
            .map(|_| {
                let gate = gate.clone();
                tokio::spawn(async move {
                    gate.wait_turn().await;
                    started.elapsed().as_secs()
                })
            })
            .collect();
        let mut times = Vec::new();
        for shard in shards {
            times.push(shard.await.expect("no panic"));
        }
        times.sort_unstable();
        assert_eq!(times, [0, 5, 10]);
    }

    #[test]
    fn close_codes_map_to_their_remedies() {
        let frame = |code: u16| Some(CloseFrame { code: CloseCode::from(code), reason: "".into() });
        let intents = GatewayIntents::GUILDS | GatewayIntents::MESSAGE_CONTENT;
        assert!(matches!(closed_by_discord(frame(4004), intents), Closed::Fatal(BotError::BadToken)));
        assert!(matches!(closed_by_discord(frame(4013), intents), Closed::Fatal(BotError::InvalidIntents)));
        assert!(matches!(
            closed_by_discord(frame(4014), intents),
            Closed::Fatal(BotError::DisallowedIntents { message_content: true })
        ));
        for code in [4000, 4001, 4002, 4003, 4005, 4008, 1001] {
            assert!(matches!(closed_by_discord(frame(code), intents), Closed::Resume(..)), "{code}");
        }
        for code in [4007, 4009] {
            assert!(matches!(closed_by_discord(frame(code), intents), Closed::Identify(..)), "{code}");
        }
        assert!(matches!(closed_by_discord(None, intents), Closed::Resume(..)));
    }
}
