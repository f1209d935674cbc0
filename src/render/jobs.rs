//! Spreading independent pieces of work over the machine's cores, with the same first error as
//! a sequential run, so a parallel render fails the same way on every machine. The calling
//! thread takes pieces too: its allocator heap already holds the memory the spec was read into
//! and freed, which a new thread's heap would not reuse (55 MiB at 50,000 rooms on 2 cores with
//! a thread per core and the caller waiting; issue 17).

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::cores;

/// Runs `f` on every item, on every core, and answers the error of the first item in the order
/// of `items` that failed, as a run in that order would. A piece taken after a failure is
/// skipped unless it comes before the failed item: each item before the first failing one still
/// runs, so that its error, if any, wins.
pub fn each<T: Sync, E: Send>(
    items: &[T],
    f: impl Fn(&T) -> Result<(), E> + Sync,
) -> Result<(), E> {
    let threads = cores::available().min(items.len());
    if threads <= 1 {
        return items.iter().try_for_each(f);
    }
    let next = AtomicUsize::new(0);
    // The lowest index that failed so far (`usize::MAX`: none), and its error.
    let failed_at = AtomicUsize::new(usize::MAX);
    let first: Mutex<Option<(usize, E)>> = Mutex::new(None);
    let work = || {
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(i) else {
                return;
            };
            if i > failed_at.load(Ordering::Relaxed) {
                return;
            }
            if let Err(e) = f(item) {
                failed_at.fetch_min(i, Ordering::Relaxed);
                let mut first = first
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                if first.as_ref().is_none_or(|(at, _)| i < *at) {
                    *first = Some((i, e));
                }
                return;
            }
        }
    };
    std::thread::scope(|s| {
        let here = cores::current();
        for nth in 0..threads - 1 {
            // A thread the system refuses (a limit on threads) leaves its share to the others
            // and to the calling thread, which takes pieces too.
            if cores::spawn_helper(s, here, nth, work).is_err() {
                break;
            }
        }
        cores::let_helpers_start();
        work();
    });
    match first
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
    {
        Some((_, e)) => Err(e),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slow_square(n: &u64) -> u64 {
        let spin = (n % 7) * 1_000;
        (0..spin).fold(*n, |acc, _| std::hint::black_box(acc)) * n
    }

    #[test]
    fn each_runs_every_item_once_and_answers_the_first_failure_in_input_order() {
        let items: Vec<u64> = (0..500).collect();
        let done = Mutex::new(Vec::new());
        each(&items, |n| {
            done.lock().unwrap().push(slow_square(n));
            Ok::<(), ()>(())
        })
        .unwrap();
        let mut done = done.into_inner().unwrap();
        done.sort_unstable();
        assert_eq!(done, items.iter().map(|n| n * n).collect::<Vec<_>>());

        // Items 9, 59, 109, ... fail; 9 fails last in time (it spins longest), and still its
        // error is the one answered, as in a run in order. Every item before it ran.
        let ran = Mutex::new(Vec::new());
        let refused = each(&items, |n| {
            let spin = if *n == 9 { 2_000_000 } else { 0 };
            (0..spin).for_each(|_| std::hint::black_box(()));
            ran.lock().unwrap().push(*n);
            if n % 50 == 9 {
                Err(slow_square(n))
            } else {
                Ok(())
            }
        });
        assert_eq!(refused, Err(81));
        let ran = ran.into_inner().unwrap();
        assert!((0..=9).all(|n| ran.contains(&n)), "{ran:?}");

        // No piece after a failure starts: only 9 fails, while 5 is still spinning, and the
        // thread that finishes 5 then skips what is left.
        let ran = Mutex::new(Vec::new());
        let refused = each(&items, |n| {
            let spin = if *n == 5 { 2_000_000 } else { 0 };
            (0..spin).for_each(|_| std::hint::black_box(()));
            ran.lock().unwrap().push(*n);
            if *n == 9 { Err(*n) } else { Ok(()) }
        });
        assert_eq!(refused, Err(9));
        assert!(!ran.into_inner().unwrap().contains(&499));
        assert_eq!(each(&[] as &[u64], |_| Err(())), Ok(()));
    }
}
