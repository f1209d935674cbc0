//! Executing a plan's changes through `ChatApi`, in dependency order, one call at a time per
//! change. Stops at the first failure and says what was done and what was not: the next apply
//! re-plans from the live state and converges, since every step is keyed by ownership tags.

use std::collections::BTreeMap;
use std::time::Duration;

use tokio::time::Instant;

use super::chat::ChatApi;
use super::destinations::DestinationApi;
use super::error::AwsError;
use super::lex::LexApi;
use crate::plan::{Change, Operation, RoomSettings, execution_order};

/// How long a logging configuration may stay CREATING or UPDATING before apply gives up.
#[derive(Clone, Copy, Debug)]
pub struct Waits {
    pub active_timeout: Duration,
    pub poll: Duration,
}

impl Default for Waits {
    fn default() -> Self {
        Waits {
            active_timeout: Duration::from_secs(300),
            poll: Duration::from_secs(2),
        }
    }
}

#[derive(Debug)]
pub struct ApplyFailure {
    /// One line per change completed before the failure.
    pub done: Vec<String>,
    /// The change that failed, and why.
    pub failed: String,
    pub error: String,
    /// Changes not attempted.
    pub not_done: Vec<String>,
}

/// A change as apply's report lists it (done, failed, not done), for every deployment alike.
pub fn describe_change(c: &Change) -> String {
    let verb = match c.action {
        crate::plan::Action::Create => "create",
        crate::plan::Action::Update => "update",
        crate::plan::Action::Delete => "delete",
        crate::plan::Action::NoChange => "keep",
    };
    format!(
        "{verb} {} {} in {}/{}",
        c.resource_type, c.key, c.account, c.region
    )
}

/// Runs every unblocked change of one deployment. Returns one line per change done.
pub async fn apply_changes<C: ChatApi, D: DestinationApi, L: LexApi>(
    chat: &C,
    destinations: &D,
    lex: &L,
    changes: &[Change],
    waits: Waits,
) -> Result<Vec<String>, ApplyFailure> {
    // Spec key -> ARN of its logging configuration, known now or once created.
    let mut arns: BTreeMap<String, String> = changes
        .iter()
        .filter(|c| c.resource_type == crate::plan::CONFIGURATION)
        .filter_map(|c| Some((c.key.clone(), c.arn.clone()?)))
        .collect();
    let ordered = execution_order(changes);
    let mut done = Vec::new();
    for (i, change) in ordered.iter().enumerate() {
        if let Err(error) = run_change(chat, destinations, lex, change, &mut arns, waits).await {
            return Err(ApplyFailure {
                done,
                failed: describe_change(change),
                error,
                not_done: ordered
                    .iter()
                    .skip(i + 1)
                    .map(|c| describe_change(c))
                    .collect(),
            });
        }
        done.push(describe_change(change));
    }
    Ok(done)
}

fn resolve(room: &RoomSettings, arns: &BTreeMap<String, String>) -> Result<RoomSettings, String> {
    let mut resolved = room.clone();
    resolved.logging_configurations = room
        .logging_configurations
        .iter()
        .map(|key| {
            arns.get(key).cloned().ok_or_else(|| {
                format!("logging configuration `{key}` does not exist (it was not created)")
            })
        })
        .collect::<Result<_, _>>()?;
    Ok(resolved)
}

async fn run_change<C: ChatApi, D: DestinationApi, L: LexApi>(
    chat: &C,
    destinations: &D,
    lex: &L,
    change: &Change,
    arns: &mut BTreeMap<String, String>,
    waits: Waits,
) -> Result<(), String> {
    let aws = |e: AwsError| e.to_string();
    for op in &change.operations {
        match op {
            Operation::CreateLoggingConfiguration {
                key,
                name,
                destination,
                tags,
            } => {
                let created = chat
                    .create_logging_configuration(name.clone(), destination.clone(), tags.clone())
                    .await
                    .map_err(aws)?;
                arns.insert(key.clone(), created.arn.clone());
                wait_active(chat, &created.arn, waits).await?;
            }
            Operation::UpdateLoggingConfiguration {
                arn,
                name,
                destination,
            } => {
                chat.update_logging_configuration(arn.clone(), name.clone(), destination.clone())
                    .await
                    .map_err(aws)?;
                wait_active(chat, arn, waits).await?;
            }
            Operation::DeleteLoggingConfiguration { arn } => {
                chat.delete_logging_configuration(arn.clone())
                    .await
                    .map_err(aws)?;
            }
            Operation::CreateRoom { room, tags, .. } => {
                let room = resolve(room, arns)?;
                chat.create_room(room, tags.clone()).await.map_err(aws)?;
            }
            Operation::UpdateRoom { arn, room } => {
                let room = resolve(room, arns)?;
                chat.update_room(arn.clone(), room).await.map_err(aws)?;
            }
            Operation::DeleteRoom { arn } => {
                chat.delete_room(arn.clone()).await.map_err(aws)?;
            }
            Operation::TagResource { arn, tags } => {
                chat.tag_resource(arn.clone(), tags.clone())
                    .await
                    .map_err(aws)?;
            }
            Operation::UntagResource { arn, keys } => {
                chat.untag_resource(arn.clone(), keys.clone())
                    .await
                    .map_err(aws)?;
            }
            Operation::Destination(op) => {
                destinations.execute(op.clone()).await.map_err(aws)?;
            }
            Operation::Lex(op) => {
                lex.execute(op.clone()).await.map_err(aws)?;
            }
        }
    }
    Ok(())
}

/// Create and Update answer ACTIVE, but Get shows CREATING or UPDATING until the service is
/// done (aws-facts.md §1(a), States); rooms should only point at an ACTIVE configuration.
async fn wait_active<C: ChatApi>(chat: &C, arn: &str, waits: Waits) -> Result<(), String> {
    let deadline = Instant::now() + waits.active_timeout;
    loop {
        let c = chat
            .get_logging_configuration(arn.to_owned())
            .await
            .map_err(|e| e.to_string())?;
        match c.state.as_str() {
            "ACTIVE" => return Ok(()),
            "CREATE_FAILED" | "UPDATE_FAILED" | "DELETE_FAILED" => {
                return Err(format!(
                    "logging configuration {arn} is {}: check that its destination exists and that its policy lets log delivery write (chatlog drift shows what is missing)",
                    c.state
                ));
            }
            state => {
                if Instant::now() >= deadline {
                    return Err(format!(
                        "logging configuration {arn} is still {state} after {}s; run apply again to continue",
                        waits.active_timeout.as_secs()
                    ));
                }
                tokio::time::sleep(waits.poll).await;
            }
        }
    }
}
