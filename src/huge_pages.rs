//! Transparent huge pages, for specs up to [`MOST_ROOMS`] rooms. The allocator (mimalloc)
//! asks for 2 MiB pages on the memory it maps (`MADV_HUGEPAGE`, honoured where the system's
//! setting is `madvise` or `always`): one page fault then stands for 512 of 4 KiB each.
//!
//! A fresh page costs about 2 µs on the VMs issue 17 was measured on, whether faulted singly or
//! populated in bulk, and faults do not overlap across cores: at 5,000 rooms they were about a
//! third of a render (1,950 faults). With huge pages they fall to about 300, and the JSON render
//! of 5,000 rooms went from 12.2 to 10.0 ms (README, Render performance).
//!
//! Their cost is memory: a 2 MiB page is resident whole once touched, and the allocator's
//! partly used regions keep whole pages. The extra peak grows with the spec: +6 MiB at 5,000
//! rooms, +17 MiB at 10,000 and 20,000, +35 MiB at 30,000 and +43 MiB at 50,000 (the bench's
//! in-memory `all`, 149 -> 192 MiB, past issue 17's 200 MB). So past [`MOST_ROOMS`] the process
//! turns them off once the spec is validated; what validation faulted in stays, a few MiB.

/// The most rooms a spec may have for the process to go on with huge pages after validation.
/// Twice issue 17's 5,000-room case; the extra memory stays at 17 MiB up to 20,000 rooms.
pub const MOST_ROOMS: usize = 10_000;

/// Turns transparent huge pages off for the rest of the process when `rooms` is past
/// [`MOST_ROOMS`]; never turns them on (a parent may have turned them off for its children, and
/// the allocator's `MIMALLOC_ALLOW_THP=0` does). Answers whether they are off for this process
/// now, as far as the system tells. Best effort: where the system refuses, pages stay as they
/// are, which changes speed and memory, not output.
pub fn fit_to(rooms: usize) -> bool {
    #[cfg(target_os = "linux")]
    {
        if rooms > MOST_ROOMS {
            let _ = rustix::thread::disable_transparent_huge_pages(true);
        }
        rustix::thread::transparent_huge_pages_are_disabled().unwrap_or(false)
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = rooms;
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // One test, since the setting is the whole process's: a small spec must leave it as it was,
    // a large one must turn it off.
    #[cfg(target_os = "linux")]
    #[test]
    fn only_a_spec_past_the_limit_turns_huge_pages_off() {
        let before = rustix::thread::transparent_huge_pages_are_disabled().unwrap();
        assert_eq!(fit_to(MOST_ROOMS), before);
        assert_eq!(fit_to(0), before);
        assert!(fit_to(MOST_ROOMS + 1));
        assert!(rustix::thread::transparent_huge_pages_are_disabled().unwrap());
        // Never turned back on, even for a small spec after a large one.
        assert!(fit_to(1));
    }
}
