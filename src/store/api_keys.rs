//! API keys created over the API: their SHA-256, never the key.

use async_trait::async_trait;

use super::StoreError;
use super::backend::{Backend, SqlStore};
use super::rows::ApiKeyRow;
use crate::domain::ApiKeyRecord;

#[async_trait]
pub trait ApiKeyStore: Send + Sync {
    /// Stores a new API key; `ApiKeyExists` when the name is taken.
    async fn create_api_key(&self, key: &ApiKeyRecord) -> Result<(), StoreError>;

    /// Every API key created over the API, revoked ones included, by name.
    async fn list_api_keys(&self) -> Result<Vec<ApiKeyRecord>, StoreError>;

    /// Marks a key revoked at `now` and returns it as it was before.
    async fn revoke_api_key(&self, name: &str, now: i64) -> Result<ApiKeyRecord, StoreError>;
}

#[async_trait]
impl<DB: Backend> ApiKeyStore for SqlStore<DB> {
    async fn create_api_key(&self, key: &ApiKeyRecord) -> Result<(), StoreError> {
        let row = ApiKeyRow {
            name: key.name.clone(),
            key_sha256: key.key_sha256.clone(),
            role: key.role.as_str().to_owned(),
            created_at: key.created_at,
            revoked_at: key.revoked_at,
        };
        let mut conn = self.write.acquire().await?;
        if !DB::create_api_key(&mut conn, &row).await? {
            return Err(StoreError::ApiKeyExists(key.name.clone()));
        }
        Ok(())
    }

    async fn list_api_keys(&self) -> Result<Vec<ApiKeyRecord>, StoreError> {
        let mut conn = self.read.acquire().await?;
        let rows = DB::list_api_keys(&mut conn).await?;
        rows.into_iter().map(ApiKeyRecord::try_from).collect()
    }

    async fn revoke_api_key(&self, name: &str, now: i64) -> Result<ApiKeyRecord, StoreError> {
        let mut tx = self.write.begin().await?;
        let before = DB::get_api_key(&mut tx, name)
            .await?
            .ok_or_else(|| StoreError::ApiKeyNotFound(name.to_owned()))?;
        DB::revoke_api_key(&mut tx, name, now).await?;
        tx.commit().await?;
        ApiKeyRecord::try_from(before)
    }
}
