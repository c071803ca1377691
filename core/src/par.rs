//! Two independent pieces of pure work run on two cores when the machine has them: the one
//! place in this crate that starts a thread. Nothing here does I/O; on `wasm32` (no threads),
//! on a single core, or when a thread cannot be started, the two run one after the other,
//! with the same results.

use std::sync::Mutex;

/// Runs `a` and `b`, `b` on a scoped thread of its own when there is a second core, and
/// returns both results. A panic in either is passed on.
pub fn join<A, B, RA, RB>(a: A, b: B) -> (RA, RB)
where
    A: FnOnce() -> RA,
    B: FnOnce() -> RB + Send,
    RB: Send,
{
    if !parallel() {
        return (a(), b());
    }
    // The job is taken by whichever side gets to it: the thread, or this one when the thread
    // could not be started.
    let job = Mutex::new(Some(b));
    let take = || job.lock().unwrap_or_else(|p| p.into_inner()).take();
    std::thread::scope(|scope| {
        let other = std::thread::Builder::new().spawn_scoped(scope, || take().map(|b| b()));
        let ra = a();
        let rb = match other.map(|h| h.join()) {
            Ok(Ok(Some(rb))) => rb,
            Ok(Err(panic)) => std::panic::resume_unwind(panic),
            // Not started (or, impossibly, started without its job): run it here.
            Ok(Ok(None)) | Err(_) => match take() {
                Some(b) => b(),
                None => unreachable!("the job runs exactly once"),
            },
        };
        (ra, rb)
    })
}

/// Whether a second core is there to use.
fn parallel() -> bool {
    !cfg!(target_arch = "wasm32") && std::thread::available_parallelism().is_ok_and(|n| n.get() > 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_results_come_back_in_their_places() {
        let text = "a,b,c".to_string();
        let (n, upper) = join(|| text.split(',').count(), || text.to_uppercase());
        assert_eq!((n, upper.as_str()), (3, "A,B,C"));
    }

    #[test]
    fn a_panic_on_the_other_side_is_passed_on() {
        let r = std::panic::catch_unwind(|| join(|| 1, || -> u8 { panic!("boom") }));
        assert!(r.is_err());
    }
}
