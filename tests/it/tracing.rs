//! Trace propagation: a producer's `traceparent` travels into every
//! delivery request as a child span, and with `telemetry.otlp_enabled` the
//! Dispatch and attempt spans are exported over OTLP/gRPC to a real
//! collector endpoint, in the producer's trace.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{
    TraceService, TraceServiceServer,
};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use opentelemetry_proto::tonic::trace::v1::Span;
use tonic::{Request, Response, Status};

use crate::common::daemon::{Daemon, write_config};
use crate::common::{
    Backend, Receiver, TestEndpoint, TestSettings, dispatch_request, eventually, spawn_app,
};

const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT_ID: &str = "00f067aa0ba902b7";

fn traced_dispatch(payload: &str) -> tonic::Request<webhookd::api::proto::DispatchRequest> {
    let mut request = tonic::Request::new(dispatch_request("order.created", payload));
    request.metadata_mut().insert(
        "traceparent",
        format!("00-{TRACE_ID}-{PARENT_ID}-01").parse().unwrap(),
    );
    request
        .metadata_mut()
        .insert("tracestate", "vendor=opaque-1".parse().unwrap());
    request
}

/// (trace id, span id, flags) of a `traceparent` header.
fn parts(traceparent: &str) -> (String, String, String) {
    let fields: Vec<&str> = traceparent.split('-').collect();
    assert_eq!((fields.len(), fields[0]), (4, "00"), "{traceparent}");
    (
        fields[1].to_owned(),
        fields[2].to_owned(),
        fields[3].to_owned(),
    )
}

async fn a_producers_trace_reaches_every_attempt(backend: Backend) {
    let mut receiver = Receiver::start(500).await;
    receiver.script([crate::common::Reply::Status(500)]);
    receiver.set_default(crate::common::Reply::Status(200));
    let app = spawn_app(
        &backend,
        TestSettings::with_endpoints(vec![TestEndpoint::new("ep_1", receiver.url(), &["*"])]),
    )
    .await;
    app.client
        .clone()
        .dispatch(traced_dispatch("{}"))
        .await
        .unwrap();
    let first = receiver.next_request(Duration::from_secs(10)).await;
    let retry = receiver.next_request(Duration::from_secs(10)).await;
    let mut span_ids = Vec::new();
    for request in [&first, &retry] {
        let (trace_id, span_id, flags) = parts(request.header("traceparent"));
        assert_eq!((trace_id.as_str(), flags.as_str()), (TRACE_ID, "01"));
        assert_eq!(span_id.len(), 16);
        assert_ne!(span_id, PARENT_ID, "each attempt is a span of its own");
        assert_eq!(request.header("tracestate"), "vendor=opaque-1");
        span_ids.push(span_id);
    }
    assert_ne!(span_ids[0], span_ids[1], "a retry is another span");

    // No trace context, or an invalid one: nothing is made up.
    app.dispatch("order.created", "{}").await;
    let mut invalid = tonic::Request::new(dispatch_request("order.created", "{}"));
    invalid
        .metadata_mut()
        .insert("traceparent", "00-not-a-trace-01".parse().unwrap());
    app.client.clone().dispatch(invalid).await.unwrap();
    for _ in 0..2 {
        let request = receiver.next_request(Duration::from_secs(10)).await;
        assert!(request.headers.get("traceparent").is_none());
    }
}

/// An OTLP/gRPC trace collector on loopback that keeps what it receives.
#[derive(Clone, Default)]
struct Collector {
    spans: Arc<Mutex<Vec<Span>>>,
}

#[tonic::async_trait]
impl TraceService for Collector {
    async fn export(
        &self,
        request: Request<ExportTraceServiceRequest>,
    ) -> Result<Response<ExportTraceServiceResponse>, Status> {
        let mut spans = self.spans.lock().unwrap();
        for resource in request.into_inner().resource_spans {
            for scope in resource.scope_spans {
                spans.extend(scope.spans);
            }
        }
        Ok(Response::new(ExportTraceServiceResponse {
            partial_success: None,
        }))
    }
}

async fn start_collector() -> (Collector, SocketAddr) {
    let collector = Collector::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let service = TraceServiceServer::new(collector.clone());
    tokio::spawn(async move {
        tonic::transport::Server::builder()
            .add_service(service)
            .serve_with_incoming(tokio_stream::wrappers::TcpListenerStream::new(listener))
            .await
            .unwrap();
    });
    (collector, addr)
}

async fn spans_are_exported_over_otlp_in_the_producers_trace(backend: Backend) {
    let (collector, collector_addr) = start_collector().await;
    let mut receiver = Receiver::start(200).await;
    let dir = tempfile::tempdir().unwrap();
    let database_url = backend.fresh_database_url(dir.path()).await;
    let config = write_config(
        dir.path(),
        &TestSettings {
            otlp_endpoint: Some(format!("http://{collector_addr}")),
            ..TestSettings::with_endpoints(vec![TestEndpoint::new("ep_1", receiver.url(), &["*"])])
        },
        &database_url,
    );
    let daemon = Daemon::start(&config);
    daemon
        .client()
        .await
        .dispatch(traced_dispatch("{}"))
        .await
        .unwrap();
    let request = receiver.next_request(Duration::from_secs(10)).await;
    let (_, attempt_span, _) = parts(request.header("traceparent"));
    // A graceful stop flushes the spans not yet exported.
    assert!(daemon.sigterm_and_wait().success());
    let exported = eventually(Duration::from_secs(10), || async {
        let spans = collector.spans.lock().unwrap();
        spans.iter().any(|s| s.name == "delivery_attempt")
            && spans.iter().any(|s| s.name == "dispatch")
    })
    .await;
    let spans = collector.spans.lock().unwrap().clone();
    assert!(exported.is_ok(), "spans received: {spans:?}");
    let hex = hex::encode;
    let dispatch = spans.iter().find(|s| s.name == "dispatch").unwrap();
    assert_eq!(hex(&dispatch.trace_id), TRACE_ID);
    assert_eq!(hex(&dispatch.parent_span_id), PARENT_ID);
    let attempt = spans.iter().find(|s| s.name == "delivery_attempt").unwrap();
    assert_eq!(hex(&attempt.trace_id), TRACE_ID);
    assert_eq!(hex(&attempt.parent_span_id), PARENT_ID);
    assert_eq!(
        hex(&attempt.span_id),
        attempt_span,
        "the receiver's parent is the exported attempt span"
    );
}

crate::backend_tests!(
    a_producers_trace_reaches_every_attempt,
    spans_are_exported_over_otlp_in_the_producers_trace,
);
