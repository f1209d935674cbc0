//! Spreading independent pieces of work over the machine's cores, results in input order, so a
//! parallel render gives the same files and the same first error as a sequential one. The
//! calling thread takes pieces too: its allocator heap already holds the memory the spec was
//! read into and freed, which a new thread's heap would not reuse (55 MiB at 50,000 rooms on 2
//! cores with a thread per core and the caller waiting; issue 17).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use crate::cores;

/// `f` of every item, handed to `deliver` in the order of `items` as soon as it and every item
/// before it are done, so that a caller writing results away holds only those finished out of
/// order, never all of them. The calling thread takes pieces too and delivers between them. The
/// first error of `deliver` stops the work: no piece is started after it.
pub fn each<T: Sync, R: Send, E>(
    items: &[T],
    f: impl Fn(&T) -> R + Sync,
    mut deliver: impl FnMut(R) -> Result<(), E>,
) -> Result<(), E> {
    let threads = cores::available().min(items.len());
    if threads <= 1 {
        return items.iter().try_for_each(|item| deliver(f(item)));
    }
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let (sender, receiver) = std::sync::mpsc::channel::<(usize, R)>();
    std::thread::scope(|s| {
        let here = cores::current();
        for nth in 0..threads - 1 {
            let sender = sender.clone();
            let (next, stop, f) = (&next, &stop, &f);
            // A thread the system refuses (a limit on threads) leaves its share to the others
            // and to the calling thread, which takes pieces too.
            let spawned = std::thread::Builder::new().spawn_scoped(s, move || {
                cores::move_off(here, nth);
                while !stop.load(Ordering::Relaxed) {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else {
                        return;
                    };
                    if sender.send((i, f(item))).is_err() {
                        return;
                    }
                }
            });
            if spawned.is_err() {
                break;
            }
        }
        cores::let_helpers_start();
        // Only the helpers send: the results end when the last of them is done.
        drop(sender);
        let mut pending = BTreeMap::new();
        let mut due = 0;
        let outcome = (|| -> Result<(), E> {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(item) = items.get(i) else {
                    break;
                };
                pending.insert(i, f(item));
                pending.extend(receiver.try_iter());
                hand_over(&mut pending, &mut due, &mut deliver)?;
            }
            for (i, r) in receiver.iter() {
                pending.insert(i, r);
                hand_over(&mut pending, &mut due, &mut deliver)?;
            }
            Ok(())
        })();
        if outcome.is_err() {
            stop.store(true, Ordering::Relaxed);
        }
        outcome
    })
}

/// Delivers the results that are due, in order, from those finished.
fn hand_over<R, E>(
    pending: &mut BTreeMap<usize, R>,
    due: &mut usize,
    deliver: &mut impl FnMut(R) -> Result<(), E>,
) -> Result<(), E> {
    while let Some(r) = pending.remove(due) {
        *due += 1;
        deliver(r)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_delivers_in_input_order_and_stops_at_the_first_refusal() {
        let items: Vec<u64> = (0..500).collect();
        let slow_square = |n: &u64| {
            let spin = (n % 7) * 1_000;
            (0..spin).fold(*n, |acc, _| std::hint::black_box(acc)) * n
        };
        let mut got = Vec::new();
        each(&items, slow_square, |r| {
            got.push(r);
            Ok::<(), ()>(())
        })
        .unwrap();
        assert_eq!(got, items.iter().map(|n| n * n).collect::<Vec<_>>());

        let mut seen = Vec::new();
        let refused = each(&items, slow_square, |r| {
            seen.push(r);
            if seen.len() == 10 { Err(r) } else { Ok(()) }
        });
        assert_eq!(refused, Err(81));
        assert_eq!(seen, (0..10).map(|n| n * n).collect::<Vec<u64>>());
        assert_eq!(each(&[] as &[u64], slow_square, |_| Err(())), Ok(()));
    }
}
