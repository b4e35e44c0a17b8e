//! GetMetrics, the JSON API and the Prometheus export.

use std::time::Duration;

use serde_json::Value;
use tonic::Code;
use webhookd::api::proto::GetMetricsRequest;

use crate::common::{
    Backend, Receiver, TestEndpoint, TestSettings, dispatch_request, eventually, spawn_app,
};

const WAIT: Duration = Duration::from_secs(20);

async fn metrics_report_exact_counts_and_percentiles_everywhere(backend: Backend) {
    let slow = Receiver::start(200).await;
    slow.set_delay(Duration::from_millis(100));
    let failing = Receiver::start(500).await;
    let app = spawn_app(
        &backend,
        TestSettings {
            max_attempts: 1,
            ..TestSettings::with_endpoints(vec![
                TestEndpoint::new("ep_slow", slow.url(), &["order.*"]),
                TestEndpoint::new("ep_fail", failing.url(), &["invoice.*"]),
            ])
        },
    )
    .await;
    for n in 0..20 {
        app.dispatch("order.created", &format!("{{\"n\":{n}}}"))
            .await;
    }
    for n in 0..5 {
        app.dispatch("invoice.paid", &format!("{{\"n\":{n}}}"))
            .await;
    }
    let mut client = app.client.clone();
    let all = || GetMetricsRequest {
        window_seconds: 300,
        endpoint_id: String::new(),
    };
    eventually(WAIT, || async {
        let m = client
            .clone()
            .get_metrics(all())
            .await
            .unwrap()
            .into_inner();
        m.attempted == 25 && m.dead_lettered == 5
    })
    .await
    .expect("every attempt is counted");

    let m = client.get_metrics(all()).await.unwrap().into_inner();
    assert_eq!((m.attempted, m.succeeded, m.failed), (25, 20, 5));
    assert_eq!(m.success_rate, 0.8, "exact");
    assert_eq!(m.failures_by_error_kind.get("http_5xx"), Some(&5));
    assert_eq!(m.failures_by_status_class.get("5xx"), Some(&5));
    assert_eq!(m.window_seconds, 300);
    let slow_status = m
        .endpoints
        .iter()
        .find(|e| e.endpoint_id == "ep_slow")
        .unwrap();
    assert_eq!((slow_status.attempted, slow_status.succeeded), (20, 20));
    assert_eq!(slow_status.success_rate, 1.0);
    let latency = slow_status.latency.unwrap();
    // The receiver sleeps 100 ms: every percentile sits just above it, within
    // HDR precision and loopback overhead.
    for (name, value) in [
        ("p50", latency.p50_ms),
        ("p95", latency.p95_ms),
        ("p99", latency.p99_ms),
    ] {
        assert!((100.0..250.0).contains(&value), "{name} = {value} ms");
    }
    let fail_status = m
        .endpoints
        .iter()
        .find(|e| e.endpoint_id == "ep_fail")
        .unwrap();
    assert_eq!((fail_status.attempted, fail_status.succeeded), (5, 0));

    let only_slow = client
        .get_metrics(GetMetricsRequest {
            window_seconds: 300,
            endpoint_id: "ep_slow".to_owned(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (
            only_slow.attempted,
            only_slow.failed,
            only_slow.endpoints.len()
        ),
        (20, 0, 1)
    );

    let too_long = client
        .get_metrics(GetMetricsRequest {
            window_seconds: 100_000,
            endpoint_id: String::new(),
        })
        .await
        .unwrap_err();
    assert_eq!(too_long.code(), Code::InvalidArgument);
    assert!(too_long.message().contains("86400"));
    let unknown = client
        .get_metrics(GetMetricsRequest {
            window_seconds: 0,
            endpoint_id: "ep_none".to_owned(),
        })
        .await
        .unwrap_err();
    assert_eq!(unknown.code(), Code::NotFound);

    // The JSON API reports the same numbers.
    let http = reqwest::Client::new();
    let get = |path: &str| {
        let request = http.get(format!("{}{path}", app.http_base));
        async move {
            let response = request.send().await.unwrap();
            let status = response.status();
            (
                status,
                serde_json::from_slice::<Value>(&response.bytes().await.unwrap()).unwrap(),
            )
        }
    };
    let (status, json) = get("/api/v1/metrics?window=300").await;
    assert_eq!(status, 200);
    assert_eq!(json["attempted"], 25);
    assert_eq!(json["succeeded"], 20);
    assert_eq!(json["success_rate"], 0.8);
    assert_eq!(json["dead_lettered"], 5);
    assert_eq!(json["latency_ms"]["p50"].as_f64(), Some(m.latency_p50_ms));
    assert_eq!(json["series"].as_array().unwrap().len(), 30);
    let series_total: u64 = json["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["attempted"].as_u64().unwrap())
        .sum();
    assert_eq!(series_total, 25, "the series covers every attempt");

    let (_, endpoints) = get("/api/v1/endpoints").await;
    assert_eq!(endpoints["endpoints"].as_array().unwrap().len(), 2);
    let (_, dead) = get("/api/v1/deliveries?state=dead&limit=3").await;
    assert_eq!(dead["deliveries"].as_array().unwrap().len(), 3);
    assert!(!dead["next_page_token"].as_str().unwrap().is_empty());
    let (_, failures) = get("/api/v1/attempts?failed=true&limit=50").await;
    let failures = failures["attempts"].as_array().unwrap();
    assert_eq!(failures.len(), 5);
    assert!(
        failures
            .iter()
            .all(|a| a["endpoint_id"] == "ep_fail" && a["http_status"] == 500)
    );
    let (status, error) = get("/api/v1/metrics?window=999999").await;
    assert_eq!(status, 400);
    assert_eq!(error["code"], "invalid_argument");
    assert!(error["detail"].as_str().unwrap().contains("86400"));
    let (status, _) = get("/api/v1/nothing-here").await;
    assert_eq!(status, 404);

    // Prometheus: parsed by the reference parser.
    let text = http
        .get(format!("{}/metrics", app.http_base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let samples = parse_prometheus(&text);
    let sample = |name: &str, labels: &[(&str, &str)]| {
        samples
            .iter()
            .find(|s| s["name"] == name && labels.iter().all(|(k, v)| s["labels"][*k] == *v))
            .map(|s| s["value"].as_f64().unwrap())
    };
    assert_eq!(
        sample(
            "webhookd_attempts_total",
            &[("endpoint", "ep_slow"), ("outcome", "success")]
        ),
        Some(20.0)
    );
    assert_eq!(
        sample(
            "webhookd_attempts_total",
            &[("endpoint", "ep_fail"), ("outcome", "http_5xx")]
        ),
        Some(5.0)
    );
    assert_eq!(
        sample("webhookd_dead_lettered_total", &[("endpoint", "ep_fail")]),
        Some(5.0)
    );
    assert_eq!(sample("webhookd_dispatched_events_total", &[]), Some(25.0));
    assert_eq!(
        sample(
            "webhookd_attempt_duration_seconds_bucket",
            &[("endpoint", "ep_slow"), ("le", "0.05")]
        ),
        Some(0.0),
        "no 100 ms attempt is faster than 50 ms"
    );
    assert_eq!(
        sample(
            "webhookd_attempt_duration_seconds_count",
            &[("endpoint", "ep_slow")]
        ),
        Some(20.0)
    );
    assert_eq!(
        sample("webhookd_endpoint_active", &[("endpoint", "ep_fail")]),
        Some(1.0)
    );
}

/// Parses Prometheus text with the reference parser (Python's
/// prometheus_client), run from the interpreter scripts/test.sh prepares.
fn parse_prometheus(text: &str) -> Vec<Value> {
    let python = match std::env::var("WEBHOOKD_TEST_PYTHON") {
        Ok(python) => python,
        Err(_) if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!(
                "CI=true but WEBHOOKD_TEST_PYTHON is not set: run the tests through scripts/test.sh"
            )
        }
        Err(_) => {
            eprintln!(
                "WEBHOOKD_TEST_PYTHON is not set: checking the Prometheus text with python3 if it has prometheus_client"
            );
            "python3".to_owned()
        }
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("metrics.txt");
    std::fs::write(&file, text).unwrap();
    let output = std::process::Command::new(python)
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/prometheus_parse.py"
        ))
        .arg(&file)
        .output()
        .expect("python runs");
    assert!(
        output.status.success(),
        "the Prometheus text does not parse: {}\n{text}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

async fn metrics_figures_survive_a_restart(backend: Backend) {
    let receiver = Receiver::start(200).await;
    let mut app = spawn_app(
        &backend,
        TestSettings::with_endpoints(vec![TestEndpoint::new("ep_1", receiver.url(), &["*"])]),
    )
    .await;
    for _ in 0..3 {
        app.try_dispatch(dispatch_request("order.created", "{}"))
            .await
            .unwrap();
    }
    eventually(WAIT, || async { receiver.succeeded_event_ids().len() == 3 })
        .await
        .unwrap();
    app.stop().await.unwrap();

    // A new process on the same database: the window still holds the attempts.
    let restarted = app.restart().await;
    let m = restarted
        .client
        .clone()
        .get_metrics(GetMetricsRequest::default())
        .await
        .unwrap()
        .into_inner();
    assert_eq!((m.attempted, m.succeeded), (3, 3));
}

crate::backend_tests!(
    metrics_report_exact_counts_and_percentiles_everywhere,
    metrics_figures_survive_a_restart,
);
