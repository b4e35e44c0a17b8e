//! Serves an axum router over HTTP/1.1 (optionally TLS) on admitted
//! connections, with hyper's header-read timeout, and drains open
//! connections at shutdown.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper::body::Incoming as IncomingBody;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;
use tower::Service;
use tracing::debug;

use super::{Admission, Incoming};

/// How long open connections get to finish their requests at shutdown.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

/// Serves `router` on the connections `incoming` admits until `shutdown`,
/// then lets open requests finish (at most `DRAIN_TIMEOUT`).
pub async fn serve(
    mut incoming: Incoming,
    admission: Arc<Admission>,
    tls: Option<Arc<rustls::ServerConfig>>,
    router: Router,
    shutdown: CancellationToken,
) {
    let limits = admission.limits();
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .keep_alive(true);
    let acceptor = tls.map(TlsAcceptor::from);
    let graceful = GracefulShutdown::new();
    loop {
        let stream = tokio::select! {
            _ = shutdown.cancelled() => break,
            stream = incoming.next_admitted() => stream,
        };
        let conn = Arc::clone(stream.conn());
        let router = router.clone();
        // Each request marks its connection busy until its response is ready.
        let service = tower::service_fn(move |request: axum::http::Request<IncomingBody>| {
            let guard = conn.begin_call();
            let mut router = router.clone();
            async move {
                // A Router is always ready, so `call` needs no `poll_ready`.
                let response = router.call(request).await;
                drop(guard);
                response
            }
        });
        let service = TowerToHyperService::new(service);
        let builder = builder.clone();
        let watcher = graceful.watcher();
        match &acceptor {
            None => {
                let connection = builder.serve_connection(TokioIo::new(stream), service);
                tokio::spawn(async move {
                    if let Err(e) = watcher.watch(connection).await {
                        debug!(error.message = %e, "HTTP connection ended with an error");
                    }
                });
            }
            Some(acceptor) => {
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    // The read deadline of the tracked stream bounds the
                    // handshake too.
                    let tls = match acceptor.accept(stream).await {
                        Ok(tls) => tls,
                        Err(e) => {
                            debug!(error.message = %e, "TLS handshake failed");
                            return;
                        }
                    };
                    let connection = builder.serve_connection(TokioIo::new(tls), service);
                    if let Err(e) = watcher.watch(connection).await {
                        debug!(error.message = %e, "HTTPS connection ended with an error");
                    }
                });
            }
        }
    }
    drop(incoming);
    if tokio::time::timeout(DRAIN_TIMEOUT, graceful.shutdown())
        .await
        .is_err()
    {
        debug!("HTTP connections still open after the drain timeout: closing them");
    }
}
