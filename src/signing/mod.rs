//! The webhookd signature scheme, for senders and receivers.
//!
//! Each delivery carries:
//! - `X-Webhook-Id`: the event id, the same across retries and replays;
//! - `X-Webhook-Timestamp`: unix seconds, fresh on every attempt;
//! - `X-Webhook-Signature`: `sha256=<hex HMAC-SHA256(secret, "{timestamp}.{body}")>`,
//!   several comma-separated values while a secret is being rotated.
//!
//! Pure functions, pinned by the shared vectors in `tests/vectors/signatures.json`.
//! Endpoints may choose the Standard Webhooks scheme instead: see [`standard`].

pub mod standard;

use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;

pub const HEADER_ID: &str = "x-webhook-id";
pub const HEADER_TIMESTAMP: &str = "x-webhook-timestamp";
pub const HEADER_SIGNATURE: &str = "x-webhook-signature";

/// Receivers reject timestamps further than this from their clock.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(5 * 60);

const SCHEME_PREFIX: &str = "sha256=";

type HmacSha256 = Hmac<Sha256>;

fn mac_for(secret: &[u8], timestamp: i64, body: &[u8]) -> HmacSha256 {
    let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC accepts keys of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// Returns the `X-Webhook-Signature` value for `body` sent at `timestamp`.
pub fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    let digest = mac_for(secret, timestamp, body).finalize().into_bytes();
    format!("{SCHEME_PREFIX}{}", hex::encode(digest))
}

/// Why a signature did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("malformed signature headers: {0}")]
    MalformedHeader(String),
    #[error("timestamp is outside the tolerance of {tolerance_seconds} s")]
    TimestampOutOfTolerance { tolerance_seconds: u64 },
    #[error("no signature matches the body")]
    SignatureMismatch,
}

impl VerifyError {
    /// A stable name, as used in the shared test vectors.
    pub fn code(&self) -> &'static str {
        match self {
            VerifyError::MalformedHeader(_) => "malformed_header",
            VerifyError::TimestampOutOfTolerance { .. } => "timestamp_out_of_tolerance",
            VerifyError::SignatureMismatch => "signature_mismatch",
        }
    }
}

/// Verifies a delivery on the receiving side: `timestamp_header` and
/// `signature_header` as received, `body` the raw bytes, `now` in unix
/// seconds. Accepts the request when any listed signature matches any of
/// `secrets`. Comparison is constant-time.
pub fn verify(
    secrets: &[&[u8]],
    body: &[u8],
    timestamp_header: &str,
    signature_header: &str,
    now: i64,
    tolerance: Duration,
) -> Result<(), VerifyError> {
    let timestamp: i64 = timestamp_header.trim().parse().map_err(|_| {
        VerifyError::MalformedHeader(format!(
            "timestamp `{timestamp_header}` is not unix seconds"
        ))
    })?;
    let signatures = parse_signature_header(signature_header)?;
    let tolerance_seconds = tolerance.as_secs();
    if timestamp.abs_diff(now) > tolerance_seconds {
        return Err(VerifyError::TimestampOutOfTolerance { tolerance_seconds });
    }
    for secret in secrets {
        for signature in &signatures {
            if mac_for(secret, timestamp, body)
                .verify_slice(signature)
                .is_ok()
            {
                return Ok(());
            }
        }
    }
    Err(VerifyError::SignatureMismatch)
}

fn parse_signature_header(header: &str) -> Result<Vec<Vec<u8>>, VerifyError> {
    let signatures = header
        .split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| {
            let hex_digest = part.strip_prefix(SCHEME_PREFIX).ok_or_else(|| {
                VerifyError::MalformedHeader(format!(
                    "`{part}` does not start with {SCHEME_PREFIX}"
                ))
            })?;
            hex::decode(hex_digest)
                .map_err(|_| VerifyError::MalformedHeader(format!("`{part}` is not hex")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    if signatures.is_empty() {
        return Err(VerifyError::MalformedHeader(
            "no signature given".to_owned(),
        ));
    }
    Ok(signatures)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct Vectors {
        sign: Vec<SignCase>,
        verify: Vec<VerifyCase>,
    }

    #[derive(Deserialize)]
    struct SignCase {
        name: String,
        secret: String,
        timestamp: i64,
        body: String,
        expected_signature: String,
    }

    #[derive(Deserialize)]
    struct VerifyCase {
        name: String,
        secret: String,
        body: String,
        timestamp_header: String,
        signature_header: String,
        now: i64,
        tolerance_seconds: u64,
        valid: bool,
        #[serde(default)]
        error: Option<String>,
    }

    fn vectors() -> Vectors {
        serde_json::from_str(include_str!("../../tests/vectors/signatures.json"))
            .expect("the shared vectors file parses")
    }

    #[test]
    fn signs_every_shared_vector() {
        for case in vectors().sign {
            assert_eq!(
                sign(case.secret.as_bytes(), case.timestamp, case.body.as_bytes()),
                case.expected_signature,
                "vector `{}`",
                case.name
            );
        }
    }

    #[test]
    fn verifies_every_shared_vector() {
        for case in vectors().verify {
            let result = verify(
                &[case.secret.as_bytes()],
                case.body.as_bytes(),
                &case.timestamp_header,
                &case.signature_header,
                case.now,
                Duration::from_secs(case.tolerance_seconds),
            );
            assert_eq!(
                result.is_ok(),
                case.valid,
                "vector `{}`: {result:?}",
                case.name
            );
            if let (Err(err), Some(expected)) = (&result, &case.error) {
                assert_eq!(err.code(), expected, "vector `{}`", case.name);
            }
        }
    }

    #[test]
    fn any_of_several_secrets_verifies() {
        let body = br#"{"a":1}"#;
        let signature = sign(b"new", 100, body);
        assert!(
            verify(
                &[b"old", b"new"],
                body,
                "100",
                &signature,
                100,
                DEFAULT_TOLERANCE
            )
            .is_ok()
        );
        assert_eq!(
            verify(&[b"old"], body, "100", &signature, 100, DEFAULT_TOLERANCE),
            Err(VerifyError::SignatureMismatch)
        );
    }

    // Fuzz: verification of any header text never panics, and what is
    // signed verifies while any change to the body does not.
    proptest::proptest! {
        #[test]
        fn fuzz_any_headers_verify_without_panicking(
            timestamp in "\\PC{0,24}",
            signature in "\\PC{0,200}",
            id in "\\PC{0,40}",
            body: Vec<u8>,
        ) {
            let _ = verify(&[b"secret"], &body, &timestamp, &signature, 0, DEFAULT_TOLERANCE);
            let _ = standard::verify(
                &["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", &signature],
                &["whpk_AAAA", &signature],
                &body,
                &standard::ReceivedHeaders { id: &id, timestamp: &timestamp, signature: &signature },
                0,
                DEFAULT_TOLERANCE,
            );
            let _ = standard::SigningKey::parse(&signature);
        }

        #[test]
        fn fuzz_signed_bodies_verify_and_altered_ones_do_not(
            secret in proptest::collection::vec(proptest::num::u8::ANY, 1..64),
            body in proptest::collection::vec(proptest::num::u8::ANY, 1..512),
            timestamp in 0i64..4_000_000_000,
            flip in proptest::num::usize::ANY,
        ) {
            let signature = sign(&secret, timestamp, &body);
            let ts = timestamp.to_string();
            proptest::prop_assert!(verify(&[&secret], &body, &ts, &signature, timestamp, DEFAULT_TOLERANCE).is_ok());
            let mut altered = body.clone();
            let index = flip % altered.len();
            altered[index] ^= 0x01;
            proptest::prop_assert_eq!(
                verify(&[&secret], &altered, &ts, &signature, timestamp, DEFAULT_TOLERANCE),
                Err(VerifyError::SignatureMismatch)
            );
        }
    }
}
