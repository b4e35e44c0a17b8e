//! The gRPC API: requests are parsed into domain types and results
//! converted back here, and only here; the work is the service layer's.

pub mod auth;
pub mod codec;
mod convert;
mod dispatch;
mod endpoints;
mod fields;
pub mod grpc;
mod keys;
mod log;
mod page;
mod stream;

/// The generated protobuf types, server and client of `webhook.v1`. The
/// client is the Rust SDK: `webhookd::api::proto::webhook_service_client`.
#[allow(clippy::all, clippy::pedantic, missing_docs)]
pub mod proto {
    tonic::include_proto!("webhook.v1");

    /// The encoded descriptor set served by gRPC reflection.
    pub const FILE_DESCRIPTOR_SET: &[u8] =
        tonic::include_file_descriptor_set!("webhook_descriptor");
}
