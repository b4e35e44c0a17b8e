//! `EndpointStore`: endpoints of the API and of the config file, their
//! life (update, disable, delete) and their secrets.

use secrecy::{ExposeSecret, SecretString};
use webhookd::domain::{
    DeliveryState, EndpointChanges, EndpointOrigin, EndpointRecord, EventPattern, SignatureScheme,
    TargetUrl,
};
use webhookd::store::{DeliveryTransition, RecordOutcome, StoreError};

use super::{T0, TestStore, attempt, endpoint, fresh_store, id};
use crate::common::Backend;

pub(super) async fn get(test: &TestStore, raw: &str) -> Option<EndpointRecord> {
    test.store.get_endpoint(&id(raw)).await.unwrap()
}

async fn secret_of(test: &TestStore, raw: &str) -> Option<String> {
    let secret = test.store.endpoint_secret(&id(raw)).await.unwrap();
    secret.map(|secret| secret.expose_secret().to_owned())
}

pub(super) fn assert_not_found<T: std::fmt::Debug>(result: Result<T, StoreError>, what: &str) {
    match result {
        Err(StoreError::EndpointNotFound(_)) => {}
        other => panic!("{what}: expected EndpointNotFound, got {other:?}"),
    }
}

async fn a_created_endpoint_reads_back_as_created(backend: Backend) {
    let test = fresh_store(&backend).await;
    let mut spec = endpoint("ep_own", &["order.*", "user.created"]);
    spec.secret = Some(SecretString::from("endpoint-secret-wxyz"));
    let created = test.store.create_endpoint(&spec, T0).await.unwrap();

    assert_eq!(created.id.as_str(), "ep_own");
    assert_eq!(created.url, "https://hooks.example.com/ep_own");
    assert_eq!(created.event_patterns, ["order.*", "user.created"]);
    assert!(created.active);
    assert_eq!(created.origin, EndpointOrigin::Api);
    assert_eq!(created.secret_hint.as_deref(), Some("wxyz"), "only a hint");
    assert_eq!(created.signature_scheme, SignatureScheme::Webhookd);
    assert_eq!((created.created_at, created.updated_at), (T0, T0));
    assert_eq!(created.consecutive_failures, 0);
    assert!(!created.auto_disabled);
    assert_eq!(
        (created.disabled_reason.as_deref(), created.disabled_at),
        (None, None)
    );
    assert_eq!(created.previous_secret_expires_at, None);
    assert_eq!(get(&test, "ep_own").await, Some(created));
    assert_eq!(
        secret_of(&test, "ep_own").await.as_deref(),
        Some("endpoint-secret-wxyz")
    );

    let default_signed = test
        .store
        .create_endpoint(&endpoint("ep_default", &["*"]), T0)
        .await;
    assert_eq!(default_signed.unwrap().secret_hint, None);
    assert_eq!(
        secret_of(&test, "ep_default").await,
        None,
        "signs with the default"
    );
    assert_eq!(get(&test, "ep_missing").await, None);
    assert_eq!(secret_of(&test, "ep_missing").await, None);

    let again = test
        .store
        .create_endpoint(&endpoint("ep_own", &["*"]), T0 + 1)
        .await;
    assert!(
        matches!(again, Err(StoreError::EndpointExists(ref id)) if id == "ep_own"),
        "{again:?}"
    );
    assert_eq!(
        get(&test, "ep_own").await.unwrap().event_patterns,
        ["order.*", "user.created"]
    );
}

async fn endpoints_list_by_id_page_by_page(backend: Backend) {
    let test = fresh_store(&backend).await;
    // Ids whose byte order differs from a natural-language collation's: the
    // order must be the same on both backends.
    let ids = ["ep_a2", "ep-b", "EP_Z", "ep.c", "ep_a", "ep_deleted"];
    let specs: Vec<_> = ids.iter().map(|raw| endpoint(raw, &["*"])).collect();
    test.create_endpoints(&specs).await;
    test.store
        .delete_endpoint(&id("ep_deleted"), T0)
        .await
        .unwrap();

    let mut listed: Vec<Vec<String>> = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = test
            .store
            .list_endpoints(after.as_deref(), 2)
            .await
            .unwrap();
        assert!(page.len() <= 2);
        let Some(last) = page.last() else { break };
        after = Some(last.id.to_string());
        listed.push(page.iter().map(|e| e.id.to_string()).collect());
    }
    assert_eq!(
        listed,
        [vec!["EP_Z", "ep-b"], vec!["ep.c", "ep_a"], vec!["ep_a2"]],
        "live endpoints in byte order of their ids"
    );
    let all = test.store.list_endpoints(None, 100).await.unwrap();
    assert_eq!(
        all[0],
        get(&test, "EP_Z").await.unwrap(),
        "listed as get reads them"
    );
    assert!(
        test.store
            .list_endpoints(Some("ep_a2"), 100)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn an_update_changes_only_the_given_fields(backend: Backend) {
    let test = fresh_store(&backend).await;
    test.create_endpoints(&[endpoint("ep_a", &["order.*"])])
        .await;
    let new_url = TargetUrl::parse("https://other.example.com/in").unwrap();

    let moved = EndpointChanges {
        url: Some(new_url),
        event_patterns: None,
        headers: None,
        retry_schedule: None,
        filter: None,
    };
    let updated = test
        .store
        .update_endpoint(&id("ep_a"), &moved, T0 + 10)
        .await
        .unwrap();
    assert_eq!(updated.url, "https://other.example.com/in");
    assert_eq!(updated.event_patterns, ["order.*"]);
    assert_eq!((updated.created_at, updated.updated_at), (T0, T0 + 10));

    let tenant = webhookd::domain::CustomHeaders::parse([("X-Tenant", "t1")]).unwrap();
    let schedule = webhookd::domain::RetrySchedule::parse(3, &[0.5, 2.0]).unwrap();
    let only_n1 =
        webhookd::domain::check_filter(serde_json::json!({"n": 1}).as_object().unwrap()).unwrap();
    let resubscribed = EndpointChanges {
        url: None,
        event_patterns: Some(vec![EventPattern::parse("user.*").unwrap()]),
        headers: Some(tenant.clone()),
        retry_schedule: Some(Some(schedule.clone())),
        filter: Some(only_n1.clone()),
    };
    let updated = test
        .store
        .update_endpoint(&id("ep_a"), &resubscribed, T0 + 20)
        .await;
    let updated = updated.unwrap();
    assert_eq!(updated.url, "https://other.example.com/in");
    assert_eq!(updated.event_patterns, ["user.*"]);
    assert_eq!(updated.headers, tenant);
    assert_eq!(updated.retry_schedule, Some(schedule));
    assert_eq!(updated.filter, only_n1);
    assert_eq!(get(&test, "ep_a").await, Some(updated));
    let (_, routed) = test.dispatch(super::event("order.created", T0)).await;
    assert!(routed.is_empty(), "routing follows the new patterns");
    test.dispatch_one("user.created", T0).await;
    let (_, routed) = test
        .dispatch(super::event_with("user.created", r#"{"n":2}"#, T0))
        .await;
    assert!(routed.is_empty(), "routing follows the filter");

    let back_to_the_config = EndpointChanges {
        retry_schedule: Some(None),
        filter: Some(None),
        ..Default::default()
    };
    let updated = test
        .store
        .update_endpoint(&id("ep_a"), &back_to_the_config, T0 + 30)
        .await
        .unwrap();
    assert_eq!(updated.retry_schedule, None);
    assert_eq!(updated.filter, None);
    assert_eq!(updated.headers, tenant, "fields not named stay");
    let (_, routed) = test
        .dispatch(super::event_with("user.created", r#"{"n":2}"#, T0))
        .await;
    assert_eq!(routed.len(), 1, "without a filter, every payload");

    let missing = test
        .store
        .update_endpoint(&id("ep_missing"), &resubscribed, T0)
        .await;
    assert_not_found(missing, "update of a missing endpoint");
}

/// Dispatches three events to `ep_a` and `ep_b`; leaves `ep_a`'s first
/// delivery succeeded, its second in flight, its third pending.
async fn deliveries_in_every_stage(test: &TestStore) -> Vec<webhookd::store::ClaimedDelivery> {
    for offset in 0..3 {
        test.dispatch(super::event("order.created", T0 + offset))
            .await;
    }
    let claimed = test.claim("instance-a", "lease-1", T0 + 1, 4).await;
    let of_a: Vec<_> = claimed
        .into_iter()
        .filter(|d| d.endpoint_id.as_str() == "ep_a")
        .collect();
    assert_eq!(of_a.len(), 2);
    test.record(attempt(&of_a[0], T0, DeliveryTransition::Succeeded))
        .await;
    of_a
}

async fn deleting_an_endpoint_cancels_its_unfinished_deliveries(backend: Backend) {
    let test = fresh_store(&backend).await;
    test.create_endpoints(&[endpoint("ep_a", &["*"]), endpoint("ep_b", &["*"])])
        .await;
    let claimed_of_a = deliveries_in_every_stage(&test).await;

    let cancelled = test
        .store
        .delete_endpoint(&id("ep_a"), T0 + 100)
        .await
        .unwrap();

    assert_eq!(cancelled, 2, "the one in flight and the one pending");
    let deliveries = test.all_deliveries().await;
    let states = |endpoint: &str| {
        let of_endpoint = deliveries
            .iter()
            .filter(|d| d.endpoint_id.as_str() == endpoint);
        of_endpoint.map(|d| d.state).collect::<Vec<_>>()
    };
    use DeliveryState::{Cancelled, InFlight, Pending, Succeeded};
    assert_eq!(states("ep_a"), [Succeeded, Cancelled, Cancelled]);
    assert_eq!(states("ep_b"), [InFlight, InFlight, Pending]);
    let cancelled_one = test.delivery(&claimed_of_a[1].delivery_id).await;
    assert_eq!(
        cancelled_one.last_error.as_deref(),
        Some("endpoint deleted")
    );
    assert_eq!(cancelled_one.updated_at, T0 + 100);
    let late = attempt(&claimed_of_a[1], T0, DeliveryTransition::Succeeded);
    assert_eq!(
        test.record(late).await,
        RecordOutcome::LeaseLost,
        "its lease went too"
    );
    assert_eq!(
        test.delivery(&claimed_of_a[1].delivery_id).await.state,
        Cancelled
    );

    assert_eq!(get(&test, "ep_a").await, None);
    assert_eq!(secret_of(&test, "ep_a").await, None);
    let (_, routed) = test.dispatch(super::event("order.created", T0 + 200)).await;
    assert_eq!(routed.len(), 1, "only ep_b is routed to");
    let store = &test.store;
    assert_not_found(
        store.delete_endpoint(&id("ep_a"), T0).await,
        "second delete",
    );
    let enable = store.set_endpoint_active(&id("ep_a"), true, None, T0).await;
    assert_not_found(enable, "enable a deleted endpoint");

    // The id may be used again, for a new endpoint.
    let recreated = store
        .create_endpoint(&endpoint("ep_a", &["user.*"]), T0 + 300)
        .await;
    let recreated = recreated.unwrap();
    assert_eq!(
        (recreated.created_at, recreated.event_patterns.clone()),
        (T0 + 300, vec!["user.*".to_owned()])
    );
    assert!(recreated.active);
    assert_eq!(
        test.delivery(&claimed_of_a[1].delivery_id).await.state,
        Cancelled
    );
}

async fn disabling_pauses_an_endpoint_and_enabling_clears_its_failures(backend: Backend) {
    let test = fresh_store(&backend).await;
    test.create_endpoints(&[endpoint("ep_a", &["*"])]).await;
    for offset in 0..2 {
        test.dispatch_one("order.created", T0 + offset).await;
    }
    for claimed in test.claim("instance-a", "lease-1", T0 + 1, 10).await {
        test.record(attempt(&claimed, T0, DeliveryTransition::RetryAt(T0 + 50)))
            .await;
    }
    assert_eq!(get(&test, "ep_a").await.unwrap().consecutive_failures, 2);
    let store = &test.store;

    let disabled = store
        .set_endpoint_active(&id("ep_a"), false, Some("maintenance"), T0 + 10)
        .await
        .unwrap();
    assert!(!disabled.active);
    assert_eq!(disabled.disabled_reason.as_deref(), Some("maintenance"));
    assert_eq!(
        (disabled.disabled_at, disabled.updated_at),
        (Some(T0 + 10), T0 + 10)
    );
    assert!(!disabled.auto_disabled, "an operator disabled it");
    assert!(
        test.claim("instance-a", "lease-2", T0 + 50, 10)
            .await
            .is_empty(),
        "paused"
    );
    let unexplained = store
        .set_endpoint_active(&id("ep_a"), false, None, T0 + 11)
        .await;
    let reason = unexplained.unwrap().disabled_reason;
    assert_eq!(reason.as_deref(), Some("disabled by an operator"));

    let enabled = store
        .set_endpoint_active(&id("ep_a"), true, None, T0 + 20)
        .await
        .unwrap();
    assert!(enabled.active);
    assert_eq!((enabled.disabled_reason, enabled.disabled_at), (None, None));
    assert_eq!(
        enabled.consecutive_failures, 0,
        "enabling gives a fresh start"
    );
    assert_eq!(
        test.claim("instance-a", "lease-3", T0 + 50, 10).await.len(),
        2,
        "resumed"
    );

    let missing = store
        .set_endpoint_active(&id("ep_missing"), false, None, T0)
        .await;
    assert_not_found(missing, "disable a missing endpoint");
}

async fn a_rotated_secret_keeps_signing_until_its_grace_ends(backend: Backend) {
    let test = fresh_store(&backend).await;
    let mut own = endpoint("ep_own", &["own.*"]);
    own.secret = Some(SecretString::from("first-secret-abcd"));
    test.create_endpoints(&[own, endpoint("ep_default", &["default.*"])])
        .await;
    let default_secret = SecretString::from("the-default-secret");
    let rotate = async |raw: &str, new: &str| {
        let new = SecretString::from(new.to_owned());
        test.store
            .rotate_endpoint_secret(&id(raw), &new, &default_secret, T0 + 500, T0 + 10)
            .await
    };

    let rotated = rotate("ep_own", "second-secret-wxyz").await.unwrap();
    assert_eq!(rotated.secret_hint.as_deref(), Some("wxyz"));
    assert_eq!(rotated.previous_secret_expires_at, Some(T0 + 500));
    assert_eq!(rotated.updated_at, T0 + 10);
    assert_eq!(get(&test, "ep_own").await, Some(rotated));
    assert_eq!(
        secret_of(&test, "ep_own").await.as_deref(),
        Some("second-secret-wxyz")
    );
    rotate("ep_default", "own-secret-at-last").await.unwrap();

    test.dispatch_one("own.created", T0).await;
    test.dispatch_one("default.created", T0).await;
    let claimed = test.claim("instance-a", "lease-1", T0, 10).await;
    let previous: Vec<(String, Option<(String, i64)>)> = claimed
        .iter()
        .map(|d| {
            let previous = d.previous_secret.as_ref();
            let previous = previous.map(|(s, until)| (s.expose_secret().to_owned(), *until));
            (d.endpoint_id.to_string(), previous)
        })
        .collect();
    let expected = [
        (
            "ep_own".to_owned(),
            Some(("first-secret-abcd".to_owned(), T0 + 500)),
        ),
        (
            "ep_default".to_owned(),
            Some(("the-default-secret".to_owned(), T0 + 500)),
        ),
    ];
    assert!(
        previous.iter().all(|p| expected.contains(p)) && previous.len() == 2,
        "{previous:?}"
    );

    assert_not_found(
        rotate("ep_missing", "whatever-secret").await,
        "rotate a missing endpoint",
    );
}

crate::backend_tests!(
    a_created_endpoint_reads_back_as_created,
    endpoints_list_by_id_page_by_page,
    an_update_changes_only_the_given_fields,
    deleting_an_endpoint_cancels_its_unfinished_deliveries,
    disabling_pauses_an_endpoint_and_enabling_clears_its_failures,
    a_rotated_secret_keeps_signing_until_its_grace_ends,
);
