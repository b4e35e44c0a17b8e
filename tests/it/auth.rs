//! API keys and roles on gRPC and HTTP; health stays open.

use sha2::Digest;
use tonic::Code;
use tonic::metadata::MetadataValue;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_client::HealthClient;
use webhookd::api::proto::webhook_service_client::WebhookServiceClient;
use webhookd::api::proto::{
    ApiKeyRole, CreateApiKeyRequest, CreateEndpointRequest, GetMetricsRequest, ListApiKeysRequest,
    ListEventTypesRequest, ListEventsRequest, ReplayRequest, RevokeApiKeyRequest,
    StreamDeliveriesRequest,
};
use webhookd::domain::Role;

use crate::common::settings::ApiKey;
use crate::common::{Backend, TestSettings, dispatch_request, spawn_app};

const DISPATCH_KEY: &str = "dispatch-key-0123456789";
const READ_KEY: &str = "read-key-0123456789abc";
const ADMIN_KEY: &str = "admin-key-0123456789ab";

fn keyed_settings() -> TestSettings {
    TestSettings {
        api_keys: vec![
            ApiKey::plain("billing", Role::Dispatch, DISPATCH_KEY),
            ApiKey::plain("dashboards", Role::Read, READ_KEY),
            ApiKey::sha256_of("ops", Role::Admin, ADMIN_KEY),
        ],
        ..TestSettings::default()
    }
}

/// The code each call gets with `key` (`None`: no header).
async fn codes(app: &crate::common::TestApp, key: Option<&str>) -> Vec<(&'static str, Code)> {
    let header = key.map(|k| MetadataValue::try_from(format!("Bearer {k}")).unwrap());
    let mut client = WebhookServiceClient::with_interceptor(
        app.channel.clone(),
        move |mut request: tonic::Request<()>| {
            if let Some(header) = &header {
                request
                    .metadata_mut()
                    .insert("authorization", header.clone());
            }
            Ok(request)
        },
    );
    let code = |result: Result<(), tonic::Status>| result.map_or_else(|s| s.code(), |()| Code::Ok);
    vec![
        (
            "Dispatch",
            code(
                client
                    .dispatch(dispatch_request("order.created", "{}"))
                    .await
                    .map(drop),
            ),
        ),
        (
            "GetMetrics",
            code(
                client
                    .get_metrics(GetMetricsRequest::default())
                    .await
                    .map(drop),
            ),
        ),
        (
            "ListEventTypes",
            code(
                client
                    .list_event_types(ListEventTypesRequest {})
                    .await
                    .map(drop),
            ),
        ),
        (
            "ListEvents",
            code(
                client
                    .list_events(ListEventsRequest::default())
                    .await
                    .map(drop),
            ),
        ),
        (
            "StreamDeliveries",
            code(
                client
                    .stream_deliveries(StreamDeliveriesRequest::default())
                    .await
                    .map(drop),
            ),
        ),
        (
            "CreateEndpoint",
            code(
                client
                    .create_endpoint(CreateEndpointRequest {
                        url: "https://example.com/hook".to_owned(),
                        event_types: vec!["*".to_owned()],
                        ..Default::default()
                    })
                    .await
                    .map(drop),
            ),
        ),
        (
            "Replay",
            code(
                client
                    .replay(ReplayRequest {
                        event_id: "evt_none".to_owned(),
                        ..Default::default()
                    })
                    .await
                    .map(drop),
            ),
        ),
    ]
}

async fn every_call_needs_a_key_with_the_right_role(backend: Backend) {
    let app = spawn_app(&backend, keyed_settings()).await;
    let expect = |key: Option<&str>| -> Vec<(&'static str, Code)> {
        let allowed = |call: &str| match key {
            Some(DISPATCH_KEY) => matches!(call, "Dispatch" | "ListEventTypes"),
            Some(READ_KEY) => matches!(
                call,
                "GetMetrics" | "ListEventTypes" | "ListEvents" | "StreamDeliveries"
            ),
            Some(ADMIN_KEY) => true,
            _ => false,
        };
        let denied = match key {
            None | Some("not-a-key-at-all-000000") => Code::Unauthenticated,
            _ => Code::PermissionDenied,
        };
        [
            "Dispatch",
            "GetMetrics",
            "ListEventTypes",
            "ListEvents",
            "StreamDeliveries",
            "CreateEndpoint",
            "Replay",
        ]
        .into_iter()
        .map(|call| {
            let ok = if call == "Replay" {
                Code::NotFound
            } else {
                Code::Ok
            };
            (call, if allowed(call) { ok } else { denied })
        })
        .collect()
    };
    for key in [
        None,
        Some("not-a-key-at-all-000000"),
        Some(DISPATCH_KEY),
        Some(READ_KEY),
        Some(ADMIN_KEY),
    ] {
        assert_eq!(codes(&app, key).await, expect(key), "with key {key:?}");
    }

    // Probes send no credentials.
    let health = HealthClient::new(app.channel.clone())
        .check(HealthCheckRequest::default())
        .await;
    assert!(health.is_ok(), "health stays open");

    let http = reqwest::Client::new();
    let get = |path: &str, key: Option<&str>| {
        let mut request = http.get(format!("{}{path}", app.http_base));
        if let Some(key) = key {
            request = request.header("authorization", format!("Bearer {key}"));
        }
        async move { request.send().await.unwrap().status().as_u16() }
    };
    assert_eq!(get("/api/v1/metrics", None).await, 401);
    assert_eq!(get("/api/v1/metrics", Some(DISPATCH_KEY)).await, 403);
    assert_eq!(get("/api/v1/metrics", Some(READ_KEY)).await, 200);
    assert_eq!(get("/metrics", None).await, 401);
    assert_eq!(get("/healthz", None).await, 200);
    assert_eq!(
        get("/", None).await,
        200,
        "the page loads; its data needs a key"
    );
}

fn client_with_key(app: &crate::common::TestApp, key: &str) -> crate::common::KeyedClient {
    crate::common::keyed_client(app.channel.clone(), key)
}

async fn api_keys_created_over_the_api_work_until_revoked(backend: Backend) {
    let mut app = spawn_app(&backend, keyed_settings()).await;
    let mut admin = client_with_key(&app, ADMIN_KEY);

    // Only admins manage keys.
    let denied = client_with_key(&app, READ_KEY)
        .list_api_keys(ListApiKeysRequest::default())
        .await
        .unwrap_err();
    assert_eq!(denied.code(), Code::PermissionDenied);

    let created = admin
        .create_api_key(CreateApiKeyRequest {
            name: "reporting".to_owned(),
            role: ApiKeyRole::Read as i32,
        })
        .await
        .unwrap()
        .into_inner();
    let key = created.key.clone();
    assert!(key.starts_with("wkd_") && key.len() >= 4 + 64, "{key}");
    let summary = created.api_key.unwrap();
    assert_eq!(
        (
            summary.name.as_str(),
            summary.role(),
            summary.origin.as_str()
        ),
        ("reporting", ApiKeyRole::Read, "api")
    );
    assert_eq!(
        summary.fingerprint,
        hex::encode(sha2::Sha256::digest(key.as_bytes()))[..8]
    );

    let mut reporting = client_with_key(&app, &key);
    reporting
        .list_events(ListEventsRequest::default())
        .await
        .expect("the new key reads");
    assert_eq!(
        reporting
            .dispatch(dispatch_request("order.created", "{}"))
            .await
            .unwrap_err()
            .code(),
        Code::PermissionDenied,
        "a read key does not dispatch"
    );

    let listed = admin
        .list_api_keys(ListApiKeysRequest::default())
        .await
        .unwrap()
        .into_inner()
        .api_keys;
    let names: Vec<(&str, &str)> = listed
        .iter()
        .map(|k| (k.name.as_str(), k.origin.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("billing", "config"),
            ("dashboards", "config"),
            ("ops", "config"),
            ("reporting", "api")
        ]
    );
    assert!(
        listed.iter().all(|k| !k.fingerprint.is_empty()),
        "no key is listed, only fingerprints"
    );

    // Mistakes get precise errors.
    let taken = admin
        .create_api_key(CreateApiKeyRequest {
            name: "ops".to_owned(),
            role: ApiKeyRole::Admin as i32,
        })
        .await
        .unwrap_err();
    assert_eq!(taken.code(), Code::AlreadyExists, "{}", taken.message());
    let no_role = admin
        .create_api_key(CreateApiKeyRequest {
            name: "x".to_owned(),
            role: 0,
        })
        .await
        .unwrap_err();
    assert_eq!(no_role.code(), Code::InvalidArgument);
    let config_key = admin
        .revoke_api_key(RevokeApiKeyRequest {
            name: "billing".to_owned(),
        })
        .await
        .unwrap_err();
    assert_eq!(config_key.code(), Code::FailedPrecondition);
    assert!(config_key.message().contains("security.api_keys"));
    let unknown = admin
        .revoke_api_key(RevokeApiKeyRequest {
            name: "nobody".to_owned(),
        })
        .await
        .unwrap_err();
    assert_eq!(unknown.code(), Code::NotFound);

    let revoked = admin
        .revoke_api_key(RevokeApiKeyRequest {
            name: "reporting".to_owned(),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(revoked.revoked_at.is_some());
    let after = reporting
        .list_events(ListEventsRequest::default())
        .await
        .unwrap_err();
    assert_eq!(after.code(), Code::Unauthenticated, "revoked at once");
    let again = admin
        .revoke_api_key(RevokeApiKeyRequest {
            name: "reporting".to_owned(),
        })
        .await
        .unwrap_err();
    assert_eq!(again.code(), Code::FailedPrecondition);

    // Keys live in the store: a restart keeps them (revoked ones revoked).
    let listed = admin
        .list_api_keys(ListApiKeysRequest {
            include_revoked: true,
        })
        .await
        .unwrap()
        .into_inner()
        .api_keys;
    assert_eq!(listed.len(), 4);
    app.stop().await.unwrap();
    let mut restarted = app.restart().await;
    let mut admin = client_with_key(&restarted, ADMIN_KEY);
    let created = admin
        .create_api_key(CreateApiKeyRequest {
            name: "ingest".to_owned(),
            role: ApiKeyRole::Dispatch as i32,
        })
        .await
        .unwrap()
        .into_inner();
    restarted.stop().await.unwrap();
    let restarted = restarted.restart().await;
    client_with_key(&restarted, &created.key)
        .dispatch(dispatch_request("order.created", "{}"))
        .await
        .expect("a stored key works after a restart");
    assert_eq!(
        client_with_key(&restarted, &key)
            .list_events(ListEventsRequest::default())
            .await
            .unwrap_err()
            .code(),
        Code::Unauthenticated,
        "a revoked key stays revoked"
    );
}

/// Keys created over an API that started without any: the first must be an
/// admin key, the last admin key cannot be revoked, and once keys exist the
/// API never opens again, even with every created key revoked.
async fn authentication_once_on_stays_on(backend: Backend) {
    let mut app = spawn_app(&backend, TestSettings::default()).await;
    let mut open = app.client.clone();
    let create = |name: &str, role: ApiKeyRole| CreateApiKeyRequest {
        name: name.to_owned(),
        role: role as i32,
    };
    let refused = open
        .create_api_key(create("ingest", ApiKeyRole::Dispatch))
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Code::FailedPrecondition);
    assert!(
        refused.message().contains("first API key"),
        "{}",
        refused.message()
    );

    let root = open
        .create_api_key(create("root", ApiKeyRole::Admin))
        .await
        .expect("the first key is an admin key")
        .into_inner()
        .key;
    let mut admin = client_with_key(&app, &root);
    admin
        .create_api_key(create("ingest", ApiKeyRole::Dispatch))
        .await
        .unwrap();
    let last = admin
        .revoke_api_key(RevokeApiKeyRequest {
            name: "root".to_owned(),
        })
        .await
        .unwrap_err();
    assert_eq!(last.code(), Code::FailedPrecondition);
    assert!(
        last.message().contains("last admin key"),
        "{}",
        last.message()
    );
    admin
        .revoke_api_key(RevokeApiKeyRequest {
            name: "ingest".to_owned(),
        })
        .await
        .expect("a dispatch key may go");

    // Every created key revoked behind the API's back (another instance,
    // an operator with psql): the API stays closed, across a restart.
    crate::common::sql(
        &app.database_url,
        "UPDATE api_keys SET revoked_at = 1 WHERE revoked_at IS NULL",
    )
    .await;
    app.stop().await.unwrap();
    let restarted = app.restart().await;
    let anonymous = restarted
        .client
        .clone()
        .dispatch(dispatch_request("order.created", "{}"))
        .await
        .unwrap_err();
    assert_eq!(
        anonymous.code(),
        Code::Unauthenticated,
        "revoking every key does not reopen the API"
    );
}

crate::backend_tests!(
    every_call_needs_a_key_with_the_right_role,
    api_keys_created_over_the_api_work_until_revoked,
    authentication_once_on_stays_on,
);
