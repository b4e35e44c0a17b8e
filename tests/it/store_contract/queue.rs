//! `DeliveryQueue`, claiming: what a claim leases and returns, which work
//! it leaves alone, when the scheduler must wake, and how other instances
//! announce work.

use std::sync::Arc;
use std::time::Duration;

use futures::FutureExt;
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Notify;
use webhookd::domain::{DeliveryState, SignatureScheme};
use webhookd::store::{ClaimOutcome, ClaimedDelivery, DeliveryTransition, EndpointRoom, Routing};

use super::{
    LEASE_MS, T0, TestStore, connect, endpoint, event, event_with, fresh_store, id, ids_of, lease,
};
use crate::common::Backend;

async fn a_claim_leases_the_earliest_due_deliveries_up_to_its_limit(backend: Backend) {
    claims_lease_the_earliest_due_deliveries(fresh_store(&backend).await).await;
}

/// A SQLite database in memory has no file for the writer thread to open:
/// its write batches and claims go through sqlx, which the tests on files
/// do not reach.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claims_on_a_sqlite_database_in_memory_go_through_sqlx() {
    let url = "sqlite::memory:".to_owned();
    let store = connect(&url).await;
    store.migrate().await.expect("migrations apply");
    let test = TestStore {
        store,
        url,
        _dir: tempfile::tempdir().unwrap(),
    };
    claims_lease_the_earliest_due_deliveries(test).await;
}

async fn claims_lease_the_earliest_due_deliveries(test: TestStore) {
    test.create_endpoints(&[endpoint("ep_a", &["*"])]).await;
    let first = test.dispatch_one("order.created", T0).await;
    let second = test.dispatch_one("order.created", T0 + 10).await;
    let third = test.dispatch_one("order.created", T0 + 20).await;
    let later = test.dispatch_one("order.created", T0 + 1_000).await;

    let claimed = test.claim("instance-a", "lease-1", T0 + 20, 2).await;

    assert_eq!(ids_of(&claimed), [&first.id, &second.id], "earliest first");
    for id in [&first.id, &second.id] {
        assert_eq!(test.delivery(id).await.state, DeliveryState::InFlight);
    }
    for id in [&third.id, &later.id] {
        assert_eq!(test.delivery(id).await.state, DeliveryState::Pending);
    }
    // Leased work is not claimed twice; work due later waits its turn.
    let rest = test.claim("instance-b", "lease-2", T0 + 20, 10).await;
    assert_eq!(ids_of(&rest), [&third.id]);
    let outcome = test
        .store
        .claim_due(
            lease("instance-b", "lease-3", T0 + 999),
            10,
            &super::ANY_ROOM,
        )
        .await
        .unwrap();
    assert!(matches!(outcome, ClaimOutcome::NothingDue), "{outcome:?}");
    let due_later = test.claim("instance-b", "lease-4", T0 + 1_000, 10).await;
    assert_eq!(ids_of(&due_later), [&later.id]);
}

async fn a_claimed_delivery_carries_everything_needed_to_attempt_it(backend: Backend) {
    let test = fresh_store(&backend).await;
    let mut spec = endpoint("ep_a", &["*"]);
    spec.secret = Some(SecretString::from("endpoint-secret-1"));
    test.create_endpoints(&[spec]).await;
    test.store
        .rotate_endpoint_secret(
            &id("ep_a"),
            &SecretString::from("endpoint-secret-2"),
            &SecretString::from("default-secret"),
            T0 + 5_000,
            T0,
        )
        .await
        .unwrap();
    let dispatched = event_with("order.created", r#"{"b":[1,2],"a":"é €😀"}"#, T0);
    let (event_id, deliveries) = test.dispatch(dispatched.clone()).await;

    let claimed = test.claim_one("lease-1", T0).await;

    assert_eq!(claimed.delivery_id, deliveries[0].id);
    assert_eq!(claimed.event_id, event_id);
    assert_eq!(claimed.event_type, dispatched.event_type);
    assert_eq!(&claimed.payload[..], dispatched.payload.as_bytes());
    assert_eq!(
        claimed.payload.as_ref(),
        r#"{"a":"é €😀","b":[1,2]}"#.as_bytes()
    );
    assert_eq!(claimed.endpoint_id.as_str(), "ep_a");
    assert_eq!(claimed.url, "https://hooks.example.com/ep_a");
    let secret = claimed
        .secret
        .as_ref()
        .map(|s| s.expose_secret().to_owned());
    assert_eq!(secret.as_deref(), Some("endpoint-secret-2"));
    let previous = claimed.previous_secret.as_ref();
    let previous = previous.map(|(s, until)| (s.expose_secret().to_owned(), *until));
    assert_eq!(previous, Some(("endpoint-secret-1".to_owned(), T0 + 5_000)));
    assert_eq!(claimed.signature_scheme, SignatureScheme::Webhookd);
    assert_eq!(
        claimed.attempt_number, 1,
        "the first attempt is about to be made"
    );
    assert_eq!(claimed.cycle_start, 0);
    assert_eq!(claimed.max_concurrent, None);
    assert_eq!(claimed.lease_token, "lease-1");
}

async fn claims_leave_paused_and_excluded_endpoints_alone(backend: Backend) {
    let test = fresh_store(&backend).await;
    test.create_endpoints(&[
        endpoint("ep_a", &["a.*"]),
        endpoint("ep_b", &["b.*"]),
        endpoint("ep_paused", &["p.*"]),
    ])
    .await;
    let store = &test.store;
    test.disable("ep_paused").await;
    let a = test.dispatch_one("a.created", T0).await;
    let b = test.dispatch_one("b.created", T0).await;
    let paused = test.dispatch_one("p.created", T0).await;
    // What Dispatch reads to leave the scheduler asleep.
    assert!(paused.paused, "routed to a disabled endpoint: paused");
    assert!(!a.paused && !b.paused, "enabled endpoints: not paused");

    let excluded = ["ep_a".to_owned()];
    let room = EndpointRoom {
        excluded: &excluded,
        ..super::ANY_ROOM
    };
    let outcome = store
        .claim_due(lease("instance-a", "lease-1", T0), 10, &room)
        .await;
    let ClaimOutcome::Claimed(claimed) = outcome.unwrap() else {
        panic!("ep_b's delivery is due");
    };
    assert_eq!(
        ids_of(&claimed),
        [&b.id],
        "excluded and disabled are skipped"
    );

    let next = test.claim("instance-a", "lease-2", T0, 10).await;
    assert_eq!(ids_of(&next), [&a.id], "exclusion lasts one claim");
    store
        .set_endpoint_active(&id("ep_paused"), true, None, T0)
        .await
        .unwrap();
    let resumed = test.claim("instance-a", "lease-3", T0, 10).await;
    assert_eq!(ids_of(&resumed), [&paused.id], "enabling resumes");
}

/// Dispatches `count` events of each type, at `T0`, `T0 + 1`, ….
async fn dispatch_each(test: &TestStore, event_types: &[&str], count: i64) {
    for offset in 0..count {
        for event_type in event_types {
            test.dispatch_one(event_type, T0 + offset).await;
        }
    }
}

async fn claims_take_no_more_of_an_endpoint_than_its_room(backend: Backend) {
    let test = fresh_store(&backend).await;
    let mut limited = endpoint("ep_limited", &["l.*"]);
    limited.max_concurrent = Some(2);
    test.store
        .sync_config_endpoints(&[limited], T0)
        .await
        .unwrap();
    test.create_endpoints(&[
        endpoint("ep_known", &["k.*"]),
        endpoint("ep_full", &["f.*"]),
    ])
    .await;
    dispatch_each(&test, &["l.created", "k.created", "f.created"], 5).await;
    // This process knows how much room two endpoints have left; the
    // others may lease twice their limit.
    let known = [("ep_known".to_owned(), 3), ("ep_full".to_owned(), 0)];
    let room = EndpointRoom {
        excluded: &[],
        room: &known,
        default_limit: 10,
        prefetch_factor: 2,
    };

    let claimed = claim_with(&test, &room).await;

    let count = |endpoint: &str| {
        let of_endpoint = claimed
            .iter()
            .filter(|d| d.endpoint_id.as_str() == endpoint);
        of_endpoint.count()
    };
    assert_eq!(count("ep_known"), 3, "its known room");
    assert_eq!(count("ep_full"), 0, "no room left");
    assert_eq!(count("ep_limited"), 4, "twice its own limit of 2");
    for delivery in &claimed {
        let expected = (delivery.endpoint_id.as_str() == "ep_limited").then_some(2);
        assert_eq!(
            delivery.max_concurrent, expected,
            "the endpoint's own limit"
        );
    }
}

async fn an_api_endpoints_own_limit_holds_like_a_config_endpoints(backend: Backend) {
    let test = fresh_store(&backend).await;
    let mut limited = endpoint("ep_limited", &["*"]);
    limited.max_concurrent = Some(1);
    test.create_endpoints(&[limited]).await;
    dispatch_each(&test, &["order.created"], 5).await;
    let room = EndpointRoom {
        default_limit: 10,
        prefetch_factor: 2,
        ..super::ANY_ROOM
    };

    let claimed = claim_with(&test, &room).await;

    assert_eq!(claimed.len(), 2, "twice its own limit of 1");
    assert!(claimed.iter().all(|d| d.max_concurrent == Some(1)));
}

/// Claims everything `room` allows, at `T0 + 10`.
async fn claim_with(test: &TestStore, room: &EndpointRoom<'_>) -> Vec<ClaimedDelivery> {
    let outcome = test
        .store
        .claim_due(lease("instance-a", "lease-1", T0 + 10), 100, room)
        .await
        .unwrap();
    let ClaimOutcome::Claimed(claimed) = outcome else {
        panic!("work is due");
    };
    claimed
}

async fn the_scheduler_wakes_for_the_earliest_due_delivery_or_lease_expiry(backend: Backend) {
    let test = fresh_store(&backend).await;
    let store = &test.store;
    assert_eq!(
        store.next_wakeup_at(&[]).await.unwrap(),
        None,
        "nothing to do"
    );
    test.create_endpoints(&[
        endpoint("ep_a", &["a.*"]),
        endpoint("ep_b", &["b.*"]),
        endpoint("ep_paused", &["p.*"]),
    ])
    .await;
    test.disable("ep_paused").await;
    test.dispatch_one("p.created", T0 + 100).await;
    test.dispatch_one("b.created", T0 + 300).await;
    test.dispatch_one("a.created", T0 + 500).await;

    let wake = async |excluded: &[&str]| {
        let excluded: Vec<String> = excluded.iter().map(|e| (*e).to_owned()).collect();
        store.next_wakeup_at(&excluded).await.unwrap()
    };
    assert_eq!(
        wake(&[]).await,
        Some(T0 + 300),
        "paused endpoints do not wake it"
    );
    assert_eq!(wake(&["ep_b"]).await, Some(T0 + 500));

    test.claim("instance-a", "lease-1", T0 + 300, 10).await;
    assert_eq!(
        wake(&[]).await,
        Some(T0 + 500),
        "before ep_b's lease expires"
    );
    test.claim("instance-a", "lease-2", T0 + 500, 10).await;
    assert_eq!(
        wake(&["ep_b"]).await,
        Some(T0 + 300 + LEASE_MS),
        "the first lease to expire, whichever endpoint holds it"
    );
}

/// Another instance's dispatch wakes a PostgreSQL watcher, its own store's
/// does not; SQLite serves one instance per file, so its watcher never
/// wakes.
async fn a_dispatch_of_another_instance_wakes_the_watcher(backend: Backend) {
    let test = fresh_store(&backend).await;
    test.create_endpoints(&[endpoint("ep_a", &["*"])]).await;
    let wake = Arc::new(Notify::new());
    let watcher = test.store.clone();
    let watched = Arc::clone(&wake);
    let mut watch = Box::pin(async move { watcher.watch_remote_work(watched).await });
    let other = connect(&test.url).await;

    match backend {
        Backend::Sqlite => {
            other
                .dispatch(event("order.created", T0), Routing::Subscribed)
                .await
                .unwrap();
            assert!(
                watch.as_mut().now_or_never().is_none(),
                "it watches until dropped"
            );
            assert!(wake.notified().now_or_never().is_none(), "never woken");
        }
        Backend::Postgres(_) => {
            let watching = tokio::spawn(watch);
            // The watcher starts listening on its own time: dispatch until
            // a notification arrives, within a deadline.
            let woken = crate::common::eventually(Duration::from_secs(10), || async {
                other
                    .dispatch(event("order.created", T0), Routing::Subscribed)
                    .await
                    .unwrap();
                tokio::time::timeout(Duration::from_millis(200), wake.notified())
                    .await
                    .is_ok()
            })
            .await;
            assert!(woken.is_ok(), "a remote dispatch wakes the watcher");

            // Its own store's dispatches woke its scheduler directly.
            let _ = wake.notified().now_or_never();
            test.store
                .dispatch(event("order.created", T0), Routing::Subscribed)
                .await
                .unwrap();
            tokio::time::sleep(Duration::from_millis(500)).await;
            assert!(
                wake.notified().now_or_never().is_none(),
                "the store's own dispatch does not wake its watcher"
            );
            other
                .dispatch(event("order.created", T0), Routing::Subscribed)
                .await
                .unwrap();
            assert!(
                tokio::time::timeout(Duration::from_secs(10), wake.notified())
                    .await
                    .is_ok(),
                "another instance's dispatch still does"
            );
            assert!(!watching.is_finished(), "it watches until dropped");
            watching.abort();
        }
    }
}

/// Deliveries of one ordering key at one endpoint go one at a time: the
/// later ones are held until the one before finishes, by success or
/// given up; a retry holds its key, not the others.
async fn an_ordering_key_releases_one_delivery_at_a_time(backend: Backend) {
    let test = fresh_store(&backend).await;
    test.create_endpoints(&[endpoint("ep_a", &["*"])]).await;
    let keyed = |key: &str, n: i64| {
        let mut event = event_with("order.updated", &format!("{{\"n\":{n}}}"), T0 + n);
        event.ordering_key = Some(key.to_owned());
        event
    };
    let mut a = Vec::new();
    for n in 0..3 {
        a.push(test.dispatch(keyed("a", n)).await.1.pop().unwrap());
    }
    let b = test.dispatch(keyed("b", 3)).await.1.pop().unwrap();
    let plain = test.dispatch_one("order.updated", T0 + 4).await;
    let held = test.delivery(&a[1].id).await;
    assert!(held.is_held_for_ordering(), "{held:?}");
    assert_eq!(held.ordering_key.as_deref(), Some("a"));

    let claimed = test.claim("instance-a", "lease-1", T0 + 10, 10).await;
    assert_eq!(
        ids_of(&claimed),
        [&a[0].id, &b.id, &plain.id],
        "one per key"
    );
    let first = &claimed[0];
    assert_eq!(first.ordering_key.as_deref(), Some("a"));
    // A retry keeps its key held.
    test.record(super::attempt(
        first,
        T0 + 11,
        DeliveryTransition::RetryAt(T0 + 20),
    ))
    .await;
    assert!(
        test.claim("instance-a", "lease-2", T0 + 15, 10)
            .await
            .is_empty()
    );
    let retried = test.claim_one("lease-3", T0 + 20).await;
    assert_eq!(retried.delivery_id, a[0].id);
    test.record(super::attempt(
        &retried,
        T0 + 21,
        DeliveryTransition::Succeeded,
    ))
    .await;
    let second = test.claim_one("lease-4", T0 + 30).await;
    assert_eq!(second.delivery_id, a[1].id, "released by the success");
    // Given up counts as finished too.
    test.record(super::attempt(&second, T0 + 31, DeliveryTransition::Dead))
        .await;
    let third = test.claim_one("lease-5", T0 + 40).await;
    assert_eq!(third.delivery_id, a[2].id);
    // A key whose head finished is behind nothing: its next is due at once.
    test.record(super::attempt(
        &third,
        T0 + 41,
        DeliveryTransition::Succeeded,
    ))
    .await;
    let (_, next) = test.dispatch(keyed("a", 50)).await;
    assert!(!test.delivery(&next[0].id).await.is_held_for_ordering());

    // A held head whose release was missed (a race between instances) is
    // released by the periodic lease sweep.
    let (_, behind) = test.dispatch(keyed("a", 51)).await;
    let (_, stuck) = test.dispatch(keyed("c", 52)).await;
    crate::common::sql(
        &test.url,
        &format!(
            "UPDATE deliveries SET next_attempt_at = {} WHERE id = '{}'",
            webhookd::domain::HELD_FOR_ORDERING,
            stuck[0].id
        ),
    )
    .await;
    assert!(test.delivery(&stuck[0].id).await.is_held_for_ordering());
    test.store.reclaim_expired_leases(T0 + 60).await.unwrap();
    assert!(!test.delivery(&stuck[0].id).await.is_held_for_ordering());
    assert!(
        test.delivery(&behind[0].id).await.is_held_for_ordering(),
        "a delivery behind an unfinished one stays held"
    );
}

crate::backend_tests!(
    an_ordering_key_releases_one_delivery_at_a_time,
    a_claim_leases_the_earliest_due_deliveries_up_to_its_limit,
    a_claimed_delivery_carries_everything_needed_to_attempt_it,
    claims_leave_paused_and_excluded_endpoints_alone,
    claims_take_no_more_of_an_endpoint_than_its_room,
    an_api_endpoints_own_limit_holds_like_a_config_endpoints,
    the_scheduler_wakes_for_the_earliest_due_delivery_or_lease_expiry,
    a_dispatch_of_another_instance_wakes_the_watcher,
);
