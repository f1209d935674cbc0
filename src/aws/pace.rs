//! Client-side pacing at the IVS Chat API rate quotas, which are per account, region and
//! operation and not adjustable (aws-facts.md §1(b)): going faster only earns ThrottlingException.

use std::collections::HashMap;
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

/// Spaces calls of each operation evenly at its quota. One pacer per account and region, shared
/// by every task that calls that endpoint, so concurrency never exceeds the quota.
#[derive(Debug, Default)]
pub struct Pacer {
    next: Mutex<HashMap<String, Instant>>,
}

impl Pacer {
    /// Waits until a call of `operation` may start.
    pub async fn wait(&self, operation: &str) {
        let start = self.reserve(operation, Instant::now());
        tokio::time::sleep_until(start).await;
    }

    /// Books the next start time for a call of `operation` asked for at `now`.
    fn reserve(&self, operation: &str, now: Instant) -> Instant {
        // 5% under the quota: requests leave evenly spaced but arrive with jitter, and a quota
        // judged over any one-second window counts a late first and an early sixth call together.
        let interval =
            Duration::from_secs(1) * 21 / (20 * transactions_per_second(operation).max(1));
        // A poisoned lock only means another task panicked mid-update; the map is still usable.
        let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
        let slot = next.entry(operation.to_owned()).or_insert(now);
        let start = (*slot).max(now);
        *slot = start + interval;
        start
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_of_one_operation_are_spaced_at_its_quota_and_others_do_not_wait() {
        let pacer = Pacer::default();
        let begin = Instant::now();
        let starts: Vec<Duration> = (0..4)
            .map(|_| pacer.reserve("GetRoom", begin) - begin)
            .collect();
        // 5 TPS with 5% slack: 210 ms apart.
        assert_eq!(starts, [0, 210, 420, 630].map(Duration::from_millis));
        assert_eq!(pacer.reserve("ListTagsForResource", begin), begin);
        // A caller that comes late is not held back by slots nobody used.
        let later = begin + Duration::from_secs(5);
        assert_eq!(pacer.reserve("GetRoom", later), later);
        assert_eq!(transactions_per_second("UpdateLoggingConfiguration"), 3);
    }
}
