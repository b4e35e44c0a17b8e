//! Compiles `proto/` with the pure-Rust `protox` compiler (no system `protoc`
//! needed), generates the tonic server and client, and writes the encoded
//! descriptor set that gRPC server reflection serves.

use std::path::PathBuf;

use prost::Message;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let proto_files = ["proto/webhook/v1/webhook.proto"];
    println!("cargo:rerun-if-changed=proto");
    // `sqlx::migrate!` embeds the migrations; rebuild when they change.
    println!("cargo:rerun-if-changed=migrations");

    // `protox::compile` includes the imported well-known types, so reflection
    // clients can resolve `google.protobuf.Struct` without local copies.
    let descriptor_set = protox::compile(proto_files, ["proto"])?;
    let out_dir = PathBuf::from(std::env::var("OUT_DIR")?);
    std::fs::write(
        out_dir.join("webhook_descriptor.bin"),
        descriptor_set.encode_to_vec(),
    )?;
    // Our codec answers undecodable requests with INVALID_ARGUMENT.
    tonic_prost_build::configure()
        .codec_path("crate::api::codec::ApiCodec")
        .compile_fds(descriptor_set)?;
    Ok(())
}
