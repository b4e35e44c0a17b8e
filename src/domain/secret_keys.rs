//! Endpoint secrets encrypted at rest (`security.secret_keys`): each
//! stored secret is sealed with XChaCha20-Poly1305 under the first key,
//! bound to its endpoint's id, and written as
//! `wenc1:<key id>:<base64 of nonce and ciphertext>`. Every key listed
//! opens the secrets sealed under it, so a key can be rotated in: list the
//! new one first, keep the old one until every instance has restarted
//! (each start reseals what an older key sealed).

use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};

/// What a sealed secret starts with; plain secrets may not.
pub const SEALED_PREFIX: &str = "wenc1:";

const NONCE_BYTES: usize = 24;
const KEY_BYTES: usize = 32;
const MAX_KEY_ID_BYTES: usize = 64;

/// Why a key of `security.secret_keys` is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretKeyError {
    #[error("must be 1 to {MAX_KEY_ID_BYTES} letters, digits, `_`, `-` or `.`")]
    Id,
    #[error("is used twice; every key needs its own id")]
    DuplicateId,
    #[error("must be 32 random bytes in base64 (for example `openssl rand -base64 32`)")]
    Key,
}

/// Why a stored secret cannot be opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpenError {
    #[error(
        "is encrypted with key `{0}`, which is not in security.secret_keys: add that key back (after the new one) and restart"
    )]
    UnknownKey(String),
    #[error(
        "is encrypted, but security.secret_keys is empty: configure the key it was encrypted with"
    )]
    NoKeys,
    #[error("cannot be decrypted with key `{0}`: the key is wrong or the value was altered")]
    Tampered(String),
    #[error("is not a well-formed encrypted secret")]
    Malformed,
}

struct SecretKey {
    id: String,
    cipher: XChaCha20Poly1305,
}

/// The keys, the first of which seals; none: secrets are stored as given.
#[derive(Default)]
pub struct SecretKeys {
    keys: Vec<SecretKey>,
}

impl std::fmt::Debug for SecretKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ids: Vec<&str> = self.keys.iter().map(|key| key.id.as_str()).collect();
        f.debug_struct("SecretKeys").field("ids", &ids).finish()
    }
}

impl SecretKeys {
    /// Checks keys as configured: (id, base64 key), the sealing one first.
    /// An error names the index of the key at fault.
    pub fn parse(raw: &[(String, SecretString)]) -> Result<Self, (usize, SecretKeyError)> {
        let mut keys: Vec<SecretKey> = Vec::with_capacity(raw.len());
        for (index, (id, key)) in raw.iter().enumerate() {
            let valid_id = !id.is_empty()
                && id.len() <= MAX_KEY_ID_BYTES
                && id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
            if !valid_id {
                return Err((index, SecretKeyError::Id));
            }
            if keys.iter().any(|existing| existing.id == *id) {
                return Err((index, SecretKeyError::DuplicateId));
            }
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(key.expose_secret().trim())
                .ok()
                .filter(|bytes| bytes.len() == KEY_BYTES)
                .ok_or((index, SecretKeyError::Key))?;
            keys.push(SecretKey {
                id: id.clone(),
                cipher: XChaCha20Poly1305::new(Key::from_slice(&bytes)),
            });
        }
        Ok(SecretKeys { keys })
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The id of the key that seals, if any.
    pub fn sealing_key_id(&self) -> Option<&str> {
        self.keys.first().map(|key| key.id.as_str())
    }

    /// The secret as stored for endpoint `owner`: sealed under the first
    /// key, or as given without keys.
    pub fn seal(&self, owner: &str, secret: &str) -> String {
        let Some(key) = self.keys.first() else {
            return secret.to_owned();
        };
        let mut nonce = [0u8; NONCE_BYTES];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = key
            .cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: secret.as_bytes(),
                    aad: owner.as_bytes(),
                },
            )
            .expect("XChaCha20-Poly1305 encrypts any message under 256 GiB");
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        format!(
            "{SEALED_PREFIX}{}:{}",
            key.id,
            STANDARD_NO_PAD.encode(bytes)
        )
    }

    /// The secret a stored value of endpoint `owner` holds.
    pub fn open(&self, owner: &str, stored: &str) -> Result<String, OpenError> {
        let Some(sealed) = stored.strip_prefix(SEALED_PREFIX) else {
            return Ok(stored.to_owned());
        };
        let (id, encoded) = sealed.split_once(':').ok_or(OpenError::Malformed)?;
        let key = self.keys.iter().find(|key| key.id == id).ok_or_else(|| {
            match self.keys.is_empty() {
                true => OpenError::NoKeys,
                false => OpenError::UnknownKey(id.to_owned()),
            }
        })?;
        let bytes = STANDARD_NO_PAD
            .decode(encoded)
            .map_err(|_| OpenError::Malformed)?;
        if bytes.len() < NONCE_BYTES {
            return Err(OpenError::Malformed);
        }
        let (nonce, ciphertext) = bytes.split_at(NONCE_BYTES);
        let plain = key
            .cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: owner.as_bytes(),
                },
            )
            .map_err(|_| OpenError::Tampered(id.to_owned()))?;
        String::from_utf8(plain).map_err(|_| OpenError::Malformed)
    }

    /// Whether a stored value is not yet as `seal` would write it now:
    /// plain while there are keys, or sealed under another key than the
    /// first.
    pub fn needs_resealing(&self, stored: &str) -> bool {
        let sealed_with = stored
            .strip_prefix(SEALED_PREFIX)
            .and_then(|sealed| sealed.split_once(':'))
            .map(|(id, _)| id);
        sealed_with != self.sealing_key_id()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(id: &str, byte: u8) -> (String, SecretString) {
        let encoded = base64::engine::general_purpose::STANDARD.encode([byte; KEY_BYTES]);
        (id.to_owned(), SecretString::from(encoded))
    }

    fn keys(raw: &[(String, SecretString)]) -> SecretKeys {
        SecretKeys::parse(raw).unwrap()
    }

    #[test]
    fn seals_under_the_first_key_and_opens_with_any_listed() {
        let old = keys(&[key("k1", 1)]);
        let sealed = old.seal("ep_a", "a-secret-of-24-characters");
        assert!(sealed.starts_with("wenc1:k1:"), "{sealed}");
        assert!(!sealed.contains("a-secret"));
        assert_ne!(
            sealed,
            old.seal("ep_a", "a-secret-of-24-characters"),
            "fresh nonce"
        );
        let rotated = keys(&[key("k2", 2), key("k1", 1)]);
        assert_eq!(
            rotated.open("ep_a", &sealed).unwrap(),
            "a-secret-of-24-characters"
        );
        assert!(rotated.needs_resealing(&sealed));
        let resealed = rotated.seal("ep_a", "a-secret-of-24-characters");
        assert!(resealed.starts_with("wenc1:k2:"));
        assert!(!rotated.needs_resealing(&resealed));
        assert!(rotated.needs_resealing("plain"));
        assert!(!SecretKeys::default().needs_resealing("plain"));
    }

    #[test]
    fn refuses_what_it_cannot_open() {
        let k1 = keys(&[key("k1", 1)]);
        let sealed = k1.seal("ep_a", "s3cret");
        assert_eq!(
            k1.open("ep_b", &sealed),
            Err(OpenError::Tampered("k1".into())),
            "bound to its endpoint"
        );
        let wrong = keys(&[key("k1", 9)]);
        assert_eq!(
            wrong.open("ep_a", &sealed),
            Err(OpenError::Tampered("k1".into()))
        );
        assert_eq!(
            keys(&[key("k2", 2)]).open("ep_a", &sealed),
            Err(OpenError::UnknownKey("k1".into()))
        );
        assert_eq!(
            SecretKeys::default().open("ep_a", &sealed),
            Err(OpenError::NoKeys)
        );
        assert_eq!(k1.open("ep_a", "wenc1:k1:!!!"), Err(OpenError::Malformed));
        assert_eq!(
            SecretKeys::default().open("ep_a", "plain").unwrap(),
            "plain"
        );
    }

    #[test]
    fn checks_the_configured_keys() {
        let short = ("k".to_owned(), SecretString::from("c2hvcnQ=".to_owned()));
        assert_eq!(
            SecretKeys::parse(&[key("k1", 1), short]).unwrap_err(),
            (1, SecretKeyError::Key)
        );
        assert_eq!(
            SecretKeys::parse(&[key("k1", 1), key("k1", 2)]).unwrap_err(),
            (1, SecretKeyError::DuplicateId)
        );
        assert_eq!(
            SecretKeys::parse(&[key("bad id", 1)]).unwrap_err(),
            (0, SecretKeyError::Id)
        );
    }
}
