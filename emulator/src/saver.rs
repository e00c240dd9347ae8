//! The background saver of the data file: a change only marks the state dirty; one thread saves
//! it at most once per interval while it is dirty, so a burst of 1,000 changes costs a few saves,
//! not 1,000, and an answered change is on disk within one interval plus one save. [`Saver::flush`]
//! saves what is pending on the caller's thread (clean shutdown); dropping the saver stops the
//! thread after a last save. What a save writes is the caller's business (a closure), so tests
//! can count and time saves.

use std::{
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Condvar, Mutex, MutexGuard, PoisonError,
    },
    thread::JoinHandle,
    time::{Duration, Instant},
};

/// How often the data file is saved at most while changes keep coming.
pub const INTERVAL: Duration = Duration::from_millis(500);

/// Writes the current state somewhere; an error is logged and the save retried later.
pub type SaveFn = Box<dyn FnMut() -> Result<(), String> + Send>;

/// Coalesces changes into few saves on a background thread.
pub struct Saver {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

struct Shared {
    flags: Mutex<Flags>,
    wake: Condvar,
    /// The save function; holding this lock is holding the right to save (one at a time).
    save: Mutex<SaveFn>,
    saves: AtomicU64,
    failures: AtomicU64,
    interval: Duration,
}

#[derive(Default)]
struct Flags {
    /// A change was made since the last save began.
    dirty: bool,
    /// The saver is being dropped: save once more if dirty, then end.
    stop: bool,
}

impl Shared {
    fn flags(&self) -> MutexGuard<'_, Flags> {
        self.flags.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Saves if anything changed since the last save began. The dirty flag is cleared before the
    /// state is read, so a change made during a save leaves it dirty for the next one; a failed
    /// save leaves it dirty too.
    fn save_if_dirty(&self) -> Result<bool, String> {
        let mut save = self.save.lock().unwrap_or_else(PoisonError::into_inner);
        {
            let mut f = self.flags();
            if !f.dirty {
                return Ok(false);
            }
            f.dirty = false;
        }
        match save() {
            Ok(()) => {
                self.saves.fetch_add(1, Ordering::Relaxed);
                Ok(true)
            }
            Err(e) => {
                self.failures.fetch_add(1, Ordering::Relaxed);
                self.flags().dirty = true;
                Err(e)
            }
        }
    }

    /// The thread: wait for a change, wait out the interval since the last save began, save.
    fn run(&self) {
        let mut last: Option<Instant> = None;
        loop {
            let mut f = self.flags();
            while !f.dirty && !f.stop {
                f = self.wake.wait(f).unwrap_or_else(PoisonError::into_inner);
            }
            if let Some(due) = last.map(|t| t + self.interval) {
                while !f.stop {
                    let now = Instant::now();
                    if now >= due {
                        break;
                    }
                    f = self
                        .wake
                        .wait_timeout(f, due - now)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0;
                }
            }
            let stop = f.stop;
            drop(f);
            last = Some(Instant::now());
            if let Err(e) = self.save_if_dirty() {
                tracing::error!(error = %e, "saving the data file failed; the change is kept in memory and saving is retried");
            }
            if stop {
                return;
            }
        }
    }
}

impl Saver {
    /// Starts the saver thread; `save` runs on it at most once per `interval` while changes come.
    pub fn spawn(
        interval: Duration,
        save: impl FnMut() -> Result<(), String> + Send + 'static,
    ) -> Result<Self, String> {
        let shared = Arc::new(Shared {
            flags: Mutex::new(Flags::default()),
            wake: Condvar::new(),
            save: Mutex::new(Box::new(save)),
            saves: AtomicU64::new(0),
            failures: AtomicU64::new(0),
            interval,
        });
        let thread = std::thread::Builder::new()
            .name("acr-emulator-saver".into())
            .spawn({
                let shared = shared.clone();
                move || shared.run()
            })
            .map_err(|e| format!("cannot start the data file saver: {e}"))?;
        Ok(Self { shared, thread: Some(thread) })
    }

    /// Records a change: it will be saved within one interval plus one save.
    pub fn changed(&self) {
        self.shared.flags().dirty = true;
        self.shared.wake.notify_one();
    }

    /// Saves now, on this thread, if anything changed since the last save began (waiting for a
    /// save under way first). When it returns `Ok`, every change recorded before the call is saved.
    pub fn flush(&self) -> Result<(), String> {
        self.shared.save_if_dirty().map(drop)
    }

    /// True while a change waits to be saved.
    pub fn is_dirty(&self) -> bool {
        self.shared.flags().dirty
    }

    /// Successful saves so far.
    pub fn saves(&self) -> u64 {
        self.shared.saves.load(Ordering::Relaxed)
    }

    /// Failed saves so far.
    pub fn failures(&self) -> u64 {
        self.shared.failures.load(Ordering::Relaxed)
    }
}

impl Drop for Saver {
    fn drop(&mut self) {
        self.shared.flags().stop = true;
        self.shared.wake.notify_one();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl std::fmt::Debug for Saver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Saver")
            .field("interval", &self.shared.interval)
            .field("dirty", &self.is_dirty())
            .field("saves", &self.saves())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::{sync::atomic::AtomicU32, thread::sleep};

    /// A saver whose saves record when they began and what "state" (a counter) they saw.
    struct Probe {
        saver: Saver,
        state: Arc<AtomicU32>,
        saved: Arc<Mutex<Vec<(Instant, u32)>>>,
    }

    fn probe(interval: Duration, save_time: Duration) -> Probe {
        let state = Arc::new(AtomicU32::new(0));
        let saved = Arc::new(Mutex::new(Vec::new()));
        let saver = Saver::spawn(interval, {
            let (state, saved) = (state.clone(), saved.clone());
            move || {
                let began = Instant::now();
                let seen = state.load(Ordering::SeqCst);
                sleep(save_time);
                saved.lock().unwrap().push((began, seen));
                Ok(())
            }
        })
        .unwrap();
        Probe { saver, state, saved }
    }

    impl Probe {
        fn change(&self) -> u32 {
            let v = self.state.fetch_add(1, Ordering::SeqCst) + 1;
            self.saver.changed();
            v
        }
        fn saved(&self) -> Vec<(Instant, u32)> {
            self.saved.lock().unwrap().clone()
        }
        fn last_saved_value(&self) -> Option<u32> {
            self.saved().last().map(|s| s.1)
        }
    }

    #[test]
    fn a_burst_of_changes_costs_few_saves_spaced_an_interval_apart() {
        let interval = Duration::from_millis(100);
        let p = probe(interval, Duration::from_millis(20));
        let t0 = Instant::now();
        let mut last = 0;
        while t0.elapsed() < Duration::from_millis(350) {
            last = p.change();
            sleep(Duration::from_micros(200));
        }
        let answered = Instant::now();
        while p.last_saved_value() != Some(last) {
            assert!(
                answered.elapsed() < interval * 3,
                "the last change is saved within the interval"
            );
            sleep(Duration::from_millis(2));
        }
        let saved = p.saved();
        assert!(last > 100, "a real burst: {last} changes");
        assert!(saved.len() <= 6, "{} changes cost {} saves", last, saved.len());
        assert_eq!(p.saver.saves(), saved.len() as u64);
        for w in saved.windows(2) {
            assert!(w[1].0 - w[0].0 >= interval, "saves begin at least an interval apart");
        }
        assert!(!p.saver.is_dirty());
        // Idle: no more saves.
        sleep(interval * 2);
        assert_eq!(p.saved().len(), saved.len());
    }

    #[test]
    fn a_lone_change_is_saved_at_once() {
        let p = probe(Duration::from_secs(3600), Duration::ZERO);
        let t0 = Instant::now();
        p.change();
        while p.saver.saves() == 0 {
            assert!(t0.elapsed() < Duration::from_secs(1));
            sleep(Duration::from_millis(1));
        }
        // The next change waits for the (here: hour-long) interval, unless flushed.
        let v = p.change();
        sleep(Duration::from_millis(50));
        assert_eq!(p.saver.saves(), 1);
        assert!(p.saver.is_dirty());
        p.saver.flush().unwrap();
        assert_eq!(p.last_saved_value(), Some(v));
        assert!(!p.saver.is_dirty());
        // Flushing when clean saves nothing.
        p.saver.flush().unwrap();
        assert_eq!(p.saver.saves(), 2);
    }

    #[test]
    fn dropping_the_saver_saves_what_is_pending() {
        let p = probe(Duration::from_secs(3600), Duration::ZERO);
        p.change();
        while p.saver.saves() == 0 {
            sleep(Duration::from_millis(1));
        }
        let v = p.change();
        let Probe { saver, saved, .. } = p;
        drop(saver);
        let saved = saved.lock().unwrap();
        assert_eq!(saved.len(), 2);
        assert_eq!(saved.last().unwrap().1, v);
    }

    #[test]
    fn a_failed_save_is_retried_and_the_change_kept() {
        let attempts = Arc::new(AtomicU32::new(0));
        let saver = Saver::spawn(Duration::from_millis(20), {
            let attempts = attempts.clone();
            move || match attempts.fetch_add(1, Ordering::SeqCst) {
                0 => Err("disk full".into()),
                _ => Ok(()),
            }
        })
        .unwrap();
        saver.changed();
        let t0 = Instant::now();
        while saver.saves() == 0 {
            assert!(t0.elapsed() < Duration::from_secs(2), "retried");
            sleep(Duration::from_millis(2));
        }
        assert_eq!(saver.failures(), 1);
        assert_eq!(attempts.load(Ordering::SeqCst), 2);
        assert!(!saver.is_dirty());
        // A failing flush reports the error and keeps the change pending.
        let failing = Saver::spawn(Duration::from_secs(3600), || Err("read-only".into())).unwrap();
        failing.changed();
        // (Whether or not the thread's own first attempt came first, the change stays pending.)
        assert_eq!(failing.flush(), Err("read-only".to_owned()));
        assert!(failing.is_dirty());
    }
}
