//! The Discord bot: serenity around the library. `run` connects to Discord, or to the
//! mock Discord, and serves until told to stop; `start` runs any of the gateway, the
//! interactions endpoint and the metrics listener, together. Production and mock
//! differ only in the [`Endpoint`]: where the HTTP client's requests and the gateway
//! connection go.

mod commands;
mod config;
mod cooldown;
mod gateway;
mod handler;
mod inflight;
pub mod metrics;
pub mod preview;
pub mod ratelimits;
mod recent;
pub mod render;
mod serve;
pub mod verify;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use serenity::all::HttpBuilder;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinSet;
use tracing::{info, info_span, warn, Instrument};

pub use commands::{definitions as command_definitions, ABOUT, ASK, ASK_MESSAGE, FACT, RELOAD, SETTINGS, SOURCES};
pub use config::{ConfigError, ConfigFile, RecordsConfig, Secret, Settings, ShardPlan};
pub use handler::REMOVE_EMOJI;
pub use metrics::Metrics;
pub use serve::MAX_BODY;
pub use verify::Verifier;

use crate::engine::SharedEngine;
use crate::store::Recorder;

/// How long any one request to Discord may take before it is abandoned, so that a
/// request that never returns cannot hold a handler forever.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);
/// How long the shards may take to close their connections at shutdown.
const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(5);
/// How long shutdown waits for replies in flight. An interaction's reply is worth
/// nothing after Discord's 3 seconds, so waiting longer would only delay a restart.
pub const DRAIN_DEADLINE: Duration = Duration::from_millis(2_500);
/// Discord allows one IDENTIFY per 5 seconds (per `max_concurrency` bucket).
const IDENTIFY_EVERY: Duration = Duration::from_secs(5);

/// Where the bot's traffic goes.
#[derive(Debug, Clone)]
pub enum Endpoint {
    /// The real Discord.
    Discord,
    /// A mock Discord: `discord.com` resolves to `rest`, which serves HTTPS with a
    /// certificate the client is told to trust. The gateway URL comes, as from
    /// Discord, from `GET /gateway/bot`. Everything else (serenity's rate limiter,
    /// its retries, the TLS stack) is what production uses.
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

    /// The least time between two IDENTIFYs. The mock does not limit them, and its
    /// tests of a lost session should not wait out Discord's 5 seconds.
    fn identify_every(&self) -> Duration {
        match self {
            Endpoint::Discord => IDENTIFY_EVERY,
            Endpoint::Mock { .. } => Duration::ZERO,
        }
    }
}

/// serenity's HTTP client for `endpoint`, as the bot uses it.
pub fn http(token: &Secret, endpoint: &Endpoint) -> Result<serenity::all::Http, BotError> {
    Ok(HttpBuilder::new(token.expose()).client(endpoint.http_client()?).build())
}

/// The HTTP client with no bot token: an endpoint without one can still answer, and
/// send follow-ups (addressed by the interaction's own token).
fn http_without_token(endpoint: &Endpoint) -> Result<serenity::all::Http, BotError> {
    Ok(HttpBuilder::new("").client(endpoint.http_client()?).build())
}

/// What one process runs: the gateway, the interactions endpoint, or both (the
/// gateway then serves messages and, should Discord send them there too,
/// interactions, each answered once), and where the metrics are served.
pub struct Services {
    /// Connect to the gateway. Needs the bot token.
    pub gateway: bool,
    /// Take interactions (and serve `/metrics`, `/healthz`, `/readyz`) here.
    pub endpoint: Option<(TcpListener, Verifier)>,
    /// Serve `/metrics`, `/healthz` and `/readyz` here, apart from any endpoint.
    pub metrics_listener: Option<TcpListener>,
    pub metrics: Metrics,
    /// Where fans' questions, feedback and the servers' settings are kept; `None`
    /// records nothing and keeps `/settings` in memory only.
    pub recorder: Option<Recorder>,
}

impl Services {
    /// The gateway alone, as `run` has it.
    pub fn gateway() -> Services {
        Services { gateway: true, endpoint: None, metrics_listener: None, metrics: Metrics::new(), recorder: None }
    }

    /// These services, recording to `recorder`.
    pub fn recording(self, recorder: Recorder) -> Services {
        Services { recorder: Some(recorder), ..self }
    }
}

/// Why the bot stopped other than by being asked to. Each is one line that says
/// what to do, since it is what `firstkiss-bot run` prints last.
#[derive(Debug, thiserror::Error)]
pub enum BotError {
    #[error("cannot set up the HTTP client: {0}")]
    Client(String),
    #[error("the Discord connection failed: {0}")]
    Gateway(String),
    #[error("cannot serve HTTP: {0}")]
    Listen(String),
    #[error("the gateway needs the bot token: set DISCORD_TOKEN (or `token` in the config file)")]
    NoToken,
    #[error(
        "Discord rejected the bot token: make a new one in the Discord Developer Portal → your application → Bot → \
         Reset Token, and set DISCORD_TOKEN (or `token` in the config file) to it"
    )]
    BadToken,
    #[error(
        "Discord rejected the bot's gateway intents as invalid (close code 4013): this is a bug in the bot; please \
         report it"
    )]
    InvalidIntents,
    #[error("{}", disallowed_intents(*message_content))]
    DisallowedIntents {
        /// Whether the bot asked for MESSAGE_CONTENT (it does when it has Q&A channels).
        message_content: bool,
    },
    #[error(
        "Discord refused the shard settings (close code {0}): the bot is in too many servers for its shards; set \
         [shards] total in the config (see config.example.toml)"
    )]
    Sharding(u16),
}

/// What `/reload` and SIGHUP say when the bot answers from the fact base built into
/// its binary: there is no file to re-read, and a reload that said "reloaded" would
/// leave a curator wondering why their edit changed nothing.
pub const BUILTIN_RELOAD: &str = "nothing to reload: this bot answers from the fact base built into its binary, \
    not from a file; start it with --knowledge PATH (or from the folder that holds knowledge.toml) to reload edits";

fn disallowed_intents(message_content: bool) -> String {
    const WHERE: &str = "Discord Developer Portal → your application → Bot → Privileged Gateway Intents";
    if message_content {
        format!(
            "Discord refused the privileged intent MESSAGE_CONTENT, which the bot needs to read questions in its Q&A \
             channels (close code 4014): enable Message Content Intent in the {WHERE}, or remove `qa_channels` from \
             the config"
        )
    } else {
        format!("Discord refused a privileged gateway intent (close code 4014): enable it in the {WHERE}")
    }
}

/// Runs the bot until `shutdown` completes or the connection fails for good (a
/// rejected token, intents the application may not use). Lost connections are
/// resumed, with a growing pause while Discord cannot be reached (see `gateway`).
///
/// Once `shutdown` completes, no new event is taken; the replies under way get up
/// to [`DRAIN_DEADLINE`] to finish while the connections close.
pub async fn run(
    token: &Secret,
    settings: Settings,
    engine: Arc<SharedEngine>,
    endpoint: &Endpoint,
    shutdown: impl Future<Output = ()>,
) -> Result<(), BotError> {
    start(Some(token), settings, engine, endpoint, Services::gateway(), shutdown).await
}

/// [`run`], recording to `recorder` (the servers' settings are read from its store).
pub async fn run_recording(
    token: &Secret,
    settings: Settings,
    engine: Arc<SharedEngine>,
    endpoint: &Endpoint,
    recorder: Recorder,
    shutdown: impl Future<Output = ()>,
) -> Result<(), BotError> {
    start(Some(token), settings, engine, endpoint, Services::gateway().recording(recorder), shutdown).await
}

/// Runs `services` until `shutdown` completes or one of them fails for good, as
/// [`run`] does the gateway. The token may be left out when only the endpoint runs:
/// it then answers, but cannot register the commands.
pub async fn start(
    token: Option<&Secret>,
    settings: Settings,
    engine: Arc<SharedEngine>,
    endpoint: &Endpoint,
    services: Services,
    shutdown: impl Future<Output = ()>,
) -> Result<(), BotError> {
    let Services { gateway, endpoint: interactions, metrics_listener, metrics, recorder } = services;
    let http = Arc::new(match token {
        Some(token) => http(token, endpoint)?,
        None if gateway => return Err(BotError::NoToken),
        None => http_without_token(endpoint)?,
    });
    let shards: Vec<[u32; 2]> = match settings.shards {
        None => vec![[0, 1]],
        Some(ShardPlan { total, first, last }) => (first..=last).map(|id| [id, total]).collect(),
    };
    let inflight = Arc::new(inflight::InFlight::default());
    let (fatal, mut fatal_received) = mpsc::unbounded_channel();
    // Each server's settings, read once: from here on a message never waits on the
    // database. One that cannot be read costs the servers' own settings, not the bot.
    let guilds = match &recorder {
        None => Vec::new(),
        Some(recorder) => match recorder.store().guild_settings().await {
            Ok(guilds) => guilds,
            Err(e) => {
                warn!(error = %e, "cannot read the servers' settings; the config's apply everywhere until a restart");
                Vec::new()
            }
        },
    };
    // Kept to flush at shutdown; the handler holds the other end of the same queue.
    let flusher = recorder.clone();
    let handler = handler::Handler::new(engine.clone(), settings, fatal.clone(), metrics.clone(), recorder, guilds);
    let intents = handler.intents();
    let handler = Arc::new(if token.is_some() { handler } else { handler.without_token() });
    let _pruning = AbortOnDrop(tokio::spawn(ratelimits::keep_pruned(http.clone())));
    let _upkeep = AbortOnDrop(tokio::spawn({
        let metrics = metrics.clone();
        async move {
            loop {
                tokio::time::sleep(metrics::UPKEEP_EVERY).await;
                metrics.upkeep();
            }
        }
    }));
    let (stop, stopped) = watch::channel(false);
    let mut running = JoinSet::new();
    // The listeners first: health checks answer while the gateway connects.
    let endpoint_configured = interactions.is_some();
    let listeners = interactions.map(|(l, v)| (l, Some(v))).into_iter().chain(metrics_listener.map(|l| (l, None)));
    for (listener, verifier) in listeners {
        let state = Arc::new(serve::State {
            handler: handler.clone(),
            http: http.clone(),
            inflight: inflight.clone(),
            metrics: metrics.clone(),
            engine: engine.clone(),
            verifier,
            endpoint_configured,
        });
        running.spawn(serve::serve(listener, state, stopped.clone()).instrument(info_span!("listener")));
    }
    tokio::pin!(shutdown);
    if gateway {
        let intent_names: Vec<&str> = intents.iter_names().map(|(name, _)| name).collect();
        let shard_list: Vec<String> = shards.iter().map(|[id, total]| format!("{id}/{total}")).collect();
        info!(
            intents = intent_names.join(","),
            qa_channels = handler.settings().qa_channels.len(),
            shards = shard_list.join(" "),
            "starting the Discord client"
        );
        let Some(url) = gateway_url(&http, &mut shutdown).await? else {
            return Ok(());
        };
        metrics.expect_shards(shards.len());
        let shared = Arc::new(gateway::Shared {
            url,
            token: token.cloned().ok_or(BotError::NoToken)?,
            intents,
            handler: handler.clone(),
            http: http.clone(),
            inflight: inflight.clone(),
            identify: gateway::IdentifyGate::new(endpoint.identify_every()),
            metrics: metrics.clone(),
        });
        for shard in shards {
            let span = info_span!("shard", id = shard[0], of = shard[1]);
            running.spawn(gateway::run_shard(shared.clone(), shard, stopped.clone()).instrument(span));
        }
    } else if token.is_some() && handler.settings().registers_commands() {
        // The gateway's READY would say who the bot is; without it, ask.
        let (handler, http) = (handler.clone(), http.clone());
        tokio::spawn(async move {
            match http.get_current_application_info().await {
                Ok(application) => {
                    http.set_application_id(application.id);
                    handler.register_commands(&http).await;
                }
                Err(e) if status(&e) == Some(401) => {
                    let _ = fatal.send(BotError::BadToken);
                }
                Err(e) => warn!(error = %describe(&e), "cannot register the slash commands; they stay as they were"),
            }
        });
    } else if token.is_none() {
        info!("no bot token: the slash commands are not registered from here");
    }
    let outcome = tokio::select! {
        () = &mut shutdown => {
            info!(in_flight = inflight.running(), "shutting down");
            Ok(())
        }
        Some(ended) = running.join_next() => match ended {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(e),
            Err(e) => Err(BotError::Gateway(format!("a task failed: {e}"))),
        },
        Some(e) = fatal_received.recv() => Err(e),
    };
    // From here on no event is taken; the replies already under way get until the
    // deadline, while the shards close their connections.
    inflight.close();
    let _ = stop.send(true);
    let drain = async {
        if tokio::time::timeout(DRAIN_DEADLINE, inflight.drained()).await.is_err() {
            warn!(lost = inflight.running(), "replies still in flight at the shutdown deadline were abandoned");
        }
    };
    let close = async {
        let all_closed = async { while running.join_next().await.is_some() {} };
        if tokio::time::timeout(SHUTDOWN_TIMEOUT, all_closed).await.is_err() {
            warn!("the shards did not close in time; dropping the connection");
            running.abort_all();
        }
    };
    tokio::join!(drain, close);
    // The replies are done; what they queued for the record is written before the
    // writer task goes with the runtime.
    if let Some(recorder) = &flusher {
        if !recorder.flush(DRAIN_DEADLINE).await {
            warn!("records still queued at the shutdown deadline were lost");
        }
    }
    outcome
}

/// The gateway URL from `GET /gateway/bot`, the first request that needs the token:
/// a 401 means the token is wrong, and anything else that fails is retried with a
/// growing pause. `None` if `shutdown` came first.
async fn gateway_url(
    http: &serenity::all::Http,
    shutdown: &mut (impl Future<Output = ()> + Unpin),
) -> Result<Option<String>, BotError> {
    let mut failures = 0;
    loop {
        let error = match http.get_bot_gateway().await {
            Ok(gateway) => return Ok(Some(gateway.url)),
            Err(e) if status(&e) == Some(401) => return Err(BotError::BadToken),
            Err(e) => e,
        };
        failures += 1;
        let pause = gateway::backoff(failures, gateway::jitter());
        warn!(
            attempt = failures,
            "cannot reach Discord: {}; trying again in {:.1} s",
            describe(&error),
            pause.as_secs_f64()
        );
        tokio::select! {
            () = tokio::time::sleep(pause) => {}
            () = &mut *shutdown => return Ok(None),
        }
    }
}

/// The HTTP status of a request Discord refused.
pub(crate) fn status(error: &serenity::Error) -> Option<u16> {
    match error {
        serenity::Error::Http(serenity::all::HttpError::UnsuccessfulRequest(response)) => {
            Some(response.status_code.as_u16())
        }
        _ => None,
    }
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
