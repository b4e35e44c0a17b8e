//! The one clock every stored time uses: milliseconds since the unix epoch
//! on this process's wall clock. Times from different clocks are never
//! compared, so there is no skew to reason about within an instance; across
//! instances on PostgreSQL, leases carry margins larger than ordinary skew.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Milliseconds since the unix epoch, now.
pub fn now_millis() -> i64 {
    i64::try_from(since_epoch().as_millis()).unwrap_or(i64::MAX)
}

/// The time since the unix epoch, now (zero on a clock set before it).
fn since_epoch() -> Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
}

/// The time `delay` from now, rounded up to the millisecond: a time that is
/// due (`now_millis() >= at`) only once all of `delay` has passed. Rounding
/// down would let a retry go out up to a millisecond before a receiver's
/// `Retry-After` has run.
pub fn millis_after(delay: Duration) -> i64 {
    ceil_millis(since_epoch().saturating_add(delay))
}

fn ceil_millis(since_epoch: Duration) -> i64 {
    let partial = !since_epoch.subsec_nanos().is_multiple_of(1_000_000);
    i64::try_from(since_epoch.as_millis() + u128::from(partial)).unwrap_or(i64::MAX)
}

/// RFC 3339 in UTC with milliseconds, such as `2026-12-01T11:04:37.123Z`.
const RFC3339_MILLIS: &[time::format_description::BorrowedFormatItem<'static>] = time::macros::format_description!(
    "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
);

/// Unix milliseconds as RFC 3339 UTC with milliseconds. Times outside the
/// years 1–9999 (which no clock reading gives) come out as the raw number.
pub fn rfc3339(millis: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000)
        .ok()
        .and_then(|at| at.format(RFC3339_MILLIS).ok())
        .unwrap_or_else(|| millis.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_up_to_the_millisecond() {
        assert_eq!(ceil_millis(Duration::ZERO), 0);
        assert_eq!(ceil_millis(Duration::from_millis(2_000)), 2_000);
        assert_eq!(ceil_millis(Duration::from_nanos(2_000_000_001)), 2_001);
        assert_eq!(ceil_millis(Duration::from_nanos(1_999_999_999)), 2_000);
        assert_eq!(ceil_millis(Duration::MAX), i64::MAX);
    }

    #[test]
    fn a_time_after_a_delay_is_not_due_before_the_delay_has_passed() {
        let delay = Duration::from_millis(2_000);
        let before = SystemTime::now();
        let at = millis_after(delay);
        let at = UNIX_EPOCH + Duration::from_millis(u64::try_from(at).unwrap());
        assert!(
            at >= before + delay,
            "{at:?} is before {:?}",
            before + delay
        );
        assert_eq!(millis_after(Duration::MAX), i64::MAX);
    }

    #[test]
    fn formats_rfc3339_with_milliseconds() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(1_700_000_000_123), "2023-11-14T22:13:20.123Z");
        assert_eq!(rfc3339(951_782_400_000), "2000-02-29T00:00:00.000Z");
        assert_eq!(rfc3339(-1), "1969-12-31T23:59:59.999Z");
        assert_eq!(rfc3339(i64::MAX), i64::MAX.to_string());
    }
}
