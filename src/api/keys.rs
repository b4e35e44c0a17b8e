//! API key management over gRPC: keys created here live in the store beside
//! those of the config file, which stay read-only.

use rand::RngCore;

use super::convert::timestamp;
use super::proto;
use crate::auth::{self, ApiKeys};
use crate::domain::ApiKeyRecord;
use crate::domain::Role;
use crate::error::{ApiError, ErrorCode};
use crate::limits::reason;
use crate::store::Store;

/// Longest key name.
const MAX_NAME_LEN: usize = 64;

/// What every generated key starts with, so secret scanners can spot one.
const KEY_PREFIX: &str = "wkd_";

fn role_to_proto(role: Role) -> proto::ApiKeyRole {
    match role {
        Role::Dispatch => proto::ApiKeyRole::Dispatch,
        Role::Read => proto::ApiKeyRole::Read,
        Role::Admin => proto::ApiKeyRole::Admin,
    }
}

fn role_from_proto(raw: i32) -> Result<Role, ApiError> {
    match proto::ApiKeyRole::try_from(raw) {
        Ok(proto::ApiKeyRole::Dispatch) => Ok(Role::Dispatch),
        Ok(proto::ApiKeyRole::Read) => Ok(Role::Read),
        Ok(proto::ApiKeyRole::Admin) => Ok(Role::Admin),
        _ => Err(ApiError::invalid_field(
            "role",
            "is required: API_KEY_ROLE_DISPATCH, API_KEY_ROLE_READ or API_KEY_ROLE_ADMIN",
        )),
    }
}

fn name(raw: &str) -> Result<String, ApiError> {
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

fn stored_to_proto(key: &ApiKeyRecord) -> proto::ApiKey {
    proto::ApiKey {
        name: key.name.clone(),
        role: role_to_proto(key.role) as i32,
        origin: "api".to_owned(),
        created_at: Some(timestamp(key.created_at)),
        revoked_at: key.revoked_at.map(timestamp),
        fingerprint: key.key_sha256.chars().take(8).collect(),
    }
}

/// Reloads the keys created over the API into `keys`.
pub async fn refresh(store: &dyn Store, keys: &ApiKeys) -> Result<(), ApiError> {
    keys.replace_managed(&store.list_api_keys().await?);
    Ok(())
}

pub async fn create(
    store: &dyn Store,
    keys: &ApiKeys,
    request: proto::CreateApiKeyRequest,
    now: i64,
) -> Result<proto::CreateApiKeyResponse, ApiError> {
    let name = name(&request.name)?;
    let role = role_from_proto(request.role)?;
    if !keys.is_enabled() && role != Role::Admin {
        // The first key turns authentication on: without an admin key,
        // nobody could manage keys afterwards.
        return Err(ApiError::new(
            ErrorCode::FailedPrecondition,
            "the first API key must have API_KEY_ROLE_ADMIN: it turns authentication on, and without an admin key nobody could manage keys afterwards",
        )
        .with_reason(reason::FIRST_KEY_NOT_ADMIN));
    }
    if keys.configured().iter().any(|key| key.name == name) {
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
        key_sha256: hex::encode(auth::digest(key.as_bytes())),
        role,
        created_at: now,
        revoked_at: None,
    };
    store.create_api_key(&stored).await?;
    refresh(store, keys).await?;
    Ok(proto::CreateApiKeyResponse {
        api_key: Some(stored_to_proto(&stored)),
        key,
    })
}

pub async fn list(
    store: &dyn Store,
    keys: &ApiKeys,
    request: proto::ListApiKeysRequest,
) -> Result<proto::ListApiKeysResponse, ApiError> {
    let configured = keys.configured().iter().map(|key| proto::ApiKey {
        name: key.name.clone(),
        role: role_to_proto(key.role) as i32,
        origin: "config".to_owned(),
        created_at: None,
        revoked_at: None,
        fingerprint: key.fingerprint(),
    });
    let stored = store.list_api_keys().await?;
    let managed = stored
        .iter()
        .filter(|key| request.include_revoked || key.revoked_at.is_none())
        .map(stored_to_proto);
    Ok(proto::ListApiKeysResponse {
        api_keys: configured.chain(managed).collect(),
    })
}

pub async fn revoke(
    store: &dyn Store,
    keys: &ApiKeys,
    request: proto::RevokeApiKeyRequest,
    now: i64,
) -> Result<proto::ApiKey, ApiError> {
    let name = name(&request.name)?;
    if keys.configured().iter().any(|key| key.name == name) {
        return Err(ApiError::new(
            ErrorCode::FailedPrecondition,
            format!(
                "API key `{name}` is defined in the config file: remove it from security.api_keys and restart"
            ),
        ));
    }
    if keys.admin_keys() == [name.as_str()] {
        return Err(ApiError::new(
            ErrorCode::FailedPrecondition,
            format!(
                "API key `{name}` is the last admin key: revoking it would leave nobody able to manage keys; create another admin key first (or configure one in security.api_keys)"
            ),
        )
        .with_reason(reason::LAST_ADMIN_KEY));
    }
    let before = store.revoke_api_key(&name, now).await?;
    if let Some(revoked_at) = before.revoked_at {
        return Err(ApiError::new(
            ErrorCode::FailedPrecondition,
            format!(
                "API key `{name}` was already revoked at {}",
                crate::http::rfc3339(revoked_at)
            ),
        ));
    }
    refresh(store, keys).await?;
    Ok(stored_to_proto(&ApiKeyRecord {
        revoked_at: Some(now),
        ..before
    }))
}
