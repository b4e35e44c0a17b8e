//! Errors that cross the API, mapped the same way for gRPC and HTTP.

use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt};
use tracing::error;

use crate::limits::reason;
use crate::store::StoreError;

/// The kinds of failure a client can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    InvalidArgument,
    NotFound,
    AlreadyExists,
    FailedPrecondition,
    Unavailable,
    Internal,
    Unauthenticated,
    PermissionDenied,
    ResourceExhausted,
}

impl ErrorCode {
    pub fn grpc_code(self) -> Code {
        match self {
            ErrorCode::InvalidArgument => Code::InvalidArgument,
            ErrorCode::NotFound => Code::NotFound,
            ErrorCode::AlreadyExists => Code::AlreadyExists,
            ErrorCode::FailedPrecondition => Code::FailedPrecondition,
            ErrorCode::Unavailable => Code::Unavailable,
            ErrorCode::Internal => Code::Internal,
            ErrorCode::Unauthenticated => Code::Unauthenticated,
            ErrorCode::PermissionDenied => Code::PermissionDenied,
            ErrorCode::ResourceExhausted => Code::ResourceExhausted,
        }
    }

    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::InvalidArgument => 400,
            ErrorCode::NotFound => 404,
            ErrorCode::AlreadyExists => 409,
            ErrorCode::FailedPrecondition => 409,
            ErrorCode::Unavailable => 503,
            ErrorCode::Internal => 500,
            ErrorCode::Unauthenticated => 401,
            ErrorCode::PermissionDenied => 403,
            ErrorCode::ResourceExhausted => 429,
        }
    }

    /// The `ErrorInfo.reason` of an error that names no more precise one.
    fn default_reason(self) -> &'static str {
        match self {
            ErrorCode::InvalidArgument => reason::INVALID_ARGUMENT,
            ErrorCode::NotFound => reason::NOT_FOUND,
            ErrorCode::AlreadyExists => reason::ALREADY_EXISTS,
            ErrorCode::FailedPrecondition => reason::FAILED_PRECONDITION,
            ErrorCode::Unavailable => reason::STORE_UNAVAILABLE,
            ErrorCode::Internal => reason::INTERNAL,
            ErrorCode::Unauthenticated => reason::API_KEY_MISSING,
            ErrorCode::PermissionDenied => reason::ROLE_NOT_ALLOWED,
            ErrorCode::ResourceExhausted => reason::TOO_MANY_STREAMS,
        }
    }
}

/// The `ErrorInfo.domain` of every error.
pub const ERROR_DOMAIN: &str = "webhookd";

/// An error returned by an API call: a code, a message a person can act on,
/// a stable reason code for programs, and the request fields at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    /// `ErrorInfo.reason`: one of `limits::reason`.
    pub reason: &'static str,
    /// `ErrorInfo.metadata`, e.g. the limit that was exceeded.
    pub metadata: Vec<(String, String)>,
    /// (field, description) pairs for invalid arguments.
    pub field_violations: Vec<(String, String)>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
            reason: code.default_reason(),
            metadata: Vec::new(),
            field_violations: Vec::new(),
        }
    }

    /// An invalid argument in `field`.
    pub fn invalid_field(field: &str, description: impl std::fmt::Display) -> Self {
        let description = description.to_string();
        ApiError {
            message: format!("{field}: {description}"),
            field_violations: vec![(field.to_owned(), description)],
            ..ApiError::new(ErrorCode::InvalidArgument, "")
        }
    }

    /// `field` holds `got` bytes where `limit` is the most allowed.
    pub fn too_long(field: &str, limit: usize, got: usize) -> Self {
        ApiError::invalid_field(field, format!("must be at most {limit} bytes (got {got})"))
            .with_reason(reason::FIELD_TOO_LONG)
            .with_metadata("limit", limit.to_string())
    }

    /// Fails with `too_long` when `value` is over `limit` bytes.
    pub fn check_length(field: &str, value: &str, limit: usize) -> Result<(), ApiError> {
        if value.len() > limit {
            return Err(ApiError::too_long(field, limit, value.len()));
        }
        Ok(())
    }

    /// `field` lists `got` items where `limit` is the most allowed.
    pub fn too_many(field: &str, limit: usize, got: usize, reason: &'static str) -> Self {
        ApiError::invalid_field(field, format!("at most {limit} entries (got {got})"))
            .with_reason(reason)
            .with_metadata("limit", limit.to_string())
    }

    pub fn with_reason(mut self, reason: &'static str) -> Self {
        self.reason = reason;
        self
    }

    pub fn with_metadata(mut self, key: &str, value: String) -> Self {
        self.metadata.push((key.to_owned(), value));
        self
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::EndpointNotFound(id) => ApiError::new(
                ErrorCode::NotFound,
                format!("endpoint `{id}` does not exist"),
            )
            .with_reason(reason::ENDPOINT_NOT_FOUND),
            StoreError::EndpointExists(id) => ApiError::new(
                ErrorCode::AlreadyExists,
                format!("endpoint `{id}` already exists; update it, or delete it first"),
            )
            .with_reason(reason::ENDPOINT_EXISTS),
            StoreError::ApiKeyNotFound(name) => ApiError::new(
                ErrorCode::NotFound,
                format!("API key `{name}` does not exist"),
            )
            .with_reason(reason::API_KEY_NOT_FOUND),
            StoreError::ApiKeyExists(name) => ApiError::new(
                ErrorCode::AlreadyExists,
                format!("an API key named `{name}` already exists; pick another name or revoke it"),
            )
            .with_reason(reason::API_KEY_EXISTS),
            StoreError::EventNotFound(id) => {
                ApiError::new(ErrorCode::NotFound, format!("event `{id}` does not exist"))
                    .with_reason(reason::EVENT_NOT_FOUND)
            }
            StoreError::EndpointInactive(id) => ApiError::new(
                ErrorCode::FailedPrecondition,
                format!("endpoint `{id}` is not active; enable it before sending to it"),
            )
            .with_reason(reason::ENDPOINT_INACTIVE),
            StoreError::Unavailable(_) => {
                error!(error.message = %e, "store unavailable");
                ApiError::new(
                    ErrorCode::Unavailable,
                    "the store is unavailable; nothing was stored, retry later",
                )
            }
            StoreError::Conflict(_) => {
                error!(error.message = %e, "the database refused a change");
                ApiError::new(
                    ErrorCode::FailedPrecondition,
                    "the change conflicts with what is stored; nothing was changed",
                )
            }
            other => {
                error!(error.message = %other, error.cause_chain = ?other, "internal error");
                ApiError::new(ErrorCode::Internal, "internal error")
            }
        }
    }
}

impl From<ApiError> for Status {
    fn from(e: ApiError) -> Self {
        let mut details = ErrorDetails::with_error_info(
            e.reason,
            ERROR_DOMAIN,
            e.metadata
                .into_iter()
                .collect::<std::collections::HashMap<_, _>>(),
        );
        for (field, description) in &e.field_violations {
            details.add_bad_request_violation(field, description);
        }
        Status::with_error_details(e.code.grpc_code(), e.message, details)
    }
}
