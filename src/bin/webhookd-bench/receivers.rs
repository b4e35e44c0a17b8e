//! Loopback receivers that verify every signature and record every receipt.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use webhookd::signing;

/// The signing secret of every bench endpoint.
pub const SECRET: &str = "bench-secret-0123456789abcdef";

/// Receipt times per (endpoint index, event id).
pub type Receipts = HashMap<(usize, String), Vec<Instant>>;

/// What the receivers saw, shared by all of them.
#[derive(Clone, Default)]
pub struct Ledger {
    pub received: Arc<Mutex<Receipts>>,
    /// Receipts so far, counted apart from `received`: the bench polls the
    /// count every few milliseconds, and summing a map of 300,000 entries
    /// under the lock every receiver needs slowed the receivers down as
    /// the map grew.
    receipts: Arc<AtomicUsize>,
    pub bad_signatures: Arc<AtomicUsize>,
    delay: Duration,
}

impl Ledger {
    pub fn new(delay: Duration) -> Self {
        Ledger {
            delay,
            ..Default::default()
        }
    }

    pub fn receipt_count(&self) -> usize {
        self.receipts.load(Ordering::Relaxed)
    }

    pub fn bad_signatures(&self) -> usize {
        self.bad_signatures.load(Ordering::Relaxed)
    }

    /// Every receipt time, sorted.
    pub fn receipt_times(&self) -> Vec<Instant> {
        let mut times: Vec<Instant> = self
            .received
            .lock()
            .unwrap()
            .values()
            .flatten()
            .copied()
            .collect();
        times.sort();
        times
    }
}

async fn receive(
    State(ledger): State<Ledger>,
    Path(endpoint): Path<usize>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let now = Instant::now();
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    };
    // Every delivery is checked as a receiver would check it.
    let unix_now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    if signing::verify(
        &[SECRET.as_bytes()],
        &body,
        header("x-webhook-timestamp"),
        header("x-webhook-signature"),
        unix_now,
        signing::DEFAULT_TOLERANCE,
    )
    .is_err()
    {
        ledger.bad_signatures.fetch_add(1, Ordering::Relaxed);
    }
    ledger
        .received
        .lock()
        .unwrap()
        .entry((endpoint, header("x-webhook-id").to_owned()))
        .or_default()
        .push(now);
    ledger.receipts.fetch_add(1, Ordering::Relaxed);
    if !ledger.delay.is_zero() {
        tokio::time::sleep(ledger.delay).await;
    }
    StatusCode::NO_CONTENT
}

/// Starts a receiver, or, when `down`, returns an address where nothing
/// listens.
pub async fn start(ledger: &Ledger, down: bool) -> anyhow::Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    if down {
        // Nothing listens there once the listener is dropped.
        drop(listener);
        return Ok(addr);
    }
    let app = Router::new()
        .route("/hook/{endpoint}", post(receive))
        .with_state(ledger.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(addr)
}
