//! The recovery probe (`health.auto_reenable`): every
//! `health.check_interval_seconds`, each endpoint that webhookd disabled
//! itself gets a signed `webhook.ping`; a 2xx re-enables it, and its paused
//! deliveries resume. Endpoints disabled by an operator are left alone.

use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use tracing::{debug, info, warn};

use super::http_client::{DeliveryClient, SendResult};
use super::worker::{SignedRequest, signed_headers, with_custom_headers};
use crate::clock::now_millis;
use crate::delivery::alert::{Alert, AlertKind, Alerter};
use crate::delivery::health::EndpointHealth;
use crate::delivery::updates::{Update, UpdateBus, UpdateKind};
use crate::domain::EndpointRecord;
use crate::store::{MAX_PAGE_SIZE, Store, StoreError};

/// The event type of probe requests, which receivers should answer 2xx.
pub const PING_EVENT_TYPE: &str = "webhook.ping";

pub struct Prober {
    pub store: Arc<dyn Store>,
    pub client: DeliveryClient,
    pub default_secret: SecretString,
    pub health: Arc<EndpointHealth>,
    pub alerter: Alerter,
    pub updates: Arc<UpdateBus>,
    pub wake: Arc<Notify>,
    pub interval: Duration,
}

impl Prober {
    pub async fn run_until_stopped(self, stop: CancellationToken) {
        loop {
            tokio::select! {
                _ = stop.cancelled() => return,
                _ = tokio::time::sleep(self.interval) => {}
            }
            match self.auto_disabled_endpoints().await {
                Ok(endpoints) => {
                    for endpoint in endpoints {
                        self.probe(&endpoint).await;
                    }
                }
                Err(e) => warn!(error.message = %e, "failed to list disabled endpoints to probe"),
            }
        }
    }

    async fn auto_disabled_endpoints(&self) -> Result<Vec<EndpointRecord>, StoreError> {
        let mut disabled = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let page = self
                .store
                .list_endpoints(after.as_deref(), MAX_PAGE_SIZE)
                .await?;
            after = page.last().map(|e| e.id.to_string());
            let done = page.len() < MAX_PAGE_SIZE;
            disabled.extend(page.into_iter().filter(|e| !e.active && e.auto_disabled));
            if done {
                return Ok(disabled);
            }
        }
    }

    async fn probe(&self, endpoint: &EndpointRecord) {
        let now = now_millis();
        let secret = match self.store.endpoint_secret(&endpoint.id).await {
            Ok(secret) => secret.unwrap_or_else(|| self.default_secret.clone()),
            Err(e) => {
                warn!(error.message = %e, endpoint_id = %endpoint.id, "failed to read the endpoint's secret");
                return;
            }
        };
        let ping_id = format!("ping_{}", uuid::Uuid::now_v7().simple());
        let body = serde_json::to_vec(&serde_json::json!({
            "endpoint_id": endpoint.id.as_str(),
            "sent_at": crate::clock::rfc3339(now),
            "type": PING_EVENT_TYPE,
        }))
        .expect("a JSON value always serialises");
        let headers = signed_headers(
            &SignedRequest {
                event_id: &ping_id,
                event_type: PING_EVENT_TYPE,
                attempt: 1,
                secret: &secret,
                previous_secret: None,
                scheme: endpoint.signature_scheme,
                body: &body,
            },
            now,
        );
        // A gateway in front of the receiver needs the custom headers too.
        let headers = with_custom_headers(headers, &endpoint.headers);
        match self.client.post(&endpoint.url, headers, body.into()).await {
            SendResult::Answered { status, .. } if (200..300).contains(&status) => {
                self.reenable(endpoint).await
            }
            SendResult::Answered { status, .. } => {
                debug!(endpoint_id = %endpoint.id, status, "recovery probe failed");
            }
            SendResult::NoAnswer { kind, .. } => {
                debug!(endpoint_id = %endpoint.id, error_kind = %kind, "recovery probe failed");
            }
        }
    }

    async fn reenable(&self, endpoint: &EndpointRecord) {
        let now = now_millis();
        if let Err(e) = self
            .store
            .set_endpoint_active(&endpoint.id, true, None, now)
            .await
        {
            warn!(error.message = %e, endpoint_id = %endpoint.id, "failed to re-enable a recovered endpoint");
            return;
        }
        info!(endpoint_id = %endpoint.id, "recovery probe answered 2xx: endpoint re-enabled");
        self.health.reset(&endpoint.id);
        let mut update = Update::new(UpdateKind::EndpointEnabled, endpoint.id.clone());
        update.detail = "recovery probe answered 2xx".to_owned();
        self.updates.publish(update);
        self.alerter.send(Alert {
            kind: AlertKind::Recovered {
                how: "the recovery probe got a 2xx".to_owned(),
            },
            endpoint_id: endpoint.id.clone(),
            url: endpoint.url.clone(),
            at: now,
        });
        self.wake.notify_one();
    }
}
