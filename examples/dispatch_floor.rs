//! The cost floor of webhookd's delivery path: what the gRPC server, the
//! signing and the outbound HTTP client cost per event when nothing is
//! stored. It answers `Dispatch` like webhookd and POSTs each event, signed,
//! to every endpoint of the config with webhookd's own delivery client; it
//! keeps nothing, retries nothing and answers no other RPC. It is not a
//! webhook service: it only measures how much of webhookd's CPU per
//! delivery the store and the scheduler could ever give back.
//!
//! `webhookd-bench` runs it like webhookd (`serve --config FILE`); it reads
//! the file with webhookd's own loader:
//!
//! ```text
//! cargo build --release --example dispatch_floor
//! webhookd-bench --webhookd target/release/examples/dispatch_floor --rate 1000 --events 20000
//! ```
//!
//! It runs as many runtime threads as webhookd would with the same config.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::task::{Context, Poll};

use anyhow::{Context as _, Result, bail};
use bytes::Bytes;
use secrecy::SecretString;
use tokio::sync::Semaphore;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::TcpListenerStream;
use tonic::codegen::{BoxFuture, Service, http};
use tonic::server::{Grpc, NamedService, UnaryService};
use tonic::{Request, Response, Status};

use webhookd::api::codec::ApiCodec;
use webhookd::api::proto::{DispatchRequest, DispatchResponse, dispatch_request};
use webhookd::clock::now_millis;
use webhookd::config::{CliOverrides, Config};
use webhookd::delivery::http_client::{DeliveryClient, ReceiverTls};
use webhookd::delivery::worker::{SignedRequest, signed_headers};
use webhookd::domain::SignatureScheme;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// An endpoint with its own limit on attempts in flight, as webhookd has.
struct Endpoint {
    url: String,
    secret: SecretString,
    scheme: SignatureScheme,
    slots: Arc<Semaphore>,
}

struct Floor {
    endpoints: Vec<Endpoint>,
    client: DeliveryClient,
}

impl Floor {
    fn dispatch(self: &Arc<Self>, request: DispatchRequest) -> Result<DispatchResponse, Status> {
        let payload = match request.body {
            Some(dispatch_request::Body::PayloadJson(json)) => Bytes::from(json),
            _ => {
                return Err(Status::invalid_argument(
                    "the floor takes payload_json only",
                ));
            }
        };
        let event_id = uuid::Uuid::now_v7().to_string();
        for index in 0..self.endpoints.len() {
            let floor = Arc::clone(self);
            let payload = payload.clone();
            let event_id = event_id.clone();
            let event_type = request.event_type.clone();
            tokio::spawn(
                async move { floor.deliver(index, &event_id, &event_type, payload).await },
            );
        }
        Ok(DispatchResponse {
            event_id,
            ..Default::default()
        })
    }

    async fn deliver(&self, index: usize, event_id: &str, event_type: &str, payload: Bytes) {
        let endpoint = &self.endpoints[index];
        let Ok(_slot) = endpoint.slots.acquire().await else {
            return;
        };
        let headers = signed_headers(
            &SignedRequest {
                event_id,
                event_type,
                attempt: 1,
                secret: &endpoint.secret,
                previous_secret: None,
                scheme: endpoint.scheme,
                body: &payload,
            },
            now_millis(),
        );
        let result = self.client.post(&endpoint.url, headers, payload).await;
        // A failed attempt is neither retried nor stored; the bench's ledger
        // reports the event as missing.
        drop(result);
    }
}

/// `Dispatch` alone, routed like the generated server routes it.
#[derive(Clone)]
struct FloorService(Arc<Floor>);

impl NamedService for FloorService {
    const NAME: &'static str = webhookd::api::proto::webhook_service_server::SERVICE_NAME;
}

struct DispatchCall(Arc<Floor>);

impl UnaryService<DispatchRequest> for DispatchCall {
    type Response = DispatchResponse;
    type Future = BoxFuture<Response<DispatchResponse>, Status>;

    fn call(&mut self, request: Request<DispatchRequest>) -> Self::Future {
        let floor = Arc::clone(&self.0);
        Box::pin(async move { floor.dispatch(request.into_inner()).map(Response::new) })
    }
}

impl Service<http::Request<tonic::body::Body>> for FloorService {
    type Response = http::Response<tonic::body::Body>;
    type Error = Infallible;
    type Future = BoxFuture<Self::Response, Self::Error>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<tonic::body::Body>) -> Self::Future {
        let floor = Arc::clone(&self.0);
        Box::pin(async move {
            if !request.uri().path().ends_with("/Dispatch") {
                return Ok(Status::unimplemented("the floor answers Dispatch only").into_http());
            }
            let mut grpc = Grpc::new(ApiCodec::<DispatchResponse, DispatchRequest>::default());
            Ok(grpc.unary(DispatchCall(floor), request).await)
        })
    }
}

fn config_path() -> Result<String> {
    let mut args = std::env::args().skip_while(|arg| arg != "--config");
    args.next();
    args.next()
        .context("usage: dispatch_floor serve --config FILE")
}

fn main() -> Result<()> {
    let config = Config::load_file(Some(&config_path()?), &CliOverrides::default())?;
    if config.endpoints.is_empty() {
        bail!("the config has no endpoints");
    }
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let threads = config
        .server
        .runtime_threads(config.database.is_sqlite(), cores);
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .enable_all()
        .build()?
        .block_on(serve(config))
}

async fn serve(config: Config) -> Result<()> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let engine = &config.webhook_engine;
    let client = DeliveryClient::new(
        engine.request_timeout,
        engine.response_excerpt_bytes,
        Arc::new(config.network_policy()),
        ReceiverTls::default(),
    )?;
    let endpoints = config
        .endpoints
        .iter()
        .map(|endpoint| Endpoint {
            url: endpoint.url.clone(),
            secret: endpoint
                .secret
                .clone()
                .unwrap_or_else(|| engine.signing_secret.clone()),
            scheme: endpoint.signature_scheme,
            slots: Arc::new(Semaphore::new(
                endpoint
                    .max_concurrent
                    .map_or(engine.max_concurrent_per_endpoint, |limit| limit as usize),
            )),
        })
        .collect();
    let floor = Arc::new(Floor { endpoints, client });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr: SocketAddr = listener.local_addr()?;
    // The line webhookd-bench waits for, in webhookd's JSON log format.
    eprintln!(r#"{{"message":"webhookd listening","grpc_addr":"{addr}"}}"#);
    tonic::transport::Server::builder()
        .add_service(FloorService(floor))
        .serve_with_incoming(TcpListenerStream::new(listener).map(|stream| {
            // As webhookd's listener does: small gRPC answers go out at once.
            let stream = stream?;
            stream.set_nodelay(true)?;
            Ok::<_, std::io::Error>(stream)
        }))
        .await?;
    Ok(())
}
