//! Routing keeps the endpoints it parsed while the store's routing version
//! stands still; every change to what it reads must raise that version,
//! including a change made in the database by someone other than webhookd.

use std::collections::BTreeSet;

use crate::common::{Backend, Receiver, TestApp, TestEndpoint, TestSettings, spawn_app, sql};

/// The endpoints an event of `event_type` was routed to.
async fn routed(app: &TestApp, event_type: &str) -> BTreeSet<String> {
    let event = app.dispatch(event_type, r#"{"n":1}"#).await;
    app.deliveries(&event.event_id)
        .await
        .into_iter()
        .map(|delivery| delivery.endpoint_id.to_string())
        .collect()
}

fn names(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|id| (*id).to_owned()).collect()
}

async fn routing_follows_changes_made_in_the_database(backend: Backend) {
    let receiver = Receiver::start(200).await;
    let app = spawn_app(
        &backend,
        TestSettings::with_endpoints(vec![
            TestEndpoint::new("ep_a", receiver.url(), &["a.*"]),
            TestEndpoint::new("ep_b", receiver.url(), &["b.*"]),
        ]),
    )
    .await;
    // Routed once, so the writer holds the endpoints as they are now.
    assert_eq!(routed(&app, "b.first").await, names(&["ep_b"]));

    // An operator changes ep_a's subscriptions with sqlite3 or psql.
    sql(
        &app.database_url,
        r#"UPDATE endpoints SET event_patterns = '["a.*","b.*"]' WHERE id = 'ep_a'"#,
    )
    .await;
    assert_eq!(routed(&app, "b.second").await, names(&["ep_a", "ep_b"]));

    // And deletes ep_b by hand.
    sql(
        &app.database_url,
        "UPDATE endpoints SET deleted_at = 1 WHERE id = 'ep_b'",
    )
    .await;
    assert_eq!(routed(&app, "b.third").await, names(&["ep_a"]));
}

/// The columns endpoint_routing.sql reads and filters on.
fn routed_columns() -> Vec<String> {
    let query = include_str!("../../src/store/queries/endpoint_routing.sql");
    let select = query
        .split_once("SELECT")
        .and_then(|(_, rest)| rest.split_once("FROM"))
        .map(|(columns, _)| columns)
        .expect("the routing query is a SELECT … FROM");
    let mut columns: Vec<String> = select
        .split(',')
        .map(|column| column.trim().to_owned())
        .collect();
    assert!(
        query.contains("WHERE deleted_at IS NULL"),
        "the routing query still filters on deleted_at"
    );
    columns.push("deleted_at".to_owned());
    columns
}

async fn every_routed_column_raises_the_routing_version(backend: Backend) {
    let receiver = Receiver::start(200).await;
    let app = spawn_app(
        &backend,
        TestSettings::with_endpoints(vec![TestEndpoint::new("ep_a", receiver.url(), &["a.*"])]),
    )
    .await;
    let version = || {
        sql(
            &app.database_url,
            "SELECT version FROM endpoint_routing_version",
        )
    };
    let columns = routed_columns();
    assert!(
        columns.len() >= 10,
        "read the routing query's columns: {columns:?}"
    );
    for column in &columns {
        let before = version().await.expect("the version row exists");
        sql(
            &app.database_url,
            &format!("UPDATE endpoints SET {column} = {column} WHERE id = 'ep_a'"),
        )
        .await;
        let after = version().await.expect("the version row exists");
        assert!(
            after > before,
            "writing endpoints.{column} must raise the routing version"
        );
    }

    // Columns that change with every failed attempt leave it alone.
    let before = version().await;
    sql(
        &app.database_url,
        "UPDATE endpoints SET consecutive_failures = consecutive_failures + 1 WHERE id = 'ep_a'",
    )
    .await;
    assert_eq!(version().await, before);

    // A new endpoint raises it too.
    sql(
        &app.database_url,
        "INSERT INTO endpoints (id, url, event_patterns, origin, created_at, updated_at) \
         VALUES ('ep_new', 'http://127.0.0.1:9/', '[\"a.*\"]', 'api', 0, 0)",
    )
    .await;
    assert!(version().await > before);
}

crate::backend_tests!(
    routing_follows_changes_made_in_the_database,
    every_routed_column_raises_the_routing_version,
);
