//! ACR's write-rate limit: at most N write operations in any rolling 60 s window (the published
//! tiers allow 100, 500 and 2,000 a minute for Basic, Standard and Premium). [`RateWindow`] is the
//! pure rule (explicit times, so tests need no clock); [`WriteLimiter`] is the shared, clocked
//! instance the state holds.

use std::{
    collections::VecDeque,
    sync::Mutex,
    time::{Duration, Instant},
};

/// The window ACR's per-minute limits count over.
pub const MINUTE: Duration = Duration::from_secs(60);

/// The times of the operations admitted in the last `window`; admits a new one while fewer than
/// `limit` are in it.
#[derive(Debug, Clone)]
pub struct RateWindow {
    limit: u32,
    window: Duration,
    admitted: VecDeque<Instant>,
}

impl RateWindow {
    /// At most `limit` operations in any rolling `window`.
    pub fn new(limit: u32, window: Duration) -> Self {
        Self { limit, window, admitted: VecDeque::with_capacity(limit.min(4096) as usize) }
    }

    /// Admits an operation at `now` (and counts it), or refuses it with the time until a slot
    /// frees. A refused operation is not counted. Times must not go backwards.
    pub fn try_admit(&mut self, now: Instant) -> Result<(), Duration> {
        while self
            .admitted
            .front()
            .is_some_and(|&t| now.saturating_duration_since(t) >= self.window)
        {
            self.admitted.pop_front();
        }
        if self.admitted.len() < self.limit as usize {
            self.admitted.push_back(now);
            return Ok(());
        }
        // Full: the oldest admitted operation leaves the window first. (A limit of 0 admits
        // nothing; a whole window is the honest wait.)
        Err(self
            .admitted
            .front()
            .map_or(self.window, |&t| (t + self.window).saturating_duration_since(now)))
    }

    /// Operations counted in the window ending at `now`.
    pub fn in_window(&self, now: Instant) -> usize {
        self.admitted.iter().filter(|&&t| now.saturating_duration_since(t) < self.window).count()
    }
}

/// `Retry-After` for a wait: whole seconds, rounded up, at least 1.
pub fn retry_after_secs(wait: Duration) -> u64 {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    secs.max(1)
}

/// The registry's write limit, shared by every request (system clock).
#[derive(Debug)]
pub struct WriteLimiter(Mutex<RateWindow>);

impl WriteLimiter {
    /// At most `per_minute` writes in any rolling minute.
    pub fn per_minute(per_minute: u32) -> Self {
        Self(Mutex::new(RateWindow::new(per_minute, MINUTE)))
    }

    /// Admits a write now, or returns the `Retry-After` seconds until one would be admitted.
    pub fn admit(&self) -> Result<(), u64> {
        let mut w = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        w.try_admit(Instant::now()).map_err(retry_after_secs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    #[test]
    fn admits_n_per_rolling_window_and_says_when_a_slot_frees() {
        let t0 = Instant::now();
        let mut w = RateWindow::new(5, MINUTE);
        for i in 0..5 {
            assert_eq!(w.try_admit(t0 + secs(i)), Ok(()), "write {i}");
        }
        // The 6th at t0+10 s waits until the first (t0) leaves the window at t0+60 s.
        assert_eq!(w.try_admit(t0 + secs(10)), Err(secs(50)));
        // Refusals are not counted: still five in the window, and the wait only shrinks.
        assert_eq!(w.in_window(t0 + secs(10)), 5);
        assert_eq!(
            w.try_admit(t0 + Duration::from_millis(59_500)),
            Err(Duration::from_millis(500))
        );
        // At t0+60 s the first slot is free (rolling, not a fixed minute), and only that one.
        assert_eq!(w.try_admit(t0 + secs(60)), Ok(()));
        assert_eq!(w.try_admit(t0 + secs(60)), Err(secs(1)));
        assert_eq!(w.try_admit(t0 + secs(61)), Ok(()));
        // After a quiet minute the whole budget is back.
        let later = t0 + secs(200);
        for _ in 0..5 {
            assert_eq!(w.try_admit(later), Ok(()));
        }
        assert_eq!(w.try_admit(later), Err(MINUTE));
        assert_eq!(w.in_window(later), 5);
    }

    #[test]
    fn a_zero_limit_admits_nothing() {
        let t0 = Instant::now();
        let mut w = RateWindow::new(0, MINUTE);
        assert_eq!(w.try_admit(t0), Err(MINUTE));
        assert_eq!(w.in_window(t0), 0);
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds_and_is_at_least_one() {
        assert_eq!(retry_after_secs(Duration::ZERO), 1);
        assert_eq!(retry_after_secs(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_secs(secs(1)), 1);
        assert_eq!(retry_after_secs(Duration::from_millis(1001)), 2);
        assert_eq!(retry_after_secs(Duration::from_millis(49_200)), 50);
        assert_eq!(retry_after_secs(MINUTE), 60);
    }

    #[test]
    fn the_shared_limiter_refuses_beyond_the_limit() {
        let l = WriteLimiter::per_minute(2);
        assert_eq!(l.admit(), Ok(()));
        assert_eq!(l.admit(), Ok(()));
        let retry = l.admit().unwrap_err();
        assert!((59..=60).contains(&retry), "{retry}");
    }
}
