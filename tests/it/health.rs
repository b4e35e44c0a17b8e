//! Endpoint health: isolation, the circuit breaker, Retry-After, 410 Gone,
//! auto-disable with email alerts through a real SMTP server, re-enable and
//! the recovery probe.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use webhookd::api::proto::{
    EnableEndpointRequest, GetEndpointRequest, GetMetricsRequest, ListEndpointsRequest,
};
use webhookd::domain::DeliveryState;

use crate::common::settings::EmailAlerts;
use crate::common::{
    Backend, Receiver, Reply, SECRET, TestEndpoint, TestSettings, assert_signed, eventually,
    p99_to_receipt, spawn_app,
};

const WAIT: Duration = Duration::from_secs(15);

async fn a_hanging_endpoint_never_slows_the_others(backend: Backend) {
    let hanging = Receiver::start_with(Reply::Hang).await;
    let mut healthy = Receiver::start(200).await;
    let app = spawn_app(
        &backend,
        TestSettings {
            // Longer than the test on the slowest machine: were a hanging
            // request to time out, its retry would count against the limit.
            timeout_seconds: 600.0,
            max_concurrent_deliveries: 20,
            max_concurrent_per_endpoint: 5,
            ..TestSettings::with_endpoints(vec![
                TestEndpoint::new("ep_hangs", hanging.url(), &["both.*"]),
                TestEndpoint::new("ep_fast", healthy.url(), &["both.*", "alone.*"]),
            ])
        },
    )
    .await;

    // 300 samples each, so the p99 leaves three above it. A broken limit
    // does not show as a slightly worse tail but as healthy deliveries
    // stuck behind hanging ones, which no sample count hides.
    let without = p99_to_receipt(&app, &mut healthy, "alone.event", 300).await;
    let with = p99_to_receipt(&app, &mut healthy, "both.event", 300).await;
    eprintln!(
        "isolation: healthy endpoint p99 {without:?} alone, {with:?} next to a hanging endpoint"
    );
    // The hanging endpoint holds at most its 5 slots of 20. Were it to hold
    // more, healthy deliveries would wait for its timeout; the half
    // second of slack only absorbs the noise of a loaded 2-core machine,
    // where a p99 alone varies from 50 to 200 ms between runs.
    assert!(
        with <= without * 2 + Duration::from_millis(500),
        "p99 {with:?} next to the hanging endpoint, {without:?} without"
    );
    assert!(
        hanging.total_requests() <= 5,
        "at most its own limit in flight"
    );
}

async fn an_open_circuit_spends_no_attempts_and_closes_after_a_good_trial(backend: Backend) {
    let receiver = Receiver::start(500).await;
    let app = spawn_app(
        &backend,
        TestSettings {
            max_attempts: 1000,
            initial_delay_seconds: 0.05,
            backoff_multiplier: 1.0,
            circuit_breaker_failures: 3,
            circuit_breaker_cooldown_seconds: 1.0,
            // One attempt at a time, so no request is in flight as it opens.
            max_concurrent_per_endpoint: 1,
            ..TestSettings::with_endpoints(vec![TestEndpoint::new("ep_1", receiver.url(), &["*"])])
        },
    )
    .await;
    let mut events = Vec::new();
    for n in 0..5 {
        events.push(
            app.dispatch("order.created", &format!("{{\"n\":{n}}}"))
                .await,
        );
    }
    // Down for 2.5 s: the circuit opens after 3 failures and lets one trial
    // through per cooldown. The window is the measure (requests in 2.5 s of
    // outage), so time must pass: no condition to wait for.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let while_down = receiver.total_requests();
    receiver.set_default(Reply::Status(200));
    eventually(WAIT, || async { receiver.succeeded_event_ids().len() == 5 })
        .await
        .expect("everything is delivered once the circuit closes");
    eprintln!(
        "breaker: {while_down} requests in 2.5 s of outage (without a breaker: about 50 per delivery)"
    );
    assert!(
        (3..=6).contains(&while_down),
        "3 failures, then at most one trial per 1 s cooldown: got {while_down}"
    );
    // Every attempt counted was a request the receiver saw: none burned.
    for event in &events {
        app.wait_for_state(
            &event.event_id,
            &event.delivery_ids[0],
            DeliveryState::Succeeded,
            WAIT,
        )
        .await;
    }
    let mut attempts = 0;
    for event in &events {
        attempts += app.deliveries(&event.event_id).await[0].attempt_count as usize;
    }
    assert_eq!(attempts, receiver.total_requests());
}

/// An open circuit is reported the same everywhere an endpoint is shown:
/// GetEndpoint, ListEndpoints, GetMetrics and both JSON endpoints.
async fn circuit_state_is_shown_wherever_an_endpoint_is(backend: Backend) {
    let receiver = Receiver::start(500).await;
    let app = spawn_app(
        &backend,
        TestSettings {
            max_attempts: 1000,
            circuit_breaker_failures: 2,
            circuit_breaker_cooldown_seconds: 600.0,
            ..TestSettings::with_endpoints(vec![
                TestEndpoint::new("ep_1", receiver.url(), &["*"]),
                TestEndpoint::new("ep_2", receiver.url(), &["other.*"]),
            ])
        },
    )
    .await;
    for n in 0..3 {
        app.dispatch("order.created", &format!("{{\"n\":{n}}}"))
            .await;
    }
    let mut client = app.client.clone();
    eventually(WAIT, || {
        let mut client = client.clone();
        async move {
            client
                .get_endpoint(GetEndpointRequest {
                    id: "ep_1".to_owned(),
                })
                .await
                .unwrap()
                .into_inner()
                .circuit_state
                == "open"
        }
    })
    .await
    .expect("GetEndpoint shows the open circuit");

    let listed: HashMap<String, String> = client
        .list_endpoints(ListEndpointsRequest::default())
        .await
        .unwrap()
        .into_inner()
        .endpoints
        .into_iter()
        .map(|e| (e.id, e.circuit_state))
        .collect();
    assert_eq!(listed["ep_1"], "open");
    assert_eq!(listed["ep_2"], "closed");
    let metrics = client
        .get_metrics(GetMetricsRequest::default())
        .await
        .unwrap()
        .into_inner();
    let ep_1 = metrics
        .endpoints
        .iter()
        .find(|e| e.endpoint_id == "ep_1")
        .unwrap();
    assert_eq!(ep_1.circuit_state, "open");
    for path in ["/api/v1/endpoints", "/api/v1/metrics"] {
        let body: serde_json::Value = serde_json::from_str(
            &reqwest::get(format!("{}{path}", app.http_base))
                .await
                .unwrap()
                .text()
                .await
                .unwrap(),
        )
        .unwrap();
        let endpoint = body["endpoints"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["endpoint_id"] == "ep_1")
            .unwrap_or_else(|| panic!("{path} lists ep_1: {body}"));
        assert_eq!(endpoint["circuit_state"], "open", "{path}: {body}");
    }
}

async fn retry_after_is_respected(backend: Backend) {
    let mut receiver = Receiver::start(200).await;
    receiver.script([Reply::RetryAfter(503, 2)]);
    let app = spawn_app(
        &backend,
        TestSettings {
            initial_delay_seconds: 0.05,
            ..TestSettings::with_endpoints(vec![TestEndpoint::new("ep_1", receiver.url(), &["*"])])
        },
    )
    .await;
    app.dispatch("order.created", "{}").await;
    let first = receiver.next_request(WAIT).await;
    let second = receiver.next_request(WAIT).await;
    let gap = second.at - first.at;
    assert!(
        gap >= Duration::from_secs(2),
        "the retry came {gap:?} after a Retry-After of 2 s"
    );
    assert_eq!(second.status, 200);
}

/// An SMTP server for the test: Python's aiosmtpd, printing each message.
struct SmtpServer {
    child: Child,
    port: u16,
    output: Arc<Mutex<String>>,
}

impl SmtpServer {
    fn start() -> Option<SmtpServer> {
        let python = crate::common::test_python("the email part")?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut child = Command::new(python)
            .args([
                "-u",
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{port}"),
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("aiosmtpd starts");
        let stdout = child.stdout.take().unwrap();
        let output = Arc::new(Mutex::new(String::new()));
        let sink = Arc::clone(&output);
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let mut text = sink.lock().unwrap();
                text.push_str(&line);
                text.push('\n');
            }
        });
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "aiosmtpd did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(SmtpServer {
            child,
            port,
            output,
        })
    }

    /// `alerts.email` sending to this server.
    fn alerts(&self) -> EmailAlerts {
        EmailAlerts::plaintext(
            "127.0.0.1",
            self.port,
            "webhookd <alerts@example.com>",
            &["ops@example.com"],
        )
    }

    fn text(&self) -> String {
        self.output.lock().unwrap().clone()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn failing_endpoints_are_disabled_alerted_and_resumed(backend: Backend) {
    let smtp = SmtpServer::start();
    let receiver = Receiver::start(500).await;
    let mut app = spawn_app(
        &backend,
        TestSettings {
            max_attempts: 1000,
            initial_delay_seconds: 0.05,
            failure_threshold: 3,
            // One attempt at a time, so the count at the threshold is exact.
            max_concurrent_per_endpoint: 1,
            alerts: smtp.as_ref().map(SmtpServer::alerts),
            ..TestSettings::with_endpoints(vec![TestEndpoint::new(
                "ep_flaky",
                receiver.url(),
                &["*"],
            )])
        },
    )
    .await;
    let client = app.client.clone();
    let first = app.dispatch("order.created", "{\"n\":1}").await;
    let second = app.dispatch("order.created", "{\"n\":2}").await;

    let endpoint = || {
        let mut client = client.clone();
        async move {
            client
                .get_endpoint(GetEndpointRequest {
                    id: "ep_flaky".to_owned(),
                })
                .await
                .unwrap()
                .into_inner()
        }
    };
    eventually(WAIT, || async { !endpoint().await.active })
        .await
        .expect("disabled");
    let disabled = endpoint().await;
    assert!(
        disabled
            .disabled_reason
            .contains("3 consecutive failed attempts"),
        "{}",
        disabled.disabled_reason
    );
    assert!(
        disabled.disabled_reason.contains("HTTP 500"),
        "{}",
        disabled.disabled_reason
    );
    receiver
        .expect_total_requests_to_stay(
            3,
            Duration::from_millis(800),
            "exactly the threshold, then nothing",
        )
        .await;
    // A restart with the same config file keeps it disabled: the file says
    // `active: true`, but only an operator (or the probe) re-enables.
    app.stop().await.unwrap();
    let restarted = app.restart().await;
    let after_restart = endpoint_of(&restarted).await;
    assert!(!after_restart.active, "still disabled after a restart");
    assert_eq!(after_restart.disabled_reason, disabled.disabled_reason);
    receiver
        .expect_total_requests_to_stay(3, Duration::from_millis(300), "no burst after the restart")
        .await;
    // Paused, not dropped and not dead-lettered; new events are kept too.
    let third = restarted.dispatch("order.created", "{\"n\":3}").await;
    for event in [&first, &second, &third] {
        assert_eq!(
            restarted.deliveries(&event.event_id).await[0].state,
            DeliveryState::Pending
        );
    }

    if let Some(smtp) = &smtp {
        eventually(WAIT, || async {
            smtp.text().contains("endpoint ep_flaky disabled")
        })
        .await
        .unwrap_or_else(|_| panic!("no alert email; the SMTP server printed:\n{}", smtp.text()));
        let mail = smtp.text();
        for needle in [
            "ep_flaky",
            &receiver.url(),
            "HTTP 500",
            "Time: 20",
            "ops@example.com",
        ] {
            assert!(
                mail.contains(needle),
                "the alert email lacks {needle:?}:\n{mail}"
            );
        }
    }

    receiver.set_default(Reply::Status(200));
    restarted
        .client
        .clone()
        .enable_endpoint(EnableEndpointRequest {
            id: "ep_flaky".to_owned(),
        })
        .await
        .unwrap();
    eventually(WAIT, || async { receiver.succeeded_event_ids().len() == 3 })
        .await
        .expect("re-enabling resumes every paused delivery");
    assert_eq!(endpoint_of(&restarted).await.consecutive_failures, 0);
    if let Some(smtp) = &smtp {
        eventually(WAIT, || async {
            smtp.text().contains("endpoint ep_flaky re-enabled")
        })
        .await
        .expect("a recovery email");
    }
}

/// `ep_flaky` as `app` reports it.
async fn endpoint_of(app: &crate::common::TestApp) -> webhookd::api::proto::Endpoint {
    app.client
        .clone()
        .get_endpoint(GetEndpointRequest {
            id: "ep_flaky".to_owned(),
        })
        .await
        .unwrap()
        .into_inner()
}

async fn gone_disables_at_once_and_the_probe_brings_it_back(backend: Backend) {
    let mut receiver = Receiver::start(410).await;
    let app = spawn_app(
        &backend,
        TestSettings {
            auto_reenable: true,
            ..TestSettings::with_endpoints(vec![TestEndpoint::new(
                "ep_gone",
                receiver.url(),
                &["*"],
            )])
        },
    )
    .await;
    let event = app.dispatch("order.created", "{}").await;
    assert_eq!(receiver.next_request(WAIT).await.status, 410);
    let get = || {
        let mut client = app.client.clone();
        async move {
            client
                .get_endpoint(GetEndpointRequest {
                    id: "ep_gone".to_owned(),
                })
                .await
                .unwrap()
                .into_inner()
        }
    };
    eventually(WAIT, || async { !get().await.active })
        .await
        .expect("410 disables the endpoint at once");
    let disabled = get().await;
    assert!(disabled.disabled_reason.contains("410 Gone"));

    // The receiver comes back; the recovery probe (every 0.5 s in tests)
    // finds it, re-enables the endpoint, and the paused delivery goes out.
    receiver.set_default(Reply::Status(200));
    let ping = receiver.next_request(WAIT).await;
    assert_eq!(ping.header("x-webhook-event-type"), "webhook.ping");
    assert_signed(&ping, SECRET);
    let delivered = receiver.next_request(WAIT).await;
    assert_eq!(delivered.header("x-webhook-id"), event.event_id);
    let enabled = get().await;
    assert!(enabled.active);
    assert_eq!(enabled.consecutive_failures, 0);
}

/// A claim takes no more of an endpoint's deliveries than the endpoint has
/// room for, and fills the rest with other endpoints' work.
async fn a_claim_respects_each_endpoints_room(backend: Backend) {
    use webhookd::config::DatabaseConfig;
    use webhookd::domain::{
        CanonicalPayload, EndpointSpec, Event, EventId, EventPattern, EventType, TargetUrl,
    };
    use webhookd::store::{ClaimOutcome, EndpointRoom, Lease, Routing};

    let dir = tempfile::tempdir().unwrap();
    let store = webhookd::store::connect(&DatabaseConfig {
        url: backend.fresh_database_url(dir.path()).await,
        ..DatabaseConfig::default()
    })
    .await
    .unwrap();
    store.migrate().await.unwrap();
    let spec = |id: &str, limit: Option<u32>| EndpointSpec {
        id: webhookd::domain::EndpointId::parse(id).unwrap(),
        url: TargetUrl::parse("https://example.com/hook").unwrap(),
        event_patterns: vec![EventPattern::parse(&format!("{id}.*")).unwrap()],
        secret: None,
        signature_scheme: Default::default(),
        active: true,
        max_concurrent: limit,
        headers: Default::default(),
        retry_schedule: None,
        filter: None,
    };
    store
        .sync_config_endpoints(
            &[spec("hot", None), spec("own", Some(3)), spec("cold", None)],
            0,
        )
        .await
        .unwrap();
    // Hot's backlog comes first in time, then own's, then cold's.
    for (endpoint, count) in [("hot", 40), ("own", 10), ("cold", 5)] {
        for _ in 0..count {
            store
                .dispatch(
                    Event {
                        id: EventId::generate(),
                        event_type: EventType::parse(&format!("{endpoint}.event")).unwrap(),
                        payload: CanonicalPayload::from_json_text("{}", 1024).unwrap(),
                        idempotency_key: None,
                        created_at: 1,
                        ordering_key: None,
                        trace: None,
                    },
                    Routing::Subscribed,
                )
                .await
                .unwrap();
        }
    }
    let now = webhookd::clock::now_millis();
    let lease = Lease {
        owner: "test",
        token: "t1",
        now,
        until: now + 60_000,
    };
    // Hot is known to have room for 4 more; the others get twice their limit.
    let known = vec![("hot".to_owned(), 4)];
    let room = EndpointRoom {
        excluded: &[],
        room: &known,
        default_limit: 10,
        prefetch_factor: 2,
    };
    let ClaimOutcome::Claimed(claimed) = store.claim_due(lease, 50, &room).await.unwrap() else {
        panic!("nothing claimed");
    };
    let count = |endpoint: &str| {
        claimed
            .iter()
            .filter(|d| d.endpoint_id.as_str() == endpoint)
            .count()
    };
    assert_eq!(
        (count("hot"), count("own"), count("cold")),
        (4, 6, 5),
        "hot: its room; own: twice its own limit of 3; cold: all it has"
    );
}

/// Circuits that open and close every few milliseconds, next to retries
/// coming due: the scheduler's idle sleep must never panic (it once did
/// when a trial was due in under 5 ms, and the whole process stopped).
async fn circuits_flapping_next_to_due_retries_keep_the_scheduler_alive(backend: Backend) {
    let failing = Receiver::start(500).await;
    let flaky = Receiver::start(500).await;
    flaky.script((0..400).map(|i| Reply::Status(if i % 3 == 0 { 200 } else { 500 })));
    let app = spawn_app(
        &backend,
        TestSettings {
            max_attempts: 1000,
            initial_delay_seconds: 0.01,
            backoff_multiplier: 1.0,
            circuit_breaker_failures: 3,
            circuit_breaker_cooldown_seconds: 0.01,
            ..TestSettings::with_endpoints(vec![
                TestEndpoint::new("ep_failing", failing.url(), &["*"]),
                TestEndpoint::new("ep_flaky", flaky.url(), &["*"]),
            ])
        },
    )
    .await;
    for n in 0..100 {
        app.dispatch("order.created", &format!("{{\"n\":{n}}}"))
            .await;
    }
    // Three seconds of flapping is the exposure the test is about: time
    // must pass, there is no condition that marks "long enough".
    tokio::time::sleep(Duration::from_secs(3)).await;
    let before = failing.total_requests() + flaky.total_requests();
    app.dispatch("order.created", "{\"n\":-1}").await;
    eventually(Duration::from_millis(500), || async {
        failing.total_requests() + flaky.total_requests() > before
    })
    .await
    .expect("the scheduler still delivers");
}

crate::backend_tests!(
    a_hanging_endpoint_never_slows_the_others,
    an_open_circuit_spends_no_attempts_and_closes_after_a_good_trial,
    circuit_state_is_shown_wherever_an_endpoint_is,
    retry_after_is_respected,
    failing_endpoints_are_disabled_alerted_and_resumed,
    gone_disables_at_once_and_the_probe_brings_it_back,
    a_claim_respects_each_endpoints_room,
    circuits_flapping_next_to_due_retries_keep_the_scheduler_alive,
);
