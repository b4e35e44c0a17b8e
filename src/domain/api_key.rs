//! API keys: roles, the permissions they grant, and keys as stored (their
//! SHA-256, never the key).

/// What a key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// `Dispatch` only.
    Dispatch,
    /// The read-only calls and the HTTP data API.
    Read,
    /// Everything.
    Admin,
}

/// The access a call needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    Dispatch,
    Read,
    Admin,
    /// Any valid key: what producers and readers alike need to know (the
    /// event-type catalog).
    AnyRole,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Dispatch => "dispatch",
            Role::Read => "read",
            Role::Admin => "admin",
        }
    }

    pub fn from_stored(name: &str) -> Option<Self> {
        match name {
            "dispatch" => Some(Role::Dispatch),
            "read" => Some(Role::Read),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    pub fn grants(self, needed: Permission) -> bool {
        matches!(
            (self, needed),
            (Role::Admin, _)
                | (_, Permission::AnyRole)
                | (Role::Read, Permission::Read)
                | (Role::Dispatch, Permission::Dispatch)
        )
    }
}

/// An API key created over the API, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKeyRecord {
    pub name: String,
    /// Lowercase hex.
    pub key_sha256: String,
    pub role: Role,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_grant_what_they_name_and_admin_everything() {
        assert!(Role::Admin.grants(Permission::Dispatch));
        assert!(Role::Read.grants(Permission::Read));
        assert!(!Role::Read.grants(Permission::Dispatch));
        assert!(!Role::Dispatch.grants(Permission::Admin));
        assert!(Role::Dispatch.grants(Permission::AnyRole));
        assert!(Role::Read.grants(Permission::AnyRole));
        for role in [Role::Dispatch, Role::Read, Role::Admin] {
            assert_eq!(Role::from_stored(role.as_str()), Some(role));
        }
    }
}
