//! Applying planned deployments concurrently. A deployment that fails stops alone: the others
//! finish, and each outcome says what was done, what failed and what was not done.

use serde::Serialize;

use super::{Connector, DeploymentId, DeploymentPlan, Event, Hooks, concurrently, deployment_id};
use crate::aws::{ChangeError, ChangeEvent, Waits, apply_changes, describe_change};
use crate::live::LiveRoom;
use crate::plan;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DeploymentOutcome {
    pub deployment: DeploymentId,
    /// In execution order.
    pub done: Vec<String>,
    /// The changes that failed and why.
    pub failed: Vec<(String, ChangeError)>,
    pub not_done: Vec<String>,
    /// Rooms as CreateRoom answered them, for reading back without GetRoom.
    #[serde(skip)]
    pub answered: Vec<LiveRoom>,
}

impl DeploymentOutcome {
    pub fn succeeded(&self) -> bool {
        self.failed.is_empty()
    }
}

/// Applies every plan, at most `parallelism` deployments at once; outcomes in the plans' order.
pub async fn apply<X: Connector>(
    plans: &[DeploymentPlan<X>],
    waits: Waits,
    parallelism: usize,
    hooks: &dyn Hooks,
) -> Vec<DeploymentOutcome> {
    concurrently(parallelism, plans, |p| apply_one(p, waits, hooks)).await
}

async fn apply_one<X: Connector>(
    p: &DeploymentPlan<X>,
    waits: Waits,
    hooks: &dyn Hooks,
) -> DeploymentOutcome {
    let id = deployment_id(&p.deployment);
    let on = |event: ChangeEvent<'_>| {
        hooks.on(match event {
            ChangeEvent::Started(c) => Event::ChangeStarted {
                deployment: id.clone(),
                change: describe_change(c),
            },
            ChangeEvent::Done(c, took) => Event::ChangeDone {
                deployment: id.clone(),
                change: describe_change(c),
                operations: c.operations.len(),
                elapsed_ms: u64::try_from(took.as_millis()).unwrap_or(u64::MAX),
            },
            ChangeEvent::Failed(c, error, took) => Event::ChangeFailed {
                deployment: id.clone(),
                change: describe_change(c),
                error: error.clone(),
                elapsed_ms: u64::try_from(took.as_millis()).unwrap_or(u64::MAX),
            },
        });
    };
    if plan::execution_order(&p.changes).is_empty() {
        return DeploymentOutcome {
            deployment: id.clone(),
            done: Vec::new(),
            failed: Vec::new(),
            not_done: Vec::new(),
            answered: Vec::new(),
        };
    }
    let result = apply_changes(
        &p.clients.chat,
        &p.clients.destinations,
        &p.clients.lex,
        &p.changes,
        waits,
        &on,
    )
    .await;
    match result {
        Ok(applied) => DeploymentOutcome {
            deployment: id,
            done: applied.done,
            failed: Vec::new(),
            not_done: Vec::new(),
            answered: applied.answered,
        },
        Err(failure) => DeploymentOutcome {
            deployment: id,
            done: failure.done,
            failed: failure.failed,
            not_done: failure.not_done,
            answered: Vec::new(),
        },
    }
}
