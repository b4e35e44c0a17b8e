//! The cost floor of webhookd's delivery path: what the gRPC server, the
//! signing and the outbound HTTP client cost per event when nothing is
//! stored. It answers `Dispatch` like webhookd and POSTs each event, signed,
//! to every endpoint of the config with webhookd's own delivery client; it
//! keeps nothing, retries nothing and answers no other RPC. It is not a
//! webhook service: it only measures how much of webhookd's CPU per
//! delivery the store and the scheduler could ever give back.
//!
//! `webhookd-bench` runs it like webhookd (`serve --config FILE`):
//!
//! ```text
//! cargo build --release --example dispatch_floor
//! webhookd-bench --webhookd target/release/examples/dispatch_floor --rate 1000 --events 20000
//! ```
//!
//! It runs as many runtime threads as webhookd does on SQLite (one fewer
//! than the cores), or `WEBHOOKD_FLOOR_THREADS`.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use anyhow::{Context as _, Result, bail};
use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderValue};
use serde::Deserialize;
use tokio::sync::Semaphore;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::TcpListenerStream;
use tonic::codegen::{BoxFuture, Service, http};
use tonic::server::{Grpc, NamedService, UnaryService};
use tonic::{Request, Response, Status};

use webhookd::api::codec::ApiCodec;
use webhookd::api::proto::{DispatchRequest, DispatchResponse, dispatch_request};
use webhookd::delivery::http_client::{DeliveryClient, ReceiverTls};
use webhookd::domain::network::NetworkPolicy;
use webhookd::signing;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The part of webhookd's config file the floor reads.
#[derive(Deserialize)]
struct FloorConfig {
    webhook_engine: Engine,
    endpoints: Vec<EndpointConfig>,
}

#[derive(Deserialize)]
struct Engine {
    max_concurrent_per_endpoint: usize,
}

#[derive(Deserialize)]
struct EndpointConfig {
    url: String,
    secret: String,
}

/// An endpoint with its own limit on attempts in flight, as webhookd has.
struct Endpoint {
    url: String,
    secret: Vec<u8>,
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
        let timestamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        let mut headers = HeaderMap::new();
        let mut put = |name: &'static str, value: String| {
            if let Ok(value) = HeaderValue::try_from(value) {
                headers.insert(name, value);
            }
        };
        put(signing::HEADER_ID, event_id.to_owned());
        put(signing::HEADER_TIMESTAMP, timestamp.to_string());
        put(
            signing::HEADER_SIGNATURE,
            signing::sign(&endpoint.secret, timestamp, &payload),
        );
        put("x-webhook-event-type", event_type.to_owned());
        put("x-webhook-attempt", "1".to_owned());
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
    let config: FloorConfig = serde_norway::from_str(&std::fs::read_to_string(config_path()?)?)?;
    if config.endpoints.is_empty() {
        bail!("the config has no endpoints");
    }
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let threads = match std::env::var("WEBHOOKD_FLOOR_THREADS") {
        Ok(threads) => threads.parse()?,
        Err(_) => cores.saturating_sub(1).max(1),
    };
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .enable_all()
        .build()?
        .block_on(serve(config))
}

async fn serve(config: FloorConfig) -> Result<()> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let policy = Arc::new(NetworkPolicy::new(vec!["127.0.0.0/8".parse()?]));
    let client = DeliveryClient::new(
        Duration::from_secs(30),
        1024,
        policy,
        ReceiverTls::default(),
    )?;
    let per_endpoint = config.webhook_engine.max_concurrent_per_endpoint;
    let endpoints = config
        .endpoints
        .into_iter()
        .map(|endpoint| Endpoint {
            url: endpoint.url,
            secret: endpoint.secret.into_bytes(),
            slots: Arc::new(Semaphore::new(per_endpoint)),
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
