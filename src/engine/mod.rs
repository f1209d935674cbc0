//! The live work as a library: every deployment of a spec read, planned, applied and read back,
//! concurrently (each deployment paced at its own account's and region's quotas), reporting
//! events as it goes. The binary renders the events and the results; tests drive the engine
//! directly.
//!
//! Results come back in the spec's deployment order whatever finished first, so reports are
//! deterministic; only the events arrive in the order things happened.

mod apply;
mod cache;
mod connect;
mod error;
mod events;
pub mod stack_sets;

use std::future::Future;
use std::time::Instant;

use futures_util::future::join_all;
use tokio::sync::Semaphore;

use crate::aws::{read_bots, read_destinations, read_region};
use crate::live::destinations::LiveDestinations;
use crate::live::{LiveRoom, RegionInventory};
use crate::model::{Deployment, Model};
use crate::plan::{self, Change, Preflight};

pub use apply::{DeploymentOutcome, apply};
pub use cache::RoomCacheDir;
pub use connect::{Clients, ClientsOf, Connector, SdkConnector};
pub use error::EngineError;
pub use events::{DeploymentId, Event, Hooks, Recorded};

/// Deployments worked on at once when the caller does not say.
pub const DEFAULT_PARALLELISM: usize = 8;

/// What to plan.
#[derive(Clone, Debug)]
pub struct Request {
    /// The ownership tag's value (`chatlog:spec`).
    pub owner: String,
    /// Plan deleting owned resources the spec no longer has.
    pub prune: bool,
    /// Deployments worked on at once (at least 1).
    pub parallelism: usize,
    /// Where the room cache lives; `None`: no cache.
    pub cache: Option<RoomCacheDir>,
}

/// One deployment, read and planned, with the clients to apply it.
pub struct DeploymentPlan<X: Connector> {
    pub deployment: Deployment,
    pub clients: ClientsOf<X>,
    pub live: RegionInventory,
    pub live_destinations: LiveDestinations,
    pub changes: Vec<Change>,
    /// What stops an apply at this deployment's destinations.
    pub preflight: Vec<Preflight>,
}

/// A deployment that could not be read, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadFailure {
    pub deployment: DeploymentId,
    pub error: EngineError,
}

pub fn deployment_id(d: &Deployment) -> DeploymentId {
    format!("{}/{}", d.account, d.region)
}

/// Every deployment of `model` read and planned, in the model's order. Deployments that cannot
/// be read (credentials, access, a failed call) do not stop the others; each is reported.
pub async fn plan_all<X: Connector>(
    model: &Model,
    request: &Request,
    connector: &X,
    hooks: &dyn Hooks,
) -> Result<Vec<DeploymentPlan<X>>, Vec<ReadFailure>> {
    let results = concurrently(request.parallelism, &model.deployments, |d| {
        plan_one(d, request, connector, hooks, &[])
    })
    .await;
    every_read(model, results)
}

/// The plans, or every deployment that could not be read.
fn every_read<X: Connector>(
    model: &Model,
    results: Vec<Result<DeploymentPlan<X>, EngineError>>,
) -> Result<Vec<DeploymentPlan<X>>, Vec<ReadFailure>> {
    let mut plans = Vec::new();
    let mut failures = Vec::new();
    for (d, result) in model.deployments.iter().zip(results) {
        match result {
            Ok(p) => plans.push(p),
            Err(error) => failures.push(ReadFailure {
                deployment: deployment_id(d),
                error,
            }),
        }
    }
    if failures.is_empty() {
        Ok(plans)
    } else {
        Err(failures)
    }
}

/// Runs `work` on every item, at most `parallelism` at once; results in the items' order.
pub(crate) async fn concurrently<'a, T, R, F>(
    parallelism: usize,
    items: &'a [T],
    work: impl Fn(&'a T) -> F,
) -> Vec<R>
where
    F: Future<Output = R>,
{
    let permits = Semaphore::new(parallelism.max(1));
    let permits = &permits;
    join_all(items.iter().map(|item| {
        let job = work(item);
        async move {
            // The semaphore is never closed, so acquiring only waits.
            let _permit = permits.acquire().await.ok();
            job.await
        }
    }))
    .await
}

/// `trusted`: rooms as a write's answer describes them (see `RoomCache::trust`).
async fn plan_one<X: Connector>(
    deployment: &Deployment,
    request: &Request,
    connector: &X,
    hooks: &dyn Hooks,
    trusted: &[LiveRoom],
) -> Result<DeploymentPlan<X>, EngineError> {
    let id = deployment_id(deployment);
    let started = Instant::now();
    hooks.on(Event::ReadStarted {
        deployment: id.clone(),
    });
    let clients = connector.connect(deployment).await?;
    let mut cache = request
        .cache
        .as_ref()
        .map(|c| c.load(&deployment.account, &deployment.region))
        .unwrap_or_default();
    for room in trusted {
        cache.trust(room);
    }
    let progress = ReadProgress { id: &id, hooks };
    let live = read_region(
        &clients.chat,
        &deployment.account,
        &deployment.region,
        true,
        &progress,
        (request.cache.is_some() || !trusted.is_empty()).then_some(&mut cache),
    )
    .await?;
    if let Some(dir) = &request.cache {
        dir.save(&deployment.account, &deployment.region, &cache);
    }
    let live_destinations = read_destinations(&clients.destinations, deployment).await?;
    let live_bots = read_bots(&clients.lex, deployment).await?;
    hooks.on(Event::ReadDone {
        deployment: id.clone(),
        rooms: live.rooms.len(),
        logging_configurations: live.logging_configurations.len(),
        elapsed_ms: millis(started),
    });

    let at_destinations = plan::plan_destinations(deployment, &live_destinations, &request.owner);
    let chat_changes = plan::plan_deployment(deployment, &live, &request.owner, request.prune);
    let mut changes = at_destinations.changes;
    if request.prune {
        changes.extend(plan::destinations::kept_on_prune(
            deployment,
            &live,
            &chat_changes,
        ));
    }
    changes.extend(chat_changes);
    changes.extend(plan::lex::plan_bots(deployment, &live_bots));
    hooks.on(Event::Planned {
        deployment: id,
        pending: plan::execution_order(&changes).len(),
    });
    Ok(DeploymentPlan {
        deployment: deployment.clone(),
        clients,
        live,
        live_destinations,
        changes,
        preflight: at_destinations.preflight,
    })
}

/// Reading progress as events.
struct ReadProgress<'a> {
    id: &'a str,
    hooks: &'a dyn Hooks,
}

impl crate::aws::Progress for ReadProgress<'_> {
    fn rooms_listed(&self, _: &str, count: usize) {
        self.hooks.on(Event::RoomsListed {
            deployment: self.id.to_owned(),
            count,
        });
    }
    fn rooms_read(&self, _: &str, done: usize, total: usize) {
        self.hooks.on(Event::RoomsRead {
            deployment: self.id.to_owned(),
            done,
            total,
        });
    }
}

pub(crate) fn millis(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// Reads every deployment back after an apply and plans again: what apply could still change,
/// per deployment, in the model's order (empty lists: the account matches). The rooms apply
/// created are taken from CreateRoom's answers while their `updateTime` is unchanged, so a fresh
/// deployment is read back with its listing, not a GetRoom per room.
pub async fn verify<X: Connector>(
    model: &Model,
    request: &Request,
    connector: &X,
    hooks: &dyn Hooks,
    applied: &[DeploymentOutcome],
) -> Result<Vec<(DeploymentId, Vec<String>)>, Vec<ReadFailure>> {
    let results = concurrently(request.parallelism, &model.deployments, |d| {
        let id = deployment_id(d);
        let trusted = applied
            .iter()
            .find(|o| o.deployment == id)
            .map_or(&[][..], |o| o.answered.as_slice());
        plan_one(d, request, connector, &(), trusted)
    })
    .await;
    let plans = every_read(model, results)?;
    Ok(plans
        .iter()
        .map(|p| {
            let id = deployment_id(&p.deployment);
            let differs: Vec<String> = plan::execution_order(&p.changes)
                .iter()
                .map(|c| crate::aws::describe_change(c))
                .collect();
            hooks.on(Event::Verified {
                deployment: id.clone(),
                differs: differs.clone(),
            });
            (id, differs)
        })
        .collect())
}
