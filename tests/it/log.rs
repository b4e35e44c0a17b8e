//! The event log, replay, dead letters and endpoint management over gRPC.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use prost_types::FieldMask;
use tonic::Code;
use webhookd::api::proto::{
    CreateEndpointRequest, DeleteEndpointRequest, DeliveryFilter, DeliveryState,
    DisableEndpointRequest, EnableEndpointRequest, Endpoint, GetEndpointRequest, GetEventRequest,
    ListDeadLettersRequest, ListEventsRequest, RedriveDeadLettersRequest, ReplayRequest,
    RotateEndpointSecretRequest, UpdateEndpointRequest,
};
use webhookd::domain::{DeliveryState as StoredState, EventId};

use crate::common::{
    Backend, Receiver, SECRET, TestEndpoint, TestSettings, assert_signed, eventually, spawn_app,
};

const WAIT: Duration = Duration::from_secs(10);

async fn replaying_an_event_sends_it_again_with_the_same_id(backend: Backend) {
    let mut subscribed = Receiver::start(200).await;
    let mut other = Receiver::start(200).await;
    let app = spawn_app(
        &backend,
        TestSettings::with_endpoints(vec![
            TestEndpoint::new("ep_a", subscribed.url(), &["order.*"]),
            TestEndpoint::new("ep_b", other.url(), &["invoice.*"]),
        ]),
    )
    .await;
    let mut client = app.client.clone();
    let original = app.dispatch("order.created", r#"{"n":1}"#).await;
    let first = subscribed.next_request(WAIT).await;

    let to_original = client
        .replay(ReplayRequest {
            event_id: original.event_id.clone(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(to_original.count, 1);
    let again = subscribed.next_request(WAIT).await;
    assert_eq!(again.header("x-webhook-id"), original.event_id);
    assert_eq!(again.body, first.body);
    assert!(again.header("x-webhook-timestamp") >= first.header("x-webhook-timestamp"));
    assert_signed(&again, SECRET);

    let to_other = client
        .replay(ReplayRequest {
            event_id: original.event_id.clone(),
            endpoint_ids: vec!["ep_b".to_owned()],
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let elsewhere = other.next_request(WAIT).await;
    assert_eq!(elsewhere.header("x-webhook-id"), original.event_id);
    assert_signed(&elsewhere, SECRET);

    eventually(WAIT, || async {
        app.deliveries(&original.event_id)
            .await
            .iter()
            .all(|d| d.state == StoredState::Succeeded)
    })
    .await
    .unwrap();
    let log = client
        .get_event(GetEventRequest {
            event_id: original.event_id.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    let event = log.event.unwrap();
    assert_eq!(
        event.payload_json, r#"{"n":1}"#,
        "the payload exactly as signed"
    );
    assert_eq!(log.deliveries.len(), 3);
    let replay = log
        .deliveries
        .iter()
        .find(|d| d.id == to_original.delivery_ids[0])
        .unwrap();
    assert_eq!(
        replay.replay_of, original.delivery_ids[0],
        "the replay links to the delivery it repeats"
    );
    let to_b = log
        .deliveries
        .iter()
        .find(|d| d.id == to_other.delivery_ids[0])
        .unwrap();
    assert_eq!(to_b.replay_of, "", "ep_b had no original delivery");
    for delivery in &log.deliveries {
        assert_eq!(delivery.attempts.len(), 1);
        assert_eq!(delivery.attempts[0].http_status, 200);
    }
}

async fn replay_errors_name_what_is_wrong(backend: Backend) {
    let receiver = Receiver::start(200).await;
    let app = spawn_app(
        &backend,
        TestSettings::with_endpoints(vec![TestEndpoint::new("ep_a", receiver.url(), &["*"])]),
    )
    .await;
    let mut client = app.client.clone();
    let event = app.dispatch("order.created", "{}").await;
    let replay = |event_id: &str, endpoints: &[&str]| ReplayRequest {
        event_id: event_id.to_owned(),
        endpoint_ids: endpoints.iter().map(|e| (*e).to_owned()).collect(),
        ..Default::default()
    };
    let unknown = client.replay(replay("evt_nope", &[])).await.unwrap_err();
    assert_eq!(unknown.code(), Code::NotFound);
    assert!(unknown.message().contains("evt_nope"));
    let missing = client
        .replay(replay(&event.event_id, &["ep_missing"]))
        .await
        .unwrap_err();
    assert_eq!(missing.code(), Code::NotFound);

    client
        .disable_endpoint(DisableEndpointRequest {
            id: "ep_a".to_owned(),
            reason: String::new(),
        })
        .await
        .unwrap();
    let disabled = client
        .replay(replay(&event.event_id, &[]))
        .await
        .unwrap_err();
    assert_eq!(disabled.code(), Code::FailedPrecondition);
    assert!(disabled.message().contains("ep_a"));

    client
        .delete_endpoint(DeleteEndpointRequest {
            id: "ep_a".to_owned(),
        })
        .await
        .unwrap();
    let deleted = client
        .replay(replay(&event.event_id, &["ep_a"]))
        .await
        .unwrap_err();
    assert_eq!(deleted.code(), Code::NotFound);

    let neither = client.replay(ReplayRequest::default()).await.unwrap_err();
    assert_eq!(neither.code(), Code::InvalidArgument);
    let both = client
        .replay(ReplayRequest {
            event_id: event.event_id.clone(),
            filter: Some(DeliveryFilter::default()),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(both.code(), Code::InvalidArgument);
}

async fn bulk_replay_of_dead_letters_counts_exactly_and_holds_the_rate_cap(backend: Backend) {
    let failing = Receiver::start(500).await;
    let healthy = Receiver::start(200).await;
    let app = spawn_app(
        &backend,
        TestSettings {
            max_attempts: 1,
            ..TestSettings::with_endpoints(vec![
                TestEndpoint::new("ep_dead", failing.url(), &["*"]),
                TestEndpoint::new("ep_ok", healthy.url(), &["*"]),
            ])
        },
    )
    .await;
    let mut client = app.client.clone();
    let before = webhookd::clock::now_millis() - 1;
    let mut dead = HashSet::new();
    for n in 0..10 {
        dead.insert(
            app.dispatch("order.created", &format!("{{\"n\":{n}}}"))
                .await
                .event_id,
        );
    }
    eventually(WAIT, || async {
        healthy.succeeded_event_ids().len() == 10 && failing.total_requests() == 10
    })
    .await
    .unwrap();
    let filter = DeliveryFilter {
        start_time: Some(prost_types::Timestamp {
            seconds: before / 1000,
            nanos: 0,
        }),
        endpoint_id: "ep_dead".to_owned(),
        states: vec![DeliveryState::Dead as i32],
        ..Default::default()
    };
    eventually(WAIT, || async {
        let listed = client
            .clone()
            .list_dead_letters(ListDeadLettersRequest {
                filter: Some(filter.clone()),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        listed.deliveries.len() == 10
    })
    .await
    .expect("ten dead letters");

    let dry = client
        .replay(ReplayRequest {
            filter: Some(filter.clone()),
            dry_run: true,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(dry.count, 10);
    assert!(dry.delivery_ids.is_empty());
    failing
        .expect_total_requests_to_stay(10, Duration::from_millis(300), "dry_run sent nothing")
        .await;

    failing.set_default(crate::common::Reply::Status(200));
    let started = Instant::now();
    let replayed = client
        .replay(ReplayRequest {
            filter: Some(filter),
            max_per_second: 10.0,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(replayed.count, 10);
    eventually(Duration::from_secs(20), || async {
        failing.succeeded_event_ids() == dead
    })
    .await
    .expect("every dead letter replayed");
    let spread = started.elapsed();
    assert!(
        spread >= Duration::from_millis(850),
        "10 replays at 10/s must take about 0.9 s, took {spread:?}"
    );
    assert_eq!(
        healthy.success_count(),
        10,
        "the healthy endpoint got nothing new"
    );
}

async fn redrive_gives_dead_letters_a_fresh_retry_cycle(backend: Backend) {
    let receiver = Receiver::start(500).await;
    let app = spawn_app(
        &backend,
        TestSettings {
            max_attempts: 2,
            initial_delay_seconds: 0.05,
            ..TestSettings::with_endpoints(vec![TestEndpoint::new("ep_1", receiver.url(), &["*"])])
        },
    )
    .await;
    let mut client = app.client.clone();
    let event = app.dispatch("order.created", "{}").await;
    let delivery = &event.delivery_ids[0];
    app.wait_for_state(&event.event_id, delivery, StoredState::Dead, WAIT)
        .await;

    let dry = client
        .redrive_dead_letters(RedriveDeadLettersRequest {
            delivery_ids: vec![delivery.clone()],
            dry_run: true,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(dry.count, 1);
    let redriven = client
        .redrive_dead_letters(RedriveDeadLettersRequest {
            delivery_ids: vec![delivery.clone()],
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(redriven.count, 1);
    // Two more attempts (a full cycle), then dead again.
    eventually(WAIT, || async { app.attempts(delivery).await.len() == 4 })
        .await
        .unwrap();
    app.wait_for_state(&event.event_id, delivery, StoredState::Dead, WAIT)
        .await;
    let numbers: Vec<u32> = app
        .attempts(delivery)
        .await
        .iter()
        .map(|a| a.attempt_number)
        .collect();
    assert_eq!(numbers, [1, 2, 3, 4]);

    // A redrive by filter, this time to a receiver that answers.
    receiver.set_default(crate::common::Reply::Status(200));
    let by_filter = client
        .redrive_dead_letters(RedriveDeadLettersRequest {
            filter: Some(DeliveryFilter {
                endpoint_id: "ep_1".to_owned(),
                ..Default::default()
            }),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(by_filter.count, 1);
    app.wait_for_state(&event.event_id, delivery, StoredState::Succeeded, WAIT)
        .await;
}

async fn retention_purges_old_dead_letters_only(backend: Backend) {
    let receiver = Receiver::start(500).await;
    let ok = Receiver::start(200).await;
    let app = spawn_app(
        &backend,
        TestSettings {
            max_attempts: 1,
            ..TestSettings::with_endpoints(vec![
                TestEndpoint::new("ep_dead", receiver.url(), &["dead.*"]),
                TestEndpoint::new("ep_ok", ok.url(), &["both.*"]),
                TestEndpoint::new("ep_dead_too", receiver.url(), &["both.*"]),
            ])
        },
    )
    .await;
    let lonely = app.dispatch("dead.one", "{}").await;
    let shared = app.dispatch("both.one", "{}").await;
    eventually(WAIT, || async {
        app.deliveries(&lonely.event_id).await[0].state == StoredState::Dead
            && app
                .deliveries(&shared.event_id)
                .await
                .iter()
                .all(|d| d.state.is_terminal())
    })
    .await
    .unwrap();

    // A clock before the dead letters: nothing is old enough.
    let past = app
        .store
        .purge_dead_letters(webhookd::clock::now_millis() - 60_000)
        .await
        .unwrap();
    assert_eq!(past.deliveries, 0);
    // A clock past their retention: both dead letters go; the event that
    // still has a successful delivery stays, the other goes.
    let purged = app
        .store
        .purge_dead_letters(webhookd::clock::now_millis() + 1)
        .await
        .unwrap();
    assert_eq!(
        (purged.deliveries, purged.attempts, purged.events),
        (2, 2, 1)
    );
    let id = |s: &str| EventId::from_stored(s.to_owned());
    assert!(
        app.store
            .get_event(&id(&lonely.event_id))
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        app.store
            .get_event(&id(&shared.event_id))
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(app.deliveries(&shared.event_id).await.len(), 1);
}

async fn pages_skip_nothing_and_repeat_nothing_while_events_arrive(backend: Backend) {
    let app = spawn_app(&backend, TestSettings::default()).await;
    let mut client = app.client.clone();
    let mut existing = Vec::new();
    for n in 0..25 {
        existing.push(
            app.dispatch("order.created", &format!("{{\"n\":{n}}}"))
                .await
                .event_id,
        );
    }
    let mut seen = Vec::new();
    let mut token = String::new();
    loop {
        let page = client
            .list_events(ListEventsRequest {
                page_size: 10,
                page_token: token.clone(),
                event_types: vec!["order.*".to_owned()],
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        assert!(page.events.len() <= 10);
        seen.extend(page.events.into_iter().map(|e| e.id));
        // Inserts while paging.
        app.dispatch("order.created", "{}").await;
        if page.next_page_token.is_empty() {
            break;
        }
        token = page.next_page_token;
    }
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "no event repeated");
    for id in &existing {
        assert!(unique.contains(id), "{id} skipped");
    }
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(seen, sorted, "stable order");

    let bad = client
        .list_events(ListEventsRequest {
            page_token: "garbage".to_owned(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(bad.code(), Code::InvalidArgument);
    let huge = client
        .list_events(ListEventsRequest {
            page_size: 5000,
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert!(huge.message().contains("1000"));
}

async fn rotation_signs_with_both_secrets_during_the_grace_period(backend: Backend) {
    let mut receiver = Receiver::start(200).await;
    let app = spawn_app(&backend, TestSettings::default()).await;
    let mut client = app.client.clone();
    let old_secret = "old-secret-0123456789-abcdefgh";
    let created = client
        .create_endpoint(CreateEndpointRequest {
            id: "ep_rot".to_owned(),
            url: receiver.url(),
            event_types: vec!["*".to_owned()],
            secret: old_secret.to_owned(),
            disabled: false,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(created.secret_hint, "efgh", "only a hint of the secret");

    let requested_at = webhookd::clock::now_millis();
    let rotated = client
        .rotate_endpoint_secret(RotateEndpointSecretRequest {
            id: "ep_rot".to_owned(),
            grace_period_seconds: 2,
        })
        .await
        .unwrap()
        .into_inner();
    let answered_at = webhookd::clock::now_millis();
    let new_secret = rotated.new_secret.clone();
    assert!(new_secret.len() >= 48, "at least 24 random bytes");
    let expires_at = rotated
        .endpoint
        .unwrap()
        .previous_secret_expires_at
        .expect("the old secret has an expiry");
    let expires_at_millis = expires_at.seconds * 1000 + i64::from(expires_at.nanos) / 1_000_000;
    assert!(
        (requested_at + 2000..=answered_at + 2000).contains(&expires_at_millis),
        "the old secret expires 2 s after the rotation"
    );

    app.dispatch("order.created", "{}").await;
    let during = receiver.next_request(WAIT).await;
    assert_eq!(during.header("x-webhook-signature").split(',').count(), 2);
    assert_signed(&during, old_secret);
    assert_signed(&during, &new_secret);

    // The grace period is over once the clock passes that expiry (the
    // server signs with the same clock).
    eventually(Duration::from_secs(3), || async {
        webhookd::clock::now_millis() > expires_at_millis
    })
    .await
    .expect("the 2 s grace period ends");
    app.dispatch("order.created", "{}").await;
    let after = receiver.next_request(WAIT).await;
    assert_eq!(after.header("x-webhook-signature").split(',').count(), 1);
    assert_signed(&after, &new_secret);
    let now = webhookd::clock::now_millis() / 1000;
    let old_fails = webhookd::signing::verify(
        &[old_secret.as_bytes()],
        &after.body,
        after.header("x-webhook-timestamp"),
        after.header("x-webhook-signature"),
        now,
        webhookd::signing::DEFAULT_TOLERANCE,
    );
    assert!(old_fails.is_err(), "the old secret no longer verifies");
}

async fn endpoint_management_validates_and_keeps_secrets_write_only(backend: Backend) {
    let mut receiver = Receiver::start(200).await;
    let app = spawn_app(&backend, TestSettings::default()).await;
    let mut client = app.client.clone();
    let create = |id: &str, url: &str, secret: &str| CreateEndpointRequest {
        id: id.to_owned(),
        url: url.to_owned(),
        event_types: vec!["order.*".to_owned()],
        secret: secret.to_owned(),
        disabled: false,
        ..Default::default()
    };
    let endpoint: Endpoint = client
        .create_endpoint(create(
            "ep_api",
            &receiver.url(),
            "s-0123456789-0123456789-wxyz",
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(endpoint.origin, "api");
    assert!(endpoint.active);

    let cases = [
        (
            create("ep_api", &receiver.url(), ""),
            Code::AlreadyExists,
            "already exists",
        ),
        (
            create("ep_x", "ftp://x.example/", ""),
            Code::InvalidArgument,
            "http or https",
        ),
        (
            create("ep_x", &receiver.url(), "short"),
            Code::InvalidArgument,
            "at least 24",
        ),
        (
            create("bad id", &receiver.url(), ""),
            Code::InvalidArgument,
            "may only contain",
        ),
        (
            CreateEndpointRequest {
                event_types: vec!["Order".to_owned()],
                ..create("ep_x", &receiver.url(), "")
            },
            Code::InvalidArgument,
            "event_types[0]",
        ),
    ];
    for (request, code, message) in cases {
        let status = client.create_endpoint(request).await.unwrap_err();
        assert_eq!(status.code(), code, "{status:?}");
        assert!(status.message().contains(message), "{status:?}");
    }
    let missing = client
        .get_endpoint(GetEndpointRequest {
            id: "ep_none".to_owned(),
        })
        .await
        .unwrap_err();
    assert_eq!(missing.code(), Code::NotFound);

    // Update: a new URL applies to the next attempt.
    let mut second = Receiver::start(200).await;
    let bad_mask = client
        .update_endpoint(UpdateEndpointRequest {
            endpoint: Some(Endpoint {
                id: "ep_api".to_owned(),
                ..Default::default()
            }),
            update_mask: Some(FieldMask {
                paths: vec!["secret".to_owned()],
            }),
        })
        .await
        .unwrap_err();
    assert_eq!(bad_mask.code(), Code::InvalidArgument);
    let updated = client
        .update_endpoint(UpdateEndpointRequest {
            endpoint: Some(Endpoint {
                id: "ep_api".to_owned(),
                url: second.url(),
                ..Default::default()
            }),
            update_mask: Some(FieldMask {
                paths: vec!["url".to_owned()],
            }),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(updated.url, second.url());
    app.dispatch("order.created", "{}").await;
    second.next_request(WAIT).await;
    receiver.expect_silence(Duration::from_millis(200)).await;

    // Disable pauses: the event is stored, nothing is sent until enabled.
    let disabled = client
        .disable_endpoint(DisableEndpointRequest {
            id: "ep_api".to_owned(),
            reason: "maintenance".to_owned(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (disabled.active, disabled.disabled_reason.as_str()),
        (false, "maintenance")
    );
    let paused = app.dispatch("order.created", "{}").await;
    assert_eq!(
        paused.delivery_ids.len(),
        1,
        "stored for the disabled endpoint, paused"
    );
    second.expect_silence(Duration::from_millis(500)).await;
    client
        .enable_endpoint(EnableEndpointRequest {
            id: "ep_api".to_owned(),
        })
        .await
        .unwrap();
    assert_eq!(
        second.next_request(WAIT).await.header("x-webhook-id"),
        paused.event_id
    );

    // Delete cancels what is pending, and the endpoint is gone.
    client
        .disable_endpoint(DisableEndpointRequest {
            id: "ep_api".to_owned(),
            reason: String::new(),
        })
        .await
        .unwrap();
    let pending = app.dispatch("order.created", "{}").await;
    let deleted = client
        .delete_endpoint(DeleteEndpointRequest {
            id: "ep_api".to_owned(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(deleted.cancelled_deliveries, 1);
    assert_eq!(
        app.deliveries(&pending.event_id).await[0].state,
        StoredState::Cancelled
    );
    let gone = client
        .get_endpoint(GetEndpointRequest {
            id: "ep_api".to_owned(),
        })
        .await
        .unwrap_err();
    assert_eq!(gone.code(), Code::NotFound);
    // The id can be used again.
    client
        .create_endpoint(create("ep_api", &receiver.url(), ""))
        .await
        .expect("a deleted endpoint's id is free again");
}

async fn an_endpoint_removed_from_the_config_file_is_deleted_at_start(backend: Backend) {
    let failing = Receiver::start(500).await;
    let endpoints = |keep_both: bool| {
        let mut list = vec![TestEndpoint::new("ep_keep", failing.url(), &["*"])];
        if keep_both {
            list.push(TestEndpoint::new("ep_drop", failing.url(), &["*"]));
        }
        TestSettings {
            max_attempts: 1000,
            initial_delay_seconds: 1.0,
            ..TestSettings::with_endpoints(list)
        }
    };
    let mut app = spawn_app(&backend, endpoints(true)).await;
    let event = app.dispatch("order.created", "{}").await;
    app.stop().await.unwrap();

    let restarted = app.restart_with(endpoints(false)).await;
    let states: HashMap<String, StoredState> = restarted
        .deliveries(&event.event_id)
        .await
        .into_iter()
        .map(|d| (d.endpoint_id.to_string(), d.state))
        .collect();
    assert_eq!(
        states["ep_drop"],
        StoredState::Cancelled,
        "its pending delivery is cancelled, not lost silently"
    );
    assert_ne!(states["ep_keep"], StoredState::Cancelled);
    let gone = restarted
        .client
        .clone()
        .get_endpoint(GetEndpointRequest {
            id: "ep_drop".to_owned(),
        })
        .await
        .unwrap_err();
    assert_eq!(gone.code(), Code::NotFound);
}

crate::backend_tests!(
    an_endpoint_removed_from_the_config_file_is_deleted_at_start,
    replaying_an_event_sends_it_again_with_the_same_id,
    replay_errors_name_what_is_wrong,
    bulk_replay_of_dead_letters_counts_exactly_and_holds_the_rate_cap,
    redrive_gives_dead_letters_a_fresh_retry_cycle,
    retention_purges_old_dead_letters_only,
    pages_skip_nothing_and_repeat_nothing_while_events_arrive,
    rotation_signs_with_both_secrets_during_the_grace_period,
    endpoint_management_validates_and_keeps_secrets_write_only,
);
