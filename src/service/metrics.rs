//! Delivery metrics: success rate, latency percentiles (HDR histograms),
//! failures by kind and status class, per-endpoint status and a time
//! series, for any window up to 24 h. Derived from the attempts table, so
//! the figures survive restarts and cover every instance sharing a
//! database. (This process's own counters, for Prometheus, are
//! `delivery::counters`.)

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use hdrhistogram::Histogram;

use super::Services;
use crate::delivery::health::Concurrency;
use crate::delivery::retry_budget::RetryBudgetStatus;
use crate::domain::{EndpointId, EndpointRecord};
use crate::error::ApiError;
use crate::store::{AttemptStat, MAX_PAGE_SIZE};
use crate::store::{Store, StoreError};

/// The window when a request names none.
pub const DEFAULT_WINDOW: Duration = Duration::from_secs(300);
/// The longest window.
pub const MAX_WINDOW: Duration = Duration::from_secs(24 * 60 * 60);
/// Points in the time series of a report.
pub const SERIES_POINTS: i64 = 30;

/// Latency percentiles, in milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct LatencySummary {
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

/// Counts and latencies of a set of attempts.
#[derive(Debug, Clone)]
struct Tally {
    attempted: u64,
    succeeded: u64,
    latency: Histogram<u64>,
}

impl Tally {
    fn new() -> Self {
        Tally {
            attempted: 0,
            succeeded: 0,
            // 3 significant figures: percentiles within 0.1 %.
            latency: Histogram::new(3).expect("3 significant figures is a valid precision"),
        }
    }

    fn add(&mut self, stat: &AttemptStat) {
        let count = u64::try_from(stat.count).unwrap_or(0);
        self.attempted += count;
        if stat.error_kind.is_none() {
            self.succeeded += count;
        }
        let duration = u64::try_from(stat.duration_ms).unwrap_or(0);
        // Auto-resizing histograms accept any value.
        let _ = self.latency.record_n(duration, count);
    }

    fn success_rate(&self) -> f64 {
        if self.attempted == 0 {
            0.0
        } else {
            self.succeeded as f64 / self.attempted as f64
        }
    }

    fn summary(&self) -> LatencySummary {
        if self.attempted == 0 {
            return LatencySummary::default();
        }
        LatencySummary {
            p50_ms: self.latency.value_at_quantile(0.50) as f64,
            p95_ms: self.latency.value_at_quantile(0.95) as f64,
            p99_ms: self.latency.value_at_quantile(0.99) as f64,
            max_ms: self.latency.max() as f64,
        }
    }
}

/// One point of the time series.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesPoint {
    /// Unix milliseconds where the bucket starts.
    pub start: i64,
    pub attempted: u64,
    pub succeeded: u64,
    pub latency: LatencySummary,
}

/// One endpoint's status and figures in the window.
#[derive(Debug, Clone, PartialEq)]
pub struct EndpointStatus {
    pub endpoint: EndpointRecord,
    pub attempted: u64,
    pub succeeded: u64,
    pub success_rate: f64,
    pub latency: LatencySummary,
    /// The circuit breaker's state: "closed", "open" or "half_open".
    pub circuit_state: String,
    /// Deliveries not yet finished (pending or in flight).
    pub pending: u64,
    pub oldest_pending_age_seconds: f64,
    /// Its limit and, on an instance that delivers, its adaptive window
    /// (0 elsewhere).
    pub concurrency: Concurrency,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub window: Duration,
    pub attempted: u64,
    pub succeeded: u64,
    pub failed: u64,
    pub dead_lettered: u64,
    pub success_rate: f64,
    pub latency: LatencySummary,
    pub failures_by_error_kind: BTreeMap<String, u64>,
    pub failures_by_status_class: BTreeMap<String, u64>,
    pub series: Vec<SeriesPoint>,
    pub endpoints: Vec<EndpointStatus>,
    /// This instance's retry budget; zero on one that delivers nothing.
    pub retry_budget: RetryBudgetStatus,
}

/// Validates a window and an optional endpoint, as GetMetrics does.
pub fn scope(
    window_seconds: u64,
    endpoint: &str,
) -> Result<(Duration, Option<EndpointId>), ApiError> {
    let window = match window_seconds {
        0 => DEFAULT_WINDOW,
        seconds if seconds > MAX_WINDOW.as_secs() => {
            return Err(ApiError::invalid_field(
                "window",
                format!("must be at most {} seconds (24 h)", MAX_WINDOW.as_secs()),
            ));
        }
        seconds => Duration::from_secs(seconds),
    };
    let endpoint = if endpoint.is_empty() {
        None
    } else {
        Some(
            EndpointId::parse(endpoint)
                .map_err(|reason| ApiError::invalid_field("endpoint", reason))?,
        )
    };
    Ok((window, endpoint))
}

/// Builds the report for the `window` before `now`, for one endpoint or all.
/// Circuit states, which live in this process's memory, come from `health`.
pub async fn report(
    services: &Services,
    window: Duration,
    endpoint: Option<&EndpointId>,
    now: i64,
) -> Result<Report, StoreError> {
    let store = services.store.as_ref();
    let health = services.health.as_ref();
    let window_ms = i64::try_from(window.as_millis()).unwrap_or(i64::MAX).max(1);
    let since = now - window_ms;
    let bucket_ms = (window_ms + SERIES_POINTS - 1) / SERIES_POINTS;
    let stats = store.attempt_stats(since, bucket_ms, endpoint).await?;

    let mut total = Tally::new();
    let mut per_endpoint: HashMap<&str, Tally> = HashMap::new();
    let mut per_bucket: BTreeMap<i64, Tally> = BTreeMap::new();
    let mut failures_by_error_kind = BTreeMap::new();
    let mut failures_by_status_class = BTreeMap::new();
    for stat in &stats {
        total.add(stat);
        per_endpoint
            .entry(stat.endpoint_id.as_str())
            .or_insert_with(Tally::new)
            .add(stat);
        per_bucket
            .entry(stat.bucket)
            .or_insert_with(Tally::new)
            .add(stat);
        if let Some(kind) = &stat.error_kind {
            let count = u64::try_from(stat.count).unwrap_or(0);
            *failures_by_error_kind.entry(kind.clone()).or_insert(0) += count;
            let class = stat
                .status_class
                .map_or_else(|| "none".to_owned(), |c| format!("{c}xx"));
            *failures_by_status_class.entry(class).or_insert(0) += count;
        }
    }

    let series = (0..SERIES_POINTS)
        .map(|bucket| {
            let tally = per_bucket.get(&bucket);
            SeriesPoint {
                start: since + bucket * bucket_ms,
                attempted: tally.map_or(0, |t| t.attempted),
                succeeded: tally.map_or(0, |t| t.succeeded),
                latency: tally.map(Tally::summary).unwrap_or_default(),
            }
        })
        .collect();

    let mut endpoints = Vec::new();
    for backlog in backlogs(store, now).await? {
        if endpoint.is_some_and(|only| only != &backlog.endpoint.id) {
            continue;
        }
        let tally = per_endpoint
            .remove(backlog.endpoint.id.as_str())
            .unwrap_or_else(Tally::new);
        endpoints.push(EndpointStatus {
            attempted: tally.attempted,
            succeeded: tally.succeeded,
            success_rate: tally.success_rate(),
            latency: tally.summary(),
            circuit_state: health.circuit_state(&backlog.endpoint.id, now).to_owned(),
            concurrency: concurrency(services, &backlog.endpoint),
            pending: backlog.pending,
            oldest_pending_age_seconds: backlog.oldest_pending_age_seconds,
            endpoint: backlog.endpoint,
        });
    }

    Ok(Report {
        window,
        attempted: total.attempted,
        succeeded: total.succeeded,
        failed: total.attempted - total.succeeded,
        dead_lettered: store.dead_lettered_since(since, endpoint).await?,
        success_rate: total.success_rate(),
        latency: total.summary(),
        failures_by_error_kind,
        failures_by_status_class,
        series,
        endpoints,
        retry_budget: match services.delivers {
            true => services.retry_budget.status(),
            false => RetryBudgetStatus::default(),
        },
    })
}

/// An endpoint's limit and window on this instance. Until it delivers to
/// the endpoint, the window is the limit (endpoints start trusted).
fn concurrency(services: &Services, endpoint: &EndpointRecord) -> Concurrency {
    let limit = endpoint
        .max_concurrent
        .map_or(services.default_endpoint_limit, |limit| limit as usize);
    match services.delivers {
        false => Concurrency { limit, window: 0 },
        true => services
            .health
            .concurrency(&endpoint.id)
            .unwrap_or(Concurrency {
                limit,
                window: limit,
            }),
    }
}

/// An endpoint and the deliveries it has not finished yet.
#[derive(Debug, Clone, PartialEq)]
pub struct EndpointBacklog {
    pub endpoint: EndpointRecord,
    /// Deliveries pending or in flight.
    pub pending: u64,
    pub oldest_pending_age_seconds: f64,
}

/// Every endpoint with its backlog: cheap (no attempt scan), for gauges.
pub async fn backlogs(store: &dyn Store, now: i64) -> Result<Vec<EndpointBacklog>, StoreError> {
    let pending: HashMap<String, (u64, i64)> = store
        .pending_by_endpoint()
        .await?
        .into_iter()
        .map(|p| {
            (
                p.endpoint_id,
                (u64::try_from(p.count).unwrap_or(0), p.oldest_created_at),
            )
        })
        .collect();
    Ok(list_all_endpoints(store)
        .await?
        .into_iter()
        .map(|endpoint| {
            let (count, oldest) = pending
                .get(endpoint.id.as_str())
                .copied()
                .unwrap_or((0, now));
            EndpointBacklog {
                endpoint,
                pending: count,
                oldest_pending_age_seconds: if count == 0 {
                    0.0
                } else {
                    (now - oldest).max(0) as f64 / 1000.0
                },
            }
        })
        .collect())
}

async fn list_all_endpoints(store: &dyn Store) -> Result<Vec<EndpointRecord>, StoreError> {
    let mut all = Vec::new();
    loop {
        let after = all.last().map(|e: &EndpointRecord| e.id.to_string());
        let page = store
            .list_endpoints(after.as_deref(), MAX_PAGE_SIZE)
            .await?;
        let done = page.len() < MAX_PAGE_SIZE;
        all.extend(page);
        if done {
            return Ok(all);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stat(
        endpoint: &str,
        bucket: i64,
        duration_ms: i64,
        error: Option<&str>,
        count: i64,
    ) -> AttemptStat {
        AttemptStat {
            endpoint_id: endpoint.to_owned(),
            bucket,
            duration_ms,
            status_class: if error.is_some() { Some(5) } else { Some(2) },
            error_kind: error.map(str::to_owned),
            count,
        }
    }

    #[test]
    fn tallies_count_successes_and_percentiles() {
        let mut tally = Tally::new();
        tally.add(&stat("a", 0, 10, None, 90));
        tally.add(&stat("a", 0, 100, Some("http_5xx"), 10));
        assert_eq!((tally.attempted, tally.succeeded), (100, 90));
        assert!((tally.success_rate() - 0.9).abs() < 1e-9);
        let summary = tally.summary();
        assert_eq!(summary.p50_ms, 10.0);
        assert_eq!(summary.p99_ms, 100.0);
        assert_eq!(summary.max_ms, 100.0);
    }
}
