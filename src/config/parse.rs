//! Deserialisers that parse config values into types while the file is
//! read, so an error carries the key of the value at fault.

use std::time::Duration;

use ipnet::IpNet;
use lettre::message::Mailbox;
use serde::de::Error;
use serde::{Deserialize, Deserializer};

/// Longest duration any key may give, in seconds (about 31 years): beyond
/// it, time arithmetic would overflow.
const MAX_SECONDS: f64 = 1e9;

/// Seconds > 0 (fractions allowed), as a `Duration`.
pub(super) fn positive_seconds<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    let value = f64::deserialize(d)?;
    if value > 0.0 && value <= MAX_SECONDS {
        Ok(Duration::from_secs_f64(value))
    } else {
        Err(D::Error::custom(format!(
            "must be a positive number of seconds, at most {MAX_SECONDS} (got {value})"
        )))
    }
}

/// Seconds ≥ 0 (fractions allowed), as a `Duration`.
pub(super) fn non_negative_seconds<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    let value = f64::deserialize(d)?;
    if (0.0..=MAX_SECONDS).contains(&value) {
        Ok(Duration::from_secs_f64(value))
    } else {
        Err(D::Error::custom(format!(
            "must be zero or a positive number of seconds, at most {MAX_SECONDS} (got {value})"
        )))
    }
}

/// Longest `database.group_commit_wait_seconds`: at low rates every
/// `Dispatch` waits this long before its commit.
const MAX_GROUP_COMMIT_WAIT_SECONDS: f64 = 0.1;

/// Seconds from 0 to `MAX_GROUP_COMMIT_WAIT_SECONDS`, as a `Duration`.
pub(super) fn group_commit_wait<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    let wait = non_negative_seconds(d)?;
    if wait.as_secs_f64() <= MAX_GROUP_COMMIT_WAIT_SECONDS {
        Ok(wait)
    } else {
        Err(D::Error::custom(format!(
            "must be at most {MAX_GROUP_COMMIT_WAIT_SECONDS} seconds, since a Dispatch at a low rate waits that long for its commit (got {})",
            wait.as_secs_f64()
        )))
    }
}

pub(super) fn optional_positive_seconds<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Duration>, D::Error> {
    positive_seconds(d).map(Some)
}

/// A CIDR such as `127.0.0.0/8`, as its own type so that errors name the
/// list index.
struct Network(IpNet);

impl<'de> Deserialize<'de> for Network {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        raw.parse().map(Network).map_err(|e| {
            D::Error::custom(format!("`{raw}` is not a CIDR such as 127.0.0.0/8: {e}"))
        })
    }
}

pub(super) fn networks<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<IpNet>, D::Error> {
    Ok(Vec::<Network>::deserialize(d)?
        .into_iter()
        .map(|network| network.0)
        .collect())
}

/// A mailbox such as `webhookd <alerts@example.com>`.
struct ParsedMailbox(Mailbox);

impl<'de> Deserialize<'de> for ParsedMailbox {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        raw.parse()
            .map(ParsedMailbox)
            .map_err(|e| D::Error::custom(format!("not a mailbox: {e}")))
    }
}

pub(super) fn mailbox<'de, D: Deserializer<'de>>(d: D) -> Result<Mailbox, D::Error> {
    ParsedMailbox::deserialize(d).map(|parsed| parsed.0)
}

pub(super) fn mailboxes<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Mailbox>, D::Error> {
    Ok(Vec::<ParsedMailbox>::deserialize(d)?
        .into_iter()
        .map(|parsed| parsed.0)
        .collect())
}
