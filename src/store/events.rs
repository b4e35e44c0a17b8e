//! The event log: dispatching events, reading events, deliveries and
//! attempts, replaying events, redriving dead letters, and retention.

use async_trait::async_trait;

use super::StoreError;
use super::backend::{Backend, SqlStore};
use super::model::{
    BulkReplay, DeliveryQuery, DispatchOutcome, EventQuery, Purged, REPLAY_IDS_RETURNED,
    REPLAY_PAGE, RedriveSelection, ReplayTargets, RoutedDelivery, Routing,
};
use super::sql::NewReplay;
use crate::domain::{AttemptRecord, DeliveryId, DeliveryRecord, EndpointId, Event, EventId};

#[async_trait]
pub trait EventLog: Send + Sync {
    /// Stores the event and one pending delivery per routed endpoint in one
    /// transaction (group-committed with other writes). An idempotency key
    /// used before answers `Duplicate` with what that dispatch stored, even
    /// where routing would refuse the event now.
    async fn dispatch(&self, event: Event, routing: Routing)
    -> Result<DispatchOutcome, StoreError>;

    async fn get_event(&self, id: &EventId) -> Result<Option<Event>, StoreError>;

    /// Every delivery of the event, replays included, oldest first.
    async fn deliveries_for_event(&self, id: &EventId) -> Result<Vec<DeliveryRecord>, StoreError>;

    async fn attempts_for_delivery(
        &self,
        id: &DeliveryId,
    ) -> Result<Vec<AttemptRecord>, StoreError>;

    /// Events matching `query` with ids above `after`, oldest first.
    async fn list_events(
        &self,
        query: &EventQuery,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<Event>, StoreError>;

    /// Deliveries matching `query` with ids above `after`, oldest first.
    async fn list_deliveries(
        &self,
        query: &DeliveryQuery,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<DeliveryRecord>, StoreError>;

    /// Creates one new delivery of the event per target, due at `now`.
    async fn replay_event(
        &self,
        event_id: &EventId,
        targets: &ReplayTargets,
        now: i64,
    ) -> Result<Vec<RoutedDelivery>, StoreError>;

    /// Creates a new delivery for every delivery matching `query`, page by
    /// page; the n-th becomes due at `now + n * spacing_ms`. With `dry_run`,
    /// only counts.
    async fn replay_matching(
        &self,
        query: &DeliveryQuery,
        dry_run: bool,
        spacing_ms: i64,
        now: i64,
    ) -> Result<BulkReplay, StoreError>;

    /// Moves dead-lettered deliveries back to pending with a fresh retry
    /// cycle; returns how many (or would, with `dry_run`).
    async fn redrive(
        &self,
        selection: &RedriveSelection,
        dry_run: bool,
        now: i64,
    ) -> Result<u64, StoreError>;

    /// Deletes dead letters last changed before `cutoff`, their attempts,
    /// and events left without deliveries.
    async fn purge_dead_letters(&self, cutoff: i64) -> Result<Purged, StoreError>;
}

#[async_trait]
impl<DB: Backend> EventLog for SqlStore<DB> {
    async fn dispatch(
        &self,
        event: Event,
        routing: Routing,
    ) -> Result<DispatchOutcome, StoreError> {
        self.batched.dispatch(event, routing).await
    }

    async fn get_event(&self, id: &EventId) -> Result<Option<Event>, StoreError> {
        let mut conn = self.read.acquire().await?;
        let row = DB::get_event(&mut conn, id.as_str()).await?;
        Ok(row.map(Event::from))
    }

    async fn deliveries_for_event(&self, id: &EventId) -> Result<Vec<DeliveryRecord>, StoreError> {
        let mut conn = self.read.acquire().await?;
        let rows = DB::deliveries_for_event(&mut conn, id.as_str()).await?;
        rows.into_iter().map(DeliveryRecord::try_from).collect()
    }

    async fn attempts_for_delivery(
        &self,
        id: &DeliveryId,
    ) -> Result<Vec<AttemptRecord>, StoreError> {
        let mut conn = self.read.acquire().await?;
        let rows = DB::attempts_for_delivery(&mut conn, id.as_str()).await?;
        rows.into_iter().map(AttemptRecord::try_from).collect()
    }

    async fn list_events(
        &self,
        query: &EventQuery,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<Event>, StoreError> {
        let mut conn = self.read.acquire().await?;
        let rows = DB::list_events(&mut conn, query, after, limit).await?;
        Ok(rows.into_iter().map(Event::from).collect())
    }

    async fn list_deliveries(
        &self,
        query: &DeliveryQuery,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<DeliveryRecord>, StoreError> {
        let mut conn = self.read.acquire().await?;
        let rows = DB::list_deliveries(&mut conn, query, after, limit).await?;
        rows.into_iter().map(DeliveryRecord::try_from).collect()
    }

    async fn replay_event(
        &self,
        event_id: &EventId,
        targets: &ReplayTargets,
        now: i64,
    ) -> Result<Vec<RoutedDelivery>, StoreError> {
        let mut tx = self.write.begin().await?;
        if !DB::event_exists(&mut tx, event_id.as_str()).await? {
            return Err(StoreError::EventNotFound(event_id.to_string()));
        }
        let originals = DB::original_deliveries(&mut tx, event_id.as_str()).await?;
        let original_to = |endpoint: &str| {
            originals
                .iter()
                .find(|(ep, _)| ep == endpoint)
                .map(|(_, delivery)| delivery.clone())
        };
        // (endpoint, the original delivery to it, if any)
        let plan: Vec<(String, Option<String>)> = match targets {
            ReplayTargets::Original => originals
                .iter()
                .map(|(ep, d)| (ep.clone(), Some(d.clone())))
                .collect(),
            ReplayTargets::Endpoints(ids) => {
                let mut plan: Vec<(String, Option<String>)> = Vec::new();
                for id in ids {
                    if !plan.iter().any(|(ep, _)| ep == id.as_str()) {
                        plan.push((id.to_string(), original_to(id.as_str())));
                    }
                }
                plan
            }
        };
        for (endpoint, _) in &plan {
            match DB::endpoint_state(&mut tx, endpoint).await? {
                None | Some((_, Some(_))) => {
                    return Err(StoreError::EndpointNotFound(endpoint.clone()));
                }
                Some((false, None)) => return Err(StoreError::EndpointInactive(endpoint.clone())),
                Some((true, None)) => {}
            }
        }
        let replays: Vec<NewReplay> = plan
            .into_iter()
            .map(|(endpoint_id, replay_of)| NewReplay {
                id: DeliveryId::generate(),
                event_id: event_id.to_string(),
                endpoint_id,
                due: now,
                replay_of,
            })
            .collect();
        DB::insert_replays(&mut tx, &replays, now).await?;
        tx.commit().await?;
        Ok(replays
            .into_iter()
            .map(|replay| RoutedDelivery {
                id: replay.id,
                endpoint_id: EndpointId::from_stored(replay.endpoint_id),
                started: false,
                paused: false,
            })
            .collect())
    }

    async fn replay_matching(
        &self,
        query: &DeliveryQuery,
        dry_run: bool,
        spacing_ms: i64,
        now: i64,
    ) -> Result<BulkReplay, StoreError> {
        let mut read = self.read.acquire().await?;
        if dry_run {
            return Ok(BulkReplay {
                count: DB::count_replayable(&mut read, query).await?,
                deliveries: Vec::new(),
            });
        }
        // Replays get newer ids than everything that exists now, so they
        // can never match this replay's own pages.
        let Some(ceiling) = DB::max_delivery_id(&mut read).await? else {
            return Ok(BulkReplay {
                count: 0,
                deliveries: Vec::new(),
            });
        };
        let mut after = String::new();
        let mut count: u64 = 0;
        let mut returned = Vec::new();
        loop {
            let rows = DB::replay_page(&mut read, query, &after, &ceiling, REPLAY_PAGE).await?;
            let Some(last) = rows.last() else { break };
            after = last.0.clone();
            let page_len = rows.len();
            let replays: Vec<NewReplay> = rows
                .into_iter()
                .map(|(original, event_id, endpoint_id)| {
                    let position = i64::try_from(count).unwrap_or(i64::MAX);
                    count += 1;
                    NewReplay {
                        id: DeliveryId::generate(),
                        event_id,
                        endpoint_id,
                        due: now.saturating_add(spacing_ms.saturating_mul(position)),
                        replay_of: Some(original),
                    }
                })
                .collect();
            let mut write = self.write.acquire().await?;
            DB::insert_replays(&mut write, &replays, now).await?;
            drop(write);
            returned.extend(
                replays
                    .into_iter()
                    .take(REPLAY_IDS_RETURNED.saturating_sub(returned.len()))
                    .map(|replay| RoutedDelivery {
                        id: replay.id,
                        endpoint_id: EndpointId::from_stored(replay.endpoint_id),
                        started: false,
                        paused: false,
                    }),
            );
            if page_len < REPLAY_PAGE {
                break;
            }
        }
        Ok(BulkReplay {
            count,
            deliveries: returned,
        })
    }

    async fn redrive(
        &self,
        selection: &RedriveSelection,
        dry_run: bool,
        now: i64,
    ) -> Result<u64, StoreError> {
        if dry_run {
            let mut conn = self.read.acquire().await?;
            return Ok(DB::count_redrivable(&mut conn, selection).await?);
        }
        let mut conn = self.write.acquire().await?;
        Ok(DB::redrive(&mut conn, selection, now).await?)
    }

    async fn purge_dead_letters(&self, cutoff: i64) -> Result<Purged, StoreError> {
        let mut tx = self.write.begin().await?;
        let purged = DB::purge_dead_letters(&mut tx, cutoff).await?;
        tx.commit().await?;
        Ok(purged)
    }
}
