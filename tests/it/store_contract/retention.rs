//! `purge_dead_letters`: retention removes old dead letters, their
//! attempts and the events left without deliveries, and nothing else.

use std::collections::HashMap;

use webhookd::domain::{DeliveryId, DeliveryState, EventId};
use webhookd::store::{DeliveryTransition, DispatchOutcome, Purged, ReplayTargets, Routing};

use super::{T0, TestStore, attempt, endpoint, event, fresh_store, id};
use crate::common::Backend;

/// Dispatches an event to exactly `endpoints`.
async fn dispatch_to(test: &TestStore, endpoints: &[&str]) -> EventId {
    let targets = Routing::Targeted(endpoints.iter().map(|raw| id(raw)).collect());
    let outcome = test
        .store
        .dispatch(event("order.created", T0), targets)
        .await;
    let Ok(DispatchOutcome::Created { event_id, .. }) = outcome else {
        panic!("dispatch failed: {outcome:?}");
    };
    event_id
}

/// Claims everything due and moves each delivery as `plan` says, by its
/// event's position in `events` and its endpoint; returns the delivery
/// ids the same way.
async fn settle(
    test: &TestStore,
    events: &[EventId],
    plan: &[(usize, &str, DeliveryTransition)],
) -> Deliveries {
    let mut ids = HashMap::new();
    for claimed in test.claim("instance-a", "lease-1", T0, 100).await {
        let index = events.iter().position(|e| *e == claimed.event_id).unwrap();
        let endpoint = claimed.endpoint_id.to_string();
        let (_, _, transition) = plan
            .iter()
            .find(|(i, ep, _)| *i == index && *ep == endpoint)
            .expect("every claimed delivery has a plan");
        test.record(attempt(&claimed, T0, *transition)).await;
        ids.insert((index, endpoint), claimed.delivery_id);
    }
    assert_eq!(ids.len(), plan.len());
    ids
}

type Deliveries = HashMap<(usize, String), DeliveryId>;

/// Events to `ep_a` and `ep_b` with deliveries in every state a purge
/// must tell apart:
/// 0. a dead letter to ep_a, a success to ep_b;
/// 1. dead letters to both;
/// 2. a dead letter to ep_a, replayed;
/// 3. a failure to ep_a (not kept in the dead-letter queue);
/// 4. a delivery to ep_b still waiting.
async fn purge_fixture(backend: &Backend) -> (TestStore, Vec<EventId>, Deliveries) {
    let test = fresh_store(backend).await;
    test.create_endpoints(&[endpoint("ep_a", &["*"]), endpoint("ep_b", &["*"])])
        .await;
    let mut events = vec![
        dispatch_to(&test, &["ep_a", "ep_b"]).await,
        dispatch_to(&test, &["ep_a", "ep_b"]).await,
        dispatch_to(&test, &["ep_a"]).await,
        dispatch_to(&test, &["ep_a"]).await,
    ];
    use DeliveryTransition::{Dead, Failed, Succeeded};
    let plan = [
        (0, "ep_a", Dead),
        (0, "ep_b", Succeeded),
        (1, "ep_a", Dead),
        (1, "ep_b", Dead),
        (2, "ep_a", Dead),
        (3, "ep_a", Failed),
    ];
    let deliveries = settle(&test, &events, &plan).await;
    test.store
        .replay_event(&events[2], &ReplayTargets::Original, T0 + 10)
        .await
        .unwrap();
    events.push(dispatch_to(&test, &["ep_b"]).await);
    (test, events, deliveries)
}

/// When the first and the last dead letter were dead-lettered: the
/// writer's clock decides, so it is read back.
async fn dead_letter_window(test: &TestStore) -> (i64, i64) {
    let deliveries = test.all_deliveries().await;
    let dead = deliveries.iter().filter(|d| d.state == DeliveryState::Dead);
    let dead_at: Vec<i64> = dead.map(|d| d.updated_at).collect();
    (
        *dead_at.iter().min().unwrap(),
        *dead_at.iter().max().unwrap(),
    )
}

async fn a_purge_removes_old_dead_letters_and_what_only_they_kept(backend: Backend) {
    let (test, events, deliveries) = purge_fixture(&backend).await;
    let delivery = |index: usize, endpoint: &str| &deliveries[&(index, endpoint.to_owned())];
    let store = &test.store;
    let (oldest, newest) = dead_letter_window(&test).await;
    let before = test.all_deliveries().await;

    let none = store.purge_dead_letters(oldest).await.unwrap();
    assert_eq!(
        none,
        Purged::default(),
        "nothing is dead from before the cutoff"
    );
    assert_eq!(test.all_deliveries().await, before);
    let purged = store.purge_dead_letters(newest + 1).await.unwrap();

    let expected = Purged {
        deliveries: 3,
        attempts: 3,
        events: 1,
    };
    assert_eq!(
        purged, expected,
        "the dead letters of events 0 and 1, and event 1"
    );
    let survivors = test.all_deliveries().await;
    let survivor_ids: Vec<&DeliveryId> = survivors.iter().map(|d| &d.id).collect();
    for (index, endpoint) in [(0, "ep_b"), (2, "ep_a"), (3, "ep_a")] {
        let kept = delivery(index, endpoint);
        assert!(survivor_ids.contains(&kept), "event {index} to {endpoint}");
    }
    assert_eq!(
        survivors.len(),
        5,
        "and event 2's replay, and event 4's delivery"
    );
    for (index, event_id) in events.iter().enumerate() {
        let kept = store.get_event(event_id).await.unwrap().is_some();
        assert_eq!(kept, index != 1, "event {index}");
    }
    let purged_attempts = store.attempts_for_delivery(delivery(0, "ep_a")).await;
    assert!(purged_attempts.unwrap().is_empty());
    let kept_attempts = store.attempts_for_delivery(delivery(2, "ep_a")).await;
    assert_eq!(
        kept_attempts.unwrap().len(),
        1,
        "a replayed dead letter keeps its history"
    );
    let again = store.purge_dead_letters(newest + 1).await.unwrap();
    assert_eq!(again, Purged::default(), "a second purge finds nothing");
}

crate::backend_tests!(a_purge_removes_old_dead_letters_and_what_only_they_kept);
