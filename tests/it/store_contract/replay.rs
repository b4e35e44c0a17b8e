//! Sending again: a redrive of dead letters, a replay of one event, a bulk
//! replay of many deliveries.

use std::collections::HashMap;

use webhookd::domain::{DeliveryId, DeliveryState, EventId};
use webhookd::store::{
    DeliveryQuery, DeliveryTransition, DispatchOutcome, RedriveSelection, ReplayTargets, Routing,
    StoreError,
};

use super::{T0, TestStore, attempt, endpoint, event, fresh_store, id};
use crate::common::Backend;

fn dead_letters() -> DeliveryQuery {
    DeliveryQuery {
        states: vec![DeliveryState::Dead],
        ..DeliveryQuery::default()
    }
}

async fn a_redrive_gives_dead_letters_a_fresh_retry_cycle(backend: Backend) {
    let test = fresh_store(&backend).await;
    test.create_endpoints(&[endpoint("ep_a", &["*"])]).await;
    test.dispatch_one("order.created", T0).await;
    let first_dead = test.dead_letter("lease-1", T0).await;
    test.dispatch_one("order.created", T0).await;
    let second_dead = test.dead_letter("lease-2", T0).await;
    let succeeded = test.dispatch_one("order.created", T0).await;
    let claimed = test.claim_one("lease-3", T0).await;
    test.record(attempt(&claimed, T0, DeliveryTransition::Succeeded))
        .await;
    let store = &test.store;
    let by_ids = RedriveSelection::Ids(vec![
        first_dead.clone(),
        succeeded.id.clone(),
        DeliveryId::generate(),
    ]);

    assert_eq!(
        store.redrive(&by_ids, true, T0 + 900).await.unwrap(),
        1,
        "only dead letters"
    );
    assert_eq!(
        test.delivery(&first_dead).await.state,
        DeliveryState::Dead,
        "a dry run"
    );
    assert_eq!(
        store
            .redrive(&RedriveSelection::Ids(vec![]), false, T0)
            .await
            .unwrap(),
        0
    );
    assert_eq!(store.redrive(&by_ids, false, T0 + 900).await.unwrap(), 1);
    let redriven = test.delivery(&first_dead).await;
    assert_eq!(redriven.state, DeliveryState::Pending);
    assert_eq!(
        (redriven.next_attempt_at, redriven.updated_at),
        (T0 + 900, T0 + 900)
    );
    assert_eq!(redriven.attempt_count, 1, "its history stays");
    assert_eq!(
        test.delivery(&succeeded.id).await.state,
        DeliveryState::Succeeded
    );
    let again = test.claim_one("lease-4", T0 + 900).await;
    assert_eq!(again.delivery_id, first_dead);
    assert_eq!(
        (again.attempt_number, again.cycle_start),
        (2, 1),
        "a new cycle from here"
    );

    let other_type = DeliveryQuery {
        event_types: vec![webhookd::domain::EventPattern::parse("user.*").unwrap()],
        ..dead_letters()
    };
    let none = RedriveSelection::Matching(other_type);
    assert_eq!(store.redrive(&none, false, T0 + 950).await.unwrap(), 0);
    let matching = RedriveSelection::Matching(DeliveryQuery {
        endpoint_id: Some(id("ep_a")),
        ..DeliveryQuery::default()
    });
    assert_eq!(store.redrive(&matching, true, T0 + 950).await.unwrap(), 1);
    assert_eq!(store.redrive(&matching, false, T0 + 950).await.unwrap(), 1);
    assert_eq!(
        test.delivery(&second_dead).await.state,
        DeliveryState::Pending
    );
    assert_eq!(
        store.redrive(&matching, false, T0 + 960).await.unwrap(),
        0,
        "none left"
    );
}

async fn a_replay_sends_an_event_again_to_the_endpoints_asked_for(backend: Backend) {
    let test = fresh_store(&backend).await;
    test.create_endpoints(&[
        endpoint("ep_a", &["order.*"]),
        endpoint("ep_b", &["order.*"]),
        endpoint("ep_c", &["user.*"]),
    ])
    .await;
    let (event_id, originals) = test.dispatch(event("order.created", T0)).await;
    let original_to: HashMap<String, DeliveryId> = originals
        .iter()
        .map(|d| (d.endpoint_id.to_string(), d.id.clone()))
        .collect();
    let store = &test.store;

    for round in 0..2 {
        let replays = store
            .replay_event(&event_id, &ReplayTargets::Original, T0 + 50)
            .await;
        let replays = replays.unwrap();
        assert_eq!(replays.len(), 2, "round {round}: one per original endpoint");
        for replay in &replays {
            let stored = test.delivery(&replay.id).await;
            assert_eq!(stored.state, DeliveryState::Pending);
            assert_eq!(
                (stored.next_attempt_at, stored.created_at),
                (T0 + 50, T0 + 50)
            );
            let original = &original_to[replay.endpoint_id.as_str()];
            assert_eq!(
                stored.replay_of.as_ref(),
                Some(original),
                "links the original"
            );
        }
    }

    let chosen = ReplayTargets::Endpoints(vec![id("ep_c"), id("ep_a"), id("ep_c")]);
    let replays = store
        .replay_event(&event_id, &chosen, T0 + 60)
        .await
        .unwrap();
    let endpoints: Vec<&str> = replays.iter().map(|r| r.endpoint_id.as_str()).collect();
    assert_eq!(endpoints, ["ep_c", "ep_a"], "in the order asked, each once");
    let to_c = test.delivery(&replays[0].id).await;
    assert_eq!(to_c.replay_of, None, "ep_c never had the event");
    let to_a = test.delivery(&replays[1].id).await;
    assert_eq!(to_a.replay_of.as_ref(), Some(&original_to["ep_a"]));

    let all = store.deliveries_for_event(&event_id).await.unwrap();
    assert_eq!(all.len(), 8, "2 originals, 4 replays of them, 2 chosen");
    let mut sorted = all.clone();
    sorted.sort_by(|x, y| x.id.cmp(&y.id));
    assert_eq!(all, sorted, "oldest first");
}

async fn a_refused_replay_creates_nothing(backend: Backend) {
    let test = fresh_store(&backend).await;
    test.create_endpoints(&[
        endpoint("ep_a", &["*"]),
        endpoint("ep_off", &["user.*"]),
        endpoint("ep_gone", &["*"]),
    ])
    .await;
    let (event_id, _) = test.dispatch(event("order.created", T0)).await;
    let store = &test.store;
    test.disable("ep_off").await;
    store.delete_endpoint(&id("ep_gone"), T0).await.unwrap();
    let to = |ids: &[&str]| ReplayTargets::Endpoints(ids.iter().map(|raw| id(raw)).collect());

    let cases = [
        (event_id.clone(), to(&["ep_a", "ep_off"]), "inactive ep_off"),
        (event_id.clone(), to(&["ep_missing"]), "missing ep_missing"),
        (event_id.clone(), to(&["ep_gone"]), "deleted ep_gone"),
        (
            event_id.clone(),
            ReplayTargets::Original,
            "deleted original ep_gone",
        ),
        (
            EventId::generate(),
            ReplayTargets::Original,
            "unknown event",
        ),
    ];
    for (event, targets, case) in cases {
        let error = store
            .replay_event(&event, &targets, T0 + 10)
            .await
            .unwrap_err();
        let named = match &error {
            StoreError::EndpointInactive(named) if case.starts_with("inactive") => named,
            StoreError::EndpointNotFound(named)
                if case.starts_with("missing") || case.starts_with("deleted") =>
            {
                named
            }
            StoreError::EventNotFound(named) if case == "unknown event" => named,
            _ => panic!("{case}: unexpected {error:?}"),
        };
        assert!(
            case.ends_with(named.as_str()) || case == "unknown event",
            "{case}: {named}"
        );
    }
    assert_eq!(test.all_deliveries().await.len(), 2, "only the originals");
}

/// Dispatches `count` events to `ep_a` and `ep_b` at once and makes the
/// deliveries to `ep_a` dead letters.
async fn dead_letters_of(test: &TestStore, count: usize) -> Vec<DeliveryId> {
    let dispatches = (0..count).map(|_| {
        test.store
            .dispatch(event("order.created", T0), Routing::Subscribed)
    });
    for outcome in futures::future::join_all(dispatches).await {
        assert!(matches!(outcome, Ok(DispatchOutcome::Created { .. })));
    }
    let claimed = test.claim("instance-a", "lease-1", T0, 2 * count).await;
    let to_a: Vec<_> = claimed
        .iter()
        .filter(|d| d.endpoint_id.as_str() == "ep_a")
        .collect();
    let records = to_a
        .iter()
        .map(|d| test.record(attempt(d, T0, DeliveryTransition::Dead)));
    futures::future::join_all(records).await;
    let mut dead: Vec<DeliveryId> = to_a.iter().map(|d| d.delivery_id.clone()).collect();
    dead.sort();
    dead
}

async fn a_bulk_replay_copies_each_match_once_spaced_out(backend: Backend) {
    let test = fresh_store(&backend).await;
    test.create_endpoints(&[endpoint("ep_a", &["*"]), endpoint("ep_b", &["*"])])
        .await;
    // More than one page of the replay's reads (REPLAY_PAGE).
    let dead = dead_letters_of(&test, 520).await;
    let store = &test.store;

    let dry = store
        .replay_matching(&dead_letters(), true, 100, T0 + 1_000)
        .await
        .unwrap();
    assert_eq!((dry.count, dry.deliveries.len()), (520, 0));
    assert_eq!(
        test.all_deliveries().await.len(),
        1040,
        "a dry run creates nothing"
    );

    let bulk = store
        .replay_matching(&dead_letters(), false, 100, T0 + 1_000)
        .await
        .unwrap();

    assert_eq!(bulk.count, 520);
    assert_eq!(bulk.deliveries.len(), 520);
    let all = test.all_deliveries().await;
    let by_id: HashMap<&DeliveryId, _> = all.iter().map(|d| (&d.id, d)).collect();
    let mut replayed: Vec<(DeliveryId, i64)> = bulk
        .deliveries
        .iter()
        .map(|r| {
            let stored = by_id[&r.id];
            assert_eq!(stored.state, DeliveryState::Pending);
            (
                stored.replay_of.clone().expect("links its original"),
                stored.next_attempt_at,
            )
        })
        .collect();
    replayed.sort();
    let originals: Vec<DeliveryId> = replayed.iter().map(|(id, _)| id.clone()).collect();
    assert_eq!(originals, dead, "each dead letter exactly once");
    let due: Vec<i64> = replayed.iter().map(|(_, due)| *due).collect();
    let spaced: Vec<i64> = (0..520).map(|n| T0 + 1_000 + 100 * n).collect();
    assert_eq!(
        due, spaced,
        "the n-th match, in id order, due n spacings later"
    );

    // Everything, replays included: what exists when the replay starts.
    let everything = store
        .replay_matching(&DeliveryQuery::default(), false, 0, T0)
        .await;
    assert_eq!(everything.unwrap().count, 1560);
    assert_eq!(test.all_deliveries().await.len(), 3120);
}

async fn a_bulk_replay_counts_in_a_dry_run_what_it_replays(backend: Backend) {
    let test = fresh_store(&backend).await;
    test.create_endpoints(&[endpoint("ep_a", &["*"]), endpoint("ep_b", &["*"])])
        .await;
    let empty = test
        .store
        .replay_matching(&DeliveryQuery::default(), false, 0, T0)
        .await;
    assert_eq!(empty.unwrap().count, 0, "nothing to replay");
    test.dispatch(event("order.created", T0)).await;
    test.dispatch(event("order.created", T0)).await;
    test.store.delete_endpoint(&id("ep_b"), T0).await.unwrap();
    let store = &test.store;

    let dry = store
        .replay_matching(&DeliveryQuery::default(), true, 0, T0)
        .await
        .unwrap();
    let real = store
        .replay_matching(&DeliveryQuery::default(), false, 0, T0)
        .await
        .unwrap();

    assert_eq!(
        real.count, 2,
        "deliveries to a deleted endpoint are not replayed"
    );
    assert_eq!(
        dry.count, real.count,
        "a dry run counts what the replay would create"
    );
}

crate::backend_tests!(
    a_redrive_gives_dead_letters_a_fresh_retry_cycle,
    a_replay_sends_an_event_again_to_the_endpoints_asked_for,
    a_refused_replay_creates_nothing,
    a_bulk_replay_copies_each_match_once_spaced_out,
    a_bulk_replay_counts_in_a_dry_run_what_it_replays,
);
