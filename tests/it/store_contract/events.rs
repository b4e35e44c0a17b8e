//! `EventLog`: dispatch, its routing and idempotency, and reading events,
//! deliveries and attempts back.

use std::time::{Duration, Instant};

use webhookd::config::DatabaseConfig;
use webhookd::domain::{DeliveryId, DeliveryState, EndpointId, EventId};
use webhookd::store::{DispatchOutcome, ReplayTargets, RoutedDelivery, Routing, StoreError};

use super::{T0, TestStore, endpoint, event, event_with, fresh_store, fresh_store_with, id};
use crate::common::Backend;

fn endpoints_of(deliveries: &[RoutedDelivery]) -> Vec<&str> {
    let mut endpoints: Vec<&str> = deliveries.iter().map(|d| d.endpoint_id.as_str()).collect();
    endpoints.sort_unstable();
    endpoints
}

/// Endpoints of every kind routing must tell apart: exact, prefix and
/// catch-all subscriptions, another subscription, a disabled endpoint and
/// a deleted one.
async fn routing_fixture(backend: &Backend) -> TestStore {
    let test = fresh_store(backend).await;
    test.create_endpoints(&[
        endpoint("ep_all", &["*"]),
        endpoint("ep_disabled", &["order.*"]),
        endpoint("ep_deleted", &["*"]),
        endpoint("ep_exact", &["order.created"]),
        endpoint("ep_prefix", &["order.*"]),
        endpoint("ep_users", &["user.*", "order.refunded"]),
    ])
    .await;
    test.disable("ep_disabled").await;
    test.store
        .delete_endpoint(&id("ep_deleted"), T0)
        .await
        .unwrap();
    test
}

async fn subscribed_dispatch_creates_one_pending_delivery_per_matching_endpoint(backend: Backend) {
    let test = routing_fixture(&backend).await;
    let dispatched = event("order.created", T0);
    let (event_id, deliveries) = test.dispatch(dispatched.clone()).await;

    assert_eq!(event_id, dispatched.id);
    // A disabled endpoint still gets its delivery (paused until enabled);
    // a deleted one does not.
    assert_eq!(
        endpoints_of(&deliveries),
        ["ep_all", "ep_disabled", "ep_exact", "ep_prefix"]
    );
    assert_eq!(
        test.store.get_event(&event_id).await.unwrap(),
        Some(dispatched),
        "the event reads back exactly as dispatched"
    );
    let stored = test.store.deliveries_for_event(&event_id).await.unwrap();
    let mut expected_ids: Vec<&DeliveryId> = deliveries.iter().map(|d| &d.id).collect();
    expected_ids.sort();
    let stored_ids: Vec<&DeliveryId> = stored.iter().map(|d| &d.id).collect();
    assert_eq!(stored_ids, expected_ids, "every delivery, oldest first");
    for delivery in &stored {
        assert_eq!(delivery.state, DeliveryState::Pending);
        assert_eq!(delivery.attempt_count, 0);
        assert_eq!(
            delivery.next_attempt_at, T0,
            "due when the event was created"
        );
        assert_eq!(delivery.created_at, T0);
        assert_eq!(delivery.event_type.as_str(), "order.created");
        assert_eq!(delivery.replay_of, None);
    }

    // `order.*` covers types below `order`, not `order` itself.
    let (_, deliveries) = test.dispatch(event("order", T0)).await;
    assert_eq!(endpoints_of(&deliveries), ["ep_all"]);
    let (_, deliveries) = test.dispatch(event("order.refunded", T0)).await;
    assert_eq!(
        endpoints_of(&deliveries),
        ["ep_all", "ep_disabled", "ep_prefix", "ep_users"],
        "any one of an endpoint's patterns routes to it"
    );
}

async fn an_event_nobody_subscribes_to_is_stored_without_deliveries(backend: Backend) {
    let test = fresh_store(&backend).await;
    test.create_endpoints(&[endpoint("ep_users", &["user.*"])])
        .await;

    let (event_id, deliveries) = test.dispatch(event("order.created", T0)).await;

    assert!(deliveries.is_empty());
    assert!(test.store.get_event(&event_id).await.unwrap().is_some());
    assert!(
        test.store
            .deliveries_for_event(&event_id)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn targeted_dispatch_goes_to_exactly_the_named_active_endpoints(backend: Backend) {
    let test = routing_fixture(&backend).await;
    let targeted = |ids: &[&str]| Routing::Targeted(ids.iter().map(|raw| id(raw)).collect());

    // Unsubscribed endpoints are reached too; a repeated target counts once.
    let outcome = test
        .store
        .dispatch(
            event("order.created", T0),
            targeted(&["ep_users", "ep_exact", "ep_users"]),
        )
        .await
        .unwrap();
    let DispatchOutcome::Created { deliveries, .. } = outcome else {
        panic!("expected a new event, got {outcome:?}");
    };
    assert_eq!(endpoints_of(&deliveries), ["ep_exact", "ep_users"]);

    let refusals = [
        (&["ep_exact", "ep_missing"][..], "ep_missing", "missing"),
        (&["ep_deleted"][..], "ep_deleted", "deleted"),
        (&["ep_disabled"][..], "ep_disabled", "disabled"),
    ];
    for (targets, culprit, why) in refusals {
        let refused = event("order.created", T0);
        let refused_id = refused.id.clone();
        let error = test
            .store
            .dispatch(refused, targeted(targets))
            .await
            .unwrap_err();
        match (&error, why) {
            (StoreError::EndpointNotFound(named), "missing" | "deleted")
            | (StoreError::EndpointInactive(named), "disabled") => {
                assert_eq!(named, culprit, "{why}");
            }
            _ => panic!("{why}: unexpected error {error:?}"),
        }
        assert_eq!(
            test.store.get_event(&refused_id).await.unwrap(),
            None,
            "{why}: a refused dispatch stores nothing"
        );
    }
}

/// Dispatches `payload` keyed `key`.
async fn dispatch_keyed(test: &TestStore, key: &str, event_type: &str, payload: &str) -> Outcome {
    let mut keyed = event_with(event_type, payload, T0);
    keyed.idempotency_key = Some(key.to_owned());
    let outcome = test.store.dispatch(keyed, Routing::Subscribed).await;
    Outcome::from(outcome.unwrap())
}

/// A dispatch outcome reduced to what a caller compares: the event and the
/// delivery ids, sorted, and whether it was a duplicate.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Outcome {
    event_id: EventId,
    delivery_ids: Vec<DeliveryId>,
    duplicate: bool,
}

impl From<DispatchOutcome> for Outcome {
    fn from(outcome: DispatchOutcome) -> Self {
        let (event_id, mut delivery_ids, duplicate) = match outcome {
            DispatchOutcome::Created {
                event_id,
                deliveries,
            } => (
                event_id,
                deliveries.into_iter().map(|d| d.id).collect(),
                false,
            ),
            DispatchOutcome::Duplicate {
                event_id,
                delivery_ids,
            } => (event_id, delivery_ids, true),
        };
        delivery_ids.sort();
        Outcome {
            event_id,
            delivery_ids,
            duplicate,
        }
    }
}

async fn a_reused_idempotency_key_answers_with_the_first_dispatch(backend: Backend) {
    let test = fresh_store(&backend).await;
    test.create_endpoints(&[endpoint("ep_a", &["*"]), endpoint("ep_b", &["order.*"])])
        .await;
    let first = dispatch_keyed(&test, "key-1", "order.created", r#"{"n":1}"#).await;
    assert!(!first.duplicate);
    assert_eq!(first.delivery_ids.len(), 2);

    // Another payload and type under the same key: the key alone decides,
    // and nothing of the second call is stored.
    let again = dispatch_keyed(&test, "key-1", "user.created", r#"{"n":2}"#).await;
    assert_eq!(
        again,
        Outcome {
            duplicate: true,
            ..first.clone()
        }
    );
    let stored = test
        .store
        .get_event(&first.event_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.payload.as_bytes(), br#"{"n":1}"#);
    assert_eq!(stored.idempotency_key.as_deref(), Some("key-1"));
    let deliveries = test
        .store
        .deliveries_for_event(&first.event_id)
        .await
        .unwrap();
    assert_eq!(deliveries.len(), 2);

    // Replays are not part of the dispatch the key stands for.
    test.store
        .replay_event(&first.event_id, &ReplayTargets::Original, T0 + 1)
        .await
        .unwrap();
    let after_replay = dispatch_keyed(&test, "key-1", "order.created", r#"{"n":1}"#).await;
    assert_eq!(after_replay.delivery_ids, first.delivery_ids);

    for other_key in ["key-2", "KEY-1", "key-1 "] {
        let other = dispatch_keyed(&test, other_key, "order.created", r#"{"n":1}"#).await;
        assert!(!other.duplicate, "{other_key:?} is another key");
        assert_ne!(other.event_id, first.event_id);
    }
}

async fn one_key_dispatched_twice_at_once_stores_one_event(backend: Backend) {
    let test = fresh_store(&backend).await;
    test.create_endpoints(&[endpoint("ep_a", &["*"])]).await;
    // Each pair races in the group-commit writer: in one batch, or in
    // concurrent transactions on PostgreSQL's several writers.
    for round in 0..8 {
        let key = format!("race-{round}");
        let (left, right) = tokio::join!(
            dispatch_keyed(&test, &key, "order.created", r#"{"n":1}"#),
            dispatch_keyed(&test, &key, "order.created", r#"{"n":2}"#),
        );
        assert_ne!(left.duplicate, right.duplicate, "{key}: exactly one is new");
        assert_eq!(left.event_id, right.event_id, "{key}");
        assert_eq!(left.delivery_ids, right.delivery_ids, "{key}");
        assert_eq!(left.delivery_ids.len(), 1, "{key}");
    }
}

async fn a_refused_dispatch_leaves_its_idempotency_key_unused(backend: Backend) {
    let test = fresh_store(&backend).await;
    test.create_endpoints(&[endpoint("ep_a", &["*"])]).await;
    let mut refused = event("order.created", T0);
    refused.idempotency_key = Some("key-1".to_owned());
    let missing = Routing::Targeted(vec![id("ep_missing")]);
    let error = test.store.dispatch(refused, missing).await.unwrap_err();
    assert!(
        matches!(error, StoreError::EndpointNotFound(_)),
        "{error:?}"
    );

    let retried = dispatch_keyed(&test, "key-1", "order.created", r#"{"n":1}"#).await;

    assert!(!retried.duplicate, "the key was never stored");
    assert_eq!(retried.delivery_ids.len(), 1);
}

async fn a_reused_key_is_a_duplicate_even_when_its_targets_are_gone(backend: Backend) {
    let test = fresh_store(&backend).await;
    test.create_endpoints(&[endpoint("ep_off", &["*"]), endpoint("ep_gone", &["*"])])
        .await;
    let store = &test.store;
    let keyed = |key: &str, target: &str| {
        let mut keyed = event("order.created", T0);
        keyed.idempotency_key = Some(key.to_owned());
        (keyed, Routing::Targeted(vec![id(target)]))
    };
    let (first_off, to_off) = keyed("key-off", "ep_off");
    let first_off = Outcome::from(store.dispatch(first_off, to_off).await.unwrap());
    let (first_gone, to_gone) = keyed("key-gone", "ep_gone");
    let first_gone = Outcome::from(store.dispatch(first_gone, to_gone).await.unwrap());
    test.disable("ep_off").await;
    store.delete_endpoint(&id("ep_gone"), T0).await.unwrap();

    // A producer retrying a dispatch whose answer it lost learns that the
    // event is stored, whatever became of its targets since.
    for (key, target, first) in [
        ("key-off", "ep_off", first_off),
        ("key-gone", "ep_gone", first_gone),
    ] {
        let (retry, routing) = keyed(key, target);
        let outcome = store.dispatch(retry, routing).await;
        let retried = Outcome::from(outcome.unwrap_or_else(|e| panic!("{key}: {e:?}")));
        assert_eq!(
            retried,
            Outcome {
                duplicate: true,
                ..first
            },
            "{key}"
        );
    }
}

async fn unknown_ids_read_as_absent(backend: Backend) {
    let test = fresh_store(&backend).await;
    let store = &test.store;
    let unknown_event = EventId::generate();
    let unknown_delivery = DeliveryId::generate();

    assert_eq!(store.get_event(&unknown_event).await.unwrap(), None);
    let deliveries = store.deliveries_for_event(&unknown_event).await.unwrap();
    assert!(deliveries.is_empty());
    let attempts = store
        .attempts_for_delivery(&unknown_delivery)
        .await
        .unwrap();
    assert!(attempts.is_empty());
    assert!(
        store
            .get_endpoint(&EndpointId::generate())
            .await
            .unwrap()
            .is_none()
    );
}

/// `database.group_commit_wait_seconds` holds a small batch open: a lone
/// dispatch waits for it, and dispatches made meanwhile join its commit
/// instead of each waiting again.
async fn a_small_batch_waits_the_group_commit_wait_and_shares_it(backend: Backend) {
    const WAIT: Duration = Duration::from_millis(400);
    let test = fresh_store_with(
        &backend,
        DatabaseConfig {
            group_commit_wait: WAIT,
            ..DatabaseConfig::default()
        },
    )
    .await;
    let store = &test.store;

    let started = Instant::now();
    store
        .dispatch(event("order.created", T0), Routing::Subscribed)
        .await
        .unwrap();
    let lone = started.elapsed();
    assert!(lone >= WAIT, "a lone dispatch committed after {lone:?}");

    let started = Instant::now();
    let (first, second) = tokio::join!(
        store.dispatch(event("order.created", T0), Routing::Subscribed),
        store.dispatch(event("order.updated", T0), Routing::Subscribed),
    );
    first.unwrap();
    second.unwrap();
    let both = started.elapsed();
    assert!(
        both < 2 * WAIT,
        "two dispatches made together took {both:?}: the second waited for a commit of its own"
    );
}

crate::backend_tests!(
    a_small_batch_waits_the_group_commit_wait_and_shares_it,
    subscribed_dispatch_creates_one_pending_delivery_per_matching_endpoint,
    an_event_nobody_subscribes_to_is_stored_without_deliveries,
    targeted_dispatch_goes_to_exactly_the_named_active_endpoints,
    a_reused_idempotency_key_answers_with_the_first_dispatch,
    one_key_dispatched_twice_at_once_stores_one_event,
    a_refused_dispatch_leaves_its_idempotency_key_unused,
    a_reused_key_is_a_duplicate_even_when_its_targets_are_gone,
    unknown_ids_read_as_absent,
);
