//! API keys on the gRPC listener: which permission each method needs, and
//! a tower layer that checks the caller's key before any handler runs.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use tonic::codegen::http;

use crate::config::ReflectionAccess;
use crate::domain::Permission;
use crate::service::ApiKeys;

/// The permission a gRPC method path needs; `None`: open to anyone.
pub fn grpc_permission(path: &str, reflection: ReflectionAccess) -> Option<Permission> {
    if path.starts_with("/grpc.health.v1.Health/") {
        return None;
    }
    if path.starts_with("/grpc.reflection.") {
        return match reflection {
            ReflectionAccess::Open | ReflectionAccess::Off => None,
            ReflectionAccess::Authenticated => Some(Permission::Read),
        };
    }
    let method = path.rsplit('/').next().unwrap_or_default();
    Some(match method {
        "Dispatch" => Permission::Dispatch,
        "ListEventTypes" => Permission::AnyRole,
        "GetEvent" | "ListEvents" | "ListDeliveries" | "ListDeadLetters" | "StreamDeliveries"
        | "GetMetrics" | "GetEndpoint" | "ListEndpoints" => Permission::Read,
        _ => Permission::Admin,
    })
}

/// A tower layer that checks API keys on every gRPC call.
#[derive(Clone)]
pub struct GrpcAuthLayer {
    pub keys: Arc<ApiKeys>,
    pub reflection: ReflectionAccess,
}

impl<S> tower::Layer<S> for GrpcAuthLayer {
    type Service = GrpcAuth<S>;

    fn layer(&self, inner: S) -> Self::Service {
        GrpcAuth {
            inner,
            keys: Arc::clone(&self.keys),
            reflection: self.reflection,
        }
    }
}

#[derive(Clone)]
pub struct GrpcAuth<S> {
    inner: S,
    keys: Arc<ApiKeys>,
    reflection: ReflectionAccess,
}

impl<S, B> tower::Service<http::Request<B>> for GrpcAuth<S>
where
    S: tower::Service<http::Request<B>, Response = http::Response<tonic::body::Body>> + Send,
    S::Future: Send + 'static,
{
    type Response = http::Response<tonic::body::Body>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let needed = grpc_permission(request.uri().path(), self.reflection);
        let authorization = request
            .headers()
            .get(http::header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok());
        match self.keys.check(authorization, needed) {
            Ok(()) => Box::pin(self.inner.call(request)),
            Err(error) => {
                let status: tonic::Status = error.into();
                Box::pin(async move { Ok(status.into_http()) })
            }
        }
    }
}
