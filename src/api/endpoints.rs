//! Endpoint management requests, parsed: new endpoints are checked exactly
//! as the config file's are (`EndpointSpec::from_input`), with a stricter
//! minimum for secrets set over the network.

use std::time::Duration;

use super::convert::json_from_struct;
use super::proto;
use crate::domain::network::NetworkPolicy;
use crate::domain::{
    EndpointChanges, EndpointError, EndpointId, EndpointInput, EndpointSpec, HeaderError,
    SignatureScheme, check_event_patterns, check_filter, check_headers, check_retry_schedule,
    check_url,
};
use crate::error::ApiError;
use crate::limits::{
    MAX_REASON_BYTES, MAX_SECRET_BYTES, MAX_UPDATE_MASK_PATHS, MAX_URL_BYTES, reason,
};

/// Shortest secret a caller may set; generated secrets are 32 random bytes.
pub const MIN_SECRET_LEN: usize = 24;

/// How long a rotated-out secret stays valid when the request names no
/// grace period, and the longest it may.
pub const DEFAULT_ROTATION_GRACE: Duration = Duration::from_secs(24 * 60 * 60);
pub const MAX_ROTATION_GRACE: Duration = Duration::from_secs(30 * 24 * 60 * 60);

/// A required endpoint id in `field`.
pub fn endpoint_id(field: &str, raw: &str) -> Result<EndpointId, ApiError> {
    if raw.is_empty() {
        return Err(ApiError::invalid_field(field, "is required"));
    }
    EndpointId::parse(raw).map_err(|reason| ApiError::invalid_field(field, reason))
}

/// An endpoint error at its request field (under `prefix`, e.g. `endpoint.`).
fn endpoint_error(prefix: &str, error: &EndpointError) -> ApiError {
    let field = format!("{prefix}{}", error.field());
    let invalid = ApiError::invalid_field(&field, error);
    match error {
        // Named as the API spells the scheme.
        EndpointError::StandardSchemeWithoutSecret => ApiError::invalid_field(
            &field,
            "is required with SIGNATURE_SCHEME_STANDARD: `whsec_` + base64 of at least 24 random bytes, or a `whsk_` ed25519 key",
        ),
        EndpointError::TooManyEventTypes { limit, .. } => invalid
            .with_reason(reason::TOO_MANY_EVENT_TYPES)
            .with_metadata("limit", limit.to_string()),
        EndpointError::Header(HeaderError::TooMany { limit, .. }) => invalid
            .with_reason(reason::TOO_MANY_HEADERS)
            .with_metadata("limit", limit.to_string()),
        _ => invalid,
    }
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

/// Checks a CreateEndpoint request; an endpoint without an id gets one.
pub fn new_endpoint(
    request: &proto::CreateEndpointRequest,
    policy: &NetworkPolicy,
) -> Result<EndpointSpec, ApiError> {
    ApiError::check_length("url", &request.url, MAX_URL_BYTES)?;
    ApiError::check_length("secret", &request.secret, MAX_SECRET_BYTES)?;
    let id = match request.id.as_str() {
        "" => EndpointId::generate().to_string(),
        id => id.to_owned(),
    };
    let secret = (!request.secret.is_empty()).then(|| request.secret.clone().into());
    let headers: Vec<(String, String)> = request.headers.clone().into_iter().collect();
    let filter = request
        .filter
        .as_ref()
        .map(|filter| json_from_struct(filter, "filter"))
        .transpose()?;
    let input = EndpointInput {
        id: &id,
        url: &request.url,
        event_patterns: &request.event_types,
        secret: secret.as_ref(),
        signature_scheme: signature_scheme("signature_scheme", request.signature_scheme)?,
        active: !request.disabled,
        max_concurrent: None,
        headers: &headers,
        retry_schedule: request
            .retry_policy
            .as_ref()
            .map(|retry| (retry.max_attempts, retry.delays_seconds.as_slice())),
        filter: filter.as_ref(),
    };
    EndpointSpec::from_input(input, policy, MIN_SECRET_LEN).map_err(|e| endpoint_error("", &e))
}

/// Checks an UpdateEndpoint request: the endpoint and what to change.
pub fn endpoint_changes(
    request: &proto::UpdateEndpointRequest,
    policy: &NetworkPolicy,
) -> Result<(EndpointId, EndpointChanges), ApiError> {
    let endpoint = request
        .endpoint
        .as_ref()
        .ok_or_else(|| ApiError::invalid_field("endpoint", "is required"))?;
    let id = endpoint_id("endpoint.id", &endpoint.id)?;
    let paths = request
        .update_mask
        .as_ref()
        .map(|mask| mask.paths.as_slice())
        .unwrap_or_default();
    if paths.is_empty() {
        return Err(ApiError::invalid_field(
            "update_mask",
            "name the fields to change: \"url\", \"event_types\", \"headers\", \"retry_policy\", \"filter\"",
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
    for path in paths {
        match path.as_str() {
            "url" => {
                ApiError::check_length("endpoint.url", &endpoint.url, MAX_URL_BYTES)?;
                changes.url = Some(
                    check_url(&endpoint.url, policy)
                        .map_err(|e| endpoint_error("endpoint.", &e))?,
                );
            }
            "event_types" => {
                changes.event_patterns = Some(
                    check_event_patterns(&endpoint.event_types)
                        .map_err(|e| endpoint_error("endpoint.", &e))?,
                );
            }
            "retry_policy" => {
                changes.retry_schedule = Some(
                    endpoint
                        .retry_policy
                        .as_ref()
                        .map(|retry| {
                            check_retry_schedule(retry.max_attempts, &retry.delays_seconds)
                        })
                        .transpose()
                        .map_err(|e| endpoint_error("endpoint.", &e))?,
                );
            }
            "filter" => {
                let filter = endpoint
                    .filter
                    .as_ref()
                    .map(|filter| json_from_struct(filter, "endpoint.filter"))
                    .transpose()?;
                changes.filter = Some(match filter {
                    Some(filter) => {
                        check_filter(&filter).map_err(|e| endpoint_error("endpoint.", &e))?
                    }
                    None => None,
                });
            }
            "headers" => {
                let headers: Vec<(String, String)> = endpoint.headers.clone().into_iter().collect();
                changes.headers =
                    Some(check_headers(&headers).map_err(|e| endpoint_error("endpoint.", &e))?);
            }
            other => {
                return Err(ApiError::invalid_field(
                    "update_mask",
                    format!(
                        "`{}` cannot be updated; use \"url\", \"event_types\", \"headers\", \"retry_policy\" or \"filter\"",
                        other.chars().take(64).collect::<String>()
                    ),
                ));
            }
        }
    }
    Ok((id, changes))
}

/// A disable reason: optional, bounded.
pub fn disable_reason(raw: &str) -> Result<Option<&str>, ApiError> {
    ApiError::check_length("reason", raw, MAX_REASON_BYTES)?;
    Ok((!raw.is_empty()).then_some(raw))
}

/// The grace period of a rotation: the default when 0, at most 30 days.
pub fn rotation_grace(seconds: u32) -> Result<Duration, ApiError> {
    let grace = match seconds {
        0 => DEFAULT_ROTATION_GRACE,
        seconds => Duration::from_secs(u64::from(seconds)),
    };
    if grace > MAX_ROTATION_GRACE {
        return Err(ApiError::invalid_field(
            "grace_period_seconds",
            format!("must be at most {} (30 days)", MAX_ROTATION_GRACE.as_secs()),
        ));
    }
    Ok(grace)
}
