//! The real binary as a process: crash safety under SIGKILL, graceful
//! SIGTERM, and start-up failures on bad config.

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use tonic::transport::Channel;
use webhookd::api::proto::webhook_service_client::WebhookServiceClient;

use crate::common::{Receiver, TestEndpoint, TestSettings, dispatch_request, eventually};

const BINARY: &str = env!("CARGO_BIN_EXE_webhookd");

/// A `webhookd serve` process.
struct Daemon {
    child: Child,
    grpc_addr: SocketAddr,
}

impl Daemon {
    /// Starts the binary and waits for its "listening" log line.
    fn start(config_path: &Path) -> Daemon {
        let mut child = Command::new(BINARY)
            .args(["serve", "--log-format", "json", "--config"])
            .arg(config_path)
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the webhookd binary starts");
        let stderr = child.stderr.take().unwrap();
        let (lines, listening) = mpsc::channel::<String>();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if line.contains("webhookd listening") {
                    let _ = lines.send(line);
                }
            }
        });
        let line = listening
            .recv_timeout(Duration::from_secs(30))
            .expect("webhookd logs its listening addresses");
        let event: serde_json::Value = serde_json::from_str(&line).expect("json log line");
        let grpc_addr = event["grpc_addr"].as_str().unwrap().parse().unwrap();
        Daemon { child, grpc_addr }
    }

    async fn client(&self) -> WebhookServiceClient<Channel> {
        let channel = Channel::from_shared(format!("http://{}", self.grpc_addr))
            .unwrap()
            .connect()
            .await
            .unwrap();
        WebhookServiceClient::new(channel)
    }

    fn sigkill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    fn sigterm_and_wait(mut self) -> std::process::ExitStatus {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        for _ in 0..200 {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        self.child.kill().unwrap();
        panic!("webhookd did not exit within 10 s of SIGTERM");
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn write_config(dir: &Path, settings: &TestSettings) -> std::path::PathBuf {
    let database_url = format!("sqlite://{}", dir.join("webhookd.db").display());
    let path = dir.join("config.yaml");
    std::fs::write(&path, settings.to_yaml(&database_url)).unwrap();
    path
}

#[tokio::test]
async fn sigkill_during_retries_loses_nothing_after_restart() {
    let receiver = Receiver::start(500).await;
    receiver.set_delay(Duration::from_millis(50));
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        &TestSettings {
            max_attempts: 100,
            initial_delay_seconds: 0.2,
            backoff_multiplier: 1.5,
            max_concurrent_deliveries: 4,
            ..TestSettings::with_endpoints(vec![TestEndpoint::new("ep_1", receiver.url(), &["*"])])
        },
    );

    let daemon = Daemon::start(&config);
    let mut client = daemon.client().await;
    let mut accepted = HashSet::new();
    for n in 0..40 {
        let response = client
            .dispatch(dispatch_request("order.created", &format!("{{\"n\":{n}}}")))
            .await
            .expect("dispatch is accepted")
            .into_inner();
        accepted.insert(response.event_id);
    }
    // Kill while deliveries are failing, retrying and in flight.
    eventually(Duration::from_secs(10), || async {
        receiver.succeeded_event_ids().is_empty() && request_count_at_least(&receiver, 20)
    })
    .await
    .expect("deliveries were attempted before the kill");
    daemon.sigkill();

    receiver.set_default(crate::common::Reply::Status(200));
    receiver.set_delay(Duration::ZERO);
    let _restarted = Daemon::start(&config);
    let all_delivered = eventually(Duration::from_secs(30), || async {
        receiver.succeeded_event_ids() == accepted
    })
    .await;
    let delivered = receiver.succeeded_event_ids();
    eprintln!(
        "crash test: {} events accepted, {} delivered, {} duplicate 2xx receptions",
        accepted.len(),
        delivered.len(),
        receiver.success_count().saturating_sub(delivered.len())
    );
    assert!(
        all_delivered.is_ok(),
        "{} of {} accepted events were delivered after the restart; missing: {:?}",
        delivered.len(),
        accepted.len(),
        accepted.difference(&delivered).collect::<Vec<_>>()
    );
}

/// True once the receiver has answered at least `n` requests in all.
fn request_count_at_least(receiver: &Receiver, n: usize) -> bool {
    receiver.total_requests() >= n
}

#[tokio::test]
async fn sigterm_exits_zero_and_the_next_run_delivers_what_was_pending() {
    let receiver = Receiver::start(503).await;
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        &TestSettings {
            max_attempts: 100,
            initial_delay_seconds: 0.3,
            ..TestSettings::with_endpoints(vec![TestEndpoint::new("ep_1", receiver.url(), &["*"])])
        },
    );
    let daemon = Daemon::start(&config);
    let event_id = daemon
        .client()
        .await
        .dispatch(dispatch_request("order.created", "{}"))
        .await
        .unwrap()
        .into_inner()
        .event_id;
    eventually(Duration::from_secs(10), || async {
        receiver.total_requests() >= 1
    })
    .await
    .unwrap();
    let status = daemon.sigterm_and_wait();
    assert_eq!(status.code(), Some(0), "graceful shutdown exits 0");

    receiver.set_default(crate::common::Reply::Status(200));
    let _restarted = Daemon::start(&config);
    eventually(Duration::from_secs(15), || async {
        receiver.succeeded_event_ids().contains(&event_id)
    })
    .await
    .expect("the pending retry is delivered by the next run");
}

#[test]
fn invalid_config_fails_at_start_with_the_key_and_reason() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "retry_policy:\n  max_attempts: 0\nwebhook_engine:\n  signing_secret: s\n",
            "retry_policy.max_attempts",
            "at least 1",
        ),
        (
            "webhook_engine:\n  max_concurrent_deliveries: 5\n",
            "webhook_engine.signing_secret",
            "missing field",
        ),
        (
            "webhook_engine:\n  signing_secret: s\n  turbo: true\n",
            "webhook_engine.turbo",
            "unknown field",
        ),
    ];
    for (yaml, key, reason) in cases {
        let path = dir.path().join("bad.yaml");
        std::fs::write(&path, yaml).unwrap();
        let output = Command::new(BINARY)
            .args(["serve", "--config"])
            .arg(&path)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(
            output.status.code(),
            Some(2),
            "exit code for {key}: {stderr}"
        );
        assert!(
            stderr.contains(key) && stderr.contains(reason),
            "stderr for {key}: {stderr}"
        );
    }
    let missing = Command::new(BINARY)
        .args(["serve", "--config", "/nonexistent/webhookd.yaml"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("/nonexistent/webhookd.yaml"));
}

#[test]
fn migrate_creates_the_schema_and_exits() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("fresh.db");
    let output = Command::new(BINARY)
        .args(["migrate", "--database-url"])
        .arg(format!("sqlite://{}", database.display()))
        .env("WEBHOOKD_WEBHOOK_ENGINE__SIGNING_SECRET", "s")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(database.is_file());
}
