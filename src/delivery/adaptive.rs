//! Adaptive concurrency per endpoint: an AIMD window inside the endpoint's
//! configured limit. A receiver that pushes back (429, 503, a timeout, an
//! answer slower than `slow_response`) halves the window; each success
//! grows it by 1/window, so a full window of successes adds one request.
//! The window never leaves [1, limit], and a healthy endpoint runs at its
//! limit.

use std::time::Duration;

/// How an attempt's answer tells the endpoint's load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Load {
    /// Answered in time, without pushing back.
    Normal,
    /// 429, 503, a timeout, or slower than the slow-response threshold.
    Overloaded,
}

/// The settings of `webhook_engine.adaptive_concurrency` and
/// `webhook_engine.slow_response_seconds`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdaptiveSettings {
    pub enabled: bool,
    pub slow_response: Duration,
}

impl AdaptiveSettings {
    /// The load an answer shows: `status` 0 for no answer, `timed_out`
    /// when the request ran out of time.
    pub fn load_of(&self, status: u16, timed_out: bool, duration: Duration) -> Load {
        if timed_out || matches!(status, 429 | 503) || duration > self.slow_response {
            Load::Overloaded
        } else {
            Load::Normal
        }
    }
}

/// One endpoint's window.
#[derive(Debug, Clone)]
pub struct Window {
    size: f64,
    /// When the window was last cut: answers to requests started before
    /// then belong to the same episode and do not cut it again.
    last_cut_at: i64,
}

impl Window {
    /// A window at `limit`: an endpoint starts trusted.
    pub fn new(limit: usize) -> Self {
        Window {
            size: limit.max(1) as f64,
            last_cut_at: i64::MIN,
        }
    }

    /// Requests that may be in flight now.
    pub fn current(&self, limit: usize) -> usize {
        (self.size.floor() as usize).clamp(1, limit.max(1))
    }

    /// Feeds the answer to a request started at `started_at`.
    pub fn observe(&mut self, load: Load, started_at: i64, now: i64, limit: usize) {
        let limit = limit.max(1) as f64;
        match load {
            Load::Overloaded if started_at >= self.last_cut_at => {
                self.size = (self.size.min(limit) / 2.0).max(1.0);
                self.last_cut_at = now;
            }
            Load::Overloaded => {}
            // By 1/window, counted in whole requests: `window` successes
            // add exactly one.
            Load::Normal => self.size = (self.size + 1.0 / self.size.floor()).min(limit),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halves_once_per_episode_and_grows_one_per_window_of_successes() {
        let mut window = Window::new(16);
        assert_eq!(window.current(16), 16);
        window.observe(Load::Overloaded, 0, 100, 16);
        assert_eq!(window.current(16), 8);
        // Requests already in flight when it was cut: the same episode.
        window.observe(Load::Overloaded, 50, 120, 16);
        assert_eq!(window.current(16), 8);
        window.observe(Load::Overloaded, 100, 130, 16);
        assert_eq!(window.current(16), 4);
        for _ in 0..4 {
            window.observe(Load::Normal, 200, 210, 16);
        }
        assert_eq!(
            window.current(16),
            5,
            "one more after a window of successes"
        );
        for _ in 0..1000 {
            window.observe(Load::Normal, 300, 310, 16);
        }
        assert_eq!(window.current(16), 16, "never above the limit");
    }

    #[test]
    fn never_below_one_and_follows_a_lower_limit() {
        let mut window = Window::new(4);
        for at in 0..10 {
            window.observe(Load::Overloaded, at * 10, at * 10 + 5, 4);
        }
        assert_eq!(window.current(4), 1);
        let mut wide = Window::new(10);
        assert_eq!(wide.current(3), 3, "a lowered limit caps it at once");
        wide.observe(Load::Overloaded, 0, 1, 3);
        assert_eq!(wide.current(3), 1, "cut from the limit, not the old size");
    }

    #[test]
    fn pushing_back_is_429_503_timeouts_and_slow_answers() {
        let settings = AdaptiveSettings {
            enabled: true,
            slow_response: Duration::from_secs(2),
        };
        let fast = Duration::from_millis(50);
        assert_eq!(settings.load_of(200, false, fast), Load::Normal);
        assert_eq!(settings.load_of(500, false, fast), Load::Normal);
        assert_eq!(settings.load_of(429, false, fast), Load::Overloaded);
        assert_eq!(settings.load_of(503, false, fast), Load::Overloaded);
        assert_eq!(settings.load_of(0, true, fast), Load::Overloaded);
        assert_eq!(
            settings.load_of(200, false, Duration::from_secs(3)),
            Load::Overloaded
        );
    }
}
