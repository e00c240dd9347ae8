//! How fast a run sends: at most [`Pacer::CONCURRENCY`] changes in flight, halved when the
//! registry throttles (429) or is briefly unavailable (503), with every send held until its
//! `Retry-After` has passed (or a growing backoff when it names none), and grown back by one after
//! as many answers in a row as are in flight. Times are explicit (milliseconds), so it is tested
//! without a clock.

/// The pacing state of one run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pacer {
    max: usize,
    limit: usize,
    streak: usize,
    resume_at: u64,
    backoffs: u32,
}

impl Default for Pacer {
    fn default() -> Self {
        Self::new(Self::CONCURRENCY)
    }
}

impl Pacer {
    /// Changes in flight at most: a browser opens six connections per origin over HTTP/1.1, and
    /// the client's own limit is six, so a higher figure would only queue in the browser.
    pub const CONCURRENCY: usize = 6;
    /// First wait when the registry throttles without `Retry-After`.
    pub const FIRST_BACKOFF_MS: u64 = 1_000;
    /// Longest wait, whatever `Retry-After` says (ACR's are seconds).
    pub const MAX_WAIT_MS: u64 = 60_000;

    /// A pacer allowing `max` changes in flight (at least one).
    pub fn new(max: usize) -> Self {
        let max = max.max(1);
        Self { max, limit: max, streak: 0, resume_at: 0, backoffs: 0 }
    }

    /// Changes allowed in flight now.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// True when another change may be sent with `in_flight` unanswered at `now`.
    pub fn may_send(&self, in_flight: usize, now: u64) -> bool {
        now >= self.resume_at && in_flight < self.limit
    }

    /// How long sending is held at `now`, when it is.
    pub fn waiting(&self, now: u64) -> Option<u64> {
        (now < self.resume_at).then(|| self.resume_at - now)
    }

    /// An answer that was not a throttle (success, or a failure that is not the registry's
    /// load): after `limit` of them in a row, one more change may be in flight.
    pub fn answered(&mut self) {
        self.backoffs = 0;
        self.streak += 1;
        if self.streak >= self.limit && self.limit < self.max {
            self.limit += 1;
            self.streak = 0;
        }
    }

    /// The registry throttled (or was unavailable) at `now`, asking to wait `retry_after_ms`:
    /// sending is held until then (or a doubling backoff without one), and the limit halves once
    /// per wave of throttles. Returns the wait from `now`.
    pub fn throttled(&mut self, retry_after_ms: Option<u64>, now: u64) -> u64 {
        if now >= self.resume_at {
            self.limit = (self.limit / 2).max(1);
        }
        self.streak = 0;
        let wait = retry_after_ms
            .unwrap_or_else(|| Self::FIRST_BACKOFF_MS << self.backoffs.min(6))
            .min(Self::MAX_WAIT_MS);
        self.backoffs += 1;
        self.resume_at = self.resume_at.max(now + wait);
        self.resume_at - now
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttling_halves_the_limit_and_holds_every_send() {
        let mut p = Pacer::default();
        assert!(p.may_send(5, 0) && !p.may_send(6, 0));
        assert_eq!(p.throttled(Some(12_000), 100), 12_000);
        assert_eq!(p.limit(), 3);
        assert!(!p.may_send(0, 5_000), "held until Retry-After");
        assert_eq!(p.waiting(5_000), Some(7_100));
        // A second throttle of the same wave does not halve again.
        p.throttled(Some(1_000), 200);
        assert_eq!(p.limit(), 3);
        assert!(p.may_send(0, 12_100) && !p.may_send(3, 12_100));
    }

    #[test]
    fn it_grows_back_after_a_run_of_answers() {
        let mut p = Pacer::new(6);
        p.throttled(None, 0);
        assert_eq!(p.limit(), 3);
        for _ in 0..3 {
            p.answered();
        }
        assert_eq!(p.limit(), 4);
        for _ in 0..100 {
            p.answered();
        }
        assert_eq!(p.limit(), 6, "never beyond the maximum");
    }

    #[test]
    fn without_retry_after_the_backoff_doubles_and_is_capped() {
        let mut p = Pacer::new(1);
        let mut now = 0;
        let mut waits = Vec::new();
        for _ in 0..9 {
            let w = p.throttled(None, now);
            waits.push(w);
            now += w;
        }
        assert_eq!(&waits[..4], [1_000, 2_000, 4_000, 8_000]);
        assert_eq!(*waits.last().unwrap(), Pacer::MAX_WAIT_MS);
        assert_eq!(p.limit(), 1, "never below one");
        p.answered();
        assert_eq!(p.throttled(None, now), 1_000, "an answer resets the backoff");
    }
}
