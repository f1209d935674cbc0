//! What the engine reports while it works, per deployment. The engine never prints: the binary
//! renders these as lines, a progress display or JSON lines (as Terraform's hooks do).

use serde::Serialize;

use crate::aws::ChangeError;

/// One deployment, as `ACCOUNT/REGION`.
pub type DeploymentId = String;

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// Reading a deployment's account began.
    ReadStarted { deployment: DeploymentId },
    /// ListRooms has returned `count` rooms so far.
    RoomsListed {
        deployment: DeploymentId,
        count: usize,
    },
    /// `done` of the `total` GetRoom calls the read needs have answered.
    RoomsRead {
        deployment: DeploymentId,
        done: usize,
        total: usize,
    },
    /// The deployment is read: what the account has.
    ReadDone {
        deployment: DeploymentId,
        rooms: usize,
        logging_configurations: usize,
        elapsed_ms: u64,
    },
    /// The deployment is planned: `pending` changes apply would make.
    Planned {
        deployment: DeploymentId,
        pending: usize,
    },
    ChangeStarted {
        deployment: DeploymentId,
        change: String,
    },
    /// A change is made; `operations` is the number of API writes it took.
    ChangeDone {
        deployment: DeploymentId,
        change: String,
        operations: usize,
        elapsed_ms: u64,
    },
    ChangeFailed {
        deployment: DeploymentId,
        change: String,
        error: ChangeError,
        elapsed_ms: u64,
    },
    /// The deployment was read back after apply; `differs` lists what apply could still change.
    Verified {
        deployment: DeploymentId,
        differs: Vec<String>,
    },
}

/// Where events go. Called from concurrent tasks, so implementations synchronize themselves.
pub trait Hooks: Send + Sync {
    fn on(&self, event: Event);
}

/// No one listens.
impl Hooks for () {
    fn on(&self, _: Event) {}
}

/// Every event kept, in arrival order (for tests and for callers that render at the end).
#[derive(Debug, Default)]
pub struct Recorded(std::sync::Mutex<Vec<Event>>);

impl Recorded {
    pub fn events(&self) -> Vec<Event> {
        self.0
            .lock()
            .map(|e| e.clone())
            .unwrap_or_else(|poisoned| poisoned.into_inner().clone())
    }
}

impl Hooks for Recorded {
    fn on(&self, event: Event) {
        match self.0.lock() {
            Ok(mut events) => events.push(event),
            Err(poisoned) => poisoned.into_inner().push(event),
        }
    }
}
