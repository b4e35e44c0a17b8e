//! Errors that cross the API, mapped the same way for gRPC and HTTP.

use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt};
use tracing::error;

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
        }
    }
}

/// An error returned by an API call: a code, a message a person can act on,
/// and the request fields at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    /// (field, description) pairs for invalid arguments.
    pub field_violations: Vec<(String, String)>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
            field_violations: Vec::new(),
        }
    }

    /// An invalid argument in `field`.
    pub fn invalid_field(field: &str, description: impl Into<String>) -> Self {
        let description = description.into();
        ApiError {
            code: ErrorCode::InvalidArgument,
            message: format!("{field}: {description}"),
            field_violations: vec![(field.to_owned(), description)],
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::EndpointNotFound(id) => ApiError::new(
                ErrorCode::NotFound,
                format!("endpoint `{id}` does not exist"),
            ),
            StoreError::EndpointExists(id) => ApiError::new(
                ErrorCode::AlreadyExists,
                format!("endpoint `{id}` already exists; update it, or delete it first"),
            ),
            StoreError::ApiKeyNotFound(name) => ApiError::new(
                ErrorCode::NotFound,
                format!("API key `{name}` does not exist"),
            ),
            StoreError::ApiKeyExists(name) => ApiError::new(
                ErrorCode::AlreadyExists,
                format!("an API key named `{name}` already exists; pick another name or revoke it"),
            ),
            StoreError::EventNotFound(id) => {
                ApiError::new(ErrorCode::NotFound, format!("event `{id}` does not exist"))
            }
            StoreError::EndpointInactive(id) => ApiError::new(
                ErrorCode::FailedPrecondition,
                format!("endpoint `{id}` is not active; enable it before sending to it"),
            ),
            StoreError::Database(_) | StoreError::Unavailable(_) => {
                error!(error.message = %e, error.cause_chain = ?e, "store unavailable");
                ApiError::new(
                    ErrorCode::Unavailable,
                    "the store is unavailable; nothing was stored, retry later",
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
        if e.field_violations.is_empty() {
            return Status::new(e.code.grpc_code(), e.message);
        }
        let mut details = ErrorDetails::new();
        for (field, description) in &e.field_violations {
            details.add_bad_request_violation(field, description);
        }
        Status::with_error_details(e.code.grpc_code(), e.message, details)
    }
}
