//! The bot's own HTTP listener: Discord's interactions endpoint (`POST /` or
//! `POST /interactions`), and `/metrics`, `/healthz` and `/readyz`.
//!
//! An interaction POSTed here is verified first (`verify`: signature headers, then a
//! body of bounded size, then the signature over both, then the timestamp's age),
//! and only then parsed, with serenity's own `Interaction`, and handed to the same
//! [`Handler`] the gateway uses. The handler's first response comes back through a
//! [`Responder::Body`] and goes out as the HTTP response; what follows it (the
//! report of a deferred `/reload`) goes over REST, as over the gateway.
//!
//! Plain HTTP: Discord requires HTTPS, so a reverse proxy or load balancer in front
//! terminates TLS (README, "The interactions endpoint").

use std::convert::Infallible;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CONNECTION, CONTENT_LENGTH, CONTENT_TYPE};
use hyper::{Method, Request, Response, StatusCode, Version};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use serenity::all::{Http, Interaction};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tracing::{debug, info, warn, Instrument};

use super::handler::{Handler, Responder};
use super::inflight::InFlight;
use super::metrics::Metrics;
use super::verify::{Rejection, Verifier, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use super::BotError;
use crate::engine::SharedEngine;

/// The largest request body read. An interaction is a few KiB; one carrying
/// resolved users, members and messages stays well under this.
pub const MAX_BODY: usize = 256 * 1024;
/// How long a client may take to send its headers, and then its body.
const READ_TIMEOUT: Duration = Duration::from_secs(10);
/// How long the handler has for its first response: Discord's window.
const RESPONSE_DEADLINE: Duration = Duration::from_secs(3);

/// What every request served shares.
pub struct State {
    pub handler: Arc<Handler>,
    pub http: Arc<Http>,
    pub inflight: Arc<InFlight>,
    pub metrics: Metrics,
    pub engine: Arc<SharedEngine>,
    /// The application's key, where this listener takes interactions; `None` for a
    /// listener that serves only the metrics and health checks.
    pub verifier: Option<Verifier>,
    /// Whether readiness waits for an endpoint (any listener of the process).
    pub endpoint_configured: bool,
}

/// Serves `listener` until `stop` turns true.
pub async fn serve(listener: TcpListener, state: Arc<State>, mut stop: watch::Receiver<bool>) -> Result<(), BotError> {
    let address = listener.local_addr().map_err(|e| BotError::Listen(e.to_string()))?;
    info!(%address, interactions = state.verifier.is_some(), "listening");
    if state.verifier.is_some() {
        state.metrics.set_serving(true);
    }
    let mut connection = auto::Builder::new(TokioExecutor::new());
    connection.http1().timer(TokioTimer::new()).header_read_timeout(READ_TIMEOUT);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stop.wait_for(|stop| *stop) => break,
        };
        let tcp = match accepted {
            Ok((tcp, _)) => tcp,
            Err(e) => {
                // Out of file descriptors, say: pause rather than spin.
                warn!("cannot accept a connection: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let _ = tcp.set_nodelay(true);
        let (state, connection) = (state.clone(), connection.clone());
        tokio::spawn(
            async move {
                let service = hyper::service::service_fn(move |request| handle(request, state.clone()));
                if let Err(e) = connection.serve_connection(TokioIo::new(tcp), service).await {
                    debug!("a connection to the listener ended: {e}");
                }
            }
            .in_current_span(),
        );
    }
    state.metrics.set_serving(false);
    Ok(())
}

async fn handle(request: Request<Incoming>, state: Arc<State>) -> Result<Response<Full<Bytes>>, Infallible> {
    let response = match (request.method(), request.uri().path()) {
        (&Method::GET, "/healthz") => text(StatusCode::OK, "alive\n".into()),
        (&Method::GET, "/readyz") => match state.metrics.unready(state.endpoint_configured) {
            None if !state.inflight.is_closed() => text(StatusCode::OK, "ready\n".into()),
            None => text(StatusCode::SERVICE_UNAVAILABLE, "shutting down\n".into()),
            Some(why) => text(StatusCode::SERVICE_UNAVAILABLE, format!("{why}\n")),
        },
        (&Method::GET, "/metrics") => Response::builder()
            .header(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")
            .body(Full::new(Bytes::from(state.metrics.render(&state.engine))))
            .unwrap_or_default(),
        (&Method::POST, "/" | "/interactions") if state.verifier.is_some() => interaction(request, &state).await,
        _ => text(StatusCode::NOT_FOUND, "not found\n".into()),
    };
    Ok(response)
}

/// An interaction from Discord: verified, then answered.
async fn interaction(request: Request<Incoming>, state: &State) -> Response<Full<Bytes>> {
    let Some(verifier) = &state.verifier else {
        return text(StatusCode::NOT_FOUND, "not found\n".into());
    };
    let headers = request.headers();
    let signed = match Verifier::headers(
        headers.get(SIGNATURE_HEADER).map(|v| v.as_bytes()),
        headers.get(TIMESTAMP_HEADER).map(|v| v.as_bytes()),
    ) {
        Ok(signed) => signed,
        Err(rejection) => return refuse(state, rejection),
    };
    let declared = headers.get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    let version = request.version();
    if declared.is_some_and(|length| length > MAX_BODY as u64) {
        return too_large(state, version);
    }
    let body = match tokio::time::timeout(READ_TIMEOUT, Limited::new(request.into_body(), MAX_BODY).collect()).await {
        Ok(Ok(body)) => body.to_bytes(),
        Ok(Err(e)) if e.downcast_ref::<http_body_util::LengthLimitError>().is_some() => {
            return too_large(state, version)
        }
        Ok(Err(_)) | Err(_) => {
            state.metrics.rejected("unreadable_body");
            return text(StatusCode::BAD_REQUEST, "the body could not be read\n".into());
        }
    };
    if let Err(rejection) = verifier.verify(&signed, &body, SystemTime::now()) {
        return refuse(state, rejection);
    }
    // Only a verified body is read.
    let interaction: Interaction = match serde_json::from_slice(&body) {
        Ok(interaction) => interaction,
        Err(e) => {
            warn!("Discord sent an interaction this bot could not read ({e}); it was refused");
            state.metrics.rejected("unreadable_interaction");
            return text(StatusCode::BAD_REQUEST, "not an interaction this bot can read\n".into());
        }
    };
    let (token, application) = match &interaction {
        // Discord's check of the endpoint, and its occasional pings.
        Interaction::Ping(_) => return json(StatusCode::OK, br#"{"type":1}"#.to_vec()),
        Interaction::Command(c) | Interaction::Autocomplete(c) => (&c.token, c.application_id),
        Interaction::Component(c) => (&c.token, c.application_id),
        Interaction::Modal(m) => (&m.token, m.application_id),
        _ => return text(StatusCode::BAD_REQUEST, "an interaction of a kind this bot does not use\n".into()),
    };
    // As the gateway's are learnt from the log lines: no line may show it.
    crate::logging::remember_interaction_token(token);
    // Follow-ups (a deferred /reload's report) are addressed by application id.
    state.http.set_application_id(application);
    let Some(ticket) = state.inflight.enter() else {
        return text(StatusCode::SERVICE_UNAVAILABLE, "shutting down\n".into());
    };
    let (responder, response) = Responder::body();
    let (handler, http) = (state.handler.clone(), state.http.clone());
    tokio::spawn(
        async move {
            handler.interaction(&http, interaction, responder).await;
            drop(ticket);
        }
        .in_current_span(),
    );
    match tokio::time::timeout(RESPONSE_DEADLINE, response).await {
        Ok(Ok(response)) => match serde_json::to_vec(&response) {
            Ok(body) => json(StatusCode::OK, body),
            Err(e) => {
                warn!("could not write a response: {e}");
                text(StatusCode::INTERNAL_SERVER_ERROR, "could not write the response\n".into())
            }
        },
        // Taken already by the gateway, or a kind of interaction it ignores.
        Ok(Err(_)) => text(StatusCode::CONFLICT, "not answered here\n".into()),
        Err(_) => {
            warn!("no response within Discord's 3 seconds; the interaction fails");
            text(StatusCode::SERVICE_UNAVAILABLE, "no response in time\n".into())
        }
    }
}

fn refuse(state: &State, rejection: Rejection) -> Response<Full<Bytes>> {
    debug!("refused a request to the interactions endpoint: {rejection}");
    state.metrics.rejected(rejection.reason());
    text(StatusCode::UNAUTHORIZED, "invalid request signature\n".into())
}

/// The rest of the body is never read, so an HTTP/1 connection cannot carry another
/// request: saying so keeps the client from sending its next one down a connection
/// about to close (a test's scrape after a refused upload failed so, now and then).
/// HTTP/2 refuses the header; its streams end alone.
fn too_large(state: &State, version: Version) -> Response<Full<Bytes>> {
    state.metrics.rejected("too_large");
    let mut response = text(StatusCode::PAYLOAD_TOO_LARGE, format!("the body is over {MAX_BODY} bytes\n"));
    if version < Version::HTTP_2 {
        response.headers_mut().insert(CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

fn text(status: StatusCode, body: String) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header(CONTENT_TYPE, "text/plain; charset=utf-8")
        .body(Full::new(Bytes::from(body)))
        .unwrap_or_default()
}

fn json(status: StatusCode, body: Vec<u8>) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header(CONTENT_TYPE, "application/json")
        .body(Full::new(Bytes::from(body)))
        .unwrap_or_default()
}
