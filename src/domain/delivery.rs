//! Deliveries and their attempts: states, error kinds, and the records as
//! stored and reported.

use std::fmt;
use std::str::FromStr;

use super::{DeliveryId, DomainError, EndpointId, EventId, EventType};

/// `next_attempt_at` of a pending delivery held for its ordering key: it
/// waits until the delivery before it with the same key is finished, and
/// is then made due. Far in the future (9999-12-31), so it is never due
/// and never the next wake-up.
pub const HELD_FOR_ORDERING: i64 = 253_402_300_799_000;

/// A delivery as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRecord {
    pub id: DeliveryId,
    pub event_id: EventId,
    pub endpoint_id: EndpointId,
    pub state: DeliveryState,
    pub attempt_count: u32,
    pub next_attempt_at: i64,
    pub last_error: Option<String>,
    /// The delivery this one replays.
    pub replay_of: Option<DeliveryId>,
    pub created_at: i64,
    pub updated_at: i64,
    pub event_type: EventType,
    /// Its event's ordering key.
    pub ordering_key: Option<String>,
}

impl DeliveryRecord {
    /// Pending, and waiting for the delivery before it in its ordering key.
    pub fn is_held_for_ordering(&self) -> bool {
        self.state == DeliveryState::Pending && self.next_attempt_at == HELD_FOR_ORDERING
    }
}

/// One attempt, as recorded: never changed once written.
#[derive(Debug, Clone, PartialEq)]
pub struct AttemptRecord {
    pub delivery_id: DeliveryId,
    pub attempt_number: u32,
    pub started_at: i64,
    pub duration_ms: i64,
    pub http_status: Option<u16>,
    pub error_kind: Option<ErrorKind>,
    pub error_message: Option<String>,
    pub response_excerpt: Option<String>,
    /// The webhookd instance that made the attempt.
    pub instance_id: Option<String>,
}

/// Where a delivery is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeliveryState {
    /// Waiting for its next attempt at `next_attempt_at`.
    Pending,
    /// Leased by a worker that is attempting it.
    InFlight,
    /// The receiver answered 2xx.
    Succeeded,
    /// Attempts exhausted with the dead-letter queue disabled.
    Failed,
    /// Attempts exhausted; kept in the dead-letter queue.
    Dead,
    /// Its endpoint was deleted before it succeeded.
    Cancelled,
}

impl DeliveryState {
    /// Every state, in the order of a delivery's life.
    pub const ALL: [DeliveryState; 6] = [
        DeliveryState::Pending,
        DeliveryState::InFlight,
        DeliveryState::Succeeded,
        DeliveryState::Failed,
        DeliveryState::Dead,
        DeliveryState::Cancelled,
    ];
}

impl DeliveryState {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::InFlight => "in_flight",
            DeliveryState::Succeeded => "succeeded",
            DeliveryState::Failed => "failed",
            DeliveryState::Dead => "dead",
            DeliveryState::Cancelled => "cancelled",
        }
    }

    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            DeliveryState::Succeeded
                | DeliveryState::Failed
                | DeliveryState::Dead
                | DeliveryState::Cancelled
        )
    }
}

impl FromStr for DeliveryState {
    type Err = DomainError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        Ok(match raw {
            "pending" => DeliveryState::Pending,
            "in_flight" => DeliveryState::InFlight,
            "succeeded" => DeliveryState::Succeeded,
            "failed" => DeliveryState::Failed,
            "dead" => DeliveryState::Dead,
            "cancelled" => DeliveryState::Cancelled,
            other => {
                return Err(DomainError::Unknown {
                    what: "delivery state",
                    raw: other.to_owned(),
                });
            }
        })
    }
}

impl fmt::Display for DeliveryState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why an attempt failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// No complete response within the request timeout.
    Timeout,
    /// The TCP connection could not be made (refused, reset, unreachable).
    Connect,
    /// The host name did not resolve.
    Dns,
    /// The TLS handshake failed (certificate, protocol).
    Tls,
    /// A redirect, which webhookd does not follow.
    Http3xx,
    Http4xx,
    Http5xx,
    /// A status outside 2xx–5xx (1xx answered as final).
    HttpOther,
    /// The connection broke while the request or response was in transit.
    Io,
    /// The target address is forbidden (SSRF protection); nothing was sent.
    Blocked,
}

impl ErrorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Timeout => "timeout",
            ErrorKind::Connect => "connect",
            ErrorKind::Dns => "dns",
            ErrorKind::Tls => "tls",
            ErrorKind::Http3xx => "http_3xx",
            ErrorKind::Http4xx => "http_4xx",
            ErrorKind::Http5xx => "http_5xx",
            ErrorKind::HttpOther => "http_other",
            ErrorKind::Io => "io",
            ErrorKind::Blocked => "blocked",
        }
    }

    /// The kind for a non-2xx status.
    pub fn for_status(status: u16) -> ErrorKind {
        match status {
            300..=399 => ErrorKind::Http3xx,
            400..=499 => ErrorKind::Http4xx,
            500..=599 => ErrorKind::Http5xx,
            _ => ErrorKind::HttpOther,
        }
    }
}

impl FromStr for ErrorKind {
    type Err = DomainError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        Ok(match raw {
            "timeout" => ErrorKind::Timeout,
            "connect" => ErrorKind::Connect,
            "dns" => ErrorKind::Dns,
            "tls" => ErrorKind::Tls,
            "http_3xx" => ErrorKind::Http3xx,
            "http_4xx" => ErrorKind::Http4xx,
            "http_5xx" => ErrorKind::Http5xx,
            "http_other" => ErrorKind::HttpOther,
            "io" => ErrorKind::Io,
            "blocked" => ErrorKind::Blocked,
            other => {
                return Err(DomainError::Unknown {
                    what: "error kind",
                    raw: other.to_owned(),
                });
            }
        })
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for state in DeliveryState::ALL {
            assert_eq!(state.as_str().parse::<DeliveryState>(), Ok(state));
        }
        for kind in [
            ErrorKind::Timeout,
            ErrorKind::Dns,
            ErrorKind::Http4xx,
            ErrorKind::Io,
        ] {
            assert_eq!(kind.as_str().parse::<ErrorKind>(), Ok(kind));
        }
    }

    #[test]
    fn status_classes() {
        assert_eq!(ErrorKind::for_status(302), ErrorKind::Http3xx);
        assert_eq!(ErrorKind::for_status(404), ErrorKind::Http4xx);
        assert_eq!(ErrorKind::for_status(503), ErrorKind::Http5xx);
        assert_eq!(ErrorKind::for_status(101), ErrorKind::HttpOther);
    }
}
