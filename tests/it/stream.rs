//! StreamDeliveries: the life of a delivery, filters, resume without gap or
//! duplicate, and a slow consumer that never slows delivery.

use std::time::Duration;

use tonic::Streaming;
use webhookd::api::proto::webhook_service_client::WebhookServiceClient;
use webhookd::api::proto::{DeliveryState, DeliveryUpdate, StreamDeliveriesRequest, UpdateKind};

use crate::common::{
    Backend, Receiver, Reply, TestApp, TestEndpoint, TestSettings, eventually, spawn_app,
};

const WAIT: Duration = Duration::from_secs(10);

async fn open(app: &TestApp, request: StreamDeliveriesRequest) -> Streaming<DeliveryUpdate> {
    app.client
        .clone()
        .stream_deliveries(request)
        .await
        .expect("the stream opens")
        .into_inner()
}

async fn next(stream: &mut Streaming<DeliveryUpdate>) -> DeliveryUpdate {
    tokio::time::timeout(WAIT, stream.message())
        .await
        .expect("an update arrives in time")
        .expect("the stream is healthy")
        .expect("the stream is open")
}

async fn stream_reports_every_step_of_a_delivery(backend: Backend) {
    let watched = Receiver::start(200).await;
    watched.script([Reply::Status(500)]);
    let other = Receiver::start(200).await;
    let app = spawn_app(
        &backend,
        TestSettings {
            initial_delay_seconds: 0.1,
            ..TestSettings::with_endpoints(vec![
                TestEndpoint::new("ep_watched", watched.url(), &["*"]),
                TestEndpoint::new("ep_other", other.url(), &["*"]),
            ])
        },
    )
    .await;
    let mut stream = open(
        &app,
        StreamDeliveriesRequest {
            endpoint_ids: vec!["ep_watched".to_owned()],
            ..Default::default()
        },
    )
    .await;

    let response = app.dispatch("order.created", "{}").await;
    let mut steps = Vec::new();
    loop {
        let update = next(&mut stream).await;
        assert_eq!(update.endpoint_id, "ep_watched", "the filter holds");
        assert_eq!(update.event_id, response.event_id);
        assert_eq!(update.event_type, "order.created");
        steps.push((
            update.kind(),
            update.state(),
            update.attempt,
            update.http_status,
        ));
        if update.kind() == UpdateKind::RetryScheduled {
            assert_eq!(update.error_kind, "http_5xx");
            assert!(update.next_attempt_at.is_some());
        }
        if update.kind() == UpdateKind::Succeeded {
            break;
        }
    }
    assert_eq!(
        steps,
        [
            (UpdateKind::Created, DeliveryState::Pending, 0, 0),
            (UpdateKind::AttemptStarted, DeliveryState::InFlight, 1, 0),
            (UpdateKind::RetryScheduled, DeliveryState::Pending, 1, 500),
            (UpdateKind::AttemptStarted, DeliveryState::InFlight, 2, 0),
            (UpdateKind::Succeeded, DeliveryState::Succeeded, 2, 200),
        ]
    );
}

async fn state_filter_passes_only_those_states(backend: Backend) {
    let receiver = Receiver::start(200).await;
    let app = spawn_app(
        &backend,
        TestSettings::with_endpoints(vec![TestEndpoint::new(
            "ep_1",
            receiver.url(),
            &["order.*"],
        )]),
    )
    .await;
    let mut stream = open(
        &app,
        StreamDeliveriesRequest {
            states: vec![DeliveryState::Succeeded as i32],
            event_types: vec!["order.*".to_owned()],
            ..Default::default()
        },
    )
    .await;
    let first = app.dispatch("order.created", "{}").await;
    let second = app.dispatch("order.updated", "{}").await;
    let mut seen = std::collections::HashSet::new();
    for _ in 0..2 {
        let update = next(&mut stream).await;
        assert_eq!(update.state(), DeliveryState::Succeeded);
        seen.insert(update.event_id);
    }
    assert_eq!(
        seen,
        [first.event_id, second.event_id].into_iter().collect()
    );
}

async fn resuming_by_sequence_has_no_gap_or_duplicate(backend: Backend) {
    let receiver = Receiver::start(200).await;
    let app = spawn_app(
        &backend,
        TestSettings::with_endpoints(vec![TestEndpoint::new("ep_1", receiver.url(), &["*"])]),
    )
    .await;
    for n in 0..3 {
        app.dispatch("order.created", &format!("{{\"n\":{n}}}"))
            .await;
    }
    eventually(WAIT, || async { receiver.succeeded_event_ids().len() == 3 })
        .await
        .unwrap();

    // Resume after the first update: history first, then live, seamlessly.
    let mut stream = open(
        &app,
        StreamDeliveriesRequest {
            since_sequence: 1,
            ..Default::default()
        },
    )
    .await;
    let mut sequences = Vec::new();
    let mut succeeded = 0;
    let mut dispatched_more = false;
    while succeeded < 5 {
        let update = next(&mut stream).await;
        sequences.push(update.sequence);
        if update.kind() == UpdateKind::Succeeded {
            succeeded += 1;
        }
        if succeeded == 3 && !dispatched_more {
            dispatched_more = true;
            app.dispatch("order.created", "{\"n\":3}").await;
            app.dispatch("order.created", "{\"n\":4}").await;
        }
    }
    let expected: Vec<u64> = (2..2 + sequences.len() as u64).collect();
    assert_eq!(
        sequences, expected,
        "consecutive sequence numbers across the switch"
    );
}

async fn a_slow_consumer_is_told_it_lagged_and_never_slows_delivery(backend: Backend) {
    let receiver = Receiver::start(200).await;
    let app = spawn_app(
        &backend,
        TestSettings::with_endpoints(vec![TestEndpoint::new("ep_1", receiver.url(), &["*"])]),
    )
    .await;
    // Opened on a connection with tiny HTTP/2 windows, then not read while
    // 1,500 events make ~4,500 updates: more than the transport, the
    // stream's buffer and the bus can hold for it.
    let channel = tonic::transport::Endpoint::from_shared(app.grpc_url.clone())
        .unwrap()
        .initial_stream_window_size(Some(1024))
        .initial_connection_window_size(Some(1024))
        .connect()
        .await
        .unwrap();
    let mut stalled = WebhookServiceClient::new(channel)
        .stream_deliveries(StreamDeliveriesRequest::default())
        .await
        .unwrap()
        .into_inner();
    let dispatches = (0..1500).map(|n| {
        let app = &app;
        async move {
            app.dispatch("order.created", &format!("{{\"n\":{n}}}"))
                .await
        }
    });
    futures::future::join_all(dispatches).await;
    eventually(Duration::from_secs(60), || async {
        receiver.succeeded_event_ids().len() == 1500
    })
    .await
    .expect("every delivery completes while the stream is stalled");

    let mut lag_notice = None;
    for _ in 0..4500 {
        let update = next(&mut stalled).await;
        if update.kind() == UpdateKind::Lagged {
            lag_notice = Some(update);
            break;
        }
    }
    let notice = lag_notice.expect("the stalled stream gets a lag notice");
    assert!(notice.missed > 0);
    assert!(notice.detail.contains("missed"));
}

async fn resuming_by_time_replays_history_from_the_store(backend: Backend) {
    let receiver = Receiver::start(200).await;
    let mut app = spawn_app(
        &backend,
        TestSettings::with_endpoints(vec![TestEndpoint::new("ep_1", receiver.url(), &["*"])]),
    )
    .await;
    let before = webhookd::clock::now_millis() - 1000;
    let mut expected = std::collections::HashSet::new();
    for n in 0..3 {
        expected.insert(
            app.dispatch("order.created", &format!("{{\"n\":{n}}}"))
                .await
                .event_id,
        );
    }
    eventually(WAIT, || async { receiver.succeeded_event_ids().len() == 3 })
        .await
        .unwrap();
    eventually(WAIT, || async {
        let mut done = 0;
        for id in &expected {
            done += app
                .deliveries(id)
                .await
                .iter()
                .filter(|d| d.state == webhookd::domain::DeliveryState::Succeeded)
                .count();
        }
        done == 3
    })
    .await
    .unwrap();
    app.stop().await.unwrap();

    // A new process: its memory has no history, the store has.
    let restarted = app.restart().await;
    let mut stream = open(
        &restarted,
        StreamDeliveriesRequest {
            since_time: Some(prost_types::Timestamp {
                seconds: before / 1000,
                nanos: 0,
            }),
            ..Default::default()
        },
    )
    .await;
    let live = restarted.dispatch("order.created", "{\"n\":3}").await;
    expected.insert(live.event_id.clone());
    let mut succeeded: Vec<String> = Vec::new();
    while succeeded.len() < 4 {
        let update = next(&mut stream).await;
        if update.kind() == UpdateKind::Succeeded {
            succeeded.push(update.event_id);
        }
    }
    let unique: std::collections::HashSet<String> = succeeded.iter().cloned().collect();
    assert_eq!(
        unique, expected,
        "history from the store, then live, each once"
    );
    assert_eq!(succeeded.len(), 4);
}

/// A stopping server ends its open streams with UNAVAILABLE (and a hint to
/// resume) instead of waiting out the servers' 5 s stop timeout for them.
async fn streams_end_promptly_at_shutdown(backend: Backend) {
    let mut app = spawn_app(&backend, TestSettings::default()).await;
    let mut stream = open(&app, StreamDeliveriesRequest::default()).await;
    let started = std::time::Instant::now();
    app.stop().await.unwrap();
    let took = started.elapsed();
    let end = tokio::time::timeout(WAIT, stream.message())
        .await
        .expect("the stream ends");
    let status = end.expect_err("the stream ends with a status");
    assert_eq!(status.code(), tonic::Code::Unavailable, "{status:?}");
    assert!(status.message().contains("resume"), "{}", status.message());
    assert!(
        took < Duration::from_secs(4),
        "stopping with an open stream took {took:?}: it waited for the stream"
    );
}

crate::backend_tests!(
    streams_end_promptly_at_shutdown,
    resuming_by_time_replays_history_from_the_store,
    stream_reports_every_step_of_a_delivery,
    state_filter_passes_only_those_states,
    resuming_by_sequence_has_no_gap_or_duplicate,
    a_slow_consumer_is_told_it_lagged_and_never_slows_delivery,
);
