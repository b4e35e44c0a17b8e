//! `list_events` and `list_deliveries`: pages that hold every match once,
//! oldest first, whatever the page size, and each filter.

use std::collections::HashMap;

use webhookd::domain::{DeliveryRecord, DeliveryState, EventId, EventPattern};
use webhookd::store::{DeliveryQuery, DeliveryTransition, EventQuery};

use super::{T0, TestStore, attempt, endpoint, event, fresh_store, id};
use crate::common::Backend;

/// The events of the fixture, dispatched in this order, the i-th created
/// at `T0 + 10 * i`. `ep_a` takes all of them, `ep_b` `order.*`.
const TYPES: [&str; 7] = [
    "order.created",
    "user.created",
    "order.paid",
    // `_` is a LIKE wildcard: a prefix filter must not let it match `x`.
    "order_v2.created",
    "orderxv2.created",
    "user.deleted",
    "order.created",
];

fn created_at(index: usize) -> i64 {
    T0 + 10 * i64::try_from(index).unwrap()
}

/// Dispatches `TYPES`; returns the event ids in dispatch order.
async fn log_fixture(backend: &Backend) -> (TestStore, Vec<EventId>) {
    let test = fresh_store(backend).await;
    test.create_endpoints(&[endpoint("ep_a", &["*"]), endpoint("ep_b", &["order.*"])])
        .await;
    let mut ids = Vec::new();
    for (index, event_type) in TYPES.iter().enumerate() {
        let (event_id, _) = test.dispatch(event(event_type, created_at(index))).await;
        ids.push(event_id);
    }
    (test, ids)
}

/// Reads a list page by page, each page starting after the last id of the
/// one before, until an empty page; returns the ids page by page. Checks
/// that no page holds more than `page_size` and only the last holds less.
async fn pages<T>(
    page_size: usize,
    fetch: impl AsyncFn(Option<String>, usize) -> Vec<T>,
    id_of: impl Fn(&T) -> String,
) -> Vec<Vec<String>> {
    let mut pages: Vec<Vec<String>> = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page: Vec<String> = fetch(after.clone(), page_size)
            .await
            .iter()
            .map(&id_of)
            .collect();
        assert!(page.len() <= page_size, "a page holds at most its size");
        let Some(last) = page.last() else {
            return pages;
        };
        if let Some(previous) = pages.last() {
            assert_eq!(previous.len(), page_size, "only the last page is short");
        }
        after = Some(last.clone());
        pages.push(page);
        assert!(pages.len() <= 100, "paging ends");
    }
}

fn strings(ids: &[EventId]) -> Vec<String> {
    ids.iter().map(ToString::to_string).collect()
}

fn pattern(raw: &str) -> EventPattern {
    EventPattern::parse(raw).unwrap()
}

async fn event_pages_hold_every_match_once_oldest_first(backend: Backend) {
    let (test, ids) = log_fixture(&backend).await;
    let store = &test.store;
    let list = |query: EventQuery| {
        async move |after: Option<String>, limit: usize| {
            let page = store.list_events(&query, after.as_deref(), limit).await;
            page.unwrap()
        }
    };
    let id_of = |event: &webhookd::domain::Event| event.id.to_string();

    for page_size in [1, 3, 7, 100] {
        let pages = pages(page_size, list(EventQuery::default()), id_of).await;
        assert_eq!(pages.concat(), strings(&ids), "page size {page_size}");
        assert_eq!(pages.len(), ids.len().div_ceil(page_size));
    }

    let cases: [(&str, EventQuery, &[usize]); 9] = [
        ("start is inclusive", query(Some(2), None), &[2, 3, 4, 5, 6]),
        ("end is exclusive", query(None, Some(2)), &[0, 1]),
        ("a time window", query(Some(2), Some(5)), &[2, 3, 4]),
        ("an exact type", types(&["user.created"]), &[1]),
        ("a prefix", types(&["order.*"]), &[0, 2, 6]),
        ("a prefix with `_`", types(&["order_v2.*"]), &[3]),
        (
            "any of several patterns",
            types(&["user.created", "order.*"]),
            &[0, 1, 2, 6],
        ),
        ("`*` is no filter", types(&["*"]), &[0, 1, 2, 3, 4, 5, 6]),
        (
            "with a delivery to ep_b, from the second event",
            EventQuery {
                endpoint_id: Some(id("ep_b")),
                ..query(Some(1), None)
            },
            &[2, 6],
        ),
    ];
    for (case, query, expected) in cases {
        let expected: Vec<String> = expected.iter().map(|i| ids[*i].to_string()).collect();
        let pages = pages(2, list(query), id_of).await;
        assert_eq!(pages.concat(), expected, "{case}");
    }
}

/// Events created from the `start`-th (inclusive) to the `end`-th
/// (exclusive) of the fixture.
fn query(start: Option<usize>, end: Option<usize>) -> EventQuery {
    EventQuery {
        start: start.map(created_at),
        end: end.map(created_at),
        ..EventQuery::default()
    }
}

fn types(patterns: &[&str]) -> EventQuery {
    EventQuery {
        event_types: patterns.iter().map(|raw| pattern(raw)).collect(),
        ..EventQuery::default()
    }
}

/// Moves the fixture's deliveries into several states: those of event 0
/// succeed, those of event 2 are dead letters, those of event 5 wait for a
/// retry, the rest stay in flight.
async fn spread_states(test: &TestStore, ids: &[EventId]) {
    let claimed = test
        .claim("instance-a", "lease-1", created_at(6), 100)
        .await;
    for delivery in &claimed {
        let index = ids.iter().position(|id| *id == delivery.event_id).unwrap();
        let transition = match index {
            0 => DeliveryTransition::Succeeded,
            2 => DeliveryTransition::Dead,
            5 => DeliveryTransition::RetryAt(T0 + 1_000),
            _ => continue,
        };
        test.record(attempt(delivery, created_at(6), transition))
            .await;
    }
}

async fn delivery_pages_hold_every_match_once_oldest_first(backend: Backend) {
    let (test, ids) = log_fixture(&backend).await;
    spread_states(&test, &ids).await;
    let store = &test.store;
    let all = test.all_deliveries().await;
    assert_eq!(all.len(), 10, "7 to ep_a, 3 to ep_b");
    let mut sorted: Vec<String> = all.iter().map(|d| d.id.to_string()).collect();
    sorted.sort();
    let list = |query: DeliveryQuery| {
        async move |after: Option<String>, limit: usize| {
            let page = store.list_deliveries(&query, after.as_deref(), limit).await;
            page.unwrap()
        }
    };
    let id_of = |delivery: &DeliveryRecord| delivery.id.to_string();
    for page_size in [1, 4, 10] {
        let pages = pages(page_size, list(DeliveryQuery::default()), id_of).await;
        assert_eq!(pages.concat(), sorted, "page size {page_size}");
    }

    let event_index: HashMap<&EventId, usize> = ids.iter().zip(0..).collect();
    let index = |delivery: &DeliveryRecord| event_index[&delivery.event_id];
    let states = |states: &[DeliveryState]| DeliveryQuery {
        states: states.to_vec(),
        ..DeliveryQuery::default()
    };
    type Case<'a> = (
        &'a str,
        DeliveryQuery,
        Box<dyn Fn(&DeliveryRecord) -> bool + 'a>,
    );
    let cases: [Case; 6] = [
        (
            "dead",
            states(&[DeliveryState::Dead]),
            Box::new(|d| index(d) == 2),
        ),
        (
            "pending or succeeded",
            states(&[DeliveryState::Pending, DeliveryState::Succeeded]),
            Box::new(|d| [0, 5].contains(&index(d))),
        ),
        (
            "to ep_b, in flight",
            DeliveryQuery {
                endpoint_id: Some(id("ep_b")),
                ..states(&[DeliveryState::InFlight])
            },
            Box::new(|d| d.endpoint_id.as_str() == "ep_b" && index(d) == 6),
        ),
        (
            "of order.* events",
            DeliveryQuery {
                event_types: vec![pattern("order.*")],
                ..DeliveryQuery::default()
            },
            Box::new(|d| [0, 2, 6].contains(&index(d))),
        ),
        (
            "of events created in a window",
            DeliveryQuery {
                start: Some(created_at(2)),
                end: Some(created_at(6)),
                ..DeliveryQuery::default()
            },
            Box::new(|d| (2..6).contains(&index(d))),
        ),
        (
            "no state matches",
            states(&[DeliveryState::Cancelled]),
            Box::new(|_| false),
        ),
    ];
    for (case, query, selects) in cases {
        let expected: Vec<String> = all.iter().filter(|d| selects(d)).map(id_of).collect();
        let pages = pages(2, list(query), id_of).await;
        assert_eq!(pages.concat(), expected, "{case}");
    }
}

crate::backend_tests!(
    event_pages_hold_every_match_once_oldest_first,
    delivery_pages_hold_every_match_once_oldest_first,
);
