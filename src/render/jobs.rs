//! Spreading independent pieces of work over the machine's cores, results in input order, so a
//! parallel render gives the same files and the same first error as a sequential one.

use std::sync::atomic::{AtomicUsize, Ordering};

/// `f` of every item, in the order of `items`. Threads take the next item as they finish one,
/// so a large piece does not hold up the small ones queued behind it.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .min(items.len());
    if threads <= 1 {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(i) else {
                return done;
            };
            done.push((i, f(item)));
        }
    };
    let mut slots: Vec<Option<R>> = items.iter().map(|_| None).collect();
    let mut fill = |done: Vec<(usize, R)>| {
        for (i, r) in done {
            if let Some(slot) = slots.get_mut(i) {
                *slot = Some(r);
            }
        }
    };
    std::thread::scope(|s| {
        let helpers: Vec<_> = (1..threads).map(|_| s.spawn(work)).collect();
        // The calling thread takes pieces too: its allocator heap already holds the memory the
        // spec was read into and freed, which a new thread's heap would not reuse (55 MiB at
        // 50,000 rooms on 2 cores with a thread per core and the caller waiting; issue 17).
        fill(work());
        for helper in helpers {
            // A panic in a piece is the caller's panic, as it would be without threads.
            fill(
                helper
                    .join()
                    .unwrap_or_else(|payload| std::panic::resume_unwind(payload)),
            );
        }
    });
    slots.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_back_in_input_order_whichever_thread_made_them() {
        let items: Vec<u64> = (0..500).collect();
        // Uneven pieces, so threads finish out of order.
        let slow_square = |n: &u64| {
            let spin = (n % 7) * 1_000;
            (0..spin).fold(*n, |acc, _| std::hint::black_box(acc)) * n
        };
        let expected: Vec<u64> = items.iter().map(|n| n * n).collect();
        assert_eq!(map(&items, slow_square), expected);
        assert_eq!(map(&items[..1], slow_square), vec![0]);
        assert!(map(&[] as &[u64], slow_square).is_empty());
    }
}
