//! `sync_config_endpoints`: the config file's endpoints are written at
//! every start; those it no longer lists are deleted; API endpoints are
//! left alone unless the file takes their id.

use secrecy::SecretString;
use webhookd::domain::{DeliveryState, EndpointOrigin, EndpointSpec, TargetUrl};
use webhookd::store::{DeliveryTransition, EndpointVerdict, RecordOutcome};

use super::endpoints::get;
use super::{T0, TestStore, attempt, endpoint, fresh_store, id};
use crate::common::Backend;

async fn sync(test: &TestStore, endpoints: &[EndpointSpec], now: i64) {
    test.store
        .sync_config_endpoints(endpoints, now)
        .await
        .unwrap();
}

async fn origin_of(test: &TestStore, raw: &str) -> Option<EndpointOrigin> {
    get(test, raw).await.map(|endpoint| endpoint.origin)
}

async fn a_sync_writes_the_files_endpoints_and_deletes_those_it_dropped(backend: Backend) {
    let test = fresh_store(&backend).await;
    test.create_endpoints(&[
        endpoint("ep_api", &["*"]),
        endpoint("ep_shared", &["user.*"]),
    ])
    .await;
    let mut shared = endpoint("ep_shared", &["order.*"]);
    shared.url = TargetUrl::parse("https://config.example.com/shared").unwrap();

    sync(
        &test,
        &[endpoint("cfg_a", &["order.*"]), shared.clone()],
        T0 + 10,
    )
    .await;

    let cfg_a = get(&test, "cfg_a").await.expect("created");
    assert_eq!(cfg_a.origin, EndpointOrigin::Config);
    assert_eq!((cfg_a.active, cfg_a.created_at), (true, T0 + 10));
    let taken_over = get(&test, "ep_shared").await.unwrap();
    assert_eq!(
        taken_over.origin,
        EndpointOrigin::Config,
        "the file takes the id"
    );
    assert_eq!(taken_over.url, "https://config.example.com/shared");
    assert_eq!(taken_over.event_patterns, ["order.*"]);
    assert_eq!(taken_over.updated_at, T0 + 10);
    assert_eq!(origin_of(&test, "ep_api").await, Some(EndpointOrigin::Api));

    let (_, routed) = test.dispatch(super::event("order.created", T0)).await;
    assert_eq!(routed.len(), 3);
    let to_cfg_a = routed
        .iter()
        .find(|d| d.endpoint_id.as_str() == "cfg_a")
        .unwrap();

    sync(&test, &[shared], T0 + 20).await;
    assert_eq!(
        get(&test, "cfg_a").await,
        None,
        "dropped from the file: deleted"
    );
    let cancelled = test.delivery(&to_cfg_a.id).await;
    assert_eq!(cancelled.state, DeliveryState::Cancelled);
    assert_eq!(
        origin_of(&test, "ep_shared").await,
        Some(EndpointOrigin::Config)
    );

    sync(&test, &[], T0 + 30).await;
    assert_eq!(get(&test, "ep_shared").await, None);
    assert_eq!(
        origin_of(&test, "ep_api").await,
        Some(EndpointOrigin::Api),
        "API endpoints are never removed by a sync"
    );
    sync(&test, &[endpoint("cfg_a", &["order.*"])], T0 + 40).await;
    let revived = get(&test, "cfg_a").await.expect("back in the file: back");
    assert!(revived.active);
    assert_eq!(revived.origin, EndpointOrigin::Config);
}

/// Claims the one due delivery and records a 410 Gone for it.
async fn answer_gone(test: &TestStore, token: &str, now: i64) -> RecordOutcome {
    let claimed = test.claim_one(token, now).await;
    let mut gone = attempt(&claimed, now, DeliveryTransition::Dead);
    gone.verdict = EndpointVerdict::Gone;
    test.record(gone).await
}

async fn the_file_decides_whether_an_endpoint_is_active_unless_webhookd_disabled_it(
    backend: Backend,
) {
    let test = fresh_store(&backend).await;
    let active = endpoint("cfg_a", &["*"]);
    let inactive = EndpointSpec {
        active: false,
        ..active.clone()
    };
    sync(&test, std::slice::from_ref(&active), T0).await;
    test.dispatch_one("order.created", T0).await;
    let RecordOutcome::Recorded {
        disabled: Some(reason),
    } = answer_gone(&test, "lease-1", T0).await
    else {
        panic!("a 410 disables the endpoint");
    };
    let auto_disabled = get(&test, "cfg_a").await.unwrap();

    // A restart with the file unchanged does not undo webhookd's decision.
    sync(&test, std::slice::from_ref(&active), T0 + 10).await;
    let kept = get(&test, "cfg_a").await.unwrap();
    assert!(!kept.active && kept.auto_disabled);
    assert_eq!(kept.disabled_reason, Some(reason));
    assert_eq!(kept.disabled_at, auto_disabled.disabled_at);

    sync(&test, std::slice::from_ref(&inactive), T0 + 20).await;
    let off = get(&test, "cfg_a").await.unwrap();
    assert!(!off.active && !off.auto_disabled);
    assert_eq!(
        off.disabled_reason.as_deref(),
        Some("inactive in the config file")
    );
    assert_eq!(off.disabled_at, Some(T0 + 20));

    sync(&test, std::slice::from_ref(&active), T0 + 30).await;
    let on = get(&test, "cfg_a").await.unwrap();
    assert!(on.active);
    assert_eq!((on.disabled_reason, on.disabled_at), (None, None));

    // An operator's disable lasts until the file is read again.
    let store = &test.store;
    store
        .set_endpoint_active(&id("cfg_a"), false, None, T0 + 40)
        .await
        .unwrap();
    sync(&test, &[active], T0 + 50).await;
    assert!(get(&test, "cfg_a").await.unwrap().active);
}

async fn an_endpoint_dropped_from_the_file_and_added_back_starts_afresh(backend: Backend) {
    let test = fresh_store(&backend).await;
    let spec = endpoint("cfg_a", &["*"]);
    sync(&test, std::slice::from_ref(&spec), T0).await;
    test.dispatch_one("order.created", T0).await;
    let claimed = test.claim_one("lease-1", T0).await;
    test.record(attempt(&claimed, T0, DeliveryTransition::RetryAt(T0 + 10)))
        .await;
    test.store
        .rotate_endpoint_secret(
            &id("cfg_a"),
            &SecretString::from("rotated-secret"),
            &SecretString::from("the-default-secret"),
            T0 + 1_000_000,
            T0,
        )
        .await
        .unwrap();
    let before = get(&test, "cfg_a").await.unwrap();
    assert_eq!(before.consecutive_failures, 1);

    sync(&test, &[], T0 + 10).await;
    sync(&test, &[spec], T0 + 20).await;

    let revived = get(&test, "cfg_a").await.unwrap();
    assert_eq!(
        revived.consecutive_failures, 0,
        "the failures of the deleted endpoint do not count against the new one"
    );
    assert_eq!(
        revived.previous_secret_expires_at, None,
        "the deleted endpoint's old secret does not sign the new one's deliveries"
    );
}

crate::backend_tests!(
    a_sync_writes_the_files_endpoints_and_deletes_those_it_dropped,
    the_file_decides_whether_an_endpoint_is_active_unless_webhookd_disabled_it,
    an_endpoint_dropped_from_the_file_and_added_back_starts_afresh,
);
