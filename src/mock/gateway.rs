//! The mock's gateway: a WebSocket server speaking enough of Discord's gateway
//! protocol for serenity. HELLO on connect; IDENTIFY starts a session for a shard
//! and gets READY; RESUME reattaches a session after a dropped connection, replays
//! the dispatches the client missed, then sends RESUMED; heartbeats are acknowledged.
//! A guild's events go to the shard `(guild_id >> 22) % shard_count`, as on Discord.
//! A test's [`Fault`] replaces the normal answer at the step it was queued for, or
//! strikes every connection at once.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;
use tracing::{debug, warn, Instrument};

use super::{lock, payloads, Fault, Outbox, Shared, Step, Trigger};

/// Dispatches kept per session for replay after a resume.
const REPLAY_LOG: usize = 4_096;

/// What a session or a test sends down a connection.
#[derive(Debug)]
pub enum Outgoing {
    /// An event: numbered and logged by the session.
    Dispatch(String, Value),
    /// A frame as text, sent as is: numbered by the session and shared with its
    /// replay log, or raw from a test (malformed payloads, unknown events).
    Frame(Arc<str>),
    /// Cut the connection without a close frame, as a network failure would.
    Drop,
    /// Close the connection with this code.
    Close(u16),
}

impl Outgoing {
    /// What a gateway fault sends down a connection; `None` for one that sends
    /// nothing (`Hang`) or means nothing to the gateway (REST statuses).
    fn for_fault(fault: Fault) -> Option<Outgoing> {
        Some(match fault {
            Fault::Close(code) => Outgoing::Close(code),
            Fault::Reconnect => Outgoing::Frame(json!({"op": 7, "d": null}).to_string().into()),
            Fault::InvalidSession { resumable } => Outgoing::Frame(json!({"op": 9, "d": resumable}).to_string().into()),
            Fault::Drop => Outgoing::Drop,
            Fault::Hang | Fault::RateLimit(_) | Fault::Status(_) => return None,
        })
    }
}

/// A gateway session: it outlives connections, so that a client can resume it.
pub struct Session {
    pub shard: [u32; 2],
    seq: u64,
    log: VecDeque<(u64, Arc<str>)>,
    conn: Option<Outbox>,
}

impl Session {
    pub fn connected(&self) -> bool {
        self.conn.as_ref().is_some_and(|c| !c.is_closed())
    }

    pub fn drop_connection(&mut self) {
        self.suffer(Fault::Drop);
    }

    /// Applies a gateway fault to the session's connection now.
    pub fn suffer(&mut self, fault: Fault) {
        let Some(out) = Outgoing::for_fault(fault) else { return };
        let ends = matches!(out, Outgoing::Close(_) | Outgoing::Drop);
        if let Some(conn) = &self.conn {
            let _ = conn.send(out);
        }
        if ends {
            self.conn = None;
        }
    }

    fn is_on(&self, outbox: &Outbox) -> bool {
        self.conn.as_ref().is_some_and(|c| c.same_channel(outbox))
    }

    fn deliver(&mut self, kind: &str, data: Value) {
        self.seq += 1;
        let frame: Arc<str> = payloads::dispatch(self.seq, kind, data).to_string().into();
        self.log.push_back((self.seq, frame.clone()));
        if self.log.len() > REPLAY_LOG {
            self.log.pop_front();
        }
        if let Some(conn) = &self.conn {
            if conn.send(Outgoing::Frame(frame)).is_err() {
                self.conn = None;
            }
        }
    }

    fn send_raw(&self, frame: Arc<str>) {
        if let Some(conn) = &self.conn {
            let _ = conn.send(Outgoing::Frame(frame));
        }
    }

    fn serves(&self, guild: u64) -> bool {
        let [id, count] = self.shard;
        count > 0 && (guild >> 22) % u64::from(count) == u64::from(id)
    }
}

/// Sends to the session of the shard that serves `guild`. Events for a shard with
/// no session are lost, as they would be on Discord; tests wait for READY first.
pub fn send_to_guild(shared: &Shared, guild: u64, out: Outgoing) {
    let mut sessions = lock(&shared.sessions);
    let Some(session) = sessions.values_mut().find(|s| s.serves(guild)) else {
        warn!(guild, "no gateway session serves this guild; the event is lost");
        return;
    };
    match out {
        Outgoing::Dispatch(kind, data) => session.deliver(&kind, data),
        Outgoing::Frame(frame) => session.send_raw(frame),
        Outgoing::Drop => session.drop_connection(),
        Outgoing::Close(code) => session.suffer(Fault::Close(code)),
    }
}

/// Most frames written to the socket before one flush.
const WRITE_BATCH: usize = 32;

pub async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    static CONNECTIONS: AtomicU64 = AtomicU64::new(0);
    loop {
        let Ok((stream, _)) = listener.accept().await else { continue };
        // A fault at connect time refuses the connection: the client sees it cut
        // before the WebSocket handshake, as in a network outage.
        if shared.take_fault(|t| matches!(t, Trigger::Gateway(Step::Connect))).is_some() {
            drop(stream);
            continue;
        }
        // Events are small writes: don't let Nagle's algorithm hold them back.
        let _ = stream.set_nodelay(true);
        let number = CONNECTIONS.fetch_add(1, Ordering::Relaxed);
        // Logs from inside the mock (the fake Discord) carry this span, so that they
        // can be told from the bot's: the mock receives the token, as Discord does.
        let span = tracing::debug_span!("mock_gateway", connection = number);
        tokio::spawn(connection(stream, shared.clone(), number).instrument(span));
    }
}

async fn connection(stream: TcpStream, shared: Arc<Shared>, number: u64) {
    let Ok(ws) = tokio_tungstenite::accept_async(stream).await else { return };
    let (mut sink, mut source) = ws.split();
    let (outbox, mut inbox) = mpsc::unbounded_channel::<Outgoing>();
    let hello = payloads::hello(shared.heartbeat_interval_ms).to_string();
    if sink.send(Message::Text(hello)).await.is_err() {
        return;
    }
    loop {
        tokio::select! {
            frame = source.next() => match frame {
                Some(Ok(Message::Text(text))) => {
                    let Ok(frame) = serde_json::from_str::<Value>(&text) else { continue };
                    // Answers go through the outbox, so that they are written (or a
                    // fault applied) by the same code as every other frame.
                    receive(&shared, &frame, &outbox, number);
                }
                Some(Ok(Message::Close(_))) => {
                    // Let tungstenite send its reply to the client's close.
                    let _ = sink.close().await;
                    break;
                }
                Some(Ok(_)) => {}
                Some(Err(_)) | None => break,
            },
            out = inbox.recv() => {
                // Frames already queued go out together, flushed once: a burst of
                // events costs a few writes, not one each.
                let mut open = out.is_some();
                let mut next = out;
                let mut batch = 0;
                while let Some(out) = next.take() {
                    let text = match out {
                        Outgoing::Frame(frame) => Some(frame.to_string()),
                        Outgoing::Dispatch(..) => {
                            debug!("dispatches go through their session");
                            None
                        }
                        Outgoing::Drop => {
                            open = false;
                            break;
                        }
                        Outgoing::Close(code) => {
                            let frame = CloseFrame { code: CloseCode::from(code), reason: "".into() };
                            let _ = sink.feed(Message::Close(Some(frame))).await;
                            open = false;
                            break;
                        }
                    };
                    if let Some(text) = text {
                        if sink.feed(Message::Text(text)).await.is_err() {
                            open = false;
                            break;
                        }
                        batch += 1;
                    }
                    if batch < WRITE_BATCH {
                        next = inbox.try_recv().ok();
                    }
                }
                // What was written before a drop still reaches the client, as it would
                // have one frame at a time.
                if sink.flush().await.is_err() || !open {
                    break;
                }
            }
        }
    }
    debug!(number, "gateway connection closed");
}

/// Handles one frame from the client and records its op.
fn receive(shared: &Shared, frame: &Value, outbox: &Outbox, number: u64) {
    let op = frame["op"].as_u64();
    handle(shared, frame, op, outbox, number);
    // Recorded only once handled, so that a test that sees a RESUME also sees its
    // session on the new connection, and a fault it injects next reaches the bot.
    if op != Some(1) {
        lock(&shared.client_ops).extend(op);
        shared.changes.send_modify(|n| *n += 1);
    }
}

/// Answers a frame through `outbox`, or applies the fault a test queued for its
/// step instead.
fn handle(shared: &Shared, frame: &Value, op: Option<u64>, outbox: &Outbox, number: u64) {
    let step = match op {
        Some(1) => Some(Step::Heartbeat),
        Some(2) => Some(Step::Identify),
        Some(6) => Some(Step::Resume),
        _ => None,
    };
    if let Some(fault) = step.and_then(|step| shared.take_fault(|t| matches!(t, Trigger::Gateway(s) if *s == step))) {
        if fault.ends_session() {
            lock(&shared.sessions).retain(|_, s| !s.is_on(outbox));
        }
        if let Some(out) = Outgoing::for_fault(fault) {
            let _ = outbox.send(out);
        }
        return;
    }
    if let Some(reply) = answer(shared, frame, outbox, number) {
        let _ = outbox.send(Outgoing::Frame(reply.to_string().into()));
    }
}

/// What Discord answers to a frame from the client, if anything but dispatches.
fn answer(shared: &Shared, frame: &Value, outbox: &Outbox, number: u64) -> Option<Value> {
    match frame["op"].as_u64() {
        Some(1) => Some(json!({"op": 11})),
        Some(2) => {
            let shard = frame["d"]["shard"]
                .as_array()
                .and_then(|s| Some([s.first()?.as_u64()? as u32, s.get(1)?.as_u64()? as u32]))
                .unwrap_or([0, 1]);
            let session_id = format!("mock-session-{number}");
            let guilds: Vec<u64> = [super::GUILD, super::OTHER_GUILD]
                .into_iter()
                .filter(|g| shard[1] > 0 && (g >> 22) % u64::from(shard[1]) == u64::from(shard[0]))
                .collect();
            let ready = payloads::ready(&shared.bot, super::BOT_ID, &session_id, &shared.gateway_url, shard, &guilds);
            let mut sessions = lock(&shared.sessions);
            sessions.retain(|_, s| s.shard != shard);
            let session = sessions.entry(session_id).or_insert(Session {
                shard,
                seq: 0,
                log: VecDeque::new(),
                conn: Some(outbox.clone()),
            });
            session.deliver("READY", ready);
            drop(sessions);
            shared.changes.send_modify(|n| *n += 1);
            None
        }
        Some(6) => {
            let id = frame["d"]["session_id"].as_str().unwrap_or_default();
            let after = frame["d"]["seq"].as_u64().unwrap_or(0);
            let mut sessions = lock(&shared.sessions);
            let Some(session) = sessions.get_mut(id) else {
                return Some(json!({"op": 9, "d": false}));
            };
            session.conn = Some(outbox.clone());
            for (_, missed) in session.log.iter().filter(|(seq, _)| *seq > after) {
                let _ = outbox.send(Outgoing::Frame(missed.clone()));
            }
            session.deliver("RESUMED", json!({}));
            drop(sessions);
            shared.changes.send_modify(|n| *n += 1);
            None
        }
        _ => None,
    }
}
