//! The API surface: argument errors, storage failures, health, reflection
//! and the HTTP probes.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tonic::Code;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;
use tonic_reflection::pb::v1::ServerReflectionRequest;
use tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
use tonic_reflection::pb::v1::server_reflection_request::MessageRequest;
use tonic_reflection::pb::v1::server_reflection_response::MessageResponse;
use tonic_types::StatusExt;
use webhookd::api::proto::{CreateEndpointRequest, DispatchRequest, dispatch_request::Body};

use crate::common::{
    Backend, Receiver, TestEndpoint, TestSettings, consistently, dispatch_request, spawn_app, sql,
};

async fn count_rows(database_url: &str, table: &str) -> i64 {
    sql(database_url, &format!("SELECT COUNT(*) FROM {table}"))
        .await
        .expect("COUNT returns a row")
}

async fn bad_requests_get_an_actionable_error_and_store_nothing(backend: Backend) {
    let mut receiver = Receiver::start(200).await;
    let app = spawn_app(
        &backend,
        TestSettings {
            max_payload_bytes: 1024,
            ..TestSettings::with_endpoints(vec![TestEndpoint::new("ep_1", receiver.url(), &["*"])])
        },
    )
    .await;

    let cases: Vec<(&str, DispatchRequest, Code, &str, Option<&str>)> = vec![
        (
            "invalid event type",
            dispatch_request("Order Created", "{}"),
            Code::InvalidArgument,
            "invalid event type",
            Some("event_type"),
        ),
        (
            "no payload",
            DispatchRequest {
                event_type: "order.created".to_owned(),
                ..Default::default()
            },
            Code::InvalidArgument,
            "a payload is required",
            Some("payload"),
        ),
        (
            "payload is not an object",
            dispatch_request("order.created", "[1, 2]"),
            Code::InvalidArgument,
            "must be a JSON object",
            Some("payload_json"),
        ),
        (
            "payload is not JSON",
            dispatch_request("order.created", "{\"a\": "),
            Code::InvalidArgument,
            "not valid JSON",
            Some("payload_json"),
        ),
        (
            "payload over the limit",
            dispatch_request(
                "order.created",
                &format!("{{\"a\":\"{}\"}}", "x".repeat(2000)),
            ),
            Code::ResourceExhausted,
            "over the limit of 1024 bytes",
            Some("payload_json"),
        ),
        (
            "unknown endpoint",
            DispatchRequest {
                endpoint_ids: vec!["ep_1".to_owned(), "ep_missing".to_owned()],
                ..dispatch_request("order.created", "{}")
            },
            Code::NotFound,
            "endpoint `ep_missing` does not exist",
            None,
        ),
        (
            "struct payload with a non-finite number",
            DispatchRequest {
                event_type: "order.created".to_owned(),
                body: Some(Body::Payload(prost_types::Struct {
                    fields: [(
                        "x".to_owned(),
                        prost_types::Value {
                            kind: Some(prost_types::value::Kind::NumberValue(f64::INFINITY)),
                        },
                    )]
                    .into_iter()
                    .collect(),
                })),
                ..Default::default()
            },
            Code::InvalidArgument,
            "payload.x",
            Some("payload"),
        ),
    ];
    for (case, request, code, message, field) in cases {
        let status = app.try_dispatch(request).await.expect_err(case);
        assert_eq!(status.code(), code, "case `{case}`: {status:?}");
        assert!(
            status.message().contains(message),
            "case `{case}`: message {:?}",
            status.message()
        );
        if let Some(field) = field {
            let details = status.get_error_details();
            let violations = &details
                .bad_request()
                .expect("field violations are attached")
                .field_violations;
            assert_eq!(violations[0].field, field, "case `{case}`");
        }
    }
    assert_eq!(
        count_rows(&app.database_url, "events").await,
        0,
        "nothing stored"
    );
    assert_eq!(
        count_rows(&app.database_url, "deliveries").await,
        0,
        "nothing stored"
    );
    receiver.expect_silence(Duration::from_millis(200)).await;
}

async fn a_storage_failure_is_unavailable_never_ok(backend: Backend) {
    let app = spawn_app(&backend, TestSettings::default()).await;
    app.dispatch("order.created", "{}").await;

    // Break the store for real: the events table disappears.
    sql(
        &app.database_url,
        "ALTER TABLE events RENAME TO events_gone",
    )
    .await;

    let status = app
        .try_dispatch(dispatch_request("order.created", "{}"))
        .await
        .expect_err("a dispatch that cannot be stored must fail");
    assert_eq!(status.code(), Code::Unavailable);
    assert!(
        status.message().contains("nothing was stored"),
        "{status:?}"
    );
}

async fn health_reports_serving_for_the_server_and_the_service(backend: Backend) {
    let app = spawn_app(&backend, TestSettings::default()).await;
    let mut health = HealthClient::new(app.channel.clone());
    for service in ["", "webhook.v1.WebhookService"] {
        let response = health
            .check(HealthCheckRequest {
                service: service.to_owned(),
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(
            response.status(),
            ServingStatus::Serving,
            "service {service:?}"
        );
    }
    let unknown = health
        .check(HealthCheckRequest {
            service: "no.such.Service".to_owned(),
        })
        .await
        .unwrap_err();
    assert_eq!(unknown.code(), Code::NotFound);
}

async fn reflection_lists_and_describes_the_services(backend: Backend) {
    let app = spawn_app(&backend, TestSettings::default()).await;
    let mut reflection = ServerReflectionClient::new(app.channel.clone());
    let requests = [
        MessageRequest::ListServices(String::new()),
        MessageRequest::FileContainingSymbol("webhook.v1.DispatchRequest".to_owned()),
    ]
    .map(|message| ServerReflectionRequest {
        host: String::new(),
        message_request: Some(message),
    });
    let mut responses = reflection
        .server_reflection_info(tokio_stream::iter(requests))
        .await
        .unwrap()
        .into_inner();

    let list = responses
        .message()
        .await
        .unwrap()
        .unwrap()
        .message_response
        .unwrap();
    let MessageResponse::ListServicesResponse(list) = list else {
        panic!("expected a service list, got {list:?}");
    };
    let names: Vec<_> = list.service.iter().map(|s| s.name.as_str()).collect();
    for expected in ["webhook.v1.WebhookService", "grpc.health.v1.Health"] {
        assert!(
            names.contains(&expected),
            "{expected} missing from {names:?}"
        );
    }

    let file = responses
        .message()
        .await
        .unwrap()
        .unwrap()
        .message_response
        .unwrap();
    let MessageResponse::FileDescriptorResponse(file) = file else {
        panic!("expected file descriptors, got {file:?}");
    };
    assert!(!file.file_descriptor_proto.is_empty());
}

async fn http_probes_report_liveness_and_readiness(backend: Backend) {
    let app = spawn_app(&backend, TestSettings::default()).await;
    let client = reqwest::Client::new();
    for path in ["/healthz", "/readyz"] {
        let status = || async {
            client
                .get(format!("{}{path}", app.http_base))
                .send()
                .await
                .unwrap()
                .status()
        };
        // Readiness follows a database ping: on a loaded machine, allow it a
        // moment to settle.
        crate::common::eventually(Duration::from_secs(10), || async { status().await == 200 })
            .await
            .unwrap_or_else(|_| panic!("{path} is not 200"));
    }
}

crate::backend_tests!(
    private_targets_are_refused_and_never_dialled,
    bad_requests_get_an_actionable_error_and_store_nothing,
    a_storage_failure_is_unavailable_never_ok,
    health_reports_serving_for_the_server_and_the_service,
    reflection_lists_and_describes_the_services,
    http_probes_report_liveness_and_readiness,
);

/// Counts TCP connections to a listener that never answers.
fn connection_counter() -> (std::net::SocketAddr, Arc<AtomicUsize>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&count);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            counted.fetch_add(1, Ordering::SeqCst);
            drop(stream);
        }
    });
    (addr, count)
}

async fn private_targets_are_refused_and_never_dialled(backend: Backend) {
    let (addr, connections) = connection_counter();
    let allowed = spawn_app(&backend, TestSettings::default()).await;
    let mut client = allowed.client.clone();
    // Created while loopback is allowed...
    client
        .create_endpoint(CreateEndpointRequest {
            id: "ep_loop".to_owned(),
            url: format!("http://{addr}/hook"),
            event_types: vec!["*".to_owned()],
            ..Default::default()
        })
        .await
        .unwrap();
    let mut allowed = allowed;
    allowed.stop().await.unwrap();

    // ...then the exception is gone: creation is refused, delivery blocked.
    let strict = allowed
        .restart_with(TestSettings {
            allowed_networks: Vec::new(),
            max_attempts: 1,
            ..TestSettings::default()
        })
        .await;
    let mut client = strict.client.clone();
    for url in [
        "http://127.0.0.1:9/x",
        "http://[::1]/x",
        "http://2130706433/x",
        "http://localhost/x",
        "http://169.254.169.254/",
    ] {
        let status = client
            .create_endpoint(CreateEndpointRequest {
                id: "ep_new".to_owned(),
                url: url.to_owned(),
                event_types: vec!["*".to_owned()],
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert_eq!(status.code(), Code::InvalidArgument, "{url}");
        assert!(
            status.message().contains("security.allowed_networks"),
            "{url}: {status:?}"
        );
    }
    let event = strict.dispatch("order.created", "{}").await;
    let delivery = event.delivery_ids[0].clone();
    strict
        .wait_for_state(
            &event.event_id,
            &delivery,
            webhookd::domain::DeliveryState::Dead,
            Duration::from_secs(10),
        )
        .await;
    let attempts = strict.attempts(&delivery).await;
    assert_eq!(
        attempts[0].error_kind,
        Some(webhookd::domain::ErrorKind::Blocked)
    );
    assert!(
        attempts[0]
            .error_message
            .as_deref()
            .unwrap()
            .contains("forbidden")
    );
    // Dead without a connection, and nothing dials it afterwards either.
    consistently(Duration::from_millis(200), || async {
        connections.load(Ordering::SeqCst) == 0
    })
    .await
    .expect("a blocked target never sees a connection");
}
