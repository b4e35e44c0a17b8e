//! API key requests and responses: roles and views to and from protobuf.

use super::convert::timestamp;
use super::proto;
use crate::domain::Role;
use crate::error::ApiError;
use crate::service::{ApiKeyView, KeyOrigin};

pub fn role_to_proto(role: Role) -> proto::ApiKeyRole {
    match role {
        Role::Dispatch => proto::ApiKeyRole::Dispatch,
        Role::Read => proto::ApiKeyRole::Read,
        Role::Admin => proto::ApiKeyRole::Admin,
    }
}

pub fn role_from_proto(raw: i32) -> Result<Role, ApiError> {
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

pub fn key_to_proto(key: &ApiKeyView) -> proto::ApiKey {
    proto::ApiKey {
        name: key.name.clone(),
        role: role_to_proto(key.role) as i32,
        origin: match key.origin {
            KeyOrigin::Config => "config",
            KeyOrigin::Api => "api",
        }
        .to_owned(),
        created_at: key.created_at.map(timestamp),
        revoked_at: key.revoked_at.map(timestamp),
        fingerprint: key.fingerprint.clone(),
    }
}
