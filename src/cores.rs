//! Where a helper thread runs. On the 2-core VMs issue 17 was measured on, the kernel keeps a
//! process's new thread on the core its spawner runs on (the kernel's `sched_vcpu_pack`
//! setting) and lets it run there only at the spawner's next tick: a render's helper thread
//! started 1-2 ms late and then took turns with the spawner on one core while the other idled.
//! So a helper moves itself to another core it may run on and then allows itself every core it
//! was allowed again, so that the scheduler stays free to move it; and a spawner steps aside
//! once its helpers are spawned, so that they run (and move) now.

/// How many threads may run at once (`std::thread::available_parallelism`, 1 where it cannot
/// tell), looked up once: it reads the cgroup's CPU quota from files each time it is asked, 30-70
/// µs, and a render asks twice (issue 17).
pub(crate) fn available() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, std::num::NonZero::get))
}

/// The core the calling thread runs on, where the system tells; taken by a spawner and handed
/// to its helpers' [`move_off`].
pub(crate) fn current() -> Option<usize> {
    #[cfg(target_os = "linux")]
    return Some(rustix::thread::sched_getcpu());
    #[cfg(not(target_os = "linux"))]
    return None;
}

/// Moves the calling thread off `spawner`'s core, to the `nth` other core it may run on (so
/// that helpers spread over the cores), and gives it back every core it was allowed. Answers
/// the core it moved to; `None` where it stays (no other core allowed, or no way to ask).
/// Best effort: where a step is refused, the thread runs wherever the scheduler puts it, as
/// any thread does.
pub(crate) fn move_off(spawner: Option<usize>, nth: usize) -> Option<usize> {
    #[cfg(target_os = "linux")]
    {
        use rustix::thread::{CpuSet, sched_getaffinity, sched_getcpu, sched_setaffinity};
        let spawner = spawner?;
        let allowed = sched_getaffinity(None).ok()?;
        let others = (0..CpuSet::MAX_CPU).filter(|&core| core != spawner && allowed.is_set(core));
        let count = others.clone().count();
        let target = others.clone().nth(nth % count.max(1))?;
        let mut only = CpuSet::new();
        only.set(target);
        // The kernel moves a thread whose own set leaves its core before this call returns.
        sched_setaffinity(None, &only).ok()?;
        let moved = sched_getcpu();
        // A refusal here leaves the thread on its new core alone, which is still a core it may
        // run on.
        let _ = sched_setaffinity(None, &allowed);
        Some(moved)
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (spawner, nth);
        None
    }
}

/// Spawns a spawner's `nth` helper, which moves off the spawner's core (`spawner`, from
/// [`current`]) before it runs `f`.
pub(crate) fn spawn_helper<'scope, T: Send + 'scope>(
    scope: &'scope std::thread::Scope<'scope, '_>,
    spawner: Option<usize>,
    nth: usize,
    f: impl FnOnce() -> T + Send + 'scope,
) -> std::io::Result<std::thread::ScopedJoinHandle<'scope, T>> {
    std::thread::Builder::new().spawn_scoped(scope, move || {
        move_off(spawner, nth);
        f()
    })
}

/// Called by a spawner once its helpers are spawned, so that they run now, each moving off its
/// core, instead of when the scheduler next looks (see the module's comment).
pub(crate) fn let_helpers_start() {
    std::thread::yield_now();
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    use rustix::thread::{CpuSet, sched_getaffinity};

    #[test]
    fn a_helper_moves_to_another_allowed_core_and_keeps_every_core_it_was_allowed() {
        let allowed = sched_getaffinity(None).unwrap();
        let cores: Vec<usize> = (0..CpuSet::MAX_CPU)
            .filter(|&c| allowed.is_set(c))
            .collect();
        let spawner = current().unwrap();
        let (moved, after) = std::thread::spawn(move || {
            let moved = move_off(Some(spawner), 0);
            (moved, sched_getaffinity(None).unwrap())
        })
        .join()
        .unwrap();
        assert_eq!(after, allowed, "the helper gets every core back");
        if cores.len() > 1 {
            let moved = moved.expect("another core is allowed");
            assert_ne!(moved, spawner);
            assert!(allowed.is_set(moved));
        } else {
            assert_eq!(moved, None);
        }
        // Helpers spread: the nth helper goes to the nth other core, round the allowed ones.
        let others: Vec<usize> = cores.iter().copied().filter(|&c| c != spawner).collect();
        for nth in 0..3 {
            let moved = std::thread::spawn(move || move_off(Some(spawner), nth))
                .join()
                .unwrap();
            assert_eq!(moved, others.get(nth % others.len().max(1)).copied());
        }
        assert_eq!(move_off(None, 0), None);

        // A helper spawned through `spawn_helper` has moved before its work starts.
        let (ran_on, mask) = std::thread::scope(|scope| {
            spawn_helper(scope, Some(spawner), 0, || {
                (
                    rustix::thread::sched_getcpu(),
                    sched_getaffinity(None).unwrap(),
                )
            })
            .unwrap()
            .join()
            .unwrap()
        });
        assert_eq!(mask, allowed);
        if cores.len() > 1 {
            assert_eq!(Some(ran_on), others.first().copied());
        }
    }
}
