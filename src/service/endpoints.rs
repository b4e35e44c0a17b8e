//! Endpoint management: create, change, enable, disable, rotate, delete;
//! and every endpoint as the API shows it, with its circuit state.

use std::time::Duration;

use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use tracing::info;

use super::Services;
use crate::clock::now_millis;
use crate::delivery::alert::{Alert, AlertKind};
use crate::delivery::updates::UpdateKind;
use crate::domain::{EndpointChanges, EndpointId, EndpointRecord, EndpointSpec, SignatureScheme};
use crate::error::ApiError;
use crate::signing::standard;
use crate::store::StoreError;

/// An endpoint as the API shows it: the stored record and the state of its
/// circuit in this process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointView {
    pub record: EndpointRecord,
    /// "closed", "open" or "half_open".
    pub circuit_state: &'static str,
}

/// A rotation's result: the endpoint, and its new secret (shown once).
#[derive(Debug, Clone)]
pub struct RotatedSecret {
    pub endpoint: EndpointView,
    pub new_secret: String,
}

/// A new random secret: 32 bytes, hex-encoded.
pub fn generate_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("whk_{}", hex::encode(bytes))
}

impl Services {
    /// The view of a stored endpoint; the one place circuit states are read.
    pub fn endpoint_view(&self, record: EndpointRecord) -> EndpointView {
        let circuit_state = self.health.circuit_state(&record.id, now_millis());
        EndpointView {
            record,
            circuit_state,
        }
    }

    pub async fn get_endpoint(&self, id: &EndpointId) -> Result<EndpointView, ApiError> {
        let record = self
            .store
            .get_endpoint(id)
            .await?
            .ok_or_else(|| StoreError::EndpointNotFound(id.to_string()))?;
        Ok(self.endpoint_view(record))
    }

    pub async fn list_endpoints(
        &self,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<EndpointView>, ApiError> {
        let records = self.store.list_endpoints(after, limit).await?;
        Ok(records
            .into_iter()
            .map(|record| self.endpoint_view(record))
            .collect())
    }

    pub async fn create_endpoint(&self, spec: EndpointSpec) -> Result<EndpointView, ApiError> {
        let record = self.store.create_endpoint(&spec, now_millis()).await?;
        info!(endpoint_id = %record.id, "endpoint created");
        Ok(self.endpoint_view(record))
    }

    pub async fn update_endpoint(
        &self,
        id: &EndpointId,
        changes: &EndpointChanges,
    ) -> Result<EndpointView, ApiError> {
        let record = self
            .store
            .update_endpoint(id, changes, now_millis())
            .await?;
        info!(endpoint_id = %id, "endpoint updated");
        Ok(self.endpoint_view(record))
    }

    /// Deletes the endpoint; returns how many unfinished deliveries were
    /// cancelled.
    pub async fn delete_endpoint(&self, id: &EndpointId) -> Result<u64, ApiError> {
        let cancelled = self.store.delete_endpoint(id, now_millis()).await?;
        info!(endpoint_id = %id, cancelled, "endpoint deleted");
        Ok(cancelled)
    }

    /// Enables the endpoint: its failure count and circuit reset, its
    /// paused deliveries are due again, and a recovery alert goes out if
    /// it was disabled.
    pub async fn enable_endpoint(&self, id: &EndpointId) -> Result<EndpointView, ApiError> {
        let was_disabled = self
            .store
            .get_endpoint(id)
            .await?
            .is_some_and(|endpoint| !endpoint.active);
        let record = self
            .store
            .set_endpoint_active(id, true, None, now_millis())
            .await?;
        self.health.reset(id);
        if was_disabled {
            self.alerter.send(Alert {
                kind: AlertKind::Recovered {
                    how: "enabled by an operator".to_owned(),
                },
                endpoint_id: id.clone(),
                url: record.url.clone(),
                at: now_millis(),
            });
        }
        self.wake.notify_one();
        self.announce_endpoint_change(UpdateKind::EndpointEnabled, id, None);
        Ok(self.endpoint_view(record))
    }

    /// Disables the endpoint; its deliveries are kept, paused.
    pub async fn disable_endpoint(
        &self,
        id: &EndpointId,
        reason: Option<&str>,
    ) -> Result<EndpointView, ApiError> {
        let record = self
            .store
            .set_endpoint_active(id, false, reason, now_millis())
            .await?;
        self.announce_endpoint_change(
            UpdateKind::EndpointDisabled,
            id,
            record.disabled_reason.clone(),
        );
        Ok(self.endpoint_view(record))
    }

    /// Gives the endpoint a new secret of the same kind; the old one signs
    /// too until `grace` has passed.
    pub async fn rotate_endpoint_secret(
        &self,
        id: &EndpointId,
        grace: Duration,
    ) -> Result<RotatedSecret, ApiError> {
        let current = self
            .store
            .get_endpoint(id)
            .await?
            .ok_or_else(|| StoreError::EndpointNotFound(id.to_string()))?;
        let new_secret = match current.signature_scheme {
            SignatureScheme::Webhookd => generate_secret(),
            SignatureScheme::Standard => {
                let secret = self.store.endpoint_secret(id).await?;
                standard::generate_secret_like(secret.as_ref().map(|s| s.expose_secret()))
            }
        };
        let now = now_millis();
        let grace_until = now.saturating_add(i64::try_from(grace.as_millis()).unwrap_or(i64::MAX));
        let record = self
            .store
            .rotate_endpoint_secret(
                id,
                &SecretString::from(new_secret.clone()),
                &self.default_secret,
                grace_until,
                now,
            )
            .await?;
        info!(endpoint_id = %id, "endpoint secret rotated");
        Ok(RotatedSecret {
            endpoint: self.endpoint_view(record),
            new_secret,
        })
    }
}
