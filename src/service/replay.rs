//! Replay and redrive: new deliveries of stored events, and a fresh retry
//! cycle for dead letters.

use tracing::info;

use super::Services;
use crate::clock::now_millis;
use crate::delivery::updates::UpdateKind;
use crate::domain::EventId;
use crate::error::{ApiError, ErrorCode};
use crate::store::{DeliveryQuery, RedriveSelection, ReplayTargets, RoutedDelivery};

/// A replay, parsed.
#[derive(Debug, Clone)]
pub enum ReplayRequest {
    /// One event, to its original endpoints or to these.
    Event {
        event_id: EventId,
        targets: ReplayTargets,
        dry_run: bool,
    },
    /// Every delivery matching the query, the n-th due `n * spacing_ms`
    /// from now.
    Matching {
        query: DeliveryQuery,
        spacing_ms: i64,
        dry_run: bool,
    },
}

/// What a replay created (or would create, in a dry run).
#[derive(Debug, Clone)]
pub struct ReplayOutcome {
    pub count: u64,
    /// The new deliveries (the first `REPLAY_IDS_RETURNED` of a bulk one).
    pub deliveries: Vec<RoutedDelivery>,
}

impl Services {
    pub async fn replay(&self, request: ReplayRequest) -> Result<ReplayOutcome, ApiError> {
        let now = now_millis();
        let (outcome, event_id) = match request {
            ReplayRequest::Matching {
                query,
                spacing_ms,
                dry_run,
            } => {
                let bulk = self
                    .store
                    .replay_matching(&query, dry_run, spacing_ms, now)
                    .await?;
                let outcome = ReplayOutcome {
                    count: bulk.count,
                    deliveries: bulk.deliveries,
                };
                (outcome, None)
            }
            ReplayRequest::Event {
                event_id,
                targets,
                dry_run: true,
            } => {
                let count = self.count_replay_targets(&event_id, &targets).await?;
                let outcome = ReplayOutcome {
                    count,
                    deliveries: Vec::new(),
                };
                (outcome, Some(event_id))
            }
            ReplayRequest::Event {
                event_id,
                targets,
                dry_run: false,
            } => {
                let deliveries = self.store.replay_event(&event_id, &targets, now).await?;
                let outcome = ReplayOutcome {
                    count: deliveries.len() as u64,
                    deliveries,
                };
                (outcome, Some(event_id))
            }
        };
        self.announce_new_deliveries(
            UpdateKind::Replayed,
            event_id.as_ref(),
            None,
            &outcome.deliveries,
        );
        info!(count = outcome.count, "replay");
        Ok(outcome)
    }

    /// How many deliveries replaying one event would create.
    async fn count_replay_targets(
        &self,
        event_id: &EventId,
        targets: &ReplayTargets,
    ) -> Result<u64, ApiError> {
        if let ReplayTargets::Endpoints(ids) = targets {
            return Ok(ids.len() as u64);
        }
        if self.store.get_event(event_id).await?.is_none() {
            return Err(ApiError::new(
                ErrorCode::NotFound,
                format!("event `{event_id}` does not exist"),
            ));
        }
        let mut endpoints: Vec<String> = self
            .store
            .deliveries_for_event(event_id)
            .await?
            .into_iter()
            .filter(|d| d.replay_of.is_none())
            .map(|d| d.endpoint_id.to_string())
            .collect();
        endpoints.dedup();
        Ok(endpoints.len() as u64)
    }

    /// Gives the selected dead letters a fresh retry cycle, due now;
    /// returns how many (or would, with `dry_run`).
    pub async fn redrive(
        &self,
        selection: &RedriveSelection,
        dry_run: bool,
    ) -> Result<u64, ApiError> {
        let count = self.store.redrive(selection, dry_run, now_millis()).await?;
        if count > 0 && !dry_run {
            self.wake.notify_one();
            info!(count, "dead letters redriven");
        }
        Ok(count)
    }
}
