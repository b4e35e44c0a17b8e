//! The one clock every stored time uses: milliseconds since the unix epoch
//! on this process's wall clock. Times from different clocks are never
//! compared, so there is no skew to reason about within an instance; across
//! instances on PostgreSQL, leases carry margins larger than ordinary skew.

use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds since the unix epoch, now.
pub fn now_millis() -> i64 {
    let since_epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(since_epoch.as_millis()).unwrap_or(i64::MAX)
}
