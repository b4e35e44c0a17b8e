//! Ordering keys: deliveries with the same key to the same endpoint go one
//! at a time, in Dispatch order, through retries and a SIGKILL; other
//! keys and unkeyed deliveries are not held back.

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use webhookd::api::proto::{DispatchRequest, GetEventRequest};

use crate::common::daemon::{Daemon, write_config};
use crate::common::receiver::Received;
use crate::common::{
    Backend, Receiver, Reply, TestEndpoint, TestSettings, dispatch_request, eventually,
};

const PER_KEY: usize = 12;

/// The requests of one ordering key, in arrival order: (n, arrived,
/// answered, status).
type KeyLog = Vec<(usize, std::time::Instant, std::time::Instant, u16)>;

/// Checks one key's requests: each is the next one after the last that
/// succeeded, or a repeat of it (at-least-once after a crash), and each
/// arrived only once the one before it was answered.
fn check_order(key: &str, log: &KeyLog) {
    let mut delivered: Option<usize> = None;
    let mut previous_answer: Option<std::time::Instant> = None;
    for (n, arrived, answered, status) in log {
        let next = delivered.map_or(0, |d| d + 1);
        assert!(
            Some(*n) == delivered || *n == next,
            "key {key}: request for #{n} after #{delivered:?} was delivered: {log:?}"
        );
        if let Some(previous) = previous_answer {
            assert!(
                *arrived >= previous,
                "key {key}: #{n} arrived while the request before it was in flight"
            );
        }
        previous_answer = Some(*answered);
        if (200..300).contains(status) {
            delivered = Some(*n);
        }
    }
    assert_eq!(delivered, Some(PER_KEY - 1), "key {key}: all delivered");
}

fn key_and_number(request: &Received) -> Option<(String, usize)> {
    let body: serde_json::Value = serde_json::from_slice(&request.body).ok()?;
    Some((
        body["key"].as_str()?.to_owned(),
        usize::try_from(body["n"].as_u64()?).ok()?,
    ))
}

async fn keys_deliver_in_dispatch_order_through_retries_and_a_crash(backend: Backend) {
    // Down while the events are dispatched: every delivery behind a key's
    // first is due and would be tried, were it not held.
    let mut receiver = Receiver::start(500).await;
    receiver.set_delay(Duration::from_millis(20));
    let dir = tempfile::tempdir().unwrap();
    let database_url = backend.fresh_database_url(dir.path()).await;
    let config = write_config(
        dir.path(),
        &TestSettings {
            max_attempts: 100,
            initial_delay_seconds: 0.1,
            backoff_multiplier: 1.0,
            timeout_seconds: 1.0,
            lease_seconds: Some(2.0),
            ..TestSettings::with_endpoints(vec![TestEndpoint::new("ep_1", receiver.url(), &["*"])])
        },
        &database_url,
    );
    let daemon = Daemon::start(&config);
    let mut client = daemon.client().await;
    let mut accepted = HashSet::new();
    let mut keyed_event = None;
    for n in 0..PER_KEY {
        for key in ["a", "b", ""] {
            let response = client
                .dispatch(DispatchRequest {
                    ordering_key: key.to_owned(),
                    ..dispatch_request("order.updated", &format!("{{\"key\":\"{key}\",\"n\":{n}}}"))
                })
                .await
                .expect("dispatch is accepted")
                .into_inner();
            if key == "a" {
                keyed_event.get_or_insert(response.event_id.clone());
            }
            accepted.insert(response.event_id);
        }
    }
    let event = client
        .get_event(GetEventRequest {
            event_id: keyed_event.unwrap(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(event.event.unwrap().ordering_key, "a");

    // Back up, failing one request in five: keys wait on retries.
    let before = receiver.total_requests();
    receiver.script((0..60).map(|i| match i % 5 {
        0 => Reply::Status(500),
        _ => Reply::Status(200),
    }));
    receiver.set_default(Reply::Status(200));
    eventually(Duration::from_secs(20), || async {
        receiver.total_requests() >= before + 15
    })
    .await
    .expect("deliveries were attempted before the kill");
    daemon.sigkill();
    let _restarted = Daemon::start(&config);
    eventually(Duration::from_secs(60), || async {
        receiver.succeeded_event_ids() == accepted
    })
    .await
    .expect("every accepted event is delivered after the restart");

    let mut logs: BTreeMap<String, KeyLog> = BTreeMap::new();
    let total = receiver.total_requests();
    let mut requests = receiver.drain();
    requests.sort_by_key(|request| request.at);
    for request in &requests {
        if let Some((key, n)) = key_and_number(request) {
            logs.entry(key)
                .or_default()
                .push((n, request.at, request.answered_at, request.status));
        }
    }
    check_order("a", &logs["a"]);
    check_order("b", &logs["b"]);
    let unkeyed: HashSet<usize> = logs[""].iter().map(|(n, ..)| *n).collect();
    assert_eq!(unkeyed.len(), PER_KEY, "unkeyed events are all delivered");
    eprintln!(
        "ordering: {} requests for {} events, {} of them retries or crash repeats",
        total,
        accepted.len(),
        total - accepted.len()
    );
}

crate::backend_tests!(keys_deliver_in_dispatch_order_through_retries_and_a_crash);
