//! The Discord bot: serenity around the library. `run` connects to Discord, or to the
//! mock Discord, and serves until told to stop. Production and mock differ only in
//! the [`Endpoint`]: where the HTTP client's requests and the gateway connection go.

mod commands;
mod config;
mod cooldown;
mod handler;
mod inflight;
pub mod ratelimits;
pub mod render;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use serenity::all::{ClientBuilder, HttpBuilder};
use tracing::{info, warn};

pub use commands::{definitions as command_definitions, ABOUT, ASK, FACT, RELOAD, SOURCES};
pub use config::{ConfigError, ConfigFile, Secret, Settings, ShardPlan};

use crate::engine::SharedEngine;

/// How long any one request to Discord may take before it is abandoned, so that a
/// request that never returns cannot hold a handler forever.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);
/// How long a clean shutdown may take before the connection is dropped anyway.
const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(10);
/// How long shutdown waits for replies in flight. An interaction's reply is worth
/// nothing after Discord's 3 seconds, so waiting longer would only delay a restart.
pub const DRAIN_DEADLINE: Duration = Duration::from_millis(2_500);

/// Where the bot's traffic goes.
#[derive(Debug, Clone)]
pub enum Endpoint {
    /// The real Discord.
    Discord,
    /// A mock Discord: `discord.com` resolves to `rest`, which serves HTTPS with a
    /// certificate the client is told to trust. The gateway URL comes, as from
    /// Discord, from `GET /gateway`. Everything else (serenity's rate limiter, its
    /// retries, the TLS stack) is what production uses.
    Mock { rest: SocketAddr, certificate_der: Vec<u8> },
}

impl Endpoint {
    fn http_client(&self) -> Result<reqwest::Client, BotError> {
        let builder = reqwest::Client::builder().use_rustls_tls().timeout(REQUEST_TIMEOUT);
        let builder = match self {
            Endpoint::Discord => builder,
            Endpoint::Mock { rest, certificate_der } => {
                builder.resolve("discord.com", *rest).tls_built_in_root_certs(false).add_root_certificate(
                    reqwest::Certificate::from_der(certificate_der).map_err(|e| BotError::Client(e.to_string()))?,
                )
            }
        };
        builder.build().map_err(|e| BotError::Client(e.to_string()))
    }
}

/// serenity's HTTP client for `endpoint`, as the bot uses it.
pub fn http(token: &Secret, endpoint: &Endpoint) -> Result<serenity::all::Http, BotError> {
    Ok(HttpBuilder::new(token.expose()).client(endpoint.http_client()?).build())
}

#[derive(Debug, thiserror::Error)]
pub enum BotError {
    #[error("cannot set up the HTTP client: {0}")]
    Client(String),
    #[error("cannot connect to Discord: {0}")]
    Connect(String),
    #[error("the Discord connection failed: {0}")]
    Gateway(String),
}

/// Runs the bot until `shutdown` completes or the connection fails for good (a
/// rejected token, intents the application may not use). Reconnects and resumes
/// are serenity's job.
pub async fn run(
    token: &Secret,
    settings: Settings,
    engine: Arc<SharedEngine>,
    endpoint: &Endpoint,
    shutdown: impl Future<Output = ()>,
) -> Result<(), BotError> {
    let http = http(token, endpoint)?;
    let intents = settings.intents();
    let settings_shards = settings.shards;
    info!(?intents, qa_channels = settings.qa_channels.len(), shards = ?settings.shards, "starting the Discord client");
    let inflight = Arc::new(inflight::InFlight::default());
    let mut client = ClientBuilder::new_with_http(http, intents)
        .event_handler(handler::Handler::new(engine, settings, inflight.clone()))
        .raw_event_handler(handler::UnreadableEvents)
        .await
        .map_err(|e| BotError::Connect(describe(&e)))?;
    let shards = client.shard_manager.clone();
    let _pruning = AbortOnDrop(tokio::spawn(ratelimits::keep_pruned(client.http.clone())));
    let plan = settings_shards;
    let mut running = tokio::spawn(async move {
        match plan {
            None => client.start().await,
            // serenity's range end is inclusive, like `last`.
            Some(ShardPlan { total, first, last }) => client.start_shard_range(first..last, total).await,
        }
    });
    tokio::select! {
        finished = &mut running => {
            return match finished {
                Ok(Ok(())) => Ok(()),
                Ok(Err(e)) => Err(BotError::Gateway(describe(&e))),
                Err(e) => Err(BotError::Gateway(e.to_string())),
            };
        }
        () = shutdown => info!(in_flight = inflight.running(), "shutting down"),
    }
    // New events are turned away from here on; the gateway closes while the replies
    // already under way finish, for at most DRAIN_DEADLINE.
    inflight.close();
    let drain = async {
        if tokio::time::timeout(DRAIN_DEADLINE, inflight.drained()).await.is_err() {
            warn!(lost = inflight.running(), "replies still in flight at the shutdown deadline were abandoned");
        }
    };
    let close = async {
        if tokio::time::timeout(SHUTDOWN_TIMEOUT, shards.shutdown_all()).await.is_err() {
            warn!("the shards did not close in time; dropping the connection");
        }
    };
    tokio::join!(drain, close);
    if tokio::time::timeout(SHUTDOWN_TIMEOUT, &mut running).await.is_err() {
        running.abort();
    }
    Ok(())
}

/// A background task that ends with the scope that started it.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// A serenity error as one line that names no URL: request URLs of interaction
/// replies carry the interaction's token.
pub(crate) fn describe(error: &serenity::Error) -> String {
    use serenity::all::HttpError;
    match error {
        serenity::Error::Http(HttpError::UnsuccessfulRequest(response)) => format!(
            "{} {} answered {}: {} (code {})",
            response.method,
            route_of(response.url.trim_start_matches("https://discord.com")),
            response.status_code,
            response.error.message,
            response.error.code
        ),
        serenity::Error::Http(HttpError::Request(e)) => {
            let kind = if e.is_timeout() {
                "timed out"
            } else if e.is_connect() {
                "could not connect"
            } else {
                "failed"
            };
            format!("a request to Discord {kind}")
        }
        other => other.to_string(),
    }
}

/// A request path with its tokens replaced: `/interactions/1/TOKEN/callback` is
/// `/interactions/1/…/callback`.
fn route_of(path: &str) -> String {
    let mut segments: Vec<&str> = path.split('/').collect();
    for i in 1..segments.len() {
        if matches!(segments[i - 1], "interactions" | "webhooks") && i + 1 < segments.len() {
            segments[i + 1] = "…";
        }
    }
    segments.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_lose_their_tokens() {
        assert_eq!(
            route_of("/api/v10/interactions/12/aW50ZXJhY3Rpb24/callback"),
            "/api/v10/interactions/12/…/callback"
        );
        assert_eq!(route_of("/api/v10/webhooks/1/tok/messages/@original"), "/api/v10/webhooks/1/…/messages/@original");
        assert_eq!(route_of("/api/v10/channels/3/messages"), "/api/v10/channels/3/messages");
    }
}
