//! The service's API rate quotas: requests per second per operation, per account and region
//! (aws-facts §1(b): "All quotas are enforced per region"; the rates are not adjustable).

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(1);

/// The TPS quota of an operation by its model name (aws-facts §1(b)), `None` for operations
/// outside the control plane served here.
#[must_use]
pub fn tps_limit(operation: &str) -> Option<usize> {
    match operation {
        "CreateLoggingConfiguration"
        | "DeleteLoggingConfiguration"
        | "GetLoggingConfiguration"
        | "ListLoggingConfigurations"
        | "UpdateLoggingConfiguration" => Some(3),
        "CreateRoom" | "DeleteRoom" | "GetRoom" | "ListRooms" | "UpdateRoom" => Some(5),
        "ListTagsForResource" | "TagResource" | "UntagResource" => Some(10),
        _ => None,
    }
}

/// Admitted calls of the last second, per (account, region, operation): a sliding window, so a
/// burst is judged the same wherever it falls relative to clock seconds.
#[derive(Debug, Default)]
pub(crate) struct Throttle {
    recent: HashMap<(String, String, String), VecDeque<Instant>>,
}

impl Throttle {
    /// Admits the call (and counts it) or answers the quota it would exceed.
    pub(crate) fn admit(
        &mut self,
        account: &str,
        region: &str,
        operation: &str,
        now: Instant,
    ) -> Result<(), usize> {
        let Some(limit) = tps_limit(operation) else {
            return Ok(());
        };
        let key = (account.to_owned(), region.to_owned(), operation.to_owned());
        let window = self.recent.entry(key).or_default();
        while window
            .front()
            .is_some_and(|&t| now.duration_since(t) >= WINDOW)
        {
            window.pop_front();
        }
        if window.len() >= limit {
            return Err(limit);
        }
        window.push_back(now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fourth_call_within_a_second_is_refused_and_admitted_after_it() {
        let mut throttle = Throttle::default();
        let start = Instant::now();
        for _ in 0..3 {
            assert_eq!(
                throttle.admit("1", "r", "GetLoggingConfiguration", start),
                Ok(())
            );
        }
        assert_eq!(
            throttle.admit("1", "r", "GetLoggingConfiguration", start),
            Err(3)
        );
        // Other operations, accounts and regions have their own windows.
        assert_eq!(throttle.admit("1", "r", "GetRoom", start), Ok(()));
        assert_eq!(
            throttle.admit("2", "r", "GetLoggingConfiguration", start),
            Ok(())
        );
        assert_eq!(
            throttle.admit("1", "s", "GetLoggingConfiguration", start),
            Ok(())
        );
        let later = start + WINDOW;
        assert_eq!(
            throttle.admit("1", "r", "GetLoggingConfiguration", later),
            Ok(())
        );
    }
}
