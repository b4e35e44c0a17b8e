//! API keys and roles. Keys come from `security.api_keys` and from the store
//! (created over the API, refreshed every few seconds), are kept only as
//! SHA-256 digests and compared in constant time. Callers send
//! `authorization: Bearer <key>` (gRPC metadata or HTTP header).
//!
//! Roles: `dispatch` may call Dispatch only; `read` may stream, read metrics
//! and the event log; `admin` may do everything. Health checks need no key.

use std::sync::RwLock;
use std::sync::atomic::{AtomicBool, Ordering};

use sha2::{Digest, Sha256};

use crate::config::SecurityConfig;
use crate::domain::ApiKeyRecord;
pub use crate::domain::{Permission, Role};
use crate::error::{ApiError, ErrorCode};
use crate::limits::reason;

/// A key as checked: its name, digest and role.
#[derive(Debug, Clone)]
pub struct Key {
    pub name: String,
    digest: [u8; 32],
    pub role: Role,
}

impl Key {
    /// The first 8 hex characters of the digest, to tell keys apart.
    pub fn fingerprint(&self) -> String {
        hex::encode(&self.digest[..4])
    }
}

/// The keys of the config file and of the store; with none, every call is
/// allowed.
pub struct ApiKeys {
    configured: Vec<Key>,
    /// Unrevoked keys created over the API, as last read from the store.
    managed: RwLock<Vec<Key>>,
    /// Whether the store holds any key, revoked ones included. Once a key
    /// has been created, authentication stays on: revoking every key locks
    /// the API rather than opening it.
    ever_created: AtomicBool,
}

/// The SHA-256 of an API key, as stored.
pub fn digest(raw: &[u8]) -> [u8; 32] {
    Sha256::digest(raw).into()
}

/// Equal without an early exit, so timing reveals nothing of the digest.
fn constant_time_eq(a: &[u8; 32], b: &[u8; 32]) -> bool {
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl ApiKeys {
    /// The keys of `config`, validated at config load.
    pub fn from_config(config: &SecurityConfig) -> Self {
        use secrecy::ExposeSecret;
        let keys = config
            .api_keys
            .iter()
            .map(|key| Key {
                name: key.name.clone(),
                digest: match (&key.key, &key.key_sha256) {
                    (Some(plain), _) => digest(plain.expose_secret().as_bytes()),
                    (None, Some(hex_digest)) => {
                        let mut out = [0u8; 32];
                        hex::decode_to_slice(hex_digest, &mut out)
                            .expect("validated at config load");
                        out
                    }
                    (None, None) => unreachable!("validated at config load"),
                },
                role: key.role,
            })
            .collect();
        ApiKeys {
            configured: keys,
            managed: RwLock::new(Vec::new()),
            ever_created: AtomicBool::new(false),
        }
    }

    /// Whether calls need a key: once any key was configured or created,
    /// even if every created key has been revoked since.
    pub fn is_enabled(&self) -> bool {
        !self.configured.is_empty() || self.ever_created.load(Ordering::Acquire)
    }

    /// Unrevoked admin keys, of the config file and of the store.
    pub fn admin_keys(&self) -> Vec<String> {
        self.configured
            .iter()
            .chain(self.managed_keys().iter())
            .filter(|key| key.role == Role::Admin)
            .map(|key| key.name.clone())
            .collect()
    }

    /// The keys of the config file.
    pub fn configured(&self) -> &[Key] {
        &self.configured
    }

    /// Whether the config file defines a key of this name.
    pub fn is_configured(&self, name: &str) -> bool {
        self.configured.iter().any(|key| key.name == name)
    }

    fn managed_keys(&self) -> std::sync::RwLockReadGuard<'_, Vec<Key>> {
        // A panic while holding the lock cannot leave the list half-written.
        self.managed.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Replaces the keys created over the API with `stored`, skipping
    /// revoked ones (and any row that does not parse).
    pub fn replace_managed(&self, stored: &[ApiKeyRecord]) {
        if !stored.is_empty() {
            self.ever_created.store(true, Ordering::Release);
        }
        let keys = stored
            .iter()
            .filter(|key| key.revoked_at.is_none())
            .filter_map(|key| {
                let mut digest = [0u8; 32];
                hex::decode_to_slice(&key.key_sha256, &mut digest).ok()?;
                Some(Key {
                    name: key.name.clone(),
                    digest,
                    role: key.role,
                })
            })
            .collect();
        *self.managed.write().unwrap_or_else(|e| e.into_inner()) = keys;
    }

    /// Checks an `authorization` header value against `needed`.
    pub fn check(
        &self,
        authorization: Option<&str>,
        needed: Option<Permission>,
    ) -> Result<(), ApiError> {
        let Some(needed) = needed.filter(|_| self.is_enabled()) else {
            return Ok(());
        };
        let presented = authorization
            .and_then(|value| {
                value
                    .strip_prefix("Bearer ")
                    .or_else(|| value.strip_prefix("bearer "))
            })
            .map(str::trim)
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::Unauthenticated,
                    "an API key is required: send `authorization: Bearer <key>`",
                )
            })?;
        let presented = digest(presented.as_bytes());
        let managed = self.managed_keys();
        // Compare with every key, so the time does not depend on which matched.
        let mut matched: Option<&Key> = None;
        for key in self.configured.iter().chain(managed.iter()) {
            if constant_time_eq(&key.digest, &presented) {
                matched = Some(key);
            }
        }
        let key = matched.ok_or_else(|| {
            ApiError::new(
                ErrorCode::Unauthenticated,
                "the API key is not valid (unknown or revoked)",
            )
            .with_reason(reason::API_KEY_INVALID)
        })?;
        if key.role.grants(needed) {
            Ok(())
        } else {
            Err(ApiError::new(
                ErrorCode::PermissionDenied,
                format!(
                    "API key `{}` has role {:?}, which may not call this; it needs {needed:?} access",
                    key.name, key.role
                ),
            ))
        }
    }
}
