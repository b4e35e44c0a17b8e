//! The gRPC and HTTP servers, each on its own admission-controlled listener.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use anyhow::{Context, Result};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tonic_health::ServingStatus;
use tonic_health::server::HealthReporter;

use super::tasks::spawn_named;
use crate::api::auth::GrpcAuthLayer;
use crate::api::grpc::WebhookApi;
use crate::api::proto;
use crate::api::proto::webhook_service_server::WebhookServiceServer;
use crate::config::{ConfigError, ReflectionAccess};
use crate::http::{self, HttpState};
use crate::limits;
use crate::listener::{self, Admission, CallTrackingLayer, Incoming};
use crate::service::Services;
use crate::tls::ListenerTls;

/// Room in a gRPC message beyond the payload itself.
const GRPC_MESSAGE_OVERHEAD: usize = 64 * 1024;

/// The name health checks use for the webhook service.
pub const SERVICE_NAME: &str =
    <WebhookServiceServer<WebhookApi> as tonic::server::NamedService>::NAME;

pub struct GrpcServer<'a> {
    pub services: Services,
    /// Serve the WebhookService (`server.roles` has `api`).
    pub serves_api: bool,
    pub reflection: ReflectionAccess,
    pub tls: Option<&'a ListenerTls>,
    pub incoming: TcpListener,
    pub admission: Arc<Admission>,
    pub idle_timeout: Duration,
    /// Ends open StreamDeliveries calls.
    pub stop_streams: CancellationToken,
    /// Stops accepting and lets open calls finish.
    pub stop: CancellationToken,
}

/// What health checks answer: overall, and for the webhook service where
/// this instance serves it.
#[derive(Clone)]
pub struct Health {
    reporter: HealthReporter,
    serves_api: bool,
}

impl Health {
    pub async fn set(&self, status: ServingStatus) {
        self.reporter.set_service_status("", status).await;
        if self.serves_api {
            self.reporter.set_service_status(SERVICE_NAME, status).await;
        }
    }

    pub async fn set_not_serving(&self) {
        self.set(ServingStatus::NotServing).await;
    }
}

/// Starts serving the API (in the `api` role), health checks and
/// reflection; returns the handle that sets what health checks answer.
pub async fn spawn_grpc(server: GrpcServer<'_>) -> Result<(Health, JoinHandle<Result<()>>)> {
    let (reporter, health_service) = tonic_health::server::health_reporter();
    let health = Health {
        reporter,
        serves_api: server.serves_api,
    };
    health.set(ServingStatus::Serving).await;
    // grpcurl and other tools speak either reflection version.
    let reflection = || {
        tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(proto::FILE_DESCRIPTOR_SET)
            .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
            // So grpcurl can show the ErrorInfo and BadRequest details.
            .register_encoded_file_descriptor_set(tonic_types::pb::FILE_DESCRIPTOR_SET)
    };
    let reflection_on = server.reflection != ReflectionAccess::Off;
    let reflection_v1 = reflection_on
        .then(|| reflection().build_v1())
        .transpose()
        .context("failed to build gRPC reflection")?;
    let reflection_v1alpha = reflection_on
        .then(|| reflection().build_v1alpha())
        .transpose()
        .context("failed to build gRPC reflection")?;
    // Up to the hard cap, an oversized Dispatch is read and answered with
    // PAYLOAD_TOO_LARGE; a payload limit above the cap raises the cap.
    let message_limit = (server.services.max_payload_bytes.saturating_mul(4)
        + GRPC_MESSAGE_OVERHEAD)
        .max(limits::MAX_GRPC_MESSAGE_BYTES);
    let api_keys = Arc::clone(&server.services.api_keys);
    let api = server.serves_api.then(|| {
        WebhookServiceServer::new(WebhookApi {
            services: server.services,
            shutdown: server.stop_streams,
        })
        .max_decoding_message_size(message_limit)
    });

    let mut builder = tonic::transport::Server::builder();
    if let Some(tls) = server.tls {
        builder = builder
            .tls_config(tls.grpc())
            .context("failed to set up TLS for the gRPC listener")?;
    }
    // Live clients answer keepalive pings, so they never idle out.
    let keepalive = server.idle_timeout / 3;
    let serving = builder
        .max_concurrent_streams(Some(limits::MAX_CONCURRENT_STREAMS_PER_CONNECTION))
        .http2_max_header_list_size(Some(limits::MAX_HEADER_LIST_BYTES))
        .http2_keepalive_interval(Some(keepalive))
        .http2_keepalive_timeout(Some(keepalive.min(Duration::from_secs(20))))
        .trace_fn(|request| tracing::info_span!("grpc", method = %request.uri().path()))
        .layer(CallTrackingLayer)
        .layer(GrpcAuthLayer {
            keys: api_keys,
            reflection: server.reflection,
        })
        .add_service(health_service)
        .add_optional_service(reflection_v1)
        .add_optional_service(reflection_v1alpha)
        .add_optional_service(api)
        .serve_with_incoming_shutdown(
            Incoming::new(server.incoming, server.admission),
            server.stop.cancelled_owned(),
        );
    let task = spawn_named("grpc server", async move {
        serving.await.context("gRPC server failed")
    });
    Ok((health, task))
}

pub struct HttpServer<'a> {
    pub services: Services,
    /// What `/readyz` answers.
    pub ready: Arc<AtomicBool>,
    pub tls: Option<&'a ListenerTls>,
    pub incoming: TcpListener,
    pub admission: Arc<Admission>,
    pub stop: CancellationToken,
}

/// Starts serving probes, the JSON API, metrics and the dashboard.
pub fn spawn_http(server: HttpServer<'_>) -> Result<JoinHandle<Result<()>>> {
    let router = http::router(HttpState {
        ready: server.ready,
        services: server.services,
    });
    let tls = server
        .tls
        .map(|tls| tls.rustls_config(&[b"http/1.1"]))
        .transpose()
        .map_err(ConfigError::from)?;
    let incoming = Incoming::new(server.incoming, Arc::clone(&server.admission));
    let admission = server.admission;
    let stop = server.stop;
    Ok(spawn_named("http server", async move {
        listener::http::serve(incoming, admission, tls, router, stop).await;
        Ok(())
    }))
}
