//! `MetricsStore`: the figures metrics, the dashboard and stream history
//! read from attempts and deliveries.

use webhookd::domain::{DeliveryId, ErrorKind, EventId};
use webhookd::store::{
    AttemptStat, ClaimedDelivery, DeliveryTransition, EndpointVerdict, PendingStat, Routing,
};

use super::{T0, TestStore, attempt, endpoint, event, fresh_store, id};
use crate::common::Backend;

/// Records an attempt at `claimed` started at `started_at`: a success, a
/// 500 to retry, or a 40 ms timeout that dead-letters.
async fn record(test: &TestStore, claimed: &ClaimedDelivery, started_at: i64, outcome: &str) {
    let transition = match outcome {
        "success" => DeliveryTransition::Succeeded,
        "500" => DeliveryTransition::RetryAt(T0 + 300),
        "timeout" => DeliveryTransition::Dead,
        other => unreachable!("{other}"),
    };
    let mut result = attempt(claimed, started_at, transition);
    if outcome == "timeout" {
        result.attempt.duration_ms = 40;
        result.attempt.http_status = None;
        result.attempt.error_kind = Some(ErrorKind::Timeout);
        result.attempt.error_message = Some("timed out".to_owned());
        result.verdict = EndpointVerdict::Failing { disable_after: 100 };
    }
    test.record(result).await;
}

/// Two events to `ep_a` and `ep_b`; attempts recorded in this order:
/// 1. event 0 to ep_a succeeds at T0+100;
/// 2. event 1 to ep_a fails with a 500 at T0+200;
/// 3. event 0 to ep_b times out at T0+1500 and is dead-lettered;
/// 4. event 1 to ep_b succeeds at T0-50, before the window the tests read;
/// 5. event 1 to ep_a succeeds on its retry at T0+400.
///
/// Returns the events and the delivery of each attempt, in that order.
async fn metrics_fixture(backend: &Backend) -> (TestStore, Vec<EventId>, Vec<DeliveryId>) {
    let test = fresh_store(backend).await;
    test.create_endpoints(&[endpoint("ep_a", &["*"]), endpoint("ep_b", &["*"])])
        .await;
    let (first, _) = test.dispatch(event("order.created", T0)).await;
    let (second, _) = test.dispatch(event("user.created", T0 + 1)).await;
    let claimed = test.claim("instance-a", "lease-1", T0 + 1, 10).await;
    let find = |event: &EventId, endpoint: &str| {
        let found = claimed
            .iter()
            .find(|d| d.event_id == *event && d.endpoint_id.as_str() == endpoint);
        found.unwrap()
    };
    record(&test, find(&first, "ep_a"), T0 + 100, "success").await;
    record(&test, find(&second, "ep_a"), T0 + 200, "500").await;
    record(&test, find(&first, "ep_b"), T0 + 1_500, "timeout").await;
    record(&test, find(&second, "ep_b"), T0 - 50, "success").await;
    let retry = test.claim_one("lease-2", T0 + 300).await;
    record(&test, &retry, T0 + 400, "success").await;
    let ids = [
        (&first, "ep_a"),
        (&second, "ep_a"),
        (&first, "ep_b"),
        (&second, "ep_b"),
        (&second, "ep_a"),
    ]
    .iter()
    .map(|(event, endpoint)| find(event, endpoint).delivery_id.clone())
    .collect();
    (test, vec![first, second], ids)
}

fn stat(
    endpoint: &str,
    bucket: i64,
    duration_ms: i64,
    class: Option<i64>,
    kind: Option<&str>,
    count: i64,
) -> AttemptStat {
    AttemptStat {
        endpoint_id: endpoint.to_owned(),
        bucket,
        duration_ms,
        status_class: class,
        error_kind: kind.map(str::to_owned),
        count,
    }
}

async fn attempt_stats_group_attempts_of_the_window(backend: Backend) {
    let (test, _, _) = metrics_fixture(&backend).await;
    let stats = async |since: i64, endpoint: Option<&str>| {
        let endpoint = endpoint.map(id);
        let mut rows = test
            .store
            .attempt_stats(since, 1_000, endpoint.as_ref())
            .await
            .unwrap();
        rows.sort_by(|x, y| format!("{x:?}").cmp(&format!("{y:?}")));
        rows
    };

    assert_eq!(
        stats(T0, None).await,
        [
            stat("ep_a", 0, 25, Some(2), None, 2),
            stat("ep_a", 0, 25, Some(5), Some("http_5xx"), 1),
            stat("ep_b", 1, 40, None, Some("timeout"), 1),
        ],
        "grouped by endpoint, bucket, duration, status class and error kind"
    );
    assert_eq!(
        stats(T0, Some("ep_b")).await,
        [stat("ep_b", 1, 40, None, Some("timeout"), 1)]
    );
    assert_eq!(
        stats(T0 + 1_000, None).await,
        [stat("ep_b", 0, 40, None, Some("timeout"), 1)],
        "buckets count from the window's start"
    );
    assert!(stats(T0 + 1_501, None).await.is_empty());
}

async fn dead_letters_and_backlogs_are_counted(backend: Backend) {
    let (test, _, deliveries) = metrics_fixture(&backend).await;
    let store = &test.store;
    let dead_at = test.delivery(&deliveries[2]).await.updated_at;
    let dead = async |since: i64, endpoint: Option<&str>| {
        let endpoint = endpoint.map(id);
        store
            .dead_lettered_since(since, endpoint.as_ref())
            .await
            .unwrap()
    };
    assert_eq!(dead(0, None).await, 1);
    assert_eq!(dead(dead_at, Some("ep_b")).await, 1, "since is inclusive");
    assert_eq!(dead(0, Some("ep_a")).await, 0);
    assert_eq!(dead(dead_at + 1, None).await, 0);

    assert!(
        store.pending_by_endpoint().await.unwrap().is_empty(),
        "all settled"
    );
    let targeted = |ids: &[&str]| Routing::Targeted(ids.iter().map(|raw| id(raw)).collect());
    store
        .dispatch(event("order.created", T0 + 5), targeted(&["ep_a"]))
        .await
        .unwrap();
    store
        .dispatch(event("order.created", T0 + 9), targeted(&["ep_a", "ep_b"]))
        .await
        .unwrap();
    test.claim_one("lease-3", T0 + 5).await;
    let mut pending = store.pending_by_endpoint().await.unwrap();
    pending.sort_by(|x, y| x.endpoint_id.cmp(&y.endpoint_id));
    let backlog = |endpoint: &str, count, oldest_created_at| PendingStat {
        endpoint_id: endpoint.to_owned(),
        count,
        oldest_created_at,
    };
    assert_eq!(
        pending,
        [backlog("ep_a", 2, T0 + 5), backlog("ep_b", 1, T0 + 9)],
        "in flight counts as pending"
    );
}

async fn attempt_feeds_read_newest_or_oldest_first(backend: Backend) {
    let (test, events, deliveries) = metrics_fixture(&backend).await;
    let store = &test.store;

    let history = store.attempt_history(T0, 10).await.unwrap();
    let seen: Vec<(&str, i64, i64)> = history
        .iter()
        .map(|h| (h.delivery_id.as_str(), h.attempt_number, h.started_at))
        .collect();
    let expected = [
        (deliveries[0].as_str(), 1, T0 + 100),
        (deliveries[1].as_str(), 1, T0 + 200),
        (deliveries[2].as_str(), 1, T0 + 1_500),
        (deliveries[4].as_str(), 2, T0 + 400),
    ];
    assert_eq!(seen, expected, "since T0, in the order recorded");
    let retried = &history[1];
    assert_eq!(
        (retried.state.as_str(), retried.attempt_count),
        ("succeeded", 2),
        "as it is now"
    );
    assert_eq!(
        (retried.event_id.as_str(), retried.event_type.as_str()),
        (events[1].as_str(), "user.created")
    );
    assert_eq!(retried.endpoint_id, "ep_a");
    assert_eq!(history[2].error_kind.as_deref(), Some("timeout"));
    assert_eq!(history[2].http_status, None);
    assert_eq!(store.attempt_history(T0, 2).await.unwrap(), history[..2]);

    let recent = store.recent_attempts(false, 3).await.unwrap();
    let newest: Vec<(&str, i64)> = recent
        .iter()
        .map(|r| (r.delivery_id.as_str(), r.started_at))
        .collect();
    assert_eq!(
        newest,
        [
            (deliveries[4].as_str(), T0 + 400),
            (deliveries[3].as_str(), T0 - 50),
            (deliveries[2].as_str(), T0 + 1_500)
        ],
        "newest recorded first"
    );
    let failed = store.recent_attempts(true, 10).await.unwrap();
    let failures: Vec<(&str, Option<i64>, Option<&str>)> = failed
        .iter()
        .map(|r| {
            (
                r.delivery_id.as_str(),
                r.http_status,
                r.error_message.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        failures,
        [
            (deliveries[2].as_str(), None, Some("timed out")),
            (deliveries[1].as_str(), Some(500), Some("HTTP 500"))
        ]
    );
}

crate::backend_tests!(
    attempt_stats_group_attempts_of_the_window,
    dead_letters_and_backlogs_are_counted,
    attempt_feeds_read_newest_or_oldest_first,
);
