//! `DeliveryQueue`, leases: a result counts only under the lease that
//! claimed it, and leases are given back (released, reclaimed when
//! expired, recovered at start) without spending an attempt.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use secrecy::{ExposeSecret, SecretString};
use webhookd::domain::{
    CustomHeaders, DeliveryState, RetrySchedule, SecretKeys, SignatureScheme, TraceContext,
};
use webhookd::store::{
    ClaimedDelivery, DeliveryTransition, FreshLease, FreshStarts, RecordOutcome, Store,
};

use super::{LEASE_MS, T0, attempt, connect, endpoint, event, fresh_store, id, ids_of};
use crate::common::Backend;
use crate::common::settings::SecretKey;

const RECORDED: RecordOutcome = RecordOutcome::Recorded { disabled: None };

async fn a_result_moves_the_delivery_only_under_the_lease_that_claimed_it(backend: Backend) {
    let test = fresh_store(&backend).await;
    test.create_endpoints(&[endpoint("ep_a", &["*"])]).await;
    let delivery = test.dispatch_one("order.created", T0).await;
    let claimed = test.claim_one("lease-1", T0).await;

    // Another lease's result: appended to the history, moves nothing.
    let mut foreign = attempt(&claimed, T0, DeliveryTransition::Dead);
    foreign.lease_token = "lease-of-another-claim".to_owned();
    assert_eq!(test.record(foreign).await, RecordOutcome::LeaseLost);
    let stored = test.delivery(&delivery.id).await;
    assert_eq!(
        (stored.state, stored.attempt_count),
        (DeliveryState::InFlight, 0)
    );
    let endpoint = test.store.get_endpoint(&id("ep_a")).await.unwrap().unwrap();
    assert_eq!(
        endpoint.consecutive_failures, 0,
        "a fenced result counts no failure"
    );

    let retry_at = T0 + 500;
    let retry = attempt(&claimed, T0, DeliveryTransition::RetryAt(retry_at));
    assert_eq!(test.record(retry).await, RECORDED);
    let stored = test.delivery(&delivery.id).await;
    assert_eq!(stored.state, DeliveryState::Pending);
    assert_eq!(stored.attempt_count, 1);
    assert_eq!(stored.next_attempt_at, retry_at);
    assert_eq!(stored.last_error.as_deref(), Some("HTTP 500"));

    // The result ended the lease: a second one under it is stale.
    let stale = attempt(&claimed, T0, DeliveryTransition::Succeeded);
    assert_eq!(test.record(stale).await, RecordOutcome::LeaseLost);
    assert_eq!(
        test.delivery(&delivery.id).await.state,
        DeliveryState::Pending
    );

    assert!(
        test.claim("instance-a", "lease-2", retry_at - 1, 10)
            .await
            .is_empty()
    );
    let again = test.claim_one("lease-2", retry_at).await;
    assert_eq!(again.attempt_number, 2);
    let success = attempt(&again, retry_at, DeliveryTransition::Succeeded);
    assert_eq!(test.record(success).await, RECORDED);
    let stored = test.delivery(&delivery.id).await;
    assert_eq!(
        (stored.state, stored.attempt_count),
        (DeliveryState::Succeeded, 2)
    );
    assert_eq!(stored.last_error, None);

    let history = test
        .store
        .attempts_for_delivery(&delivery.id)
        .await
        .unwrap();
    let numbers: Vec<(u32, Option<u16>)> = history
        .iter()
        .map(|a| (a.attempt_number, a.http_status))
        .collect();
    assert_eq!(
        numbers,
        [
            (1, Some(500)),
            (1, Some(500)),
            (1, Some(200)),
            (2, Some(200))
        ],
        "every attempt is kept, fenced or not, in the order recorded"
    );
    assert_eq!(
        history[3],
        attempt(&again, retry_at, DeliveryTransition::Succeeded).attempt
    );
}

async fn an_expired_lease_is_reclaimed_and_its_late_result_fenced(backend: Backend) {
    let test = fresh_store(&backend).await;
    test.create_endpoints(&[endpoint("ep_a", &["*"])]).await;
    let delivery = test.dispatch_one("order.created", T0).await;
    let first = test.claim_one("lease-1", T0).await;
    let expiry = T0 + LEASE_MS;

    // A lease holds until, not through, its expiry.
    assert_eq!(
        test.store.reclaim_expired_leases(expiry - 1).await.unwrap(),
        0
    );
    assert_eq!(
        test.delivery(&delivery.id).await.state,
        DeliveryState::InFlight
    );
    assert_eq!(test.store.reclaim_expired_leases(expiry).await.unwrap(), 1);
    let stored = test.delivery(&delivery.id).await;
    assert_eq!(
        (stored.state, stored.attempt_count),
        (DeliveryState::Pending, 0)
    );

    let second = test.claim("instance-b", "lease-2", expiry, 10).await;
    assert_eq!(ids_of(&second), [&delivery.id]);
    assert_eq!(second[0].attempt_number, 1, "reclaiming spends no attempt");
    let late = attempt(&first, T0, DeliveryTransition::Dead);
    assert_eq!(test.record(late).await, RecordOutcome::LeaseLost);
    assert_eq!(
        test.delivery(&delivery.id).await.state,
        DeliveryState::InFlight
    );
    let current = attempt(&second[0], expiry, DeliveryTransition::Succeeded);
    assert_eq!(test.record(current).await, RECORDED);
    assert_eq!(
        test.delivery(&delivery.id).await.state,
        DeliveryState::Succeeded
    );
    assert_eq!(
        test.store
            .reclaim_expired_leases(expiry + LEASE_MS)
            .await
            .unwrap(),
        0,
        "finished deliveries hold no lease"
    );
}

async fn a_released_claim_comes_due_again_without_spending_an_attempt(backend: Backend) {
    let test = fresh_store(&backend).await;
    test.create_endpoints(&[endpoint("ep_a", &["*"])]).await;
    let delivery = test.dispatch_one("order.created", T0).await;
    let claimed = test.claim_one("lease-1", T0).await;
    let store = &test.store;

    store
        .release_delivery(&delivery.id, "lease-of-another-claim", T0 + 100)
        .await
        .unwrap();
    assert_eq!(
        test.delivery(&delivery.id).await.state,
        DeliveryState::InFlight,
        "only the lease's own token releases it"
    );
    store
        .release_delivery(&delivery.id, "lease-1", T0 + 100)
        .await
        .unwrap();
    let stored = test.delivery(&delivery.id).await;
    assert_eq!(stored.state, DeliveryState::Pending);
    assert_eq!(stored.next_attempt_at, T0 + 100);
    assert_eq!(stored.attempt_count, 0);

    let late = attempt(&claimed, T0, DeliveryTransition::Succeeded);
    assert_eq!(test.record(late).await, RecordOutcome::LeaseLost);
    assert!(
        test.claim("instance-a", "lease-2", T0 + 99, 10)
            .await
            .is_empty()
    );
    let again = test.claim_one("lease-2", T0 + 100).await;
    assert_eq!(again.attempt_number, 1);
}

async fn releasing_an_owners_leases_frees_only_its_claims(backend: Backend) {
    let test = fresh_store(&backend).await;
    test.create_endpoints(&[endpoint("ep_a", &["*"])]).await;
    for offset in 0..3 {
        test.dispatch_one("order.created", T0 + offset).await;
    }
    let mine = test.claim("instance-a", "lease-a", T0 + 5, 2).await;
    let theirs = test.claim("instance-b", "lease-b", T0 + 5, 2).await;
    assert_eq!((mine.len(), theirs.len()), (2, 1));

    assert_eq!(test.store.release_leases("instance-a").await.unwrap(), 2);
    assert_eq!(test.store.release_leases("instance-a").await.unwrap(), 0);
    for claimed in &mine {
        let stored = test.delivery(&claimed.delivery_id).await;
        assert_eq!(
            (stored.state, stored.attempt_count),
            (DeliveryState::Pending, 0)
        );
    }
    let kept = test.delivery(&theirs[0].delivery_id).await;
    assert_eq!(
        kept.state,
        DeliveryState::InFlight,
        "another owner's lease holds"
    );
    // Released deliveries stay due when they were.
    let reclaimed = test.claim("instance-b", "lease-b2", T0 + 5, 10).await;
    assert_eq!(ids_of(&reclaimed), ids_of(&mine));
    let late = attempt(&mine[0], T0 + 5, DeliveryTransition::Succeeded);
    assert_eq!(test.record(late).await, RecordOutcome::LeaseLost);
}

/// SQLite: the one process per file that held leases is gone, so they are
/// freed. PostgreSQL: other instances may hold them, so they are left to
/// expire.
async fn recovery_at_start_frees_leases_only_where_no_one_else_holds_them(backend: Backend) {
    let test = fresh_store(&backend).await;
    test.create_endpoints(&[endpoint("ep_a", &["*"])]).await;
    let leased = test.dispatch_one("order.created", T0).await;
    test.claim_one("lease-1", T0).await;
    let waiting = test.dispatch_one("order.created", T0 + 1_000).await;

    let recovered = test.store.recover_at_start().await.unwrap();

    let (expected, state) = match backend {
        Backend::Sqlite => (1, DeliveryState::Pending),
        Backend::Postgres(_) => (0, DeliveryState::InFlight),
    };
    assert_eq!(recovered, expected);
    let stored = test.delivery(&leased.id).await;
    assert_eq!((stored.state, stored.attempt_count), (state, 0));
    assert_eq!(
        test.delivery(&waiting.id).await.state,
        DeliveryState::Pending
    );
}

/// A stand-in for the scheduler's side of fresh starts: fixed room, and
/// what it was handed.
struct RecordedStarts {
    free: Mutex<usize>,
    room: HashMap<&'static str, usize>,
    started: Mutex<Vec<ClaimedDelivery>>,
}

const FRESH_TOKEN: &str = "instance-a:fresh:1";

impl RecordedStarts {
    /// `free` slots in all, `room` per endpoint, handed to `store`'s
    /// dispatches from now on.
    fn install(store: &dyn Store, free: usize, room: &[(&'static str, usize)]) -> Arc<Self> {
        let starts = Arc::new(RecordedStarts {
            free: Mutex::new(free),
            room: room.iter().copied().collect(),
            started: Mutex::new(Vec::new()),
        });
        store.start_fresh_with(Arc::clone(&starts) as Arc<dyn FreshStarts>);
        starts
    }
}

impl FreshStarts for RecordedStarts {
    fn free_slots(&self) -> usize {
        *self.free.lock().unwrap()
    }

    fn endpoint_room(&self, endpoint: &str, _limit: Option<u32>) -> usize {
        self.room.get(endpoint).copied().unwrap_or(0)
    }

    fn lease(&self, now: i64) -> FreshLease {
        FreshLease {
            owner: "instance-a".to_owned(),
            token: FRESH_TOKEN.to_owned(),
            until: now + LEASE_MS,
        }
    }

    fn start(&self, deliveries: Vec<ClaimedDelivery>) {
        self.started.lock().unwrap().extend(deliveries);
    }
}

/// A dispatch leases the new deliveries its process has room to start,
/// in the insert, and hands them over once committed: no claim finds them,
/// and their result counts under that lease. Deliveries beyond the room,
/// of a disabled endpoint or of an ordering key are stored pending.
async fn a_dispatch_leases_and_hands_over_what_may_start_at_once(backend: Backend) {
    let test = fresh_store(&backend).await;
    test.create_endpoints(&[
        endpoint("ep_a", &["*"]),
        endpoint("ep_b", &["*"]),
        endpoint("ep_c", &["*"]),
    ])
    .await;
    test.disable("ep_c").await;
    let starts = RecordedStarts::install(
        test.store.as_ref(),
        10,
        &[("ep_a", 1), ("ep_b", 0), ("ep_c", 5)],
    );

    let sent = event("order.created", T0);
    let (event_id, deliveries) = test.dispatch(sent.clone()).await;
    let started: Vec<(&str, bool)> = deliveries
        .iter()
        .map(|delivery| (delivery.endpoint_id.as_str(), delivery.started))
        .collect();
    assert_eq!(started, [("ep_a", true), ("ep_b", false), ("ep_c", false)]);
    let handed: Vec<ClaimedDelivery> = std::mem::take(&mut *starts.started.lock().unwrap());
    assert_eq!(handed.len(), 1, "only ep_a had room");
    let fresh = &handed[0];
    assert_eq!(fresh.delivery_id, deliveries[0].id);
    assert_eq!(fresh.event_id, event_id);
    assert_eq!(fresh.endpoint_id.as_str(), "ep_a");
    assert_eq!(fresh.url, "https://hooks.example.com/ep_a");
    assert_eq!(&fresh.payload[..], sent.payload.as_bytes());
    assert_eq!((fresh.attempt_number, fresh.cycle_start), (1, 0));
    assert_eq!(fresh.lease_token, FRESH_TOKEN);
    let states: Vec<DeliveryState> = {
        let mut states = Vec::new();
        for delivery in &deliveries {
            states.push(test.delivery(&delivery.id).await.state);
        }
        states
    };
    assert_eq!(
        states,
        [
            DeliveryState::InFlight,
            DeliveryState::Pending,
            DeliveryState::Pending
        ]
    );

    // A claim finds the pending delivery of the active endpoint only.
    let claimed = test.claim("instance-a", "lease-1", T0, 10).await;
    assert_eq!(ids_of(&claimed), [&deliveries[1].id]);

    // The fresh lease fences the result like a claim's.
    let mut foreign = attempt(fresh, T0, DeliveryTransition::Succeeded);
    foreign.lease_token = "lease-1".to_owned();
    assert_eq!(test.record(foreign).await, RecordOutcome::LeaseLost);
    let success = attempt(fresh, T0, DeliveryTransition::Succeeded);
    assert_eq!(test.record(success).await, RECORDED);
    assert_eq!(
        test.delivery(&fresh.delivery_id).await.state,
        DeliveryState::Succeeded
    );

    // An ordering key goes through the claim, which orders its key.
    let mut keyed = event("order.created", T0 + 1);
    keyed.ordering_key = Some("order-7".to_owned());
    let (_, deliveries) = test.dispatch(keyed).await;
    assert!(deliveries.iter().all(|delivery| !delivery.started));

    // No free slot in the process: nothing starts.
    *starts.free.lock().unwrap() = 0;
    let (_, deliveries) = test.dispatch(event("order.created", T0 + 2)).await;
    assert!(deliveries.iter().all(|delivery| !delivery.started));
    assert!(starts.started.lock().unwrap().is_empty());
}

/// An instance that cannot open a new delivery's endpoint secret (sealed
/// with a key it lacks, as during a key rotation done out of order) still
/// stores the dispatch: the delivery is left pending for the claim, which
/// reports the fault, instead of failing the whole batch.
async fn a_delivery_that_cannot_start_at_once_is_left_pending(backend: Backend) {
    let test = fresh_store(&backend).await;
    let mut sealed = endpoint("ep_a", &["*"]);
    sealed.secret = Some(SecretString::from("whsec_only-k1-opens-this"));
    test.create_endpoints(&[sealed]).await;
    let k1 = SecretKey::of("k1", 1);
    let k1 = SecretKeys::parse(&[(k1.id.to_owned(), SecretString::from(k1.key))]).unwrap();
    assert_eq!(test.store.protect_secrets(k1).await.unwrap(), 1);

    let without_keys = connect(&test.url).await;
    let starts = RecordedStarts::install(without_keys.as_ref(), 10, &[("ep_a", 1)]);
    let outcome = without_keys
        .dispatch(
            event("order.created", T0),
            webhookd::store::Routing::Subscribed,
        )
        .await
        .unwrap();
    let webhookd::store::DispatchOutcome::Created { deliveries, .. } = outcome else {
        panic!("expected a new event, got {outcome:?}");
    };
    assert_eq!(deliveries.len(), 1);
    assert!(!deliveries[0].started);
    assert!(starts.started.lock().unwrap().is_empty());
    assert_eq!(
        test.delivery(&deliveries[0].id).await.state,
        DeliveryState::Pending
    );
}

/// A delivery started with its dispatch is built from what the dispatch
/// wrote, not read back: it must carry exactly what a claim of the same
/// delivery reads from the database, for every field a send uses.
async fn a_fresh_start_carries_what_a_claim_of_the_same_delivery_reads(backend: Backend) {
    let test = fresh_store(&backend).await;
    let mut own = endpoint("ep_a", &["*"]);
    own.secret = Some(SecretString::from("first-secret-abcd"));
    own.signature_scheme = SignatureScheme::Standard;
    own.max_concurrent = Some(3);
    own.headers = CustomHeaders::parse([("X-Tenant", "t1")]).unwrap();
    own.retry_schedule = Some(RetrySchedule::parse(3, &[0.5, 2.0]).unwrap());
    test.create_endpoints(&[own]).await;
    test.store
        .rotate_endpoint_secret(
            &id("ep_a"),
            &SecretString::from("second-secret-wxyz"),
            &SecretString::from("the-default-secret"),
            T0 + 500,
            T0,
        )
        .await
        .unwrap();
    let starts = RecordedStarts::install(test.store.as_ref(), 10, &[("ep_a", 1)]);
    let mut traced = event("order.created", T0);
    traced.trace = TraceContext::parse(
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        Some("vendor=1"),
    );
    assert!(traced.trace.is_some());
    test.dispatch(traced).await;
    let fresh = starts.started.lock().unwrap().pop().expect("ep_a had room");

    // Given back unattempted, then claimed: read from the database.
    test.store
        .release_delivery(&fresh.delivery_id, &fresh.lease_token, T0)
        .await
        .unwrap();
    let claimed = test.claim_one("lease-1", T0 + 1).await;
    let secrets = |delivery: &ClaimedDelivery| {
        (
            delivery
                .secret
                .as_ref()
                .map(|s| s.expose_secret().to_owned()),
            delivery
                .previous_secret
                .as_ref()
                .map(|(s, until)| (s.expose_secret().to_owned(), *until)),
        )
    };
    assert_eq!(
        secrets(&fresh),
        (
            Some("second-secret-wxyz".to_owned()),
            Some(("first-secret-abcd".to_owned(), T0 + 500))
        )
    );
    assert_eq!(secrets(&fresh), secrets(&claimed));
    // Everything else, secrets redacted, lease token aside.
    let mut claimed = claimed;
    claimed.lease_token = fresh.lease_token.clone();
    assert_eq!(format!("{fresh:?}"), format!("{claimed:?}"));
}

crate::backend_tests!(
    a_dispatch_leases_and_hands_over_what_may_start_at_once,
    a_fresh_start_carries_what_a_claim_of_the_same_delivery_reads,
    a_delivery_that_cannot_start_at_once_is_left_pending,
    a_result_moves_the_delivery_only_under_the_lease_that_claimed_it,
    an_expired_lease_is_reclaimed_and_its_late_result_fenced,
    a_released_claim_comes_due_again_without_spending_an_attempt,
    releasing_an_owners_leases_frees_only_its_claims,
    recovery_at_start_frees_leases_only_where_no_one_else_holds_them,
);
