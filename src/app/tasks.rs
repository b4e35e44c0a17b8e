//! Background tasks beside the servers and the scheduler: readiness,
//! dead-letter retention, planner statistics, SQLite log checkpoints,
//! API-key refresh, recovery probes of disabled endpoints and the watch for
//! work other instances announce.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::Result;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tonic_health::ServingStatus;
use tracing::{debug, error, info, trace, warn};

use super::servers::Health;
use crate::config::{Config, DeadLetterConfig};
use crate::delivery::probe::Prober;
use crate::service::Services;
use crate::store::{Purged, Store};

/// How often expired dead letters are purged.
const RETENTION_INTERVAL: Duration = Duration::from_secs(60 * 60);
/// How often the planner statistics of growing tables are checked.
const STATISTICS_INTERVAL: Duration = Duration::from_secs(5);
/// How often SQLite's write-ahead log is copied into the database file:
/// often enough that the log stays under the size at which a commit would
/// copy it while its callers wait, and each copy is short.
const CHECKPOINT_INTERVAL: Duration = Duration::from_millis(100);
/// How soon a key created or revoked on another instance takes effect here.
const API_KEY_REFRESH_INTERVAL: Duration = Duration::from_secs(3);

/// How often the database is pinged to keep the health status current.
const READINESS_INTERVAL: Duration = Duration::from_secs(1);
/// After a failed ping the next comes sooner, so an outage shows within
/// about 4 s (two failed pings) while one slow ping changes nothing.
const READINESS_RECHECK_INTERVAL: Duration = Duration::from_millis(250);
const READINESS_PING_TIMEOUT: Duration = Duration::from_millis(1500);
const PINGS_FAILED_BEFORE_NOT_SERVING: u32 = 2;

/// The running background tasks.
pub struct Background {
    stop: CancellationToken,
    stoppable: Vec<JoinHandle<()>>,
    /// Waits on the database's notifications (workers only); aborted
    /// rather than stopped.
    remote_work: Option<JoinHandle<()>>,
}

impl Background {
    pub fn start(
        config: &Config,
        services: &Services,
        prober: Option<Prober>,
        health: &Health,
        ready: &Arc<AtomicBool>,
    ) -> Self {
        let stop = CancellationToken::new();
        let monitor = ReadinessMonitor {
            store: Arc::clone(&services.store),
            health: health.clone(),
            ready: Arc::clone(ready),
        };
        let mut stoppable = vec![
            tokio::spawn(monitor.run(stop.clone())),
            tokio::spawn(refresh_api_keys(services.clone(), stop.clone())),
            tokio::spawn(checkpoint_log(Arc::clone(&services.store), stop.clone())),
        ];
        // Database upkeep and wake-ups for the scheduler: a worker's jobs.
        let mut remote_work = None;
        if config.server.delivers() {
            stoppable.push(tokio::spawn(run_retention(
                Arc::clone(&services.store),
                config.dead_letter.clone(),
                stop.clone(),
            )));
            stoppable.push(tokio::spawn(refresh_statistics(
                Arc::clone(&services.store),
                stop.clone(),
            )));
            let store = Arc::clone(&services.store);
            let wake = Arc::clone(&services.wake);
            remote_work = Some(tokio::spawn(
                async move { store.watch_remote_work(wake).await },
            ));
        }
        if let Some(prober) = prober {
            stoppable.push(tokio::spawn(prober.run_until_stopped(stop.clone())));
        }
        Background {
            stop,
            stoppable,
            remote_work,
        }
    }

    pub async fn stop(self) {
        self.stop.cancel();
        for task in self.stoppable {
            let _ = task.await;
        }
        if let Some(remote_work) = self.remote_work {
            remote_work.abort();
        }
    }
}

/// Picks up API keys created or revoked on other instances.
async fn refresh_api_keys(services: Services, stop: CancellationToken) {
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(API_KEY_REFRESH_INTERVAL) => {}
        }
        if let Err(e) = services.refresh_api_keys().await {
            warn!(error.message = %e.message, "failed to refresh API keys");
        }
    }
}

/// Deletes dead letters older than `dead_letter.max_age_days`, at start and
/// then every `RETENTION_INTERVAL`.
async fn run_retention(store: Arc<dyn Store>, config: DeadLetterConfig, stop: CancellationToken) {
    let max_age_ms = i64::from(config.max_age_days) * 24 * 60 * 60 * 1000;
    loop {
        let cutoff = crate::clock::now_millis() - max_age_ms;
        match store.purge_dead_letters(cutoff).await {
            Ok(purged) if purged == Purged::default() => {}
            Ok(purged) => info!(
                deliveries = purged.deliveries,
                attempts = purged.attempts,
                events = purged.events,
                max_age_days = config.max_age_days,
                "purged expired dead letters"
            ),
            Err(e) => warn!(error.message = %e, "failed to purge expired dead letters"),
        }
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(RETENTION_INTERVAL) => {}
        }
    }
}

/// Keeps the planner's statistics current while a backlog fills, so
/// claims keep their index plans (see `postgres.rs`).
async fn refresh_statistics(store: Arc<dyn Store>, stop: CancellationToken) {
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(STATISTICS_INTERVAL) => {}
        }
        match store.refresh_statistics().await {
            Ok(tables) if tables.is_empty() => {}
            Ok(tables) => debug!(?tables, "refreshed planner statistics"),
            Err(e) => warn!(error.message = %e, "failed to refresh planner statistics"),
        }
    }
}

/// Copies the database's write-ahead log into its file beside the writer.
/// A failure (a full disk) is logged when it starts and when it ends, not
/// at every try; meanwhile commits copy the log themselves once it reaches
/// SQLite's threshold, as they would without this task.
async fn checkpoint_log(store: Arc<dyn Store>, stop: CancellationToken) {
    let mut failing = false;
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(CHECKPOINT_INTERVAL) => {}
        }
        match store.checkpoint_log().await {
            Ok(frames) => {
                if std::mem::take(&mut failing) {
                    info!("the write-ahead log is copied into the database again");
                }
                trace!(frames, "checkpointed the write-ahead log");
            }
            Err(e) if !failing => {
                failing = true;
                warn!(error.message = %e, "failed to copy the write-ahead log into the database; retrying");
            }
            Err(e) => debug!(error.message = %e, "the write-ahead log still cannot be copied"),
        }
    }
}

/// Keeps the health status in step with the store: NOT_SERVING while the
/// database does not answer or refuses writes, SERVING again once it works.
struct ReadinessMonitor {
    store: Arc<dyn Store>,
    health: Health,
    ready: Arc<AtomicBool>,
}

impl ReadinessMonitor {
    async fn run(self, stop: CancellationToken) {
        let mut serving = true;
        let mut failed_pings: u32 = 0;
        loop {
            let answered = matches!(
                tokio::time::timeout(READINESS_PING_TIMEOUT, self.store.ping()).await,
                Ok(Ok(()))
            );
            failed_pings = if answered { 0 } else { failed_pings + 1 };
            let problem = self.problem(failed_pings).await;
            let reachable = problem.is_none();
            if serving != reachable {
                let status = match &problem {
                    None => {
                        info!("database reachable and writable, serving");
                        ServingStatus::Serving
                    }
                    Some(problem) => {
                        warn!(reason = %problem, "health is NOT_SERVING");
                        ServingStatus::NotServing
                    }
                };
                self.health.set(status).await;
                self.ready.store(reachable, Ordering::Release);
                serving = reachable;
            }
            let pause = if failed_pings > 0 || !reachable {
                READINESS_RECHECK_INTERVAL
            } else {
                READINESS_INTERVAL
            };
            tokio::select! {
                _ = stop.cancelled() => return,
                _ = tokio::time::sleep(pause) => {}
            }
        }
    }

    /// Why the instance cannot take events now, if it cannot.
    async fn problem(&self, failed_pings: u32) -> Option<String> {
        // One slow ping under load is not an outage: it takes two in a row
        // (about 2 s) to turn NOT_SERVING, one success to serve again.
        if failed_pings >= PINGS_FAILED_BEFORE_NOT_SERVING {
            return Some("the database does not answer".to_owned());
        }
        if let Err(e) = self.store.check_database_file() {
            return Some(e.to_string());
        }
        let failing = self.store.write_failure()?;
        // Writes may work again with no traffic to show it (a load balancer
        // sends none to an instance that is NOT_SERVING): probe.
        match tokio::time::timeout(READINESS_PING_TIMEOUT, self.store.probe_write()).await {
            Ok(Ok(())) => None,
            _ => Some(format!("database writes fail: {failing}")),
        }
    }
}

/// Spawns a task whose failure is logged once, where it happens.
pub fn spawn_named<F>(name: &'static str, future: F) -> JoinHandle<Result<()>>
where
    F: Future<Output = Result<()>> + Send + 'static,
{
    tokio::spawn(async move {
        let result = future.await;
        if let Err(e) = &result {
            error!(task = name, error.message = %e, error.cause_chain = ?e, "task failed");
        }
        result
    })
}

/// Logs why a task stopped; returns the error of a task that failed.
pub fn report_exit(
    name: &'static str,
    result: Result<Result<()>, tokio::task::JoinError>,
) -> Option<anyhow::Error> {
    match result {
        Ok(Ok(())) => {
            info!(task = name, "task stopped");
            None
        }
        Ok(Err(e)) => Some(e),
        Err(join_error) => {
            error!(task = name, error.message = %join_error, "task panicked or was cancelled");
            Some(anyhow::anyhow!("{name} panicked: {join_error}"))
        }
    }
}
