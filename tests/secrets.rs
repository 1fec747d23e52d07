//! Secrets never reach the logs: the bot runs against the mock with every log level
//! on (serenity's included), through an answer and a failed request, and the token
//! must not appear anywhere in what was logged. Its own binary, because it installs
//! the process's global log subscriber.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use firstkiss::discord::{self, Secret, Settings};
use firstkiss::engine::SharedEngine;
use firstkiss::mock::{self, Fan, Fault, MockDiscord, GUILD};
use firstkiss::Engine;
use serde_json::json;

const TOKEN: &str = "MTA1MDAwMDAwMDAwMDAwMDAw.GsEcRe.tokentokentokentokentokentokentokenXYZ";

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_is_never_logged() {
    let captured = Captured::default();
    let writer = captured.clone();
    tracing_subscriber::fmt().with_max_level(tracing::Level::TRACE).with_writer(move || writer.clone()).init();

    let mock = MockDiscord::start().await.unwrap();
    let engine = Arc::new(SharedEngine::new(Engine::load(None).unwrap()));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let endpoint = mock.endpoint();
    let bot = tokio::spawn(async move {
        let shutdown = async {
            let _ = stopped.await;
        };
        discord::run(&Secret::new(TOKEN), Settings::default(), engine, &endpoint, shutdown).await
    });
    assert!(mock.ready(1, Duration::from_secs(20)).await);
    let fan = Fan::new(42, "fan");
    let ok = mock.command(mock::general(GUILD), &fan, "ask", &[("question", json!("who directed first kiss"))]);
    assert_eq!(mock.answers(&ok, 1, Duration::from_secs(20)).await.len(), 1);
    mock.fail_next("/callback", Fault::Status(500));
    let failed = mock.command(mock::general(GUILD), &fan, "ask", &[("question", json!("who wrote the song"))]);
    mock.wait_until(Duration::from_secs(20), |rs| rs.iter().any(|r| failed.is_answered_by(r) && r.status == 500)).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let _ = stop.send(());
    let _ = tokio::time::timeout(Duration::from_secs(20), bot).await;

    let logs = String::from_utf8_lossy(&captured.0.lock().unwrap()).to_string();
    assert!(logs.contains("answered"), "the logs were captured: {} bytes", logs.len());
    assert!(logs.contains("could not send the command"), "the failure was logged");
    // The mock stands in for Discord, which receives the token by design: its own
    // lines (in the `mock_gateway` span) are not the bot's logs.
    let bot_logs: Vec<&str> = logs.lines().filter(|l| !l.contains("mock_gateway")).collect();
    assert!(logs.lines().count() > bot_logs.len(), "the mock's lines are told apart");
    for secret in [TOKEN, "GsEcRe.tokentoken", "tokentokentokentoken"] {
        assert!(bot_logs.iter().all(|l| !l.contains(secret)), "the token leaked into the logs");
    }
    let firstkiss_lines: Vec<&str> = logs.lines().filter(|l| l.contains("firstkiss")).collect();
    let interaction_token = match &failed {
        mock::Sent::Interaction { token, .. } => token.clone(),
        _ => unreachable!(),
    };
    assert!(
        firstkiss_lines.iter().all(|l| !l.contains(&interaction_token)),
        "the bot's own logs name no interaction token"
    );
}
