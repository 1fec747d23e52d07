//! The mock's REST API: HTTPS for `discord.com` with a self-signed certificate, the
//! endpoints the bot calls at start and in reply, each request recorded, and the
//! faults a test asked for applied once each.

use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio_rustls::rustls;
use tokio_rustls::TlsAcceptor;

use super::payloads::{self, Place};
use super::{lock, Fault, Recorded, Shared, Trigger, BOT_ID, GUILD, QA_CHANNEL};

pub fn tls_config(certified: &rcgen::CertifiedKey<rcgen::KeyPair>) -> std::io::Result<Arc<rustls::ServerConfig>> {
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(certified.signing_key.serialize_der().into());
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .and_then(|b| b.with_no_client_auth().with_single_cert(vec![certified.cert.der().clone()], key))
        .map_err(std::io::Error::other)?;
    // HTTP/2 where the client offers it (the bot does), HTTP/1.1 otherwise.
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

pub async fn serve(listener: TcpListener, tls: Arc<rustls::ServerConfig>, shared: Arc<Shared>) {
    let acceptor = TlsAcceptor::from(tls);
    loop {
        let Ok((tcp, _)) = listener.accept().await else { continue };
        // A reply is one small write: without this, Nagle's algorithm can hold it
        // until the client's delayed ACK (40 ms on Linux).
        let _ = tcp.set_nodelay(true);
        let (acceptor, shared) = (acceptor.clone(), shared.clone());
        tokio::spawn(async move {
            let Ok(tls) = acceptor.accept(tcp).await else { return };
            let service = hyper::service::service_fn(move |request| handle(request, shared.clone()));
            let _ = auto::Builder::new(TokioExecutor::new()).serve_connection(TokioIo::new(tls), service).await;
        });
    }
}

/// The error that makes hyper cut a connection (or reset an HTTP/2 stream).
#[derive(Debug)]
struct ConnectionCut;

impl std::fmt::Display for ConnectionCut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the mock was told to cut the connection")
    }
}

impl std::error::Error for ConnectionCut {}

async fn handle(request: Request<Incoming>, shared: Arc<Shared>) -> Result<Response<Full<Bytes>>, ConnectionCut> {
    let method = request.method().to_string();
    let auth = request.headers().get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let route = request.uri().path().trim_start_matches("/api/v10").to_string();
    let path = match request.uri().query() {
        Some(query) => format!("{route}?{query}"),
        None => route.clone(),
    };
    let body = request.into_body().collect().await.map(|b| b.to_bytes()).unwrap_or_default();
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let index = {
        let mut requests = lock(&shared.requests);
        requests.push(Recorded {
            method: method.clone(),
            path,
            body: body.clone(),
            status: 0,
            auth,
            response: Value::Null,
        });
        requests.len() - 1
    };
    shared.changes.send_modify(|n| *n += 1);

    let latency = *lock(&shared.latency);
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let fault = shared.take_fault(|t| matches!(t, Trigger::Request(applies) if applies(&route, &body)));
    let response = match fault {
        Some(Fault::Hang) => std::future::pending().await,
        Some(Fault::RateLimit(seconds)) => {
            let response = rate_limited(seconds);
            lock(&shared.requests)[index].status = 429;
            shared.changes.send_modify(|n| *n += 1);
            return Ok(response);
        }
        Some(Fault::Status(status)) => (status, payloads::error(0, "the mock was told to fail")),
        // A gateway fault means nothing to a request: it cuts the connection, the
        // nearest thing REST has.
        Some(Fault::Drop | Fault::Close(_) | Fault::Reconnect | Fault::InvalidSession { .. }) => {
            lock(&shared.requests)[index].status = 0;
            shared.changes.send_modify(|n| *n += 1);
            return Err(ConnectionCut);
        }
        None => answer(&shared, &method, &route, &body),
    };
    let (status, answered) = response;
    let response = json_response(status, &answered);
    {
        let mut requests = lock(&shared.requests);
        requests[index].status = status;
        requests[index].response = answered;
    }
    shared.changes.send_modify(|n| *n += 1);
    Ok(response)
}

/// What Discord would answer to a well-formed request: a status and a JSON body
/// (`Null` for none, as a 204 has).
fn answer(shared: &Shared, method: &str, route: &str, body: &Value) -> (u16, Value) {
    let segments: Vec<&str> = route.trim_start_matches('/').split('/').collect();
    let id = || shared.next_id.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let message = |channel: u64| {
        let place = Place { guild: GUILD, channel };
        payloads::message(id(), place, shared.bot.clone(), body["content"].as_str().unwrap_or(""), &[], body)
    };
    let posted = |channel: &str, id: &str| {
        let posted = lock(&shared.posted);
        posted.iter().find(|(m, p)| m.to_string() == id && p["channel_id"] == json!(channel)).map(|(_, p)| p.clone())
    };
    match (method, segments.as_slice()) {
        ("GET", ["gateway"]) => (200, json!({"url": shared.gateway_url})),
        ("GET", ["gateway", "bot"]) => (
            200,
            json!({"url": shared.gateway_url, "shards": 1,
                    "session_start_limit": {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}}),
        ),
        ("GET", ["users", "@me"]) => (200, shared.bot.clone()),
        ("GET", ["oauth2", "applications", "@me"]) => (200, payloads::application(BOT_ID, &shared.bot)),
        ("PUT", ["applications", _, "commands"]) => (200, commands(shared, None, body)),
        ("PUT", ["applications", _, "guilds", guild, "commands"]) => (200, commands(shared, guild.parse().ok(), body)),
        ("POST", ["interactions", _, _, "callback"]) => (204, Value::Null),
        ("GET" | "PATCH", ["webhooks", _, _, "messages", _]) | ("POST", ["webhooks", _, _]) => {
            (200, message(QA_CHANNEL))
        }
        ("POST", ["channels", channel, "messages"]) => {
            let posted = message(channel.parse().unwrap_or(0));
            let id = posted["id"].as_str().and_then(|i| i.parse().ok()).unwrap_or(0);
            let mut all = lock(&shared.posted);
            all.push_back((id, posted.clone()));
            if all.len() > super::POSTED {
                all.pop_front();
            }
            (200, posted)
        }
        ("GET", ["channels", channel, "messages", id]) => match posted(channel, id) {
            Some(message) => (200, message),
            None => (404, payloads::error(10008, "Unknown Message")),
        },
        ("DELETE", ["channels", _, "messages", id]) => {
            lock(&shared.posted).retain(|(m, _)| m.to_string() != *id);
            (204, Value::Null)
        }
        _ => (404, payloads::error(0, "404: Not Found")),
    }
}

fn commands(shared: &Shared, guild: Option<u64>, body: &Value) -> Value {
    let requested = body.as_array().cloned().unwrap_or_default();
    let next = || shared.next_id.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    Value::Array(requested.iter().map(|c| payloads::registered_command(next(), BOT_ID, guild, c)).collect())
}

/// Discord's 429: serenity's rate limiter reads `retry-after` and tries again.
fn rate_limited(seconds: f64) -> Response<Full<Bytes>> {
    let body = json!({"message": "You are being rate limited.", "retry_after": seconds, "global": false, "code": 0});
    Response::builder()
        .status(StatusCode::TOO_MANY_REQUESTS)
        .header("content-type", "application/json")
        .header("retry-after", seconds.to_string())
        .header("x-ratelimit-limit", "5")
        .header("x-ratelimit-remaining", "0")
        .header("x-ratelimit-reset-after", seconds.to_string())
        .body(Full::new(Bytes::from(body.to_string())))
        .unwrap_or_default()
}

fn json_response(status: u16, body: &Value) -> Response<Full<Bytes>> {
    if body.is_null() {
        return Response::builder().status(status).body(Full::default()).unwrap_or_default();
    }
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body.to_string())))
        .unwrap_or_default()
}
