//! What a test can change and observe on a running server: injected faults, latency, TPS
//! enforcement, and the record of every call.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use serde_json::Value;

/// Answer the next `times` calls of `operation` (every operation when `None`) with `status`:
/// 429 `ThrottlingException`, 500 `InternalServerException`, 503 `ServiceUnavailableException`;
/// 400, 402, 403, 404 and 409 answer the model's error of that status. `when` says whether the
/// call is served first (a lost answer: the write took effect, the caller cannot know).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultRule {
    /// An operation name as the model spells it (`GetRoom`), or `None` for every operation.
    pub operation: Option<String>,
    pub status: u16,
    pub times: usize,
    pub when: FaultTiming,
    /// Only calls signed for this region (every region when `None`).
    pub region: Option<String>,
}

/// When an injected fault strikes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FaultTiming {
    /// Instead of serving the call: nothing happens.
    #[default]
    Instead,
    /// After serving the call: its effect stays, the answer is the fault's error, as when a
    /// gateway times out after the service wrote.
    AfterEffect,
    /// After serving the call the connection is closed without an answer, as when a connection
    /// is cut. `status` is not used.
    HangUpAfterEffect,
    /// Not served, yet answered 200 with an empty body: a write the service acknowledged and
    /// lost, which only reading back reveals. `status` is not used.
    LostWrite,
}

impl FaultRule {
    /// `times` faults of `status` on `operation`.
    #[must_use]
    pub fn on(operation: &str, status: u16, times: usize) -> Self {
        Self {
            operation: Some(operation.to_owned()),
            status,
            times,
            when: FaultTiming::Instead,
            region: None,
        }
    }

    /// The same fault, only for calls signed for `region` (one deployment of several).
    #[must_use]
    pub fn in_region(self, region: &str) -> Self {
        Self {
            region: Some(region.to_owned()),
            ..self
        }
    }

    /// `times` calls of `operation` served, then answered with `status` (500: the answer of a
    /// write that took effect is lost).
    #[must_use]
    pub fn after_effect(operation: &str, status: u16, times: usize) -> Self {
        Self {
            when: FaultTiming::AfterEffect,
            ..Self::on(operation, status, times)
        }
    }

    /// `times` calls of `operation` acknowledged (200, `{}`) without being served.
    #[must_use]
    pub fn lost_write(operation: &str, times: usize) -> Self {
        Self {
            when: FaultTiming::LostWrite,
            ..Self::on(operation, 200, times)
        }
    }

    /// `times` calls of `operation` served, then the connection closed without an answer.
    #[must_use]
    pub fn hang_up_after_effect(operation: &str, times: usize) -> Self {
        Self {
            when: FaultTiming::HangUpAfterEffect,
            ..Self::on(operation, 0, times)
        }
    }

    /// `times` faults of `status` on whatever operation comes next.
    #[must_use]
    pub fn any(status: u16, times: usize) -> Self {
        Self {
            operation: None,
            status,
            times,
            when: FaultTiming::Instead,
            region: None,
        }
    }
}

/// One call the server answered.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedCall {
    /// The model's operation name, or `Unknown` for a path no operation has.
    pub operation: String,
    /// The caller's account (from the SigV4 access key) and region (from the SigV4 scope).
    pub account: String,
    pub region: String,
    /// The HTTP status the server answered; 0 when it hung up without an answer.
    pub status: u16,
    /// The request's members: the JSON body, plus `resourceArn` (and `tagKeys`) for the tag
    /// operations, whose ARN travels in the path. `Null` if the body was not JSON.
    pub request: Value,
}

/// Shared between the server and the test that started it (see `IvsChatServer::control`).
#[derive(Debug)]
pub struct Control {
    faults: Mutex<Vec<FaultRule>>,
    latency: Mutex<Duration>,
    state_delay: Mutex<Duration>,
    enforce_tps: AtomicBool,
    calls: Mutex<Vec<RecordedCall>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A test that panicked while holding the lock must not break every later call.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Control {
    pub(crate) fn new(latency: Duration, state_delay: Duration, enforce_tps: bool) -> Self {
        Self {
            faults: Mutex::new(Vec::new()),
            latency: Mutex::new(latency),
            state_delay: Mutex::new(state_delay),
            enforce_tps: AtomicBool::new(enforce_tps),
            calls: Mutex::new(Vec::new()),
        }
    }

    /// Adds a fault rule. Rules are tried in the order they were added; each answers its
    /// `times` calls and is then spent.
    pub fn inject(&self, rule: FaultRule) {
        lock(&self.faults).push(rule);
    }

    /// Drops every fault rule not yet spent.
    pub fn clear_faults(&self) {
        lock(&self.faults).clear();
    }

    /// Delay before every answer from now on.
    pub fn set_latency(&self, latency: Duration) {
        *lock(&self.latency) = latency;
    }

    /// How long logging configurations stay CREATING, UPDATING or DELETING from now on.
    pub fn set_state_delay(&self, delay: Duration) {
        *lock(&self.state_delay) = delay;
    }

    /// Turns the per-operation TPS quotas on or off.
    pub fn set_enforce_tps(&self, enforce: bool) {
        self.enforce_tps.store(enforce, Ordering::Relaxed);
    }

    /// Every call answered so far (since the last `clear_calls`), oldest first.
    #[must_use]
    pub fn calls(&self) -> Vec<RecordedCall> {
        lock(&self.calls).clone()
    }

    pub fn clear_calls(&self) {
        lock(&self.calls).clear();
    }

    /// How many calls of `operation` were answered (whatever their status).
    #[must_use]
    pub fn count(&self, operation: &str) -> usize {
        lock(&self.calls)
            .iter()
            .filter(|c| c.operation == operation)
            .count()
    }

    pub(crate) fn latency(&self) -> Duration {
        *lock(&self.latency)
    }

    pub(crate) fn state_delay(&self) -> Duration {
        *lock(&self.state_delay)
    }

    pub(crate) fn enforce_tps(&self) -> bool {
        self.enforce_tps.load(Ordering::Relaxed)
    }

    /// The fault to answer for `operation` (its status and timing), spending one use of the
    /// first rule that matches.
    pub(crate) fn take_fault(&self, operation: &str, region: &str) -> Option<(u16, FaultTiming)> {
        let mut faults = lock(&self.faults);
        let index = faults.iter().position(|rule| {
            rule.times > 0
                && rule.operation.as_deref().is_none_or(|op| op == operation)
                && rule.region.as_deref().is_none_or(|r| r == region)
        })?;
        let rule = faults.get_mut(index)?;
        rule.times -= 1;
        let fault = (rule.status, rule.when);
        if rule.times == 0 {
            faults.remove(index);
        }
        Some(fault)
    }

    pub(crate) fn record(&self, call: RecordedCall) {
        lock(&self.calls).push(call);
    }
}
