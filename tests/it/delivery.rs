//! Delivery end to end: signing, fan-out, retries, dead letters, timeouts,
//! idempotency.

use std::time::Duration;

use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;
use webhookd::api::proto::{DispatchRequest, dispatch_request::Body};
use webhookd::domain::{DeliveryState, ErrorKind, EventId};

use crate::common::{
    Backend, Receiver, Reply, SECRET, TestEndpoint, TestSettings, assert_signed, consistently,
    dispatch_request, eventually, serde_json_to_struct, spawn_app,
};

const WAIT: Duration = Duration::from_secs(10);

async fn dispatch_delivers_one_signed_post_with_the_canonical_body(backend: Backend) {
    let mut receiver = Receiver::start(200).await;
    let app = spawn_app(
        &backend,
        TestSettings::with_endpoints(vec![TestEndpoint::new(
            "ep_orders",
            receiver.url(),
            &["order.*"],
        )]),
    )
    .await;

    let payload: prost_types::Struct = serde_json_to_struct(
        r#"{"total": 99.99, "order_id": "ord_12345", "items": 5, "nested": {"b": true, "a": null}}"#,
    );
    let response = app
        .try_dispatch(DispatchRequest {
            event_type: "order.created".to_owned(),
            body: Some(Body::Payload(payload)),
            ..Default::default()
        })
        .await
        .expect("dispatch succeeds");
    assert!(response.event_id.starts_with("evt_"));
    assert_eq!(response.delivery_ids.len(), 1);
    assert!(!response.duplicate);

    let request = receiver.next_request(WAIT).await;
    assert_eq!(
        std::str::from_utf8(&request.body).unwrap(),
        r#"{"items":5,"nested":{"a":null,"b":true},"order_id":"ord_12345","total":99.99}"#,
        "the body is the canonical JSON, whole numbers without a fraction"
    );
    assert_eq!(request.header("x-webhook-id"), response.event_id);
    assert_eq!(request.header("content-type"), "application/json");
    assert!(request.header("user-agent").starts_with("webhookd/"));
    assert_eq!(request.header("x-webhook-event-type"), "order.created");
    assert_eq!(request.header("x-webhook-attempt"), "1");
    assert_signed(&request, SECRET);

    app.wait_for_state(
        &response.event_id,
        &response.delivery_ids[0],
        DeliveryState::Succeeded,
        WAIT,
    )
    .await;
    let attempts = app.attempts(&response.delivery_ids[0]).await;
    assert_eq!(attempts.len(), 1);
    assert_eq!(attempts[0].http_status, Some(200));
    assert_eq!(attempts[0].error_kind, None);
    receiver.expect_silence(Duration::from_millis(300)).await;
}

async fn payload_json_keeps_large_integers_and_decimals_exact(backend: Backend) {
    let mut receiver = Receiver::start(204).await;
    let mut endpoint = TestEndpoint::new("ep_1", receiver.url(), &["*"]);
    endpoint.secret = Some("endpoint-own-secret".to_owned());
    let app = spawn_app(&backend, TestSettings::with_endpoints(vec![endpoint])).await;

    let response = app
        .dispatch(
            "invoice.paid",
            r#"{ "total": 99.990, "id": 18446744073709551617, "name": "Zoë" }"#,
        )
        .await;

    let request = receiver.next_request(WAIT).await;
    assert_eq!(
        std::str::from_utf8(&request.body).unwrap(),
        r#"{"id":18446744073709551617,"name":"Zoë","total":99.990}"#
    );
    assert_eq!(request.header("x-webhook-id"), response.event_id);
    // An endpoint with its own secret is signed with it, not the default.
    assert_signed(&request, "endpoint-own-secret");
    let stored = app
        .store
        .get_event(&EventId::from_stored(response.event_id.clone()))
        .await
        .unwrap()
        .expect("the event is stored");
    assert_eq!(
        stored.payload.as_bytes(),
        &request.body[..],
        "stored bytes are the signed bytes"
    );
}

async fn fans_out_to_every_subscribed_endpoint_and_stores_unrouted_events(backend: Backend) {
    let mut exact = Receiver::start(200).await;
    let mut prefix = Receiver::start(200).await;
    let mut multi = Receiver::start(200).await;
    let mut other = Receiver::start(200).await;
    let app = spawn_app(
        &backend,
        TestSettings::with_endpoints(vec![
            TestEndpoint::new("ep_exact", exact.url(), &["order.created"]),
            TestEndpoint::new("ep_prefix", prefix.url(), &["order.*"]),
            TestEndpoint::new("ep_multi", multi.url(), &["invoice.*", "order.created"]),
            TestEndpoint::new("ep_other", other.url(), &["invoice.paid"]),
        ]),
    )
    .await;

    let response = app.dispatch("order.created", r#"{"n":1}"#).await;
    assert_eq!(response.delivery_ids.len(), 3);
    for receiver in [&mut exact, &mut prefix, &mut multi] {
        let request = receiver.next_request(WAIT).await;
        assert_eq!(request.header("x-webhook-id"), response.event_id);
        assert_signed(&request, SECRET);
    }
    other.expect_silence(Duration::from_millis(300)).await;

    // A type nobody subscribes to: stored, zero deliveries.
    let unrouted = app.dispatch("user.deleted", r#"{"n":2}"#).await;
    assert!(unrouted.delivery_ids.is_empty());
    let stored = app
        .store
        .get_event(&EventId::from_stored(unrouted.event_id.clone()))
        .await
        .unwrap();
    assert!(
        stored.is_some(),
        "an event without subscribers is still stored"
    );
    assert!(app.deliveries(&unrouted.event_id).await.is_empty());
    for receiver in [&mut exact, &mut prefix, &mut multi] {
        receiver.expect_silence(Duration::from_millis(100)).await;
    }
}

async fn explicit_endpoint_ids_target_only_those_endpoints(backend: Backend) {
    let mut first = Receiver::start(200).await;
    let mut second = Receiver::start(200).await;
    let app = spawn_app(
        &backend,
        TestSettings::with_endpoints(vec![
            TestEndpoint::new("ep_a", first.url(), &["order.created"]),
            TestEndpoint::new("ep_b", second.url(), &["invoice.*"]),
        ]),
    )
    .await;

    let response = app
        .try_dispatch(DispatchRequest {
            endpoint_ids: vec!["ep_b".to_owned()],
            ..dispatch_request("order.created", "{}")
        })
        .await
        .unwrap();
    assert_eq!(response.delivery_ids.len(), 1);
    second.next_request(WAIT).await;
    first.expect_silence(Duration::from_millis(300)).await;
}

async fn failing_twice_then_succeeding_takes_three_attempts_with_growing_gaps(backend: Backend) {
    let mut receiver = Receiver::start(200).await;
    receiver.script([Reply::Status(500), Reply::Status(503)]);
    let app = spawn_app(
        &backend,
        TestSettings {
            initial_delay_seconds: 0.2,
            backoff_multiplier: 2.0,
            ..TestSettings::with_endpoints(vec![TestEndpoint::new("ep_1", receiver.url(), &["*"])])
        },
    )
    .await;

    let response = app.dispatch("order.created", "{}").await;
    let first = receiver.next_request(WAIT).await;
    let second = receiver.next_request(WAIT).await;
    let third = receiver.next_request(WAIT).await;
    assert_eq!((first.status, second.status, third.status), (500, 503, 200));
    for request in [&first, &second, &third] {
        assert_eq!(
            request.header("x-webhook-id"),
            response.event_id,
            "same id on every retry"
        );
        assert_signed(request, SECRET);
    }
    assert_eq!(third.header("x-webhook-attempt"), "3");
    let gap1 = second.at - first.at;
    let gap2 = third.at - second.at;
    assert!(
        gap1 >= Duration::from_millis(200),
        "first gap {gap1:?} shorter than the policy's 200 ms"
    );
    assert!(
        gap2 >= Duration::from_millis(400),
        "second gap {gap2:?} shorter than the policy's 400 ms"
    );
    assert!(gap2 > gap1, "gaps grow: {gap1:?} then {gap2:?}");

    let delivery_id = &response.delivery_ids[0];
    app.wait_for_state(
        &response.event_id,
        delivery_id,
        DeliveryState::Succeeded,
        WAIT,
    )
    .await;
    let attempts = app.attempts(delivery_id).await;
    let kinds: Vec<_> = attempts
        .iter()
        .map(|a| (a.attempt_number, a.http_status, a.error_kind))
        .collect();
    assert_eq!(
        kinds,
        [
            (1, Some(500), Some(ErrorKind::Http5xx)),
            (2, Some(503), Some(ErrorKind::Http5xx)),
            (3, Some(200), None),
        ]
    );
    receiver.expect_silence(Duration::from_millis(500)).await;
}

async fn redirects_are_failures_and_never_followed(backend: Backend) {
    let mut target = Receiver::start(200).await;
    let location: &'static str = Box::leak(target.url().into_boxed_str());
    let mut redirecting = Receiver::start_with(Reply::Redirect(location)).await;
    let app = spawn_app(
        &backend,
        TestSettings {
            max_attempts: 1,
            ..TestSettings::with_endpoints(vec![TestEndpoint::new(
                "ep_1",
                redirecting.url(),
                &["*"],
            )])
        },
    )
    .await;

    let response = app.dispatch("order.created", "{}").await;
    assert_eq!(redirecting.next_request(WAIT).await.status, 302);
    let delivery_id = &response.delivery_ids[0];
    app.wait_for_state(&response.event_id, delivery_id, DeliveryState::Dead, WAIT)
        .await;
    let attempts = app.attempts(delivery_id).await;
    assert_eq!(attempts[0].http_status, Some(302));
    assert_eq!(attempts[0].error_kind, Some(ErrorKind::Http3xx));
    target.expect_silence(Duration::from_millis(300)).await;
}

async fn always_failing_receiver_is_dead_lettered_after_max_attempts(backend: Backend) {
    let mut receiver = Receiver::start(404).await;
    let app = spawn_app(
        &backend,
        TestSettings {
            max_attempts: 3,
            initial_delay_seconds: 0.05,
            ..TestSettings::with_endpoints(vec![TestEndpoint::new("ep_1", receiver.url(), &["*"])])
        },
    )
    .await;

    let response = app.dispatch("order.created", "{}").await;
    let delivery_id = &response.delivery_ids[0];
    app.wait_for_state(&response.event_id, delivery_id, DeliveryState::Dead, WAIT)
        .await;
    for _ in 0..3 {
        receiver.next_request(WAIT).await;
    }
    receiver.expect_silence(Duration::from_millis(500)).await;
    let attempts = app.attempts(delivery_id).await;
    assert_eq!(attempts.len(), 3);
    assert!(
        attempts
            .iter()
            .all(|a| a.error_kind == Some(ErrorKind::Http4xx) && a.http_status == Some(404))
    );
    let delivery = &app.deliveries(&response.event_id).await[0];
    assert_eq!(delivery.attempt_count, 3);
    assert!(delivery.last_error.as_deref().unwrap().contains("404"));
}

async fn without_dead_letter_queue_exhausted_deliveries_are_failed(backend: Backend) {
    let app = spawn_app(
        &backend,
        TestSettings {
            max_attempts: 2,
            dead_letter: false,
            // Nothing listens on port 1: every attempt is a connection error.
            ..TestSettings::with_endpoints(vec![TestEndpoint::new(
                "ep_1",
                "http://127.0.0.1:1/hook".to_owned(),
                &["*"],
            )])
        },
    )
    .await;

    let response = app.dispatch("order.created", "{}").await;
    let delivery_id = &response.delivery_ids[0];
    app.wait_for_state(&response.event_id, delivery_id, DeliveryState::Failed, WAIT)
        .await;
    let attempts = app.attempts(delivery_id).await;
    assert_eq!(attempts.len(), 2);
    assert!(
        attempts
            .iter()
            .all(|a| a.error_kind == Some(ErrorKind::Connect) && a.http_status.is_none())
    );
}

async fn a_hanging_receiver_times_out_without_holding_up_other_endpoints(backend: Backend) {
    let mut hanging = Receiver::start_with(Reply::Hang).await;
    let mut healthy = Receiver::start(200).await;
    let app = spawn_app(
        &backend,
        TestSettings {
            max_attempts: 1,
            timeout_seconds: 3.0,
            ..TestSettings::with_endpoints(vec![
                TestEndpoint::new("ep_hangs", hanging.url(), &["*"]),
                TestEndpoint::new("ep_fast", healthy.url(), &["*"]),
            ])
        },
    )
    .await;

    let first = app.dispatch("order.created", r#"{"n":1}"#).await;
    hanging.next_request(WAIT).await;
    // The healthy endpoint gets this event and the next one while the
    // hanging request is still open (its attempt not yet recorded): no
    // healthy delivery waited for it. A state check, not a stopwatch, so a
    // loaded machine cannot fail it.
    healthy.next_request(WAIT).await;
    app.dispatch("order.created", r#"{"n":2}"#).await;
    healthy.next_request(WAIT).await;
    let hanging_delivery = app
        .deliveries(&first.event_id)
        .await
        .into_iter()
        .find(|d| d.endpoint_id.as_str() == "ep_hangs")
        .unwrap();
    assert!(
        app.attempts(hanging_delivery.id.as_str()).await.is_empty(),
        "healthy deliveries waited for the hanging endpoint's timeout"
    );
    app.wait_for_state(
        &first.event_id,
        hanging_delivery.id.as_str(),
        DeliveryState::Dead,
        WAIT,
    )
    .await;
    let attempt = &app.attempts(hanging_delivery.id.as_str()).await[0];
    assert_eq!(attempt.error_kind, Some(ErrorKind::Timeout));
    assert!(
        (2900..6000).contains(&attempt.duration_ms),
        "the attempt lasted about the timeout, not {} ms",
        attempt.duration_ms
    );
}

async fn the_same_idempotency_key_stores_and_delivers_one_event(backend: Backend) {
    let mut receiver = Receiver::start(200).await;
    let app = spawn_app(
        &backend,
        TestSettings::with_endpoints(vec![TestEndpoint::new("ep_1", receiver.url(), &["*"])]),
    )
    .await;
    let keyed = |key: &str| DispatchRequest {
        idempotency_key: key.to_owned(),
        ..dispatch_request("order.created", r#"{"n":1}"#)
    };

    let first = app.try_dispatch(keyed("order-1")).await.unwrap();
    let second = app.try_dispatch(keyed("order-1")).await.unwrap();
    assert!(!first.duplicate);
    assert!(second.duplicate);
    assert_eq!(second.event_id, first.event_id);
    assert_eq!(second.delivery_ids, first.delivery_ids);

    // Concurrently: exactly one call creates the event.
    let calls = (0..16).map(|_| app.try_dispatch(keyed("order-2")));
    let responses: Vec<_> = futures::future::join_all(calls)
        .await
        .into_iter()
        .map(|r| r.expect("every concurrent dispatch succeeds"))
        .collect();
    assert_eq!(responses.iter().filter(|r| !r.duplicate).count(), 1);
    assert!(
        responses
            .iter()
            .all(|r| r.event_id == responses[0].event_id)
    );

    let mut delivered = vec![
        receiver
            .next_request(WAIT)
            .await
            .header("x-webhook-id")
            .to_owned(),
        receiver
            .next_request(WAIT)
            .await
            .header("x-webhook-id")
            .to_owned(),
    ];
    delivered.sort();
    let mut expected = vec![first.event_id.clone(), responses[0].event_id.clone()];
    expected.sort();
    assert_eq!(delivered, expected);
    receiver.expect_silence(Duration::from_millis(300)).await;
}

async fn graceful_stop_releases_the_lease_of_an_unfinished_attempt(backend: Backend) {
    let mut hanging = Receiver::start_with(Reply::Hang).await;
    let mut app = spawn_app(
        &backend,
        TestSettings {
            timeout_seconds: 30.0,
            ..TestSettings::with_endpoints(vec![TestEndpoint::new("ep_1", hanging.url(), &["*"])])
        },
    )
    .await;
    let response = app.dispatch("order.created", "{}").await;
    hanging.next_request(WAIT).await;

    // The grace period (1 s in tests) ends long before the 30 s timeout;
    // health turns NOT_SERVING as soon as the shutdown starts, and the
    // server keeps answering through the grace period.
    let health = HealthClient::new(app.channel.clone());
    let not_serving = || {
        let mut health = health.clone();
        async move {
            health
                .check(HealthCheckRequest {
                    service: "webhook.v1.WebhookService".to_owned(),
                })
                .await
                .expect("the server still answers during the grace period")
                .into_inner()
                .status()
                == ServingStatus::NotServing
        }
    };
    let stopping = std::time::Instant::now();
    let during_shutdown = async {
        eventually(Duration::from_millis(300), not_serving)
            .await
            .expect("NOT_SERVING within 300 ms of the shutdown");
        consistently(Duration::from_millis(300), not_serving)
            .await
            .expect("still answering NOT_SERVING well into the grace period");
    };
    let (stopped, ()) = tokio::join!(app.stop(), during_shutdown);
    stopped.expect("graceful stop is clean");
    assert!(
        stopping.elapsed() < Duration::from_secs(5),
        "stop took {:?}",
        stopping.elapsed()
    );

    let delivery = &app.deliveries(&response.event_id).await[0];
    assert_eq!(
        delivery.state,
        DeliveryState::Pending,
        "released for the next run"
    );
    assert_eq!(
        delivery.attempt_count, 0,
        "an abandoned attempt is not counted"
    );
}

/// A connection that keeps webhookd from storing attempt results until it
/// is released: SQLite's write lock, or PostgreSQL's `attempts` table.
enum ResultsHeld {
    Sqlite(sqlx::SqliteConnection),
    Postgres(sqlx::PgConnection),
}

impl ResultsHeld {
    async fn hold(url: &str) -> ResultsHeld {
        use sqlx::Connection;
        if url.starts_with("sqlite:") {
            let mut conn = sqlx::SqliteConnection::connect(url).await.unwrap();
            sqlx::raw_sql("BEGIN IMMEDIATE")
                .execute(&mut conn)
                .await
                .unwrap();
            ResultsHeld::Sqlite(conn)
        } else {
            let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
            sqlx::raw_sql("BEGIN; LOCK TABLE attempts IN EXCLUSIVE MODE")
                .execute(&mut conn)
                .await
                .unwrap();
            ResultsHeld::Postgres(conn)
        }
    }

    async fn release(self) {
        match self {
            ResultsHeld::Sqlite(mut conn) => {
                sqlx::raw_sql("ROLLBACK").execute(&mut conn).await.unwrap();
            }
            ResultsHeld::Postgres(mut conn) => {
                sqlx::raw_sql("ROLLBACK").execute(&mut conn).await.unwrap();
            }
        }
    }
}

async fn a_success_hands_its_slot_on_before_its_result_is_stored(backend: Backend) {
    let receiver = Receiver::start(200).await;
    let app = spawn_app(
        &backend,
        TestSettings {
            max_concurrent_per_endpoint: 1,
            ..TestSettings::with_endpoints(vec![TestEndpoint::new("ep_1", receiver.url(), &["*"])])
        },
    )
    .await;
    // Long enough to lease all three before the first answer.
    receiver.set_delay(Duration::from_millis(800));
    let mut events = Vec::new();
    for _ in 0..3 {
        events.push(app.dispatch("order.created", "{}").await.event_id);
    }
    // The first starts with its dispatch; the claim leases the other two
    // to wait in memory for the endpoint's one slot.
    let all_in = |state: DeliveryState| {
        let (app, events) = (&app, &events);
        async move {
            for event in events {
                if app.deliveries(event).await[0].state != state {
                    return false;
                }
            }
            true
        }
    };
    eventually(WAIT, || all_in(DeliveryState::InFlight))
        .await
        .expect("all three deliveries leased");
    let held = ResultsHeld::hold(&app.database_url).await;
    // No result can be stored now, yet each answer lets the next request
    // go. Were the slot handed on only after the commit, the receiver
    // would see one request on SQLite until the results are released: the
    // scheduler, which could start the next one too, waits there for the
    // same lock to claim.
    let all_sent = eventually(Duration::from_secs(3), || async {
        receiver.total_requests() == 3
    })
    .await;
    let sent = receiver.total_requests();
    held.release().await;
    assert!(
        all_sent.is_ok(),
        "{sent} of 3 requests sent while results could not be stored"
    );
    eventually(WAIT, || all_in(DeliveryState::Succeeded))
        .await
        .expect("all three recorded once the results are released");
}

crate::backend_tests!(
    a_success_hands_its_slot_on_before_its_result_is_stored,
    redirects_are_failures_and_never_followed,
    dispatch_delivers_one_signed_post_with_the_canonical_body,
    payload_json_keeps_large_integers_and_decimals_exact,
    fans_out_to_every_subscribed_endpoint_and_stores_unrouted_events,
    explicit_endpoint_ids_target_only_those_endpoints,
    failing_twice_then_succeeding_takes_three_attempts_with_growing_gaps,
    always_failing_receiver_is_dead_lettered_after_max_attempts,
    without_dead_letter_queue_exhausted_deliveries_are_failed,
    a_hanging_receiver_times_out_without_holding_up_other_endpoints,
    the_same_idempotency_key_stores_and_delivers_one_event,
    graceful_stop_releases_the_lease_of_an_unfinished_attempt,
);
