//! Load control: the adaptive concurrency window of an endpoint that
//! pushes back, and the retry budget that keeps an outage's retries from
//! filling the workers.

use std::time::Duration;

use webhookd::api::proto::{GetMetricsRequest, GetMetricsResponse};

use crate::common::{
    Backend, Receiver, TestApp, TestEndpoint, TestSettings, eventually, p99_to_receipt, spawn_app,
};

const WAIT: Duration = Duration::from_secs(30);

async fn metrics(app: &TestApp) -> GetMetricsResponse {
    app.client
        .clone()
        .get_metrics(GetMetricsRequest::default())
        .await
        .unwrap()
        .into_inner()
}

/// The endpoint's (limit, window) as GetMetrics reports them.
async fn concurrency(app: &TestApp, endpoint: &str) -> (u32, u32) {
    let report = metrics(app).await;
    let status = report
        .endpoints
        .iter()
        .find(|status| status.endpoint_id == endpoint)
        .expect("the endpoint is reported");
    (status.concurrency_limit, status.concurrency_window)
}

async fn a_receiver_that_pushes_back_gets_fewer_requests_at_once(backend: Backend) {
    let receiver = Receiver::start(503).await;
    receiver.set_delay(Duration::from_millis(100));
    let mut endpoint = TestEndpoint::new("ep_busy", receiver.url(), &["order.*"]);
    endpoint.max_concurrent = Some(8);
    let app = spawn_app(
        &backend,
        TestSettings {
            max_attempts: 100,
            initial_delay_seconds: 0.05,
            backoff_multiplier: 1.0,
            ..TestSettings::with_endpoints(vec![endpoint])
        },
    )
    .await;
    assert_eq!(concurrency(&app, "ep_busy").await, (8, 8), "starts trusted");
    for n in 0..40 {
        app.dispatch("order.created", &format!("{{\"n\":{n}}}"))
            .await;
    }
    // Every 503 halves the window, down to one request at a time.
    eventually(WAIT, || async {
        concurrency(&app, "ep_busy").await == (8, 1)
    })
    .await
    .expect("the window shrinks to 1");
    receiver.reset_peaks();
    eventually(WAIT, || async { receiver.total_requests() >= 60 })
        .await
        .expect("retries go on");
    assert_eq!(receiver.peak_in_flight(), 1, "one request at a time");

    // Recovered: successes grow the window back to the limit, and the
    // receiver sees requests side by side again.
    receiver.set_default(crate::common::Reply::Status(200));
    receiver.reset_peaks();
    eventually(WAIT, || async {
        receiver.succeeded_event_ids().len() == 40
    })
    .await
    .expect("everything is delivered once the receiver recovers");
    assert!(receiver.peak_in_flight() > 1, "the window grew again");
    for n in 0..40 {
        app.dispatch("order.created", &format!("{{\"n\":{n}}}"))
            .await;
    }
    eventually(WAIT, || async {
        concurrency(&app, "ep_busy").await == (8, 8)
    })
    .await
    .expect("a run of successes brings the window back to the limit");
}

async fn without_adaptation_the_limit_stays(backend: Backend) {
    let receiver = Receiver::start(429).await;
    let app = spawn_app(
        &backend,
        TestSettings {
            adaptive_concurrency: Some(false),
            max_concurrent_per_endpoint: 4,
            ..TestSettings::with_endpoints(vec![TestEndpoint::new(
                "ep_busy",
                receiver.url(),
                &["order.*"],
            )])
        },
    )
    .await;
    for n in 0..10 {
        app.dispatch("order.created", &format!("{{\"n\":{n}}}"))
            .await;
    }
    eventually(WAIT, || async { receiver.total_requests() >= 20 })
        .await
        .expect("429s are retried");
    assert_eq!(concurrency(&app, "ep_busy").await, (4, 4));
}

/// An outage of three endpoints sharing one slow, failing receiver, each
/// allowed all 10 slots, next to a healthy endpoint: returns the healthy
/// endpoint's p99 dispatch-to-receipt latency, the most retries in flight
/// at once, and the metrics at the end.
async fn outage_next_to_a_healthy_endpoint(
    backend: &Backend,
    retry_budget: f64,
) -> (Duration, usize, GetMetricsResponse) {
    let failing = Receiver::start(500).await;
    failing.set_delay(Duration::from_millis(300));
    let mut healthy = Receiver::start(200).await;
    let mut endpoints: Vec<TestEndpoint> = (0..3)
        .map(|n| TestEndpoint::new(&format!("ep_down_{n}"), failing.url(), &["down.*"]))
        .collect();
    endpoints.push(TestEndpoint::new("ep_up", healthy.url(), &["up.*"]));
    let app = spawn_app(
        backend,
        TestSettings {
            max_concurrent_deliveries: 10,
            max_concurrent_per_endpoint: 10,
            max_attempts: 1000,
            initial_delay_seconds: 0.01,
            backoff_multiplier: 1.0,
            // The outage's 500s are not what the budget is about.
            adaptive_concurrency: Some(false),
            retry_budget: Some(retry_budget),
            ..TestSettings::with_endpoints(endpoints)
        },
    )
    .await;
    for n in 0..20 {
        app.dispatch("down.event", &format!("{{\"n\":{n}}}")).await;
    }
    // The outage is under way once its deliveries come back as retries:
    // the 20 first attempts failed, and as many retries were sent.
    eventually(WAIT, || async { failing.total_requests() >= 40 })
        .await
        .expect("the outage's deliveries are retried");
    failing.reset_peaks();
    let p99 = p99_to_receipt(&app, &mut healthy, "up.event", 200).await;
    (p99, failing.peak_retries_in_flight(), metrics(&app).await)
}

async fn retries_hold_at_most_their_budget(backend: Backend) {
    let (with_budget, peak, report) = outage_next_to_a_healthy_endpoint(&backend, 0.2).await;
    assert_eq!(report.retry_budget_slots, 2, "a fifth of 10 slots");
    assert!(peak <= 2, "{peak} retries at once, over the budget of 2");
    assert!(report.retries_deferred > 0, "retries waited for the budget");
    let (without_budget, peak_unbounded, report) =
        outage_next_to_a_healthy_endpoint(&backend, 1.0).await;
    assert_eq!(report.retry_budget_slots, 10);
    assert!(
        peak_unbounded > 2,
        "without a budget the outage takes more slots ({peak_unbounded})"
    );
    eprintln!(
        "retry budget: healthy endpoint p99 {with_budget:?} with a budget of 2 of 10 slots, \
         {without_budget:?} without (retries at once: {peak} and {peak_unbounded})"
    );
}

crate::backend_tests!(
    a_receiver_that_pushes_back_gets_fewer_requests_at_once,
    without_adaptation_the_limit_stays,
    retries_hold_at_most_their_budget,
);
