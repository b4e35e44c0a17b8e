//! Connection admission for both listeners: a cap on open connections, a
//! deadline for a first request, an idle timeout, and eviction of idle
//! connections when the cap is reached, so a flood of connections that send
//! nothing (or half a header) can neither exhaust file descriptors nor lock
//! out real clients.
//!
//! Every accepted socket is wrapped in a [`TrackedStream`]. It times out its
//! own reads: a connection that has not completed a request within
//! `header_read_timeout` of being accepted, or that has had nothing to read
//! for `idle_timeout` with no call in progress, fails its next read and is
//! closed by the server. At the cap, a new connection evicts the one that
//! has given the least: first connections that never completed a request
//! (oldest first), then idle ones (longest idle first). Connections with a
//! call in progress are never evicted; if every connection is busy, the new
//! one is refused.

pub mod http;

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures::Stream;
use futures::task::AtomicWaker;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Sleep;
use tonic::transport::server::{Connected, TcpConnectInfo};
use tracing::{debug, warn};

/// Pause after a failed `accept` (out of file descriptors, say) before the
/// next, so the accept loop does not spin.
const ACCEPT_ERROR_BACKOFF: Duration = Duration::from_millis(50);
/// At most one "connection limit reached" warning per this interval.
const REFUSAL_LOG_INTERVAL: Duration = Duration::from_secs(10);

/// The limits of one listener.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// Most connections open at once.
    pub max_connections: usize,
    /// Time from accept to the first complete request (TLS handshake and
    /// HTTP/2 preface included).
    pub header_read_timeout: Duration,
    /// Time without anything to read, with no call in progress.
    pub idle_timeout: Duration,
}

/// One listener's table of open connections.
pub struct Admission {
    name: &'static str,
    limits: ConnectionLimits,
    epoch: Instant,
    next_id: AtomicU64,
    /// Guarded by a std mutex: held only to look up or change entries,
    /// never across `.await`.
    open: Mutex<HashMap<u64, Arc<ConnState>>>,
    last_refusal_log: Mutex<Option<Instant>>,
}

/// What the admission table knows of one connection.
pub struct ConnState {
    id: u64,
    accepted_ms: u64,
    last_read_ms: AtomicU64,
    /// A request has arrived complete at least once.
    served: AtomicBool,
    /// Calls in progress, response bodies (streams) included.
    in_flight: AtomicUsize,
    /// Set when timed out or evicted: the next read or write fails.
    closed: AtomicBool,
    /// Wakes the connection's task so that it notices `closed`.
    waker: AtomicWaker,
}

impl ConnState {
    /// Marks a call as started; the call ends when the guard drops.
    pub fn begin_call(self: &Arc<Self>) -> CallGuard {
        self.served.store(true, Ordering::Release);
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        CallGuard(Arc::clone(self))
    }

    fn close(&self) {
        self.closed.store(true, Ordering::Release);
        self.waker.wake();
    }
}

/// A call in progress on a connection; keeps it from idling out or being
/// evicted.
pub struct CallGuard(Arc<ConnState>);

impl Drop for CallGuard {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Admission {
    pub fn new(name: &'static str, limits: ConnectionLimits) -> Arc<Admission> {
        Arc::new(Admission {
            name,
            limits,
            epoch: Instant::now(),
            next_id: AtomicU64::new(0),
            open: Mutex::new(HashMap::new()),
            last_refusal_log: Mutex::new(None),
        })
    }

    pub fn limits(&self) -> ConnectionLimits {
        self.limits
    }

    /// Connections open now (evicted ones included until they close).
    pub fn open_connections(&self) -> usize {
        self.open
            .lock()
            .expect("admission lock is never poisoned")
            .len()
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn instant_of(&self, ms: u64) -> Instant {
        self.epoch + Duration::from_millis(ms)
    }

    /// Wraps an accepted socket, making room by eviction if the listener is
    /// full; `None` when every open connection is busy.
    pub fn admit<S>(self: &Arc<Self>, stream: S) -> Option<TrackedStream<S>> {
        let now = self.now_ms();
        let mut open = self.open.lock().expect("admission lock is never poisoned");
        let live = open
            .values()
            .filter(|conn| !conn.closed.load(Ordering::Acquire))
            .count();
        if live >= self.limits.max_connections {
            // Least valuable first: never served, oldest; then idle, longest idle.
            let victim = open
                .values()
                .filter(|conn| !conn.closed.load(Ordering::Acquire))
                .min_by_key(|conn| {
                    let served = conn.served.load(Ordering::Acquire);
                    let busy = conn.in_flight.load(Ordering::Acquire) > 0;
                    let since = if served {
                        conn.last_read_ms.load(Ordering::Acquire)
                    } else {
                        conn.accepted_ms
                    };
                    (served, busy, since)
                });
            match victim {
                Some(conn) if conn.in_flight.load(Ordering::Acquire) == 0 => {
                    debug!(
                        listener = self.name,
                        "connection limit reached: closing the least active connection"
                    );
                    conn.close();
                }
                _ => {
                    drop(open);
                    self.log_refusal();
                    return None;
                }
            }
        }
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let conn = Arc::new(ConnState {
            id,
            accepted_ms: now,
            last_read_ms: AtomicU64::new(now),
            served: AtomicBool::new(false),
            in_flight: AtomicUsize::new(0),
            closed: AtomicBool::new(false),
            waker: AtomicWaker::new(),
        });
        open.insert(id, Arc::clone(&conn));
        Some(TrackedStream {
            inner: stream,
            conn,
            admission: Arc::clone(self),
            timer: Box::pin(tokio::time::sleep(Duration::ZERO)),
        })
    }

    fn log_refusal(&self) {
        let mut last = self
            .last_refusal_log
            .lock()
            .expect("admission lock is never poisoned");
        if last.is_none_or(|at| at.elapsed() >= REFUSAL_LOG_INTERVAL) {
            *last = Some(Instant::now());
            warn!(
                listener = self.name,
                max_connections = self.limits.max_connections,
                "connection limit reached and every connection is busy: refusing new connections"
            );
        }
    }

    /// When `conn` times out while it waits for the peer; `None`: never.
    fn read_deadline(&self, conn: &ConnState) -> Option<Instant> {
        if conn.in_flight.load(Ordering::Acquire) > 0 {
            // HTTP/2 keepalive pings find dead peers of long calls.
            return None;
        }
        Some(if conn.served.load(Ordering::Acquire) {
            self.instant_of(conn.last_read_ms.load(Ordering::Acquire)) + self.limits.idle_timeout
        } else {
            self.instant_of(conn.accepted_ms) + self.limits.header_read_timeout
        })
    }

    fn remove(&self, id: u64) {
        self.open
            .lock()
            .expect("admission lock is never poisoned")
            .remove(&id);
    }
}

/// An accepted connection under admission control.
pub struct TrackedStream<S> {
    inner: S,
    conn: Arc<ConnState>,
    admission: Arc<Admission>,
    /// Fires at the read deadline, to wake a read that waits for the peer.
    timer: Pin<Box<Sleep>>,
}

impl<S> TrackedStream<S> {
    pub fn conn(&self) -> &Arc<ConnState> {
        &self.conn
    }

    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    fn closed_error() -> io::Error {
        io::Error::new(
            io::ErrorKind::TimedOut,
            "connection closed: no request in time, idle, or evicted at the connection limit",
        )
    }
}

impl<S> Drop for TrackedStream<S> {
    fn drop(&mut self) {
        self.admission.remove(self.conn.id);
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for TrackedStream<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.conn.closed.load(Ordering::Acquire) {
            return Poll::Ready(Err(Self::closed_error()));
        }
        self.conn.waker.register(cx.waker());
        let filled_before = buf.filled().len();
        if let Poll::Ready(result) = Pin::new(&mut self.inner).poll_read(cx, buf) {
            if buf.filled().len() > filled_before {
                let now = self.admission.now_ms();
                self.conn.last_read_ms.store(now, Ordering::Release);
            }
            return Poll::Ready(result);
        }
        // Waiting for the peer: hold it to the deadline.
        let Some(deadline) = self.admission.read_deadline(&self.conn) else {
            return Poll::Pending;
        };
        if deadline <= Instant::now() {
            self.conn.closed.store(true, Ordering::Release);
            return Poll::Ready(Err(Self::closed_error()));
        }
        self.timer.as_mut().reset(deadline.into());
        // Registers the wake-up; the deadline is checked again then.
        let _ = self.timer.as_mut().poll(cx);
        Poll::Pending
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for TrackedStream<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.conn.closed.load(Ordering::Acquire) {
            return Poll::Ready(Err(Self::closed_error()));
        }
        Pin::new(&mut self.inner).poll_write(cx, data)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        if self.conn.closed.load(Ordering::Acquire) {
            return Poll::Ready(Err(Self::closed_error()));
        }
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

/// What a gRPC call learns of its connection (tonic puts it in the
/// request's extensions).
#[derive(Clone)]
pub struct TrackedConnectInfo {
    pub tcp: TcpConnectInfo,
    conn: Arc<ConnState>,
}

impl Connected for TrackedStream<TcpStream> {
    type ConnectInfo = TrackedConnectInfo;

    fn connect_info(&self) -> Self::ConnectInfo {
        TrackedConnectInfo {
            tcp: self.inner.connect_info(),
            conn: Arc::clone(&self.conn),
        }
    }
}

/// The accepted connections of a listener, admitted, as a stream for
/// tonic's `serve_with_incoming`.
pub struct Incoming {
    listener: TcpListener,
    admission: Arc<Admission>,
    backoff: Option<Pin<Box<Sleep>>>,
}

impl Incoming {
    pub fn new(listener: TcpListener, admission: Arc<Admission>) -> Self {
        Incoming {
            listener,
            admission,
            backoff: None,
        }
    }

    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Accepts the next connection that is admitted.
    pub fn poll_admitted(&mut self, cx: &mut Context<'_>) -> Poll<TrackedStream<TcpStream>> {
        loop {
            if let Some(backoff) = &mut self.backoff {
                if backoff.as_mut().poll(cx).is_pending() {
                    return Poll::Pending;
                }
                self.backoff = None;
            }
            match self.listener.poll_accept(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Ok((stream, _peer))) => {
                    // Small responses go out at once, not after a delayed ACK.
                    let _ = stream.set_nodelay(true);
                    if let Some(tracked) = self.admission.admit(stream) {
                        return Poll::Ready(tracked);
                    }
                }
                Poll::Ready(Err(e)) => {
                    debug!(listener = self.admission.name, error.message = %e, "accept failed");
                    self.backoff = Some(Box::pin(tokio::time::sleep(ACCEPT_ERROR_BACKOFF)));
                }
            }
        }
    }

    pub async fn next_admitted(&mut self) -> TrackedStream<TcpStream> {
        std::future::poll_fn(|cx| self.poll_admitted(cx)).await
    }
}

impl Stream for Incoming {
    type Item = io::Result<TrackedStream<TcpStream>>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.poll_admitted(cx).map(|stream| Some(Ok(stream)))
    }
}

/// A tower layer for the gRPC server that marks each call on its
/// connection, from the request until the response body (a stream, for
/// StreamDeliveries) ends.
#[derive(Clone, Default)]
pub struct CallTrackingLayer;

impl<S> tower::Layer<S> for CallTrackingLayer {
    type Service = CallTracking<S>;

    fn layer(&self, inner: S) -> Self::Service {
        CallTracking { inner }
    }
}

#[derive(Clone)]
pub struct CallTracking<S> {
    inner: S,
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl<S, B> tower::Service<axum::http::Request<B>> for CallTracking<S>
where
    S: tower::Service<axum::http::Request<B>, Response = axum::http::Response<tonic::body::Body>>
        + Send,
    S::Future: Send + 'static,
{
    type Response = axum::http::Response<tonic::body::Body>;
    type Error = S::Error;
    type Future = BoxFuture<Result<Self::Response, Self::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: axum::http::Request<B>) -> Self::Future {
        let extensions = request.extensions();
        let conn = extensions
            .get::<TrackedConnectInfo>()
            .or_else(|| {
                extensions
                    .get::<tonic::transport::server::TlsConnectInfo<TrackedConnectInfo>>()
                    .map(|tls| tls.get_ref())
            })
            .map(|info| Arc::clone(&info.conn));
        let guard = conn.map(|conn| conn.begin_call());
        let response = self.inner.call(request);
        Box::pin(async move {
            let response = response.await?;
            Ok(response.map(|body| {
                tonic::body::Body::new(GuardedBody {
                    inner: body,
                    _guard: guard,
                })
            }))
        })
    }
}

/// A response body that keeps its call marked in progress until it ends.
struct GuardedBody<B> {
    inner: B,
    _guard: Option<CallGuard>,
}

impl<B> http_body::Body for GuardedBody<B>
where
    B: http_body::Body<Data = Bytes> + Unpin,
{
    type Data = Bytes;
    type Error = B::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

/// Raises the soft limit on open files to the hard limit, so the
/// connection caps and not the descriptor table bound what is served;
/// returns the limit now in force.
pub fn raise_open_file_limit() -> u64 {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => limit,
        Err(e) => {
            warn!(error.message = %e, "cannot raise the open file limit");
            rlimit::getrlimit(rlimit::Resource::NOFILE)
                .map(|(soft, _)| soft)
                .unwrap_or(1024)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(max: usize) -> ConnectionLimits {
        ConnectionLimits {
            max_connections: max,
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
        }
    }

    #[tokio::test]
    async fn at_the_cap_the_oldest_unserved_connection_makes_room() {
        let admission = Admission::new("test", limits(2));
        let first = admission.admit(()).unwrap();
        let second = admission.admit(()).unwrap();
        let _call = second.conn().begin_call();
        let third = admission.admit(()).expect("room is made");
        assert!(
            first.conn.closed.load(Ordering::Acquire),
            "never served: evicted"
        );
        assert!(!second.conn.closed.load(Ordering::Acquire), "busy: kept");
        assert!(!third.conn.closed.load(Ordering::Acquire));
        drop(first);
        assert_eq!(admission.open_connections(), 2);
    }

    #[tokio::test]
    async fn when_every_connection_is_busy_a_new_one_is_refused() {
        let admission = Admission::new("test", limits(1));
        let only = admission.admit(()).unwrap();
        let _call = only.conn().begin_call();
        assert!(admission.admit(()).is_none());
        assert!(!only.conn.closed.load(Ordering::Acquire));
    }

    #[tokio::test]
    async fn served_idle_connections_go_before_busy_ones_longest_idle_first() {
        let admission = Admission::new("test", limits(2));
        let idle = admission.admit(()).unwrap();
        drop(idle.conn().begin_call());
        let busy = admission.admit(()).unwrap();
        let _call = busy.conn().begin_call();
        let _new = admission.admit(()).expect("the idle one makes room");
        assert!(idle.conn.closed.load(Ordering::Acquire));
        assert!(!busy.conn.closed.load(Ordering::Acquire));
    }
}
