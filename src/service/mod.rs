//! Operations, free of any transport: each commits to the store, wakes the
//! scheduler when it created due work, publishes the change on the update
//! bus and counts it. The gRPC and HTTP layers parse requests into domain
//! types, call these, and convert the results.

mod api_keys;
pub mod auth;
mod dispatch;
mod endpoints;
pub mod metrics;
mod replay;

use std::sync::Arc;

use secrecy::SecretString;
use tokio::sync::Notify;

pub use api_keys::{ApiKeyView, KeyOrigin, parse_key_name};
pub use auth::ApiKeys;
pub use dispatch::NewEvent;
pub use endpoints::{EndpointView, RotatedSecret};
pub use replay::{ReplayOutcome, ReplayRequest};

use crate::delivery::alert::Alerter;
use crate::delivery::counters::Counters;
use crate::delivery::health::EndpointHealth;
use crate::delivery::retry_budget::RetryBudget;
use crate::delivery::updates::{Update, UpdateBus, UpdateKind};
use crate::domain::network::NetworkPolicy;
use crate::domain::{EndpointId, EventCatalog, EventId, EventType};
use crate::store::{RoutedDelivery, Store};

/// The handles every operation works with.
#[derive(Clone)]
pub struct Services {
    pub store: Arc<dyn Store>,
    /// Wakes the scheduler when new work is due.
    pub wake: Arc<Notify>,
    pub updates: Arc<UpdateBus>,
    pub counters: Arc<Counters>,
    /// Circuit breakers and concurrency of this process's deliveries.
    pub health: Arc<EndpointHealth>,
    /// The share of this process's delivery slots retries may hold.
    pub retry_budget: Arc<RetryBudget>,
    /// Whether this process delivers (`server.roles` has `worker`).
    pub delivers: bool,
    /// `webhook_engine.max_concurrent_per_endpoint`.
    pub default_endpoint_limit: usize,
    pub alerter: Alerter,
    /// New endpoint URLs must point where deliveries may go.
    pub network_policy: Arc<NetworkPolicy>,
    pub api_keys: Arc<ApiKeys>,
    /// Signs for endpoints without their own secret; kept valid while such
    /// an endpoint rotates to a secret of its own.
    pub default_secret: SecretString,
    pub max_payload_bytes: usize,
    /// The event types producers may send, with their schemas.
    pub catalog: Arc<EventCatalog>,
}

impl Services {
    /// Announces deliveries that were just created and wait for a claim:
    /// publishes one update per delivery, and wakes the scheduler unless
    /// all of them are paused (a claim would find none of those). Those
    /// the dispatch started at once were announced as they started.
    fn announce_new_deliveries(
        &self,
        kind: UpdateKind,
        event_id: Option<&EventId>,
        event_type: Option<&EventType>,
        deliveries: &[RoutedDelivery],
    ) {
        let waiting = deliveries.iter().filter(|delivery| !delivery.started);
        if waiting.clone().any(|delivery| !delivery.paused) {
            self.wake.notify_one();
        }
        for delivery in waiting {
            self.updates.publish(Update::delivery_created(
                kind,
                delivery.endpoint_id.clone(),
                delivery.id.clone(),
                event_id.cloned(),
                event_type.cloned(),
            ));
        }
    }

    /// Publishes a change of an endpoint's state.
    fn announce_endpoint_change(
        &self,
        kind: UpdateKind,
        endpoint: &EndpointId,
        detail: Option<String>,
    ) {
        let mut update = Update::new(kind, endpoint.clone());
        update.detail = detail.unwrap_or_default();
        self.updates.publish(update);
    }
}
