//! `record_attempt`: where each outcome moves a delivery, and what the
//! attempt says about its endpoint's health.

use webhookd::domain::DeliveryState;
use webhookd::store::{DeliveryTransition, EndpointVerdict, RecordOutcome};

use super::endpoints::get;
use super::{T0, TestStore, attempt, endpoint, fresh_store, id};
use crate::common::Backend;

async fn each_transition_moves_the_delivery_to_its_state(backend: Backend) {
    let test = fresh_store(&backend).await;
    test.create_endpoints(&[endpoint("ep_a", &["*"])]).await;
    let cases = [
        (
            DeliveryTransition::Succeeded,
            DeliveryState::Succeeded,
            T0,
            None,
        ),
        (
            DeliveryTransition::RetryAt(T0 + 700),
            DeliveryState::Pending,
            T0 + 700,
            Some("HTTP 500"),
        ),
        // Terminal states keep the due time they had.
        (
            DeliveryTransition::Dead,
            DeliveryState::Dead,
            T0,
            Some("HTTP 500"),
        ),
        (
            DeliveryTransition::Failed,
            DeliveryState::Failed,
            T0,
            Some("HTTP 500"),
        ),
    ];
    for (transition, state, next_attempt_at, last_error) in cases {
        let delivery = test.dispatch_one("order.created", T0).await;
        let claimed = test.claim_one("lease-1", T0).await;
        assert_eq!(claimed.delivery_id, delivery.id);

        let outcome = test.record(attempt(&claimed, T0 + 5, transition)).await;

        assert_eq!(
            outcome,
            RecordOutcome::Recorded { disabled: None },
            "{transition:?}"
        );
        let stored = test.delivery(&delivery.id).await;
        assert_eq!(stored.state, state, "{transition:?}");
        assert_eq!(stored.attempt_count, 1, "{transition:?}");
        assert_eq!(stored.next_attempt_at, next_attempt_at, "{transition:?}");
        assert_eq!(stored.last_error.as_deref(), last_error, "{transition:?}");
        let attempts = test
            .store
            .attempts_for_delivery(&delivery.id)
            .await
            .unwrap();
        assert_eq!(attempts, [attempt(&claimed, T0 + 5, transition).attempt]);
    }
}

/// Dispatches `count` events to `ep_a` and claims all of them.
async fn claim_several(test: &TestStore, count: i64) -> Vec<webhookd::store::ClaimedDelivery> {
    for offset in 0..count {
        test.dispatch_one("order.created", T0 + offset).await;
    }
    let claimed = test.claim("instance-a", "lease-1", T0 + count, 100).await;
    assert_eq!(claimed.len(), usize::try_from(count).unwrap());
    claimed
}

async fn failures_disable_an_endpoint_at_its_threshold_and_successes_reset_them(backend: Backend) {
    let test = fresh_store(&backend).await;
    test.create_endpoints(&[endpoint("ep_a", &["*"])]).await;
    let claimed = claim_several(&test, 5).await;
    let failures = async || get(&test, "ep_a").await.unwrap().consecutive_failures;
    let record = async |index: usize, verdict: EndpointVerdict| {
        let transition = match verdict {
            EndpointVerdict::Healthy => DeliveryTransition::Succeeded,
            _ => DeliveryTransition::RetryAt(T0 + 100),
        };
        let mut result = attempt(&claimed[index], T0 + 10, transition);
        result.verdict = verdict;
        test.record(result).await
    };
    let failing = || EndpointVerdict::Failing { disable_after: 2 };
    let not_disabled = RecordOutcome::Recorded { disabled: None };

    assert_eq!(record(0, failing()).await, not_disabled);
    assert_eq!(failures().await, 1);
    assert_eq!(record(1, EndpointVerdict::Healthy).await, not_disabled);
    assert_eq!(failures().await, 0, "a success resets the count");
    assert_eq!(record(2, failing()).await, not_disabled);

    let RecordOutcome::Recorded {
        disabled: Some(reason),
    } = record(3, failing()).await
    else {
        panic!("the second consecutive failure disables the endpoint");
    };
    assert!(reason.contains("2 consecutive failed attempts"), "{reason}");
    assert!(
        reason.contains("HTTP 500"),
        "the last error is named: {reason}"
    );
    let disabled = get(&test, "ep_a").await.unwrap();
    assert!(!disabled.active && disabled.auto_disabled);
    assert_eq!(disabled.disabled_reason, Some(reason));
    assert!(disabled.disabled_at.is_some());

    // Already disabled: counted, but it is not disabled again.
    assert_eq!(record(4, failing()).await, not_disabled);
    assert_eq!(failures().await, 3);
    let enabled = test
        .store
        .set_endpoint_active(&id("ep_a"), true, None, T0 + 20)
        .await;
    let enabled = enabled.unwrap();
    assert!(enabled.active && !enabled.auto_disabled);
    assert_eq!(enabled.consecutive_failures, 0);
}

async fn a_gone_receiver_disables_its_endpoint_at_once(backend: Backend) {
    let test = fresh_store(&backend).await;
    test.create_endpoints(&[endpoint("ep_a", &["*"]), endpoint("ep_b", &["*"])])
        .await;
    test.dispatch(super::event("order.created", T0)).await;
    let claimed = test.claim("instance-a", "lease-1", T0, 10).await;
    let to_a = claimed
        .iter()
        .find(|d| d.endpoint_id.as_str() == "ep_a")
        .unwrap();
    let mut gone = attempt(to_a, T0, DeliveryTransition::Dead);
    gone.verdict = EndpointVerdict::Gone;
    gone.attempt.http_status = Some(410);

    let outcome = test.record(gone).await;

    let RecordOutcome::Recorded {
        disabled: Some(reason),
    } = outcome
    else {
        panic!("410 disables at once, got {outcome:?}");
    };
    assert!(reason.contains("410 Gone"), "{reason}");
    let endpoint = get(&test, "ep_a").await.unwrap();
    assert!(!endpoint.active && endpoint.auto_disabled);
    assert_eq!(endpoint.disabled_reason, Some(reason));
    // Its other work pauses; the other endpoint's does not.
    test.dispatch(super::event("order.created", T0 + 1)).await;
    let next = test.claim("instance-a", "lease-2", T0 + 1, 10).await;
    let endpoints: Vec<&str> = next.iter().map(|d| d.endpoint_id.as_str()).collect();
    assert_eq!(endpoints, ["ep_b"]);
}

crate::backend_tests!(
    each_transition_moves_the_delivery_to_its_state,
    failures_disable_an_endpoint_at_its_threshold_and_successes_reset_them,
    a_gone_receiver_disables_its_endpoint_at_once,
);
