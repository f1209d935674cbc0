//! Client-side pacing at the IVS Chat API rate quotas, which are per account, region and
//! operation and not adjustable (aws-facts.md §1(b)): going faster only earns ThrottlingException.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// Calls per second AWS allows for an IVS Chat operation (aws-facts.md §1(b)).
pub fn transactions_per_second(operation: &str) -> u32 {
    match operation {
        "CreateLoggingConfiguration"
        | "DeleteLoggingConfiguration"
        | "GetLoggingConfiguration"
        | "ListLoggingConfigurations"
        | "UpdateLoggingConfiguration" => 3,
        "CreateRoom" | "DeleteRoom" | "GetRoom" | "ListRooms" | "UpdateRoom" => 5,
        "ListTagsForResource" | "TagResource" | "UntagResource" => 10,
        // Operations chatlog does not call; the lowest quota is the safe guess.
        _ => 3,
    }
}

/// The window a quota is judged over, with 5% to spare: calls leave when the pacer says but
/// arrive with jitter (a task woken late on a busy machine, a new connection), and a quota judged
/// over any one-second window then sees one call too many.
const WINDOW: Duration = Duration::from_millis(1050);

/// At most `transactions_per_second` calls of an operation in any `WINDOW`, counted when each
/// call actually starts. One pacer per account and region, shared by every task that calls that
/// endpoint, so concurrency never exceeds the quota.
#[derive(Debug, Default)]
pub struct Pacer {
    started: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl Pacer {
    /// Waits until a call of `operation` may start, and counts it as started.
    pub async fn wait(&self, operation: &str) {
        loop {
            match self.try_start(operation, Instant::now()) {
                Ok(()) => return,
                Err(wait) => tokio::time::sleep(wait).await,
            }
        }
    }

    /// Counts a call starting at `now`, or says how long to wait before asking again.
    fn try_start(&self, operation: &str, now: Instant) -> Result<(), Duration> {
        let limit = transactions_per_second(operation).max(1) as usize;
        // A poisoned lock only means another task panicked mid-update; the map is still usable.
        let mut started = self.started.lock().unwrap_or_else(|e| e.into_inner());
        let recent = started.entry(operation.to_owned()).or_default();
        while recent
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) >= WINDOW)
        {
            recent.pop_front();
        }
        if recent.len() < limit {
            recent.push_back(now);
            return Ok(());
        }
        let oldest = recent.front().copied().unwrap_or(now);
        Err((oldest + WINDOW)
            .saturating_duration_since(now)
            .max(Duration::from_millis(1)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_most_the_quota_starts_in_any_window_and_other_operations_do_not_wait() {
        let pacer = Pacer::default();
        let t0 = Instant::now();
        for _ in 0..5 {
            assert_eq!(pacer.try_start("GetRoom", t0), Ok(()));
        }
        // The sixth GetRoom waits until the first leaves the 1.05 s window.
        assert_eq!(
            pacer.try_start("GetRoom", t0),
            Err(Duration::from_millis(1050))
        );
        let later = t0 + Duration::from_millis(600);
        assert_eq!(
            pacer.try_start("GetRoom", later),
            Err(Duration::from_millis(450))
        );
        assert_eq!(pacer.try_start("GetRoom", t0 + WINDOW), Ok(()));
        // Other operations have their own count.
        assert_eq!(pacer.try_start("ListTagsForResource", t0), Ok(()));
        assert_eq!(transactions_per_second("UpdateLoggingConfiguration"), 3);
        for _ in 0..3 {
            assert_eq!(pacer.try_start("UpdateLoggingConfiguration", t0), Ok(()));
        }
        assert!(pacer.try_start("UpdateLoggingConfiguration", t0).is_err());
    }
}
