//! Work spread over the machine's cores, its results taken in order: what comes out is the same
//! whatever the number of threads, and whether there are any.
//!
//! The jobs of one input (a DittoServer validated, a server's objects made) share nothing but
//! read-only data, so they run side by side. The thread that takes the results works too:
//! while the result it needs is not ready, it makes the next one not yet claimed. At most
//! `window` results wait to be taken, so memory does not grow with the number of jobs. The WASI
//! module has no threads: there the taker makes each result when it asks for it.
//!
//! Hand-rolled rather than rayon: rayon's ordered collectors hold every result until the last
//! is made, and its pool does not build for `wasm32-wasip1`; this is one mutex and one condvar.

use std::collections::BTreeMap;
use std::sync::{Condvar, Mutex, MutexGuard};

/// How many threads besides the caller's make results: one per core but the caller's; none in
/// the WASI module.
pub(crate) fn helpers() -> usize {
    if cfg!(target_family = "wasm") {
        return 0;
    }
    std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8) - 1
}

/// `make(0..count)`, each result handed to `take` in order, with up to `window` made ahead.
/// Returns what `take` returns; `take` may stop before the last result.
pub fn in_order<R: Send, T>(
    count: usize,
    window: usize,
    make: impl Fn(usize) -> R + Sync,
    take: impl FnOnce(&mut Results<'_, R>) -> T,
) -> T {
    let helpers = if count > 1 { helpers().min(count - 1) } else { 0 };
    let shared = Shared { state: Mutex::new(State::default()), changed: Condvar::new(), count, window: window.max(1) };
    std::thread::scope(|scope| {
        for _ in 0..helpers {
            scope.spawn(|| shared.help(&make));
        }
        // The helpers stop when the taker is done, also when it panics.
        let _close = Close(&shared);
        let mut results = Results { shared: &shared, make: &make, next: 0 };
        take(&mut results)
    })
}

/// Every result of `make(0..count)`, in order.
pub fn map<R: Send>(count: usize, make: impl Fn(usize) -> R + Sync) -> Vec<R> {
    // Everything is kept anyway: no need to hold the helpers back.
    in_order(count, count, make, |results| std::iter::from_fn(|| results.next()).collect())
}

/// The results, in order, for the caller of [`in_order`].
pub struct Results<'s, R> {
    shared: &'s Shared<R>,
    make: &'s (dyn Fn(usize) -> R + Sync),
    /// The number of results taken.
    next: usize,
}

impl<R> Results<'_, R> {
    /// The next result; `None` after the last.
    pub fn next(&mut self) -> Option<R> {
        let shared = self.shared;
        if self.next >= shared.count {
            return None;
        }
        let mut state = shared.lock();
        loop {
            if let Some(r) = state.made.remove(&self.next) {
                self.next += 1;
                state.taken = self.next;
                drop(state);
                shared.changed.notify_all();
                return Some(r);
            }
            assert!(!state.failed, "a thread making results panicked");
            // While the result it needs is being made, the taker makes the next one.
            if let Some(i) = shared.claim(&mut state) {
                drop(state);
                let r = (self.make)(i);
                state = shared.lock();
                state.made.insert(i, r);
                continue;
            }
            state = shared.changed.wait(state).unwrap_or_else(|e| e.into_inner());
        }
    }
}

struct Shared<R> {
    state: Mutex<State<R>>,
    changed: Condvar,
    count: usize,
    window: usize,
}

struct State<R> {
    /// The next job no one has claimed.
    claimed: usize,
    /// How many results were taken.
    taken: usize,
    /// Results made and not taken yet, by number.
    made: BTreeMap<usize, R>,
    /// The taker is done: helpers stop.
    closed: bool,
    /// A helper panicked: its result will never come.
    failed: bool,
}

impl<R> Default for State<R> {
    fn default() -> Self {
        State { claimed: 0, taken: 0, made: BTreeMap::new(), closed: false, failed: false }
    }
}

impl<R> Shared<R> {
    fn lock(&self) -> MutexGuard<'_, State<R>> {
        // A panic while the lock is held leaves the state consistent: every update is one
        // assignment or one map insertion.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The next job to make, if one is left and the window has room for it.
    fn claim(&self, state: &mut State<R>) -> Option<usize> {
        let i = state.claimed;
        (i < self.count && i < state.taken + self.window).then(|| {
            state.claimed += 1;
            i
        })
    }

    /// A helper thread: makes the jobs it claims until none is left or the taker is done.
    fn help(&self, make: &(impl Fn(usize) -> R + Sync)) {
        let failed = Failed(self);
        let mut state = self.lock();
        loop {
            if state.closed {
                break;
            }
            if let Some(i) = self.claim(&mut state) {
                drop(state);
                let r = make(i);
                state = self.lock();
                state.made.insert(i, r);
                self.changed.notify_all();
            } else if state.claimed >= self.count {
                break;
            } else {
                state = self.changed.wait(state).unwrap_or_else(|e| e.into_inner());
            }
        }
        drop(state);
        std::mem::forget(failed);
    }
}

/// Tells the helpers that the taker is done.
struct Close<'s, R>(&'s Shared<R>);

impl<R> Drop for Close<'_, R> {
    fn drop(&mut self) {
        self.0.lock().closed = true;
        self.0.changed.notify_all();
    }
}

/// Tells the taker when a helper unwinds, so that it does not wait for a result that will
/// never come.
struct Failed<'s, R>(&'s Shared<R>);

impl<R> Drop for Failed<'_, R> {
    fn drop(&mut self) {
        self.0.lock().failed = true;
        self.0.changed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_in_order_whatever_the_time_each_takes() {
        let made = map(200, |i| {
            // Uneven jobs: later ones often finish first.
            let spin = (200 - i) * 50;
            (0..spin).fold(i, |a, b| a ^ b) ^ (0..spin).fold(0, |a, b| a ^ b)
        });
        assert_eq!(made, (0..200).collect::<Vec<_>>());
    }

    #[test]
    fn no_more_than_the_window_waits_to_be_taken() {
        let waiting = std::sync::atomic::AtomicUsize::new(0);
        let most = std::sync::atomic::AtomicUsize::new(0);
        in_order(
            100,
            3,
            |i| {
                let now = waiting.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
                most.fetch_max(now, std::sync::atomic::Ordering::SeqCst);
                i
            },
            |results| {
                while let Some(_) = results.next() {
                    waiting.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
                    std::thread::yield_now();
                }
            },
        );
        // A result counts as waiting from the start of its making until the taker notes it
        // has it: the one just handed over may still count.
        assert!(most.load(std::sync::atomic::Ordering::SeqCst) <= 3 + 1);
    }

    #[test]
    fn the_taker_may_stop_early() {
        let first = in_order(1000, 4, |i| i * 2, |results| [results.next(), results.next()]);
        assert_eq!(first, [Some(0), Some(2)]);
    }

    #[test]
    fn none_and_one() {
        assert_eq!(map(0, |i| i), Vec::<usize>::new());
        assert_eq!(map(1, |i| i + 7), vec![7]);
    }

    // Whichever thread makes the job that panics, the caller panics rather than waiting.
    #[test]
    #[should_panic]
    fn a_panicking_job_reaches_the_caller() {
        map(50, |i| if i == 17 { panic!("job 17") } else { i });
    }

    #[test]
    #[should_panic]
    fn a_panicking_job_reaches_the_caller_of_a_small_window() {
        in_order(50, 2, |i| if i == 3 { panic!("job 3") } else { i }, |results| while results.next().is_some() {});
    }
}
