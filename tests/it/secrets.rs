//! Endpoint secrets encrypted at rest (`security.secret_keys`): sealed in
//! the database, resealed at start when a key is rotated in, and a start
//! refused when a key that sealed them is missing.

use std::time::Duration;

use tonic::Code;
use webhookd::api::proto::{
    CreateEndpointRequest, GetEndpointRequest, RotateEndpointSecretRequest,
};
use webhookd::{App, Config};

use crate::common::settings::SecretKey;
use crate::common::{
    Backend, Receiver, TestApp, TestEndpoint, TestSettings, assert_signed, spawn_app, sql,
};

const API_SECRET: &str = "an-api-secret-of-at-least-24-chars";
const CONFIG_SECRET: &str = "a-config-secret-of-24-characters";

/// Endpoints whose secret or previous secret is stored otherwise than
/// sealed under key `id`.
async fn not_sealed_with(app: &TestApp, id: &str) -> i64 {
    let sealed = format!("wenc1:{id}:%");
    sql(
        &app.database_url,
        &format!(
            "SELECT COUNT(*) FROM endpoints WHERE (secret IS NOT NULL AND secret NOT LIKE '{sealed}') \
             OR (previous_secret IS NOT NULL AND previous_secret NOT LIKE '{sealed}')"
        ),
    )
    .await
    .unwrap()
}

/// Why the app does not start with `settings` on `app`'s database.
async fn start_error(app: &TestApp, settings: &TestSettings) -> String {
    let config = Config::load(
        Some(&settings.to_yaml(&app.database_url)),
        Vec::new(),
        &Default::default(),
    )
    .unwrap();
    match App::build(config).await {
        Ok(_) => panic!("the app started"),
        Err(e) => format!("{e:#}"),
    }
}

async fn secrets_are_sealed_at_rest_and_keys_rotate(backend: Backend) {
    let mut receiver = Receiver::start(200).await;
    let mut from_file = TestEndpoint::new("ep_file", receiver.url(), &["file.*"]);
    from_file.secret = Some(CONFIG_SECRET.to_owned());
    let plain = TestSettings::with_endpoints(vec![from_file]);
    let mut app = spawn_app(&backend, plain.clone()).await;
    app.client
        .clone()
        .create_endpoint(CreateEndpointRequest {
            id: "ep_api".to_owned(),
            url: receiver.url(),
            event_types: vec!["api.*".to_owned()],
            secret: API_SECRET.to_owned(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(not_sealed_with(&app, "k1").await, 2, "stored as given");
    app.stop().await.unwrap();

    // Keys configured: the stored secrets are sealed at start.
    let k1 = TestSettings {
        secret_keys: vec![SecretKey::of("k1", 1)],
        ..plain.clone()
    };
    let mut app = app.restart_with(k1.clone()).await;
    assert_eq!(not_sealed_with(&app, "k1").await, 0, "sealed under k1");
    let leaked = sql(
        &app.database_url,
        &format!(
            "SELECT COUNT(*) FROM endpoints WHERE secret LIKE '%{API_SECRET}%' OR secret LIKE '%{CONFIG_SECRET}%'"
        ),
    )
    .await;
    assert_eq!(leaked, Some(0), "no secret in the clear");
    let read = app
        .client
        .clone()
        .get_endpoint(GetEndpointRequest {
            id: "ep_api".to_owned(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(read.secret_hint, &API_SECRET[API_SECRET.len() - 4..]);
    app.dispatch("api.event", "{}").await;
    assert_signed(
        &receiver.next_request(Duration::from_secs(10)).await,
        API_SECRET,
    );
    app.dispatch("file.event", "{}").await;
    assert_signed(
        &receiver.next_request(Duration::from_secs(10)).await,
        CONFIG_SECRET,
    );
    let rotated = app
        .client
        .clone()
        .rotate_endpoint_secret(RotateEndpointSecretRequest {
            id: "ep_api".to_owned(),
            grace_period_seconds: 3600,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(not_sealed_with(&app, "k1").await, 0, "both secrets sealed");
    app.stop().await.unwrap();

    // A new key first, the old one after: everything is resealed under it.
    let k2_then_k1 = TestSettings {
        secret_keys: vec![SecretKey::of("k2", 2), SecretKey::of("k1", 1)],
        ..plain.clone()
    };
    let mut app = app.restart_with(k2_then_k1).await;
    assert_eq!(not_sealed_with(&app, "k2").await, 0, "resealed under k2");
    app.stop().await.unwrap();

    // The old key is no longer needed; a missing key refuses the start.
    let only_k1 = start_error(&app, &k1).await;
    assert!(
        only_k1.contains("key `k2`") && only_k1.contains("security.secret_keys"),
        "{only_k1}"
    );
    let none = start_error(&app, &plain).await;
    assert!(none.contains("security.secret_keys is empty"), "{none}");
    let k2 = TestSettings {
        secret_keys: vec![SecretKey::of("k2", 2)],
        ..plain
    };
    let app = app.restart_with(k2).await;
    app.dispatch("api.event", "{}").await;
    let request = receiver.next_request(Duration::from_secs(10)).await;
    assert_signed(&request, rotated.new_secret.as_str());
    assert_signed(&request, API_SECRET);

    // A plain secret may not pass for a sealed one.
    let refused = app
        .client
        .clone()
        .create_endpoint(CreateEndpointRequest {
            id: "ep_sly".to_owned(),
            url: receiver.url(),
            event_types: vec!["api.*".to_owned()],
            secret: "wenc1:k2:looks-sealed-but-is-not".to_owned(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Code::InvalidArgument, "{refused:?}");
    assert!(refused.message().contains("secret"), "{refused:?}");
}

crate::backend_tests!(secrets_are_sealed_at_rest_and_keys_rotate);
