//! Operational webhooks (`alerts.webhook_endpoints`): webhookd's own signed
//! events about disabled and recovered endpoints and dead letters, delivered
//! to the operator's endpoint and to no one else.

use std::time::Duration;

use tonic::Code;
use webhookd::api::proto::EnableEndpointRequest;
use webhookd::signing;

use crate::common::receiver::Received;
use crate::common::{
    Backend, Receiver, SECRET, TestEndpoint, TestSettings, dispatch_request, spawn_app,
};

/// The event type and the JSON body of an operational webhook, after
/// checking its signature with the default secret.
fn operational_event(request: &Received) -> (String, serde_json::Value) {
    signing::verify(
        &[SECRET.as_bytes()],
        &request.body,
        request.header(signing::HEADER_TIMESTAMP),
        request.header(signing::HEADER_SIGNATURE),
        webhookd::clock::now_millis() / 1000,
        signing::DEFAULT_TOLERANCE,
    )
    .expect("operational webhooks are signed like any delivery");
    (
        request.header("x-webhook-event-type").to_owned(),
        serde_json::from_slice(&request.body).unwrap(),
    )
}

async fn operators_hear_of_dead_letters_disabled_and_recovered_endpoints(backend: Backend) {
    let mut operator = Receiver::start(200).await;
    let failing = Receiver::start(500).await;
    let everything = Receiver::start(200).await;
    let settings = TestSettings {
        max_attempts: 1,
        failure_threshold: 2,
        operational_endpoints: vec!["ep_ops"],
        ..TestSettings::with_endpoints(vec![
            TestEndpoint::new("ep_ops", operator.url(), &["ops.unused"]),
            TestEndpoint::new("ep_failing", failing.url(), &["order.*"]),
            TestEndpoint::new("ep_everything", everything.url(), &["*"]),
        ])
    };
    let app = spawn_app(&backend, settings).await;

    let mut dead = Vec::new();
    for _ in 0..2 {
        let event = app.dispatch("order.created", "{}").await;
        let to_failing = app
            .deliveries(&event.event_id)
            .await
            .into_iter()
            .find(|d| d.endpoint_id.as_str() == "ep_failing")
            .unwrap();
        dead.push((event.event_id, to_failing.id.to_string()));
    }
    // Two dead letters, and the second failure disables the endpoint: three
    // events, in no fixed order (they are stored from different tasks).
    let mut seen = Vec::new();
    for _ in 0..3 {
        seen.push(operational_event(
            &operator.next_request(Duration::from_secs(10)).await,
        ));
    }
    let of_type = |wanted: &str| {
        seen.iter()
            .filter(|(event_type, _)| event_type == wanted)
            .map(|(_, body)| body.clone())
            .collect::<Vec<_>>()
    };
    let dead_letters = of_type("webhookd.delivery.dead_lettered");
    assert_eq!(dead_letters.len(), 2, "{seen:?}");
    for (event_id, delivery_id) in &dead {
        let body = dead_letters
            .iter()
            .find(|body| body["delivery_id"] == delivery_id.as_str())
            .unwrap_or_else(|| panic!("no dead-letter event for {delivery_id}: {seen:?}"));
        assert_eq!(body["event_id"], event_id.as_str());
        assert_eq!(body["event_type"], "order.created");
        assert_eq!(body["endpoint_id"], "ep_failing");
        assert_eq!(body["attempts"], 1);
        assert!(
            body["last_error"].as_str().unwrap().contains("500"),
            "{body}"
        );
    }
    let disabled = of_type("webhookd.endpoint.disabled");
    assert_eq!(disabled.len(), 1, "{seen:?}");
    assert_eq!(disabled[0]["endpoint_id"], "ep_failing");
    assert_eq!(disabled[0]["url"], failing.url());
    assert!(disabled[0]["disabled_at"].as_str().unwrap().ends_with('Z'));

    app.client
        .clone()
        .enable_endpoint(EnableEndpointRequest {
            id: "ep_failing".to_owned(),
        })
        .await
        .unwrap();
    let (event_type, body) =
        operational_event(&operator.next_request(Duration::from_secs(10)).await);
    assert_eq!(event_type, "webhookd.endpoint.recovered");
    assert_eq!(body["endpoint_id"], "ep_failing");

    // `*` subscribers get the producers' events only.
    everything
        .expect_total_requests_to_stay(2, Duration::from_millis(300), "ep_everything")
        .await;
    // Nobody else may send in webhookd's name.
    let forged = app
        .try_dispatch(dispatch_request("webhookd.endpoint.disabled", "{}"))
        .await
        .unwrap_err();
    assert_eq!(forged.code(), Code::InvalidArgument);
    assert!(forged.message().contains("reserved"), "{forged:?}");
}

crate::backend_tests!(operators_hear_of_dead_letters_disabled_and_recovered_endpoints);
