//! `ApiKeyStore` and `StoreHealth`: keys created over the API, and whether
//! the database answers, commits, and is still the one opened.

use webhookd::domain::{ApiKeyRecord, Role};
use webhookd::store::{DeliveryTransition, Routing, StoreError};

use super::{T0, attempt, endpoint, event, fresh_store};
use crate::common::{self, Backend};

fn key(name: &str, role: Role, created_at: i64) -> ApiKeyRecord {
    ApiKeyRecord {
        name: name.to_owned(),
        key_sha256: format!("{:0>64}", hex_of(name)),
        role,
        created_at,
        revoked_at: None,
    }
}

fn hex_of(text: &str) -> String {
    text.bytes().map(|b| format!("{b:02x}")).collect()
}

async fn api_keys_are_created_listed_by_name_and_revoked_once(backend: Backend) {
    let test = fresh_store(&backend).await;
    let store = &test.store;
    let keys = [
        key("Deployer", Role::Admin, T0),
        key("billing", Role::Dispatch, T0 + 1),
        key("dashboard", Role::Read, T0 + 2),
    ];
    for created in &keys {
        store.create_api_key(created).await.unwrap();
    }
    let listed = store.list_api_keys().await.unwrap();
    assert_eq!(listed, keys, "by name, in byte order on both backends");

    let taken_name = key("billing", Role::Admin, T0 + 3);
    let taken_name = ApiKeyRecord {
        key_sha256: "f".repeat(64),
        ..taken_name
    };
    let error = store.create_api_key(&taken_name).await.unwrap_err();
    assert!(
        matches!(error, StoreError::ApiKeyExists(ref name) if name == "billing"),
        "{error:?}"
    );
    let same_key = ApiKeyRecord {
        name: "copycat".to_owned(),
        ..keys[0].clone()
    };
    let error = store.create_api_key(&same_key).await.unwrap_err();
    assert!(
        matches!(error, StoreError::Conflict(_)),
        "one key, one name: {error:?}"
    );

    let before = store.revoke_api_key("billing", T0 + 10).await.unwrap();
    assert_eq!(before, keys[1], "returned as it was before");
    let again = store.revoke_api_key("billing", T0 + 20).await.unwrap();
    assert_eq!(
        again.revoked_at,
        Some(T0 + 10),
        "revoked once, when first revoked"
    );
    let listed = store.list_api_keys().await.unwrap();
    let revoked: Vec<(&str, Option<i64>)> = listed
        .iter()
        .map(|k| (k.name.as_str(), k.revoked_at))
        .collect();
    assert_eq!(
        revoked,
        [
            ("Deployer", None),
            ("billing", Some(T0 + 10)),
            ("dashboard", None)
        ],
        "revoked keys stay listed"
    );
    let missing = store.revoke_api_key("nobody", T0).await.unwrap_err();
    assert!(
        matches!(missing, StoreError::ApiKeyNotFound(ref name) if name == "nobody"),
        "{missing:?}"
    );
}

async fn a_healthy_store_answers_commits_and_migrates_again_without_change(backend: Backend) {
    let test = fresh_store(&backend).await;
    test.create_endpoints(&[endpoint("ep_a", &["*"])]).await;
    let (event_id, _) = test.dispatch(event("order.created", T0)).await;
    let store = &test.store;

    store.ping().await.unwrap();
    store.probe_write().await.unwrap();
    assert_eq!(store.write_failure(), None);
    store.check_database_file().unwrap();
    store.migrate().await.expect("migrating twice is harmless");
    assert!(
        store.get_event(&event_id).await.unwrap().is_some(),
        "data survives"
    );
}

/// Statements that make every insert into `events` and `store_probes`
/// fail, as a full disk would; and those that undo them.
fn refuse_writes_sql(backend: &Backend) -> (Vec<&'static str>, Vec<&'static str>) {
    match backend {
        Backend::Sqlite => (
            vec![
                "CREATE TRIGGER refuse_events BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'disk full (test)'); END",
                "CREATE TRIGGER refuse_probes BEFORE INSERT ON store_probes BEGIN SELECT RAISE(ABORT, 'disk full (test)'); END",
            ],
            vec!["DROP TRIGGER refuse_events", "DROP TRIGGER refuse_probes"],
        ),
        Backend::Postgres(_) => (
            vec![
                "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk full (test)'; END $$",
                "CREATE TRIGGER refuse_events BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION refuse()",
                "CREATE TRIGGER refuse_probes BEFORE INSERT ON store_probes FOR EACH ROW EXECUTE FUNCTION refuse()",
            ],
            vec![
                "DROP TRIGGER refuse_events ON events",
                "DROP TRIGGER refuse_probes ON store_probes",
            ],
        ),
    }
}

async fn failing_writes_are_reported_until_a_probe_commits(backend: Backend) {
    let test = fresh_store(&backend).await;
    let store = &test.store;
    test.create_endpoints(&[endpoint("ep_a", &["*"])]).await;
    test.dispatch_one("order.created", T0).await;
    let claimed = test.claim_one("lease-1", T0).await;
    let (refuse, allow) = refuse_writes_sql(&backend);
    for statement in refuse {
        common::sql(&test.url, statement).await;
    }

    let refused = store
        .dispatch(event("order.created", T0), Routing::Subscribed)
        .await;
    assert!(
        matches!(refused, Err(StoreError::Unavailable(_))),
        "{refused:?}"
    );
    let failure = store.write_failure().expect("the failed batch is reported");
    assert!(failure.contains("disk full (test)"), "{failure}");
    // A small attempt result still fits; it says nothing about room for
    // events, so the failure stays reported.
    test.record(attempt(&claimed, T0 + 5, DeliveryTransition::Succeeded))
        .await;
    assert_eq!(
        store.write_failure().as_deref(),
        Some(failure.as_str()),
        "an attempt result alone does not end the failure"
    );
    assert!(
        store.probe_write().await.is_err(),
        "the probe fails as writes do"
    );
    store.ping().await.expect("reads still work");

    for statement in allow {
        common::sql(&test.url, statement).await;
    }
    store.probe_write().await.expect("writes commit again");
    assert_eq!(store.write_failure(), None);
    test.dispatch(event("order.created", T0)).await;
}

/// SQLite: a database file deleted or replaced while open is noticed, and
/// new events are refused from then on. PostgreSQL has no file to lose.
async fn a_lost_database_file_refuses_new_events(backend: Backend) {
    for replace in [false, true] {
        let test = fresh_store(&backend).await;
        let Some(path) = webhookd::store::sqlite_file(&test.url) else {
            assert!(matches!(backend, Backend::Postgres(_)));
            test.store.check_database_file().unwrap();
            return;
        };
        std::fs::remove_file(&path).unwrap();
        if replace {
            std::fs::write(&path, b"").unwrap();
        }

        let error = test.store.check_database_file().unwrap_err();

        let problem = if replace {
            "was replaced"
        } else {
            "was deleted"
        };
        let StoreError::Unavailable(reason) = &error else {
            panic!("unexpected {error:?}");
        };
        assert!(reason.contains(problem), "{reason}");
        assert_eq!(test.store.write_failure().as_deref(), Some(reason.as_str()));
        let refused = test
            .store
            .dispatch(event("order.created", T0), Routing::Subscribed)
            .await;
        assert!(
            matches!(refused, Err(StoreError::Unavailable(_))),
            "{refused:?}"
        );
    }
}

/// A backlog that fills a fresh PostgreSQL table within seconds gets
/// current planner statistics at the next refresh, instead of autovacuum's
/// next round; SQLite plans without gathered statistics and has nothing to
/// refresh.
async fn statistics_of_a_table_that_filled_quickly_are_refreshed(backend: Backend) {
    let test = fresh_store(&backend).await;
    if !matches!(backend, Backend::Sqlite) {
        // Autovacuum's own ANALYZE may come first and leave nothing stale;
        // the test is about webhookd's.
        common::sql(
            &test.url,
            "ALTER TABLE deliveries SET (autovacuum_enabled = false)",
        )
        .await;
    }
    let endpoints: Vec<_> = (0..10)
        .map(|n| endpoint(&format!("ep_{n}"), &["*"]))
        .collect();
    test.create_endpoints(&endpoints).await;
    // 11,000 deliveries: more than the 10,000 rows from which a table that
    // grew is analysed; 1,100 events are not.
    for chunk in 0..11 {
        let dispatches = (0..100).map(|n| {
            test.store.dispatch(
                event("order.created", T0 + chunk * 100 + n),
                Routing::Subscribed,
            )
        });
        for outcome in futures::future::join_all(dispatches).await {
            outcome.unwrap();
        }
    }

    if matches!(backend, Backend::Sqlite) {
        assert!(test.store.refresh_statistics().await.unwrap().is_empty());
        return;
    }
    let analysed = "SELECT count(*) FROM pg_stat_user_tables \
                    WHERE relname = 'deliveries' AND last_analyze IS NOT NULL";
    assert_eq!(common::sql(&test.url, analysed).await, Some(0));
    // The server counts rows a little after they commit: up to 10 s after,
    // when a connection goes idle.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let refreshed = test.store.refresh_statistics().await.unwrap();
        if refreshed.contains(&"deliveries") {
            assert!(!refreshed.contains(&"events"), "{refreshed:?}");
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "deliveries were never found stale"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(common::sql(&test.url, analysed).await, Some(1));
    // Fresh statistics are left alone until the table doubles again.
    let again = test.store.refresh_statistics().await.unwrap();
    assert!(!again.contains(&"deliveries"), "{again:?}");
}

/// SQLite: a checkpoint copies the whole write-ahead log, so the next
/// commit starts the log over instead of growing it toward the threshold
/// where a commit would copy it itself. PostgreSQL checkpoints on its own.
async fn a_checkpointed_log_starts_over(backend: Backend) {
    let test = fresh_store(&backend).await;
    test.create_endpoints(&[endpoint("ep_a", &["*"])]).await;
    for offset in 0..100 {
        test.dispatch(event("order.created", T0 + offset)).await;
    }
    let frames = test.store.checkpoint_log().await.unwrap();
    if matches!(backend, Backend::Postgres(_)) {
        assert_eq!(frames, 0);
        return;
    }
    // Each dispatch commits on its own here, writing a few pages.
    assert!(
        frames >= 100,
        "the log held {frames} frames after 100 commits"
    );

    test.dispatch(event("order.created", T0 + 100)).await;
    let after_one = test.store.checkpoint_log().await.unwrap();
    assert!(
        after_one < 20,
        "one commit after a checkpoint left {after_one} frames in the log, which did not start over"
    );
}

crate::backend_tests!(
    a_checkpointed_log_starts_over,
    statistics_of_a_table_that_filled_quickly_are_refreshed,
    api_keys_are_created_listed_by_name_and_revoked_once,
    a_healthy_store_answers_commits_and_migrates_again_without_change,
    failing_writes_are_reported_until_a_probe_commits,
    a_lost_database_file_refuses_new_events,
);
