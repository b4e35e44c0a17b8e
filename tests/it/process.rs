//! The real binary as a process: crash safety under SIGKILL, graceful
//! SIGTERM, and start-up failures on bad config.

use std::collections::HashSet;
use std::process::Command;
use std::time::Duration;

use crate::common::daemon::{BINARY, Daemon, write_config};
use crate::common::{
    Backend, ConfigTree, Receiver, Reply, TestEndpoint, TestSettings, dispatch_request, eventually,
};

async fn sigkill_during_retries_loses_nothing_after_restart(backend: Backend) {
    let receiver = Receiver::start(500).await;
    receiver.set_delay(Duration::from_millis(50));
    let dir = tempfile::tempdir().unwrap();
    let database_url = backend.fresh_database_url(dir.path()).await;
    let config = write_config(
        dir.path(),
        &TestSettings {
            max_attempts: 100,
            initial_delay_seconds: 0.2,
            backoff_multiplier: 1.5,
            max_concurrent_deliveries: 4,
            // A killed instance's leases expire quickly (PostgreSQL does not
            // release them at start, as other instances may hold them).
            timeout_seconds: 1.0,
            lease_seconds: Some(2.0),
            ..TestSettings::with_endpoints(vec![TestEndpoint::new("ep_1", receiver.url(), &["*"])])
        },
        &database_url,
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
        receiver.total_requests() >= 20
    })
    .await
    .expect("deliveries were attempted before the kill");
    daemon.sigkill();

    receiver.set_default(Reply::Status(200));
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

async fn sigterm_exits_zero_and_the_next_run_delivers_what_was_pending(backend: Backend) {
    let receiver = Receiver::start(503).await;
    let dir = tempfile::tempdir().unwrap();
    let database_url = backend.fresh_database_url(dir.path()).await;
    let config = write_config(
        dir.path(),
        &TestSettings {
            max_attempts: 100,
            initial_delay_seconds: 0.3,
            ..TestSettings::with_endpoints(vec![TestEndpoint::new("ep_1", receiver.url(), &["*"])])
        },
        &database_url,
    );
    let daemon = Daemon::start(&config);
    let event_id = dispatch_one(&daemon).await;
    eventually(Duration::from_secs(10), || async {
        receiver.total_requests() >= 1
    })
    .await
    .unwrap();
    let status = daemon.sigterm_and_wait();
    assert_eq!(status.code(), Some(0), "graceful shutdown exits 0");

    receiver.set_default(Reply::Status(200));
    let _restarted = Daemon::start(&config);
    eventually(Duration::from_secs(15), || async {
        receiver.succeeded_event_ids().contains(&event_id)
    })
    .await
    .expect("the pending retry is delivered by the next run");
}

crate::backend_tests!(
    sigkill_during_retries_loses_nothing_after_restart,
    sigterm_exits_zero_and_the_next_run_delivers_what_was_pending,
);

/// Dispatches one `order.created` event; returns its id.
async fn dispatch_one(daemon: &Daemon) -> String {
    daemon
        .client()
        .await
        .dispatch(dispatch_request("order.created", "{}"))
        .await
        .unwrap()
        .into_inner()
        .event_id
}

/// The `worker_threads` field of the daemon's `webhookd listening` line.
fn logged_worker_threads(daemon: &Daemon) -> u64 {
    let line = daemon
        .log_text()
        .lines()
        .find(|line| line.contains("webhookd listening"))
        .expect("the listening line is logged")
        .to_owned();
    let event: serde_json::Value = serde_json::from_str(&line).unwrap();
    event["worker_threads"]
        .as_u64()
        .unwrap_or_else(|| panic!("no worker_threads in {line}"))
}

#[tokio::test]
async fn the_runtime_leaves_a_core_to_sqlite_or_runs_the_configured_threads() {
    let receiver = Receiver::start(200).await;
    let dir = tempfile::tempdir().unwrap();
    let database_url = Backend::Sqlite.fresh_database_url(dir.path()).await;
    let settings =
        TestSettings::with_endpoints(vec![TestEndpoint::new("ep_1", receiver.url(), &["*"])]);
    let cores = std::thread::available_parallelism().map_or(1, usize::from) as u64;
    let config = write_config(dir.path(), &settings, &database_url);
    let daemon = Daemon::start(&config);
    assert_eq!(logged_worker_threads(&daemon), (cores - 1).max(1));
    daemon.sigterm_and_wait();

    let configured = dir.path().join("three.yaml");
    settings
        .config_tree(&database_url)
        .set("server.worker_threads", 3)
        .write(&configured);
    let daemon = Daemon::start(&configured);
    assert_eq!(logged_worker_threads(&daemon), 3);
    let event_id = dispatch_one(&daemon).await;
    eventually(Duration::from_secs(10), || async {
        receiver.succeeded_event_ids().contains(&event_id)
    })
    .await
    .expect("delivered on the configured runtime");
}

#[test]
fn invalid_config_fails_at_start_with_the_key_and_reason() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            ConfigTree::new()
                .set("retry_policy.max_attempts", 0)
                .set("webhook_engine.signing_secret", "s"),
            "retry_policy.max_attempts",
            "at least 1",
        ),
        (
            ConfigTree::new()
                .set("server.worker_threads", 0)
                .set("webhook_engine.signing_secret", "s"),
            "server.worker_threads",
            "at least 1",
        ),
        (
            ConfigTree::new().set("webhook_engine.max_concurrent_deliveries", 5),
            "webhook_engine.signing_secret",
            "missing field",
        ),
        (
            ConfigTree::new()
                .set("webhook_engine.signing_secret", "s")
                .set("webhook_engine.turbo", true),
            "webhook_engine.turbo",
            "unknown field",
        ),
    ];
    for (config, key, reason) in cases {
        let path = dir.path().join("bad.yaml");
        config.write(&path);
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

fn assert_succeeded(output: &std::process::Output) {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// `migrate` needs the database URL and nothing else: no config file, no
/// signing secret, no serve-only flags in its help.
#[test]
fn migrate_needs_only_the_database_url() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("fresh.db");
    let output = Command::new(BINARY)
        .args(["migrate", "--database-url"])
        .arg(format!("sqlite://{}", database.display()))
        .env_remove("WEBHOOKD_WEBHOOK_ENGINE__SIGNING_SECRET")
        .env_remove("WEBHOOKD_CONFIG")
        .output()
        .unwrap();
    assert_succeeded(&output);
    assert!(database.is_file());

    // A config file with other sections (and a secret from an unset
    // variable) is read for its database section only.
    let config = dir.path().join("config.yaml");
    ConfigTree::new()
        .set(
            "database.url",
            format!("sqlite://{}", dir.path().join("other.db").display()),
        )
        .set(
            "webhook_engine.signing_secret",
            "${WEBHOOKD_TEST_UNSET_SECRET}",
        )
        .write(&config);
    let output = Command::new(BINARY)
        .args(["migrate", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert_succeeded(&output);
    assert!(dir.path().join("other.db").is_file());

    let help = Command::new(BINARY)
        .args(["migrate", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("--database-url"), "{help}");
    for unrelated in ["--grpc-addr", "--http-addr"] {
        assert!(
            !help.contains(unrelated),
            "migrate --help lists {unrelated}: {help}"
        );
    }
}

/// A database that refuses connections is reported at once, with the root
/// cause, printed once.
#[test]
fn an_unreachable_database_is_reported_with_its_cause_once() {
    // Nothing listens on a port we just bound and released.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.yaml");
    ConfigTree::new()
        .set("webhook_engine.signing_secret", "s")
        .write(&config);
    let output = Command::new(BINARY)
        .args(["serve", "--config"])
        .arg(&config)
        .arg("--database-url")
        .arg(format!("postgres://postgres@127.0.0.1:{port}/webhookd"))
        .args(["--grpc-addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.to_lowercase().contains("connection refused"),
        "the cause is named: {stderr}"
    );
    assert!(!stderr.contains("pool timed out"), "{stderr}");
    assert_eq!(
        stderr.matches("failed to open the database").count(),
        1,
        "printed once: {stderr}"
    );
}
