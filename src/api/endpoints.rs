//! Endpoint management over gRPC: validation and conversion around the
//! store's endpoint operations.

use std::time::Duration;

use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};

use super::convert::endpoint_to_proto;
use super::page::page_request;
use super::proto;
use crate::domain::EndpointChanges;
use crate::domain::EndpointSpec;
use crate::domain::network::NetworkPolicy;
use crate::domain::{EndpointId, EventPattern, SignatureScheme, TargetUrl};
use crate::error::ApiError;
use crate::health::EndpointHealth;
use crate::limits::{
    MAX_EVENT_TYPES, MAX_REASON_BYTES, MAX_SECRET_BYTES, MAX_UPDATE_MASK_PATHS, MAX_URL_BYTES,
    reason,
};
use crate::signing::standard;
use crate::store::{Store, StoreError};

/// Shortest secret a caller may set; generated secrets are 32 random bytes.
pub const MIN_SECRET_LEN: usize = 24;

/// How long a rotated-out secret stays valid when the request names no
/// grace period, and the longest it may.
pub const DEFAULT_ROTATION_GRACE: Duration = Duration::from_secs(24 * 60 * 60);
pub const MAX_ROTATION_GRACE: Duration = Duration::from_secs(30 * 24 * 60 * 60);

fn endpoint_id(field: &str, raw: &str) -> Result<EndpointId, ApiError> {
    if raw.is_empty() {
        return Err(ApiError::invalid_field(field, "is required"));
    }
    EndpointId::parse(raw).map_err(|reason| ApiError::invalid_field(field, reason))
}

fn url(field: &str, raw: &str, policy: &NetworkPolicy) -> Result<TargetUrl, ApiError> {
    ApiError::check_length(field, raw, MAX_URL_BYTES)?;
    let url = TargetUrl::parse(raw).map_err(|reason| ApiError::invalid_field(field, reason))?;
    policy
        .check_url(url.as_url())
        .map_err(|reason| ApiError::invalid_field(field, reason))?;
    Ok(url)
}

fn event_types(field: &str, raw: &[String]) -> Result<Vec<EventPattern>, ApiError> {
    if raw.is_empty() {
        return Err(ApiError::invalid_field(
            field,
            "list at least one event type or pattern",
        ));
    }
    if raw.len() > MAX_EVENT_TYPES {
        return Err(ApiError::too_many(
            field,
            MAX_EVENT_TYPES,
            raw.len(),
            reason::TOO_MANY_EVENT_TYPES,
        ));
    }
    raw.iter()
        .enumerate()
        .map(|(index, pattern)| {
            EventPattern::parse(pattern)
                .map_err(|reason| ApiError::invalid_field(&format!("{field}[{index}]"), reason))
        })
        .collect()
}

fn signature_scheme(field: &str, raw: i32) -> Result<SignatureScheme, ApiError> {
    match proto::SignatureScheme::try_from(raw) {
        Ok(proto::SignatureScheme::Unspecified | proto::SignatureScheme::Webhookd) => {
            Ok(SignatureScheme::Webhookd)
        }
        Ok(proto::SignatureScheme::Standard) => Ok(SignatureScheme::Standard),
        Err(_) => Err(ApiError::invalid_field(
            field,
            format!("unknown signature scheme {raw}"),
        )),
    }
}

/// A new random secret: 32 bytes, hex-encoded.
pub fn generate_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("whk_{}", hex::encode(bytes))
}

pub async fn create(
    store: &dyn Store,
    health: &EndpointHealth,
    request: proto::CreateEndpointRequest,
    policy: &NetworkPolicy,
    now: i64,
) -> Result<proto::Endpoint, ApiError> {
    let id = if request.id.is_empty() {
        EndpointId::parse(&format!(
            "ep_{}",
            &uuid::Uuid::now_v7().simple().to_string()[16..]
        ))
        .expect("generated ids are valid")
    } else {
        endpoint_id("id", &request.id)?
    };
    let signature_scheme = signature_scheme("signature_scheme", request.signature_scheme)?;
    ApiError::check_length("secret", &request.secret, MAX_SECRET_BYTES)?;
    let secret = match request.secret.as_str() {
        "" if signature_scheme == SignatureScheme::Standard => {
            return Err(ApiError::invalid_field(
                "secret",
                "is required with SIGNATURE_SCHEME_STANDARD: `whsec_` + base64 of at least 24 random bytes, or a `whsk_` ed25519 key",
            ));
        }
        "" => None,
        secret if signature_scheme == SignatureScheme::Standard => {
            standard::SigningKey::parse(secret)
                .map_err(|e| ApiError::invalid_field("secret", e.to_string()))?;
            Some(SecretString::from(secret.to_owned()))
        }
        short if short.chars().count() < MIN_SECRET_LEN => {
            return Err(ApiError::invalid_field(
                "secret",
                format!(
                    "must be at least {MIN_SECRET_LEN} characters; leave it empty to use the default signing secret"
                ),
            ));
        }
        secret => Some(SecretString::from(secret.to_owned())),
    };
    let spec = EndpointSpec {
        id,
        url: url("url", &request.url, policy)?,
        event_patterns: event_types("event_types", &request.event_types)?,
        secret,
        signature_scheme,
        active: !request.disabled,
        max_concurrent: None,
    };
    let record = store.create_endpoint(&spec, now).await?;
    Ok(endpoint_to_proto(&record, health))
}

pub async fn get(
    store: &dyn Store,
    health: &EndpointHealth,
    request: proto::GetEndpointRequest,
) -> Result<proto::Endpoint, ApiError> {
    let id = endpoint_id("id", &request.id)?;
    let record = store
        .get_endpoint(&id)
        .await?
        .ok_or(crate::store::StoreError::EndpointNotFound(id.to_string()))?;
    Ok(endpoint_to_proto(&record, health))
}

pub async fn list(
    store: &dyn Store,
    health: &EndpointHealth,
    request: proto::ListEndpointsRequest,
) -> Result<proto::ListEndpointsResponse, ApiError> {
    let page = page_request(request.page_size, &request.page_token)?;
    let endpoints = store.list_endpoints(page.after(), page.fetch()).await?;
    let (endpoints, next_page_token) = page.split(endpoints, |e| e.id.to_string());
    Ok(proto::ListEndpointsResponse {
        endpoints: endpoints
            .iter()
            .map(|record| endpoint_to_proto(record, health))
            .collect(),
        next_page_token,
    })
}

pub async fn update(
    store: &dyn Store,
    health: &EndpointHealth,
    request: proto::UpdateEndpointRequest,
    policy: &NetworkPolicy,
    now: i64,
) -> Result<proto::Endpoint, ApiError> {
    let endpoint = request
        .endpoint
        .ok_or_else(|| ApiError::invalid_field("endpoint", "is required"))?;
    let id = endpoint_id("endpoint.id", &endpoint.id)?;
    let paths = request
        .update_mask
        .map(|mask| mask.paths)
        .unwrap_or_default();
    if paths.is_empty() {
        return Err(ApiError::invalid_field(
            "update_mask",
            "name the fields to change: \"url\", \"event_types\"",
        ));
    }
    if paths.len() > MAX_UPDATE_MASK_PATHS {
        return Err(ApiError::too_many(
            "update_mask.paths",
            MAX_UPDATE_MASK_PATHS,
            paths.len(),
            reason::TOO_MANY_MASK_PATHS,
        ));
    }
    let mut changes = EndpointChanges::default();
    for path in &paths {
        match path.as_str() {
            "url" => changes.url = Some(url("endpoint.url", &endpoint.url, policy)?),
            "event_types" => {
                changes.event_patterns =
                    Some(event_types("endpoint.event_types", &endpoint.event_types)?)
            }
            other => {
                return Err(ApiError::invalid_field(
                    "update_mask",
                    format!(
                        "`{}` cannot be updated; use \"url\" or \"event_types\"",
                        other.chars().take(64).collect::<String>()
                    ),
                ));
            }
        }
    }
    let record = store.update_endpoint(&id, &changes, now).await?;
    Ok(endpoint_to_proto(&record, health))
}

pub async fn delete(
    store: &dyn Store,
    request: proto::DeleteEndpointRequest,
    now: i64,
) -> Result<u64, ApiError> {
    let id = endpoint_id("id", &request.id)?;
    Ok(store.delete_endpoint(&id, now).await?)
}

pub async fn set_active(
    store: &dyn Store,
    health: &EndpointHealth,
    id: &str,
    active: bool,
    reason: &str,
    now: i64,
) -> Result<proto::Endpoint, ApiError> {
    let id = endpoint_id("id", id)?;
    ApiError::check_length("reason", reason, MAX_REASON_BYTES)?;
    let reason = (!reason.is_empty()).then_some(reason);
    let record = store.set_endpoint_active(&id, active, reason, now).await?;
    Ok(endpoint_to_proto(&record, health))
}

pub async fn rotate_secret(
    store: &dyn Store,
    health: &EndpointHealth,
    request: proto::RotateEndpointSecretRequest,
    default_secret: &SecretString,
    now: i64,
) -> Result<proto::RotateEndpointSecretResponse, ApiError> {
    let id = endpoint_id("id", &request.id)?;
    let grace = match request.grace_period_seconds {
        0 => DEFAULT_ROTATION_GRACE,
        seconds => Duration::from_secs(u64::from(seconds)),
    };
    if grace > MAX_ROTATION_GRACE {
        return Err(ApiError::invalid_field(
            "grace_period_seconds",
            format!("must be at most {} (30 days)", MAX_ROTATION_GRACE.as_secs()),
        ));
    }
    let current = store
        .get_endpoint(&id)
        .await?
        .ok_or_else(|| StoreError::EndpointNotFound(id.to_string()))?;
    // A standard-scheme endpoint gets a new key of the same kind.
    let new_secret = match current.signature_scheme {
        SignatureScheme::Webhookd => generate_secret(),
        SignatureScheme::Standard => {
            let secret = store.endpoint_secret(&id).await?;
            standard::generate_secret_like(secret.as_ref().map(|s| s.expose_secret()))
        }
    };
    let grace_until = now + grace.as_millis() as i64;
    let record = store
        .rotate_endpoint_secret(
            &id,
            &SecretString::from(new_secret.clone()),
            default_secret,
            grace_until,
            now,
        )
        .await?;
    Ok(proto::RotateEndpointSecretResponse {
        endpoint: Some(endpoint_to_proto(&record, health)),
        new_secret,
    })
}
