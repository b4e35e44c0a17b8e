//! Per-endpoint signature schemes: Standard Webhooks deliveries verify with
//! the independent `standardwebhooks` Python package, ed25519 ones with the
//! endpoint's public key; secrets are checked when endpoints are created.

use std::process::Command;
use std::time::Duration;

use tonic::Code;
use webhookd::api::proto::{CreateEndpointRequest, RotateEndpointSecretRequest, SignatureScheme};
use webhookd::signing::standard::{self, ReceivedHeaders};

use crate::common::receiver::{Received, Receiver};
use crate::common::{Backend, TestSettings, spawn_app, test_python};

const HMAC_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const ED25519_KEY: &str = "whsk_VEVTVFNJR05JTkdLRVlET05PVFVTRVRISVNGT1JBTlk=";

fn standard_endpoint(id: &str, url: String, secret: &str) -> CreateEndpointRequest {
    CreateEndpointRequest {
        id: id.to_owned(),
        url,
        event_types: vec!["order.*".to_owned()],
        secret: secret.to_owned(),
        signature_scheme: SignatureScheme::Standard as i32,
        ..Default::default()
    }
}

fn now_seconds() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn verify_in_rust(
    request: &Received,
    secrets: &[&str],
    public_keys: &[&str],
) -> Result<(), webhookd::signing::VerifyError> {
    standard::verify(
        secrets,
        public_keys,
        &request.body,
        &ReceivedHeaders {
            id: request.header("webhook-id"),
            timestamp: request.header("webhook-timestamp"),
            signature: request.header("webhook-signature"),
        },
        now_seconds(),
        Duration::from_secs(300),
    )
}

/// Verifies `request` with the reference `standardwebhooks` package, as a
/// receiver using it would.
fn verify_with_reference_library(python: &str, request: &Received, secret: &str) {
    const SCRIPT: &str = r#"
import sys
from standardwebhooks.webhooks import Webhook
secret, msg_id, timestamp, signature = sys.argv[1:5]
body = sys.stdin.buffer.read()
Webhook(secret).verify(body, {
    "webhook-id": msg_id,
    "webhook-timestamp": timestamp,
    "webhook-signature": signature,
})
"#;
    let mut child = Command::new(python)
        .args([
            "-c",
            SCRIPT,
            secret,
            request.header("webhook-id"),
            request.header("webhook-timestamp"),
            request.header("webhook-signature"),
        ])
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python starts");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(&request.body)
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "standardwebhooks rejected the delivery: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

async fn standard_deliveries_verify_with_the_reference_library(backend: Backend) {
    let python = test_python("the standardwebhooks check");
    let mut receiver = Receiver::start(200).await;
    let app = spawn_app(&backend, TestSettings::default()).await;
    let mut client = app.client.clone();
    let endpoint = client
        .create_endpoint(standard_endpoint("ep_std", receiver.url(), HMAC_SECRET))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(endpoint.signature_scheme(), SignatureScheme::Standard);
    assert!(endpoint.public_key.is_empty(), "HMAC has no public key");

    let dispatched = app
        .dispatch("order.created", r#"{"note":"Zoë 😀","total":12.5}"#)
        .await;
    let request = receiver.next_request(Duration::from_secs(10)).await;
    assert_eq!(request.header("webhook-id"), dispatched.event_id);
    assert!(request.header("webhook-signature").starts_with("v1,"));
    assert!(
        request.headers.get("x-webhook-signature").is_none(),
        "one scheme per endpoint"
    );
    verify_in_rust(&request, &[HMAC_SECRET], &[]).expect("verifies");
    if let Some(python) = &python {
        verify_with_reference_library(python, &request, HMAC_SECRET);
    }

    // Rotation: a new key of the same kind; both sign during the grace period.
    let rotated = client
        .rotate_endpoint_secret(RotateEndpointSecretRequest {
            id: "ep_std".to_owned(),
            grace_period_seconds: 60,
        })
        .await
        .unwrap()
        .into_inner();
    assert!(rotated.new_secret.starts_with("whsec_"));
    assert!(standard::SigningKey::parse(&rotated.new_secret).is_ok());
    app.dispatch("order.updated", r#"{"n":2}"#).await;
    let request = receiver.next_request(Duration::from_secs(10)).await;
    assert_eq!(
        request.header("webhook-signature").split(' ').count(),
        2,
        "old and new signatures"
    );
    for secret in [HMAC_SECRET, rotated.new_secret.as_str()] {
        verify_in_rust(&request, &[secret], &[]).expect("verifies");
        if let Some(python) = &python {
            verify_with_reference_library(python, &request, secret);
        }
    }
}

async fn ed25519_deliveries_verify_with_the_public_key(backend: Backend) {
    let mut receiver = Receiver::start(200).await;
    let app = spawn_app(&backend, TestSettings::default()).await;
    let endpoint = app
        .client
        .clone()
        .create_endpoint(standard_endpoint("ep_ed", receiver.url(), ED25519_KEY))
        .await
        .unwrap()
        .into_inner();
    let public_key = standard::SigningKey::parse(ED25519_KEY)
        .unwrap()
        .public_key()
        .unwrap();
    assert_eq!(endpoint.public_key, public_key);

    app.dispatch("order.created", r#"{"id":1}"#).await;
    let request = receiver.next_request(Duration::from_secs(10)).await;
    assert!(request.header("webhook-signature").starts_with("v1a,"));
    verify_in_rust(&request, &[], &[&public_key]).expect("verifies");
    let other_key = standard::SigningKey::parse(&standard::generate_secret_like(Some(ED25519_KEY)))
        .unwrap()
        .public_key()
        .unwrap();
    assert!(
        verify_in_rust(&request, &[], &[&other_key]).is_err(),
        "another key does not verify"
    );
}

async fn standard_endpoints_need_a_valid_secret(backend: Backend) {
    let app = spawn_app(&backend, TestSettings::default()).await;
    let mut client = app.client.clone();
    for (secret, expected) in [
        ("", "is required with SIGNATURE_SCHEME_STANDARD"),
        ("a-plain-secret-of-32-characters!", "`whsec_` + base64"),
        ("whsec_c2hvcnQ=", "at least 24 bytes"),
        ("whsk_c2hvcnQ=", "32-byte ed25519 seed"),
    ] {
        let status = client
            .create_endpoint(standard_endpoint(
                "ep_bad",
                "https://example.com/hook".to_owned(),
                secret,
            ))
            .await
            .unwrap_err();
        assert_eq!(status.code(), Code::InvalidArgument, "secret {secret:?}");
        assert!(
            status.message().starts_with("secret: ") && status.message().contains(expected),
            "secret {secret:?}: {}",
            status.message()
        );
    }
}

crate::backend_tests!(
    standard_deliveries_verify_with_the_reference_library,
    ed25519_deliveries_verify_with_the_public_key,
    standard_endpoints_need_a_valid_secret,
);
