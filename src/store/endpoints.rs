//! Endpoints as the store keeps them: those of the config file, rewritten
//! at every start, and those created over the API.

use async_trait::async_trait;
use secrecy::{ExposeSecret, SecretString};
use tracing::warn;

use super::StoreError;
use super::backend::{Backend, SqlStore};
use super::rows::open_secret;
use crate::domain::{EndpointChanges, EndpointId, EndpointRecord, EndpointSpec, SecretKeys};

#[async_trait]
pub trait EndpointStore: Send + Sync {
    /// Writes the endpoints of the config file: each is created, or
    /// overwritten if its id exists (even as an API endpoint). Config
    /// endpoints no longer in the file are deleted.
    async fn sync_config_endpoints(
        &self,
        endpoints: &[EndpointSpec],
        now: i64,
    ) -> Result<(), StoreError>;

    async fn get_endpoint(&self, id: &EndpointId) -> Result<Option<EndpointRecord>, StoreError>;

    /// The endpoint's own signing secret (`None`: the default one), for
    /// webhookd's own requests such as recovery probes.
    async fn endpoint_secret(&self, id: &EndpointId) -> Result<Option<SecretString>, StoreError>;

    async fn list_endpoints(
        &self,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<EndpointRecord>, StoreError>;

    /// Creates an endpoint of origin `api`; `EndpointExists` for a live id.
    async fn create_endpoint(
        &self,
        spec: &EndpointSpec,
        now: i64,
    ) -> Result<EndpointRecord, StoreError>;

    async fn update_endpoint(
        &self,
        id: &EndpointId,
        changes: &EndpointChanges,
        now: i64,
    ) -> Result<EndpointRecord, StoreError>;

    /// Deletes the endpoint and cancels its unfinished deliveries; returns
    /// how many were cancelled.
    async fn delete_endpoint(&self, id: &EndpointId, now: i64) -> Result<u64, StoreError>;

    /// Enables (resetting the failure count) or disables the endpoint.
    async fn set_endpoint_active(
        &self,
        id: &EndpointId,
        active: bool,
        reason: Option<&str>,
        now: i64,
    ) -> Result<EndpointRecord, StoreError>;

    /// Replaces the secret; the one it replaces (`default_secret` for an
    /// endpoint without its own) stays valid until `grace_until`.
    async fn rotate_endpoint_secret(
        &self,
        id: &EndpointId,
        new_secret: &SecretString,
        default_secret: &SecretString,
        grace_until: i64,
        now: i64,
    ) -> Result<EndpointRecord, StoreError>;

    /// From now on seals endpoint secrets with `keys` (the first seals,
    /// all open), and reseals every stored secret that is plain or sealed
    /// with another key, in one transaction. Fails, changing nothing,
    /// when a stored secret cannot be opened with `keys`. Returns how many
    /// endpoints were resealed. Called once, at start.
    async fn protect_secrets(&self, keys: SecretKeys) -> Result<usize, StoreError>;
}

/// The spec as stored: its secret sealed with `secrets`.
fn sealed(secrets: &SecretKeys, spec: &EndpointSpec) -> EndpointSpec {
    let mut sealed = spec.clone();
    sealed.secret = spec
        .secret
        .as_ref()
        .map(|secret| SecretString::from(secrets.seal(spec.id.as_str(), secret.expose_secret())));
    sealed
}

/// The endpoint after a change that found it; `EndpointNotFound` when the
/// change found no live endpoint.
async fn changed_endpoint(
    store: &impl EndpointStore,
    id: &EndpointId,
    found: bool,
) -> Result<EndpointRecord, StoreError> {
    if !found {
        return Err(StoreError::EndpointNotFound(id.to_string()));
    }
    store
        .get_endpoint(id)
        .await?
        .ok_or_else(|| StoreError::EndpointNotFound(id.to_string()))
}

#[async_trait]
impl<DB: Backend> EndpointStore for SqlStore<DB> {
    async fn sync_config_endpoints(
        &self,
        endpoints: &[EndpointSpec],
        now: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.write.begin().await?;
        for endpoint in endpoints {
            DB::upsert_config_endpoint(&mut tx, &sealed(self.secrets(), endpoint), now).await?;
        }
        let configured = DB::config_endpoint_ids(&mut tx).await?;
        tx.commit().await?;
        for id in configured {
            if !endpoints.iter().any(|e| e.id.as_str() == id) {
                let id = EndpointId::from_stored(id);
                let cancelled = self.delete_endpoint(&id, now).await?;
                warn!(endpoint_id = %id, cancelled, "endpoint removed from the config file: deleted");
            }
        }
        Ok(())
    }

    async fn get_endpoint(&self, id: &EndpointId) -> Result<Option<EndpointRecord>, StoreError> {
        let mut conn = self.read.acquire().await?;
        let row = DB::get_endpoint(&mut conn, id.as_str()).await?;
        row.map(|row| row.into_record(self.secrets())).transpose()
    }

    async fn endpoint_secret(&self, id: &EndpointId) -> Result<Option<SecretString>, StoreError> {
        let mut conn = self.read.acquire().await?;
        let secret = DB::endpoint_secret(&mut conn, id.as_str()).await?;
        open_secret(self.secrets(), id.as_str(), secret.flatten())
    }

    async fn list_endpoints(
        &self,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<EndpointRecord>, StoreError> {
        let mut conn = self.read.acquire().await?;
        let rows = DB::list_endpoints(&mut conn, after, limit).await?;
        rows.into_iter()
            .map(|row| row.into_record(self.secrets()))
            .collect()
    }

    async fn create_endpoint(
        &self,
        spec: &EndpointSpec,
        now: i64,
    ) -> Result<EndpointRecord, StoreError> {
        let mut conn = self.write.acquire().await?;
        if !DB::create_endpoint(&mut conn, &sealed(self.secrets(), spec), now).await? {
            return Err(StoreError::EndpointExists(spec.id.to_string()));
        }
        drop(conn);
        changed_endpoint(self, &spec.id, true).await
    }

    async fn update_endpoint(
        &self,
        id: &EndpointId,
        changes: &EndpointChanges,
        now: i64,
    ) -> Result<EndpointRecord, StoreError> {
        let mut conn = self.write.acquire().await?;
        let found = DB::update_endpoint(&mut conn, id.as_str(), changes, now).await?;
        drop(conn);
        changed_endpoint(self, id, found).await
    }

    async fn delete_endpoint(&self, id: &EndpointId, now: i64) -> Result<u64, StoreError> {
        let mut tx = self.write.begin().await?;
        if !DB::delete_endpoint(&mut tx, id.as_str(), now).await? {
            return Err(StoreError::EndpointNotFound(id.to_string()));
        }
        let cancelled = DB::cancel_deliveries_of(&mut tx, id.as_str(), now).await?;
        tx.commit().await?;
        Ok(cancelled)
    }

    async fn set_endpoint_active(
        &self,
        id: &EndpointId,
        active: bool,
        reason: Option<&str>,
        now: i64,
    ) -> Result<EndpointRecord, StoreError> {
        let mut conn = self.write.acquire().await?;
        let found = if active {
            DB::enable_endpoint(&mut conn, id.as_str(), now).await?
        } else {
            let reason = reason.unwrap_or("disabled by an operator");
            DB::disable_endpoint(&mut conn, id.as_str(), reason, now).await?
        };
        drop(conn);
        changed_endpoint(self, id, found).await
    }

    async fn rotate_endpoint_secret(
        &self,
        id: &EndpointId,
        new_secret: &SecretString,
        default_secret: &SecretString,
        grace_until: i64,
        now: i64,
    ) -> Result<EndpointRecord, StoreError> {
        let secrets = self.secrets();
        let mut conn = self.write.acquire().await?;
        let found = DB::rotate_endpoint_secret(
            &mut conn,
            id.as_str(),
            &secrets.seal(id.as_str(), new_secret.expose_secret()),
            &secrets.seal(id.as_str(), default_secret.expose_secret()),
            grace_until,
            now,
        )
        .await?;
        drop(conn);
        changed_endpoint(self, id, found).await
    }

    async fn protect_secrets(&self, keys: SecretKeys) -> Result<usize, StoreError> {
        let mut tx = self.write.begin().await?;
        let mut resealed = 0;
        for row in DB::stored_secrets(&mut tx).await? {
            let (id, secret, previous) = (row.id, row.secret, row.previous_secret);
            let stale = |value: &Option<String>| {
                value
                    .as_deref()
                    .is_some_and(|value| keys.needs_resealing(value))
            };
            if !stale(&secret) && !stale(&previous) {
                continue;
            }
            let reseal = |value: Option<String>| -> Result<Option<String>, StoreError> {
                Ok(open_secret(&keys, &id, value)?
                    .map(|plain| keys.seal(&id, plain.expose_secret())))
            };
            let (secret, previous) = (reseal(secret)?, reseal(previous)?);
            DB::reseal_secrets(&mut tx, &id, secret.as_deref(), previous.as_deref()).await?;
            resealed += 1;
        }
        tx.commit().await?;
        if self.secrets.set(keys).is_err() {
            return Err(StoreError::Internal(
                "the secret keys are set once, at start".to_owned(),
            ));
        }
        Ok(resealed)
    }
}
