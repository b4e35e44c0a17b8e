//! API keys and roles on gRPC and HTTP; health stays open.

use tonic::Code;
use tonic::metadata::MetadataValue;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_client::HealthClient;
use webhookd::api::proto::webhook_service_client::WebhookServiceClient;
use webhookd::api::proto::{
    CreateEndpointRequest, GetMetricsRequest, ListEventsRequest, ReplayRequest,
    StreamDeliveriesRequest,
};

use crate::common::{Backend, TestSettings, dispatch_request, spawn_app};

const DISPATCH_KEY: &str = "dispatch-key-0123456789";
const READ_KEY: &str = "read-key-0123456789abc";
const ADMIN_KEY: &str = "admin-key-0123456789ab";

fn keyed_settings() -> TestSettings {
    TestSettings {
        security_yaml: format!(
            "  api_keys:\n    - name: billing\n      key: {DISPATCH_KEY}\n      role: dispatch\n    - name: dashboards\n      key: {READ_KEY}\n      role: read\n    - name: ops\n      key_sha256: \"{}\"\n      role: admin\n",
            hex::encode(sha2::Sha256::digest(ADMIN_KEY.as_bytes()))
        ),
        ..TestSettings::default()
    }
}

use sha2::Digest;

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
            Some(DISPATCH_KEY) => call == "Dispatch",
            Some(READ_KEY) => matches!(call, "GetMetrics" | "ListEvents" | "StreamDeliveries"),
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

crate::backend_tests!(every_call_needs_a_key_with_the_right_role);
