//! API keys managed over the API: create (shown once), list, revoke. Keys
//! of the config file are listed beside them and stay read-only.

use rand::RngCore;
use tracing::info;

use super::Services;
use super::auth::digest;
use crate::clock::{now_millis, rfc3339};
use crate::domain::{ApiKeyRecord, Role};
use crate::error::{ApiError, ErrorCode};
use crate::limits::reason;

/// Longest key name.
const MAX_NAME_LEN: usize = 64;

/// What every generated key starts with, so secret scanners can spot one.
const KEY_PREFIX: &str = "wkd_";

/// Where a key is defined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyOrigin {
    Config,
    Api,
}

/// A key as listed: never the key itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKeyView {
    pub name: String,
    pub role: Role,
    pub origin: KeyOrigin,
    pub created_at: Option<i64>,
    pub revoked_at: Option<i64>,
    /// The first 8 hex digits of the key's SHA-256, to tell keys apart.
    pub fingerprint: String,
}

impl From<&ApiKeyRecord> for ApiKeyView {
    fn from(key: &ApiKeyRecord) -> Self {
        ApiKeyView {
            name: key.name.clone(),
            role: key.role,
            origin: KeyOrigin::Api,
            created_at: Some(key.created_at),
            revoked_at: key.revoked_at,
            fingerprint: key.key_sha256.chars().take(8).collect(),
        }
    }
}

/// Checks a key name: 1 to 64 characters of `[A-Za-z0-9_.-]`.
pub fn parse_key_name(raw: &str) -> Result<String, ApiError> {
    let valid_chars = raw
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    if raw.is_empty() || raw.len() > MAX_NAME_LEN || !valid_chars {
        return Err(ApiError::invalid_field(
            "name",
            format!("must be 1 to {MAX_NAME_LEN} characters of [A-Za-z0-9_.-]"),
        ));
    }
    Ok(raw.to_owned())
}

impl Services {
    /// Reloads the keys created over the API (here or on another instance).
    pub async fn refresh_api_keys(&self) -> Result<(), ApiError> {
        self.api_keys
            .replace_managed(&self.store.list_api_keys().await?);
        Ok(())
    }

    /// Creates a key; returns it (the only time it is shown) and its view.
    pub async fn create_api_key(
        &self,
        name: String,
        role: Role,
    ) -> Result<(ApiKeyView, String), ApiError> {
        if !self.api_keys.is_enabled() && role != Role::Admin {
            // The first key turns authentication on: without an admin key,
            // nobody could manage keys afterwards.
            return Err(ApiError::new(
                ErrorCode::FailedPrecondition,
                "the first API key must have API_KEY_ROLE_ADMIN: it turns authentication on, and without an admin key nobody could manage keys afterwards",
            )
            .with_reason(reason::FIRST_KEY_NOT_ADMIN));
        }
        if self.api_keys.is_configured(&name) {
            return Err(ApiError::new(
                ErrorCode::AlreadyExists,
                format!("API key `{name}` is defined in the config file; pick another name"),
            ));
        }
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        let key = format!("{KEY_PREFIX}{}", hex::encode(bytes));
        let stored = ApiKeyRecord {
            name,
            key_sha256: hex::encode(digest(key.as_bytes())),
            role,
            created_at: now_millis(),
            revoked_at: None,
        };
        self.store.create_api_key(&stored).await?;
        self.refresh_api_keys().await?;
        info!(api_key = %stored.name, role = role.as_str(), "API key created");
        Ok((ApiKeyView::from(&stored), key))
    }

    /// The keys of the config file, then those created over the API.
    pub async fn list_api_keys(&self, include_revoked: bool) -> Result<Vec<ApiKeyView>, ApiError> {
        let configured = self.api_keys.configured().iter().map(|key| ApiKeyView {
            name: key.name.clone(),
            role: key.role,
            origin: KeyOrigin::Config,
            created_at: None,
            revoked_at: None,
            fingerprint: key.fingerprint(),
        });
        let stored = self.store.list_api_keys().await?;
        let managed = stored
            .iter()
            .filter(|key| include_revoked || key.revoked_at.is_none())
            .map(ApiKeyView::from);
        Ok(configured.chain(managed).collect())
    }

    /// Revokes a key created over the API, at once on this instance and
    /// within seconds on the others. The last admin key stays.
    pub async fn revoke_api_key(&self, name: &str) -> Result<ApiKeyView, ApiError> {
        if self.api_keys.is_configured(name) {
            return Err(ApiError::new(
                ErrorCode::FailedPrecondition,
                format!(
                    "API key `{name}` is defined in the config file: remove it from security.api_keys and restart"
                ),
            ));
        }
        if self.api_keys.admin_keys() == [name] {
            return Err(ApiError::new(
                ErrorCode::FailedPrecondition,
                format!(
                    "API key `{name}` is the last admin key: revoking it would leave nobody able to manage keys; create another admin key first (or configure one in security.api_keys)"
                ),
            )
            .with_reason(reason::LAST_ADMIN_KEY));
        }
        let now = now_millis();
        let before = self.store.revoke_api_key(name, now).await?;
        if let Some(revoked_at) = before.revoked_at {
            return Err(ApiError::new(
                ErrorCode::FailedPrecondition,
                format!(
                    "API key `{name}` was already revoked at {}",
                    rfc3339(revoked_at)
                ),
            ));
        }
        self.refresh_api_keys().await?;
        info!(api_key = %name, "API key revoked");
        Ok(ApiKeyView::from(&ApiKeyRecord {
            revoked_at: Some(now),
            ..before
        }))
    }
}
