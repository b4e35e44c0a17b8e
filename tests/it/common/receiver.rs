//! A real HTTP receiver on a loopback port: records every request and answers
//! with a status that the test scripts and can change at runtime.

use std::collections::{HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Version};
use axum::routing::post;
use tokio::sync::mpsc;

/// One request as the receiver saw it.
#[derive(Debug, Clone)]
pub struct Received {
    /// The HTTP version the request came in.
    pub version: Version,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub at: Instant,
    /// When it was answered (`at` for one never answered).
    pub answered_at: Instant,
    /// The status the receiver answered with (0 if it never answered).
    pub status: u16,
}

impl Received {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("request has no {name} header"))
    }
}

/// What the receiver does with the next request.
#[derive(Debug, Clone, Copy)]
pub enum Reply {
    Status(u16),
    /// Answer 302 with this `Location`.
    Redirect(&'static str),
    /// Answer this status with `Retry-After: <seconds>`.
    RetryAfter(u16, u64),
    /// Never answer (the connection stays open).
    Hang,
}

/// Mutable behaviour, shared with the handler. A std mutex: never held across
/// an await.
struct Behaviour {
    /// Replies used first, one per request.
    script: VecDeque<Reply>,
    /// The reply once the script is used up.
    default: Reply,
    /// Pause before answering.
    delay: Duration,
    /// Event ids answered with 2xx.
    succeeded: HashSet<String>,
    success_count: usize,
    total_requests: usize,
    /// Requests being answered now, and the most at once since the last
    /// `reset_peaks`: all of them, and retries (`X-Webhook-Attempt` > 1).
    in_flight: Concurrent,
    retries_in_flight: Concurrent,
}

#[derive(Debug, Default, Clone, Copy)]
struct Concurrent {
    now: usize,
    peak: usize,
}

impl Concurrent {
    fn enter(&mut self) {
        self.now += 1;
        self.peak = self.peak.max(self.now);
    }

    fn leave(&mut self) {
        self.now -= 1;
    }
}

#[derive(Clone)]
struct Shared {
    behaviour: Arc<Mutex<Behaviour>>,
    requests: mpsc::UnboundedSender<Received>,
}

pub struct Receiver {
    pub addr: SocketAddr,
    /// `https` when started with a TLS config.
    scheme: &'static str,
    behaviour: Arc<Mutex<Behaviour>>,
    requests: mpsc::UnboundedReceiver<Received>,
    task: tokio::task::JoinHandle<()>,
}

impl Receiver {
    /// Starts a receiver that answers `status` to everything.
    pub async fn start(status: u16) -> Receiver {
        Self::start_with(Reply::Status(status)).await
    }

    pub async fn start_with(default: Reply) -> Receiver {
        Self::start_serving(default, None).await
    }

    /// An HTTPS receiver answering `status`, with `tls`'s certificate.
    pub async fn start_https(status: u16, tls: Arc<rustls::ServerConfig>) -> Receiver {
        Self::start_serving(Reply::Status(status), Some(tls)).await
    }

    async fn start_serving(default: Reply, tls: Option<Arc<rustls::ServerConfig>>) -> Receiver {
        let behaviour = Arc::new(Mutex::new(Behaviour {
            script: VecDeque::new(),
            default,
            delay: Duration::ZERO,
            succeeded: HashSet::new(),
            success_count: 0,
            total_requests: 0,
            in_flight: Concurrent::default(),
            retries_in_flight: Concurrent::default(),
        }));
        let (sender, requests) = mpsc::unbounded_channel();
        let shared = Shared {
            behaviour: Arc::clone(&behaviour),
            requests: sender,
        };
        let app = Router::new()
            .route("/{*path}", post(handle))
            .route("/", post(handle))
            .with_state(shared);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let scheme = if tls.is_some() { "https" } else { "http" };
        let task = tokio::spawn(async move {
            match tls {
                Some(tls) => {
                    axum::serve(webhookd::tls::TlsListener::new(listener, tls).unwrap(), app)
                        .await
                        .unwrap()
                }
                None => axum::serve(listener, app).await.unwrap(),
            }
        });
        Receiver {
            addr,
            scheme,
            behaviour,
            requests,
            task,
        }
    }

    pub fn url(&self) -> String {
        format!("{}://{}/webhooks", self.scheme, self.addr)
    }

    /// Answers these replies first, in order.
    pub fn script(&self, replies: impl IntoIterator<Item = Reply>) {
        self.behaviour.lock().unwrap().script.extend(replies);
    }

    pub fn set_default(&self, reply: Reply) {
        self.behaviour.lock().unwrap().default = reply;
    }

    pub fn set_delay(&self, delay: Duration) {
        self.behaviour.lock().unwrap().delay = delay;
    }

    /// Distinct event ids answered with 2xx so far.
    pub fn succeeded_event_ids(&self) -> HashSet<String> {
        self.behaviour.lock().unwrap().succeeded.clone()
    }

    /// Requests received so far, answered or not.
    pub fn total_requests(&self) -> usize {
        self.behaviour.lock().unwrap().total_requests
    }

    /// The most requests answered at once since the last `reset_peaks`.
    pub fn peak_in_flight(&self) -> usize {
        self.behaviour.lock().unwrap().in_flight.peak
    }

    /// The most retries (`X-Webhook-Attempt` > 1) answered at once since
    /// the last `reset_peaks`.
    pub fn peak_retries_in_flight(&self) -> usize {
        self.behaviour.lock().unwrap().retries_in_flight.peak
    }

    /// Starts counting peaks afresh from the requests in flight now.
    pub fn reset_peaks(&self) {
        let mut behaviour = self.behaviour.lock().unwrap();
        behaviour.in_flight.peak = behaviour.in_flight.now;
        behaviour.retries_in_flight.peak = behaviour.retries_in_flight.now;
    }

    /// Requests answered with 2xx so far, duplicates included.
    pub fn success_count(&self) -> usize {
        self.behaviour.lock().unwrap().success_count
    }

    /// The requests answered (or left hanging) and not yet read. Requests
    /// whose sender hung up mid-answer (a killed webhookd) are not among
    /// them.
    pub fn drain(&mut self) -> Vec<Received> {
        std::iter::from_fn(|| self.requests.try_recv().ok()).collect()
    }

    /// The next request, or a panic after `within`.
    pub async fn next_request(&mut self, within: Duration) -> Received {
        tokio::time::timeout(within, self.requests.recv())
            .await
            .unwrap_or_else(|_| panic!("no request reached {} within {within:?}", self.addr))
            .expect("the receiver task is alive")
    }

    /// Asserts that the count of requests stays at `count` for all of
    /// `window` (for a receiver whose requests the test does not read).
    pub async fn expect_total_requests_to_stay(&self, count: usize, window: Duration, why: &str) {
        let held = super::consistently(window, || async { self.total_requests() == count }).await;
        assert!(
            held.is_ok(),
            "{why}: {} requests to {}, expected {count}",
            self.total_requests(),
            self.addr
        );
    }

    /// Asserts that no further request arrives during `period`.
    pub async fn expect_silence(&mut self, period: Duration) {
        if let Ok(Some(request)) = tokio::time::timeout(period, self.requests.recv()).await {
            panic!(
                "unexpected request to {}: {}",
                self.addr,
                String::from_utf8_lossy(&request.body)
            );
        }
    }
}

/// A request being answered.
struct Answering {
    behaviour: Arc<Mutex<Behaviour>>,
    retry: bool,
}

impl Drop for Answering {
    fn drop(&mut self) {
        let mut behaviour = self.behaviour.lock().unwrap_or_else(|e| e.into_inner());
        behaviour.in_flight.leave();
        if self.retry {
            behaviour.retries_in_flight.leave();
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn handle(
    State(shared): State<Shared>,
    version: Version,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, HeaderMap) {
    let at = Instant::now();
    let retry = headers
        .get("x-webhook-attempt")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u32>().ok())
        .is_some_and(|attempt| attempt > 1);
    let (reply, delay) = {
        let mut behaviour = shared.behaviour.lock().unwrap();
        behaviour.total_requests += 1;
        behaviour.in_flight.enter();
        if retry {
            behaviour.retries_in_flight.enter();
        }
        let reply = behaviour.script.pop_front().unwrap_or(behaviour.default);
        (reply, behaviour.delay)
    };
    // Leaves the in-flight counts when answered, or when webhookd gives up
    // and the request's future is dropped.
    let answering = Answering {
        behaviour: Arc::clone(&shared.behaviour),
        retry,
    };
    let mut response_headers = HeaderMap::new();
    let status = match reply {
        Reply::Redirect(location) => {
            response_headers.insert("location", location.parse().unwrap());
            302
        }
        Reply::RetryAfter(status, seconds) => {
            response_headers.insert("retry-after", seconds.to_string().parse().unwrap());
            status
        }
        Reply::Hang => {
            let _ = shared.requests.send(Received {
                version,
                headers,
                body,
                at,
                answered_at: at,
                status: 0,
            });
            std::future::pending::<()>().await;
            unreachable!("a pending future never completes")
        }
        Reply::Status(status) => status,
    };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    drop(answering);
    if (200..300).contains(&status) {
        let mut behaviour = shared.behaviour.lock().unwrap();
        behaviour.success_count += 1;
        if let Some(id) = headers.get("x-webhook-id").and_then(|v| v.to_str().ok()) {
            behaviour.succeeded.insert(id.to_owned());
        }
    }
    let _ = shared.requests.send(Received {
        version,
        headers,
        body,
        at,
        answered_at: Instant::now(),
        status,
    });
    (StatusCode::from_u16(status).unwrap(), response_headers)
}
