//! The Standard Webhooks scheme (<https://www.standardwebhooks.com>), for
//! endpoints with `signature_scheme: standard`. Each delivery carries:
//! - `webhook-id`: the event id, the same across retries and replays;
//! - `webhook-timestamp`: unix seconds, fresh on every attempt;
//! - `webhook-signature`: space-separated `version,base64` values over
//!   `"{id}.{timestamp}.{body}"`: `v1` is HMAC-SHA256 keyed with the
//!   base64-decoded `whsec_` secret, `v1a` is ed25519 signed with a `whsk_`
//!   private key (receivers verify with the `whpk_` public key).
//!
//! Pinned by `tests/vectors/standard_webhooks.json`, which starts with the
//! published vectors of the spec's reference libraries.

use std::fmt;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use rand::RngCore;
use ring::signature::{ED25519, Ed25519KeyPair, KeyPair, UnparsedPublicKey};
use sha2::Sha256;

use super::VerifyError;

pub const HEADER_ID: &str = "webhook-id";
pub const HEADER_TIMESTAMP: &str = "webhook-timestamp";
pub const HEADER_SIGNATURE: &str = "webhook-signature";

/// Prefix of symmetric (HMAC) secrets.
pub const SECRET_PREFIX: &str = "whsec_";
/// Prefix of ed25519 private keys (a base64 32-byte seed).
pub const PRIVATE_KEY_PREFIX: &str = "whsk_";
/// Prefix of ed25519 public keys, as receivers hold them.
pub const PUBLIC_KEY_PREFIX: &str = "whpk_";

/// Shortest HMAC key accepted, in bytes; generated keys have 32.
pub const MIN_SECRET_BYTES: usize = 24;
const GENERATED_KEY_BYTES: usize = 32;
const ED25519_SEED_BYTES: usize = 32;

type HmacSha256 = Hmac<Sha256>;

/// Why a secret cannot sign in the standard scheme.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error(
        "a standard-scheme secret is `whsec_` + base64 of at least {MIN_SECRET_BYTES} random bytes (HMAC), or `whsk_` + base64 of a 32-byte ed25519 seed"
    )]
    UnknownPrefix,
    #[error("the part after `{0}` is not valid base64")]
    NotBase64(&'static str),
    #[error("a `whsec_` secret must decode to at least {MIN_SECRET_BYTES} bytes, not {0}")]
    TooShort(usize),
    #[error("a `whsk_` key must decode to a 32-byte ed25519 seed, not {0} bytes")]
    BadSeed(usize),
}

/// A parsed signing secret. `Debug` never shows key material.
pub enum SigningKey {
    Hmac(Vec<u8>),
    Ed25519(Ed25519KeyPair),
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SigningKey::Hmac(_) => f.write_str("SigningKey::Hmac([REDACTED])"),
            SigningKey::Ed25519(_) => f.write_str("SigningKey::Ed25519([REDACTED])"),
        }
    }
}

impl SigningKey {
    /// Parses a `whsec_…` or `whsk_…` secret.
    pub fn parse(secret: &str) -> Result<Self, KeyError> {
        if let Some(encoded) = secret.strip_prefix(SECRET_PREFIX) {
            let key = BASE64
                .decode(encoded)
                .map_err(|_| KeyError::NotBase64(SECRET_PREFIX))?;
            if key.len() < MIN_SECRET_BYTES {
                return Err(KeyError::TooShort(key.len()));
            }
            Ok(SigningKey::Hmac(key))
        } else if let Some(encoded) = secret.strip_prefix(PRIVATE_KEY_PREFIX) {
            let seed = BASE64
                .decode(encoded)
                .map_err(|_| KeyError::NotBase64(PRIVATE_KEY_PREFIX))?;
            if seed.len() != ED25519_SEED_BYTES {
                return Err(KeyError::BadSeed(seed.len()));
            }
            let pair = Ed25519KeyPair::from_seed_unchecked(&seed)
                .map_err(|_| KeyError::BadSeed(seed.len()))?;
            Ok(SigningKey::Ed25519(pair))
        } else {
            Err(KeyError::UnknownPrefix)
        }
    }

    /// One `webhook-signature` value: `v1,…` or `v1a,…`.
    pub fn sign(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        match self {
            SigningKey::Hmac(key) => {
                let digest = hmac_for(key, id, timestamp, body).finalize().into_bytes();
                format!("v1,{}", BASE64.encode(digest))
            }
            SigningKey::Ed25519(pair) => {
                let signature = pair.sign(&signed_content(id, timestamp, body));
                format!("v1a,{}", BASE64.encode(signature.as_ref()))
            }
        }
    }

    /// The `whpk_` public key receivers verify `v1a` signatures with.
    pub fn public_key(&self) -> Option<String> {
        match self {
            SigningKey::Hmac(_) => None,
            SigningKey::Ed25519(pair) => Some(format!(
                "{PUBLIC_KEY_PREFIX}{}",
                BASE64.encode(pair.public_key().as_ref())
            )),
        }
    }
}

/// A new random secret of the same kind as `current` (ed25519 stays
/// ed25519), or an HMAC secret when there is none.
pub fn generate_secret_like(current: Option<&str>) -> String {
    let mut bytes = [0u8; GENERATED_KEY_BYTES];
    rand::rng().fill_bytes(&mut bytes);
    let prefix = match current {
        Some(secret) if secret.starts_with(PRIVATE_KEY_PREFIX) => PRIVATE_KEY_PREFIX,
        _ => SECRET_PREFIX,
    };
    format!("{prefix}{}", BASE64.encode(bytes))
}

fn hmac_for(key: &[u8], id: &str, timestamp: i64, body: &[u8]) -> HmacSha256 {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

fn signed_content(id: &str, timestamp: i64, body: &[u8]) -> Vec<u8> {
    let mut content = Vec::with_capacity(id.len() + body.len() + 24);
    content.extend_from_slice(id.as_bytes());
    content.push(b'.');
    content.extend_from_slice(timestamp.to_string().as_bytes());
    content.push(b'.');
    content.extend_from_slice(body);
    content
}

/// The headers of a received delivery, as strings.
pub struct ReceivedHeaders<'a> {
    pub id: &'a str,
    pub timestamp: &'a str,
    pub signature: &'a str,
}

/// Verifies a delivery on the receiving side. `secrets` are `whsec_` secrets
/// (the prefix is optional), `public_keys` `whpk_` keys; any match of any
/// listed signature accepts. Unknown versions are skipped. HMACs are
/// compared in constant time.
pub fn verify(
    secrets: &[&str],
    public_keys: &[&str],
    body: &[u8],
    headers: &ReceivedHeaders<'_>,
    now: i64,
    tolerance: Duration,
) -> Result<(), VerifyError> {
    let timestamp: i64 = headers.timestamp.trim().parse().map_err(|_| {
        VerifyError::MalformedHeader(format!(
            "timestamp `{}` is not unix seconds",
            headers.timestamp
        ))
    })?;
    let signatures = parse_signature_header(headers.signature)?;
    let tolerance_seconds = tolerance.as_secs();
    if timestamp.abs_diff(now) > tolerance_seconds {
        return Err(VerifyError::TimestampOutOfTolerance { tolerance_seconds });
    }
    let keys: Vec<Vec<u8>> = decode_all(secrets, SECRET_PREFIX);
    let public_keys: Vec<Vec<u8>> = decode_all(public_keys, PUBLIC_KEY_PREFIX);
    let content = signed_content(headers.id, timestamp, body);
    for (version, value) in signatures {
        let Ok(signature) = BASE64.decode(value) else {
            continue;
        };
        let matched = match version {
            "v1" => keys.iter().any(|key| {
                hmac_for(key, headers.id, timestamp, body)
                    .verify_slice(&signature)
                    .is_ok()
            }),
            "v1a" => public_keys.iter().any(|key| {
                UnparsedPublicKey::new(&ED25519, key)
                    .verify(&content, &signature)
                    .is_ok()
            }),
            _ => false,
        };
        if matched {
            return Ok(());
        }
    }
    Err(VerifyError::SignatureMismatch)
}

fn decode_all(keys: &[&str], prefix: &str) -> Vec<Vec<u8>> {
    keys.iter()
        .filter_map(|key| BASE64.decode(key.strip_prefix(prefix).unwrap_or(key)).ok())
        .collect()
}

fn parse_signature_header(header: &str) -> Result<Vec<(&str, &str)>, VerifyError> {
    let signatures = header
        .split_whitespace()
        .map(|part| {
            part.split_once(',').ok_or_else(|| {
                VerifyError::MalformedHeader(format!("`{part}` is not `version,signature`"))
            })
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
        sign_ed25519: Vec<Ed25519Case>,
        verify: Vec<VerifyCase>,
    }

    #[derive(Deserialize)]
    struct SignCase {
        name: String,
        secret: String,
        id: String,
        timestamp: i64,
        body: String,
        expected_signature: String,
    }

    #[derive(Deserialize)]
    struct Ed25519Case {
        name: String,
        private_key: String,
        public_key: String,
        id: String,
        timestamp: i64,
        body: String,
        expected_signature: String,
    }

    #[derive(Deserialize)]
    struct VerifyCase {
        name: String,
        secrets: Vec<String>,
        #[serde(default)]
        public_keys: Vec<String>,
        id: String,
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
        serde_json::from_str(include_str!("../../tests/vectors/standard_webhooks.json"))
            .expect("the standard vectors file parses")
    }

    #[test]
    fn signs_every_published_and_shared_vector() {
        let vectors = vectors();
        for case in vectors.sign {
            let key = SigningKey::parse(&case.secret).expect("vector secrets parse");
            assert_eq!(
                key.sign(&case.id, case.timestamp, case.body.as_bytes()),
                case.expected_signature,
                "vector `{}`",
                case.name
            );
        }
        for case in vectors.sign_ed25519 {
            let key = SigningKey::parse(&case.private_key).expect("vector keys parse");
            assert_eq!(key.public_key().as_deref(), Some(case.public_key.as_str()));
            assert_eq!(
                key.sign(&case.id, case.timestamp, case.body.as_bytes()),
                case.expected_signature,
                "vector `{}`",
                case.name
            );
        }
    }

    #[test]
    fn verifies_every_shared_vector() {
        for case in vectors().verify {
            let secrets: Vec<&str> = case.secrets.iter().map(String::as_str).collect();
            let public_keys: Vec<&str> = case.public_keys.iter().map(String::as_str).collect();
            let result = verify(
                &secrets,
                &public_keys,
                case.body.as_bytes(),
                &ReceivedHeaders {
                    id: &case.id,
                    timestamp: &case.timestamp_header,
                    signature: &case.signature_header,
                },
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
    fn secrets_are_checked_with_reasons() {
        assert_eq!(
            SigningKey::parse("plain-text").unwrap_err(),
            KeyError::UnknownPrefix
        );
        assert_eq!(
            SigningKey::parse("whsec_***").unwrap_err(),
            KeyError::NotBase64(SECRET_PREFIX)
        );
        assert_eq!(
            SigningKey::parse("whsec_c2hvcnQ=").unwrap_err(),
            KeyError::TooShort(5)
        );
        assert_eq!(
            SigningKey::parse("whsk_c2hvcnQ=").unwrap_err(),
            KeyError::BadSeed(5)
        );
    }

    #[test]
    fn generated_secrets_parse_and_keep_their_kind() {
        let hmac = generate_secret_like(None);
        assert!(matches!(SigningKey::parse(&hmac), Ok(SigningKey::Hmac(key)) if key.len() == 32));
        let ed = generate_secret_like(Some("whsk_VEVTVFNJR05JTkdLRVlET05PVFVTRVRISVNGT1JBTlk="));
        assert!(matches!(SigningKey::parse(&ed), Ok(SigningKey::Ed25519(_))));
        assert_ne!(generate_secret_like(None), hmac);
    }

    #[test]
    fn debug_output_hides_key_material() {
        let key = SigningKey::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        assert_eq!(format!("{key:?}"), "SigningKey::Hmac([REDACTED])");
    }
}
