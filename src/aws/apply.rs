//! Executing a plan's changes through `ChatApi`, in dependency order, one call at a time per
//! change. Stops at the first failure and says what was done and what was not: the next apply
//! re-plans from the live state and converges, since every step is keyed by ownership tags.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use futures_util::{StreamExt as _, stream};
use tokio::time::Instant;

use super::chat::ChatApi;
use super::destinations::DestinationApi;
use super::error::AwsError;
use super::lex::LexApi;
use crate::live::{LiveRoom, Tags};
use crate::plan::{Change, KEY_TAG, Operation, RoomSettings, SPEC_TAG, execution_order};

/// How long a logging configuration may stay CREATING or UPDATING before apply gives up, and
/// how long a create whose answer was lost (or that was throttled) waits before it is looked for
/// or sent again (doubled each time).
#[derive(Clone, Copy, Debug)]
pub struct Waits {
    pub active_timeout: Duration,
    pub poll: Duration,
    pub retry_pause: Duration,
    /// How often one create is sent at most, counting the first time (the connection's retry
    /// attempts, so AWS_MAX_ATTEMPTS counts here too). A create is sent again only when AWS
    /// throttled it or when it was looked for after a lost answer and not found.
    pub create_attempts: u32,
}

impl Default for Waits {
    fn default() -> Self {
        Waits {
            active_timeout: Duration::from_secs(300),
            poll: Duration::from_secs(2),
            retry_pause: Duration::from_millis(500),
            create_attempts: 4,
        }
    }
}

/// The longest pause between two attempts of a create, however often it was tried.
const MAX_RETRY_PAUSE: Duration = Duration::from_secs(8);

/// Why one change could not be made. Its message names the operation, the resource and AWS's
/// error code (through [`AwsError`]) and what to do next.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChangeError {
    /// AWS refused or failed a call.
    #[error(transparent)]
    Aws(#[from] AwsError),
    /// A room names a logging configuration that neither exists nor was created by this apply.
    #[error("logging configuration `{key}` does not exist (it was not created)")]
    MissingConfiguration { key: String },
    /// A create's answer was lost, and looking for what it made failed too: it may exist.
    #[error(
        "{create}; whether it took effect is unknown, and looking for it failed: {lookup}. Run apply again: it finds what was made by its chatlog tags and creates nothing twice"
    )]
    CreateUnknown {
        create: AwsError,
        lookup: Box<AwsError>,
    },
    /// A create was sent as often as allowed, and each time it was not made.
    #[error("{last} (sent {attempts} times; each time it was not made)")]
    CreateAttempts { last: AwsError, attempts: u32 },
    /// The service gave up on a logging configuration (CREATE_FAILED, UPDATE_FAILED, ...).
    #[error(
        "logging configuration {arn} is {state}: check that its destination exists and that its policy lets log delivery write (chatlog drift shows what is missing)"
    )]
    ConfigurationFailed { arn: String, state: String },
    /// A logging configuration was still CREATING or UPDATING when apply stopped waiting.
    #[error(
        "logging configuration {arn} is still {state} after {}s; run apply again to continue",
        waited.as_secs()
    )]
    NotActive {
        arn: String,
        state: String,
        waited: Duration,
    },
}

impl ChangeError {
    /// The AWS error behind it, when AWS answered or was asked: its code, status and action.
    pub fn aws(&self) -> Option<&AwsError> {
        match self {
            ChangeError::Aws(e)
            | ChangeError::CreateUnknown { create: e, .. }
            | ChangeError::CreateAttempts { last: e, .. } => Some(e),
            ChangeError::MissingConfiguration { .. }
            | ChangeError::ConfigurationFailed { .. }
            | ChangeError::NotActive { .. } => None,
        }
    }
}

/// Reports and JSON carry the message: the same text a person reads.
impl serde::Serialize for ChangeError {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplyFailure {
    /// One line per change completed before the failure, in execution order.
    pub done: Vec<String>,
    /// The changes that failed, and why (several when rooms made concurrently fail together).
    pub failed: Vec<(String, ChangeError)>,
    /// Changes not attempted.
    pub not_done: Vec<String>,
}

/// What an apply of one deployment did.
#[derive(Debug, Clone, PartialEq)]
pub struct Applied {
    /// One line per change, in execution order.
    pub done: Vec<String>,
    /// The rooms as CreateRoom answered them: reading them back needs no GetRoom.
    pub answered: Vec<LiveRoom>,
}

/// What happens to a change as apply makes it.
pub enum ChangeEvent<'a> {
    Started(&'a Change),
    Done(&'a Change, Duration),
    Failed(&'a Change, &'a ChangeError, Duration),
}

/// Rooms made at once within a deployment; the pacer keeps them at the room quota (5 per
/// second), this only bounds how many wait for it.
const ROOM_CONCURRENCY: usize = 16;

/// A change as apply's report lists it (done, failed, not done), for every deployment alike.
pub fn describe_change(c: &Change) -> String {
    let verb = match c.action {
        crate::plan::Action::Create => "create",
        crate::plan::Action::Update => "update",
        crate::plan::Action::Delete => "delete",
        crate::plan::Action::NoChange => "keep",
    };
    let of = if c.duplicate_of.is_some() {
        " duplicate of"
    } else {
        ""
    };
    format!(
        "{verb}{of} {} {} in {}/{}",
        c.resource_type, c.key, c.account, c.region
    )
}

/// Runs every unblocked change of one deployment in dependency order; the rooms of one step
/// concurrently (up to `ROOM_CONCURRENCY`, paced at the quota). Stops at the first failure:
/// changes already running finish, none is started after it. Returns one line per change done.
pub async fn apply_changes<C: ChatApi, D: DestinationApi, L: LexApi>(
    chat: &C,
    destinations: &D,
    lex: &L,
    changes: &[Change],
    waits: Waits,
    on: &(dyn Fn(ChangeEvent<'_>) + Send + Sync),
) -> Result<Applied, ApplyFailure> {
    // Spec key -> ARN of its logging configuration, known now or once created.
    let arns: Mutex<BTreeMap<String, String>> = Mutex::new(
        changes
            .iter()
            .filter(|c| c.resource_type == crate::plan::CONFIGURATION)
            .filter_map(|c| Some((c.key.clone(), c.arn.clone()?)))
            .collect(),
    );
    let ordered = execution_order(changes);
    let done = Mutex::new(Vec::new());
    let answered = Mutex::new(Vec::new());
    let failed = Mutex::new(Vec::new());
    // Positions in `ordered` of the changes done or failed.
    let settled = Mutex::new(Vec::new());
    let mut next = 0;
    while let Some(first) = ordered.get(next) {
        // A step: one change, or every room change of the same kind in a row.
        let step_len = if first.resource_type == crate::plan::ROOM {
            ordered
                .iter()
                .skip(next)
                .take_while(|c| c.resource_type == crate::plan::ROOM && c.action == first.action)
                .count()
        } else {
            1
        };
        let step = ordered.get(next..next + step_len).unwrap_or_default();
        let (arns, done, failed, settled) = (&arns, &done, &failed, &settled);
        let answered = &answered;
        stream::iter(step.iter().enumerate())
            .map(|(i, change)| async move {
                if !lock(failed).is_empty() {
                    return;
                }
                on(ChangeEvent::Started(change));
                let started = Instant::now();
                let result = run_change(chat, destinations, lex, change, arns, waits).await;
                lock(settled).push(next + i);
                match result {
                    Ok(answer) => {
                        on(ChangeEvent::Done(change, started.elapsed()));
                        lock(answered).extend(answer);
                        lock(done).push((next + i, describe_change(change)));
                    }
                    Err(error) => {
                        on(ChangeEvent::Failed(change, &error, started.elapsed()));
                        lock(failed).push((describe_change(change), error));
                    }
                }
            })
            .buffer_unordered(ROOM_CONCURRENCY)
            .collect::<Vec<()>>()
            .await;
        next += step_len;
        if !lock(failed).is_empty() {
            break;
        }
    }
    // In execution order, whatever order concurrent rooms finished in.
    let mut done = done.into_inner().unwrap_or_else(|p| p.into_inner());
    done.sort();
    let done: Vec<String> = done.into_iter().map(|(_, line)| line).collect();
    let failed = failed.into_inner().unwrap_or_else(|p| p.into_inner());
    if failed.is_empty() {
        return Ok(Applied {
            done,
            answered: answered.into_inner().unwrap_or_else(|p| p.into_inner()),
        });
    }
    let settled = settled.into_inner().unwrap_or_else(|p| p.into_inner());
    let not_done = ordered
        .iter()
        .enumerate()
        .filter(|(i, _)| !settled.contains(i))
        .map(|(_, c)| describe_change(c))
        .collect();
    Err(ApplyFailure {
        done,
        failed,
        not_done,
    })
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn resolve(
    room: &RoomSettings,
    arns: &BTreeMap<String, String>,
) -> Result<RoomSettings, ChangeError> {
    let mut resolved = room.clone();
    resolved.logging_configurations = room
        .logging_configurations
        .iter()
        .map(|key| {
            arns.get(key)
                .cloned()
                .ok_or_else(|| ChangeError::MissingConfiguration { key: key.clone() })
        })
        .collect::<Result<_, _>>()?;
    Ok(resolved)
}

async fn run_change<C: ChatApi, D: DestinationApi, L: LexApi>(
    chat: &C,
    destinations: &D,
    lex: &L,
    change: &Change,
    arns: &Mutex<BTreeMap<String, String>>,
    waits: Waits,
) -> Result<Option<LiveRoom>, ChangeError> {
    let mut answer = None;
    for op in &change.operations {
        match op {
            Operation::CreateLoggingConfiguration {
                key,
                name,
                destination,
                tags,
            } => {
                let created = create_once(
                    || {
                        chat.create_logging_configuration(
                            name.clone(),
                            destination.clone(),
                            tags.clone(),
                        )
                    },
                    || async {
                        let all = chat.list_logging_configurations().await?;
                        Ok(all
                            .into_iter()
                            .find(|c| made_for(&c.tags, tags) && &c.name == name))
                    },
                    waits,
                )
                .await?;
                lock(arns).insert(key.clone(), created.arn.clone());
                wait_active(chat, &created.arn, waits).await?;
            }
            Operation::UpdateLoggingConfiguration {
                arn,
                name,
                destination,
            } => {
                chat.update_logging_configuration(arn.clone(), name.clone(), destination.clone())
                    .await?;
                wait_active(chat, arn, waits).await?;
            }
            Operation::DeleteLoggingConfiguration { arn } => {
                chat.delete_logging_configuration(arn.clone())
                    .await
                    .or_else(gone)?;
            }
            Operation::CreateRoom { room, tags, .. } => {
                let room = resolve(room, &lock(arns))?;
                let made = create_once(
                    || chat.create_room(room.clone(), tags.clone()),
                    || async {
                        let named = chat.rooms_named(room.name.clone()).await?;
                        Ok(named.into_iter().find(|r| made_for(&r.tags, tags)))
                    },
                    waits,
                )
                .await?;
                answer = Some(made);
            }
            Operation::UpdateRoom { arn, room } => {
                let room = resolve(room, &lock(arns))?;
                chat.update_room(arn.clone(), room).await?;
            }
            Operation::DeleteRoom { arn } => {
                chat.delete_room(arn.clone()).await.or_else(gone)?;
            }
            Operation::TagResource { arn, tags } => {
                chat.tag_resource(arn.clone(), tags.clone()).await?;
            }
            Operation::UntagResource { arn, keys } => {
                chat.untag_resource(arn.clone(), keys.clone()).await?;
            }
            Operation::Destination(op) => {
                destinations.execute(op.clone()).await?;
            }
            Operation::Lex(op) => {
                lex.execute(op.clone()).await?;
            }
        }
    }
    Ok(answer)
}

/// Whether a live resource carries the ownership tags a create gave it: it is that create's.
fn made_for(live: &Tags, created_with: &Tags) -> bool {
    [SPEC_TAG, KEY_TAG].iter().all(|k| {
        live.get(*k)
            .is_some_and(|v| created_with.get(*k) == Some(v))
    })
}

/// A delete retried by the SDK after a lost answer finds the resource gone: it is done. Updates,
/// tag calls and deletes are retried by the SDK, since sending them twice leaves the same state.
fn gone(e: AwsError) -> Result<(), AwsError> {
    if e.code.as_deref() == Some("ResourceNotFoundException") {
        Ok(())
    } else {
        Err(e)
    }
}

/// Makes a resource exactly once through an API without idempotency tokens: `send` is never
/// retried blindly. After an answer that leaves the outcome unknown (a 5xx, a timeout, a cut
/// connection), `find` looks for what this create would have made, by its ownership tags, and
/// adopts it; only when it is not there is the create sent again. A throttled create did nothing
/// and is sent again after a pause.
async fn create_once<T, S, SF, F, FF>(send: S, find: F, waits: Waits) -> Result<T, ChangeError>
where
    S: Fn() -> SF,
    SF: std::future::Future<Output = Result<T, AwsError>>,
    F: Fn() -> FF,
    FF: std::future::Future<Output = Result<Option<T>, AwsError>>,
{
    let mut pause = waits.retry_pause;
    let mut attempt = 1;
    loop {
        let error = match send().await {
            Ok(made) => return Ok(made),
            Err(e) if e.outcome_unknown || e.throttled() => e,
            Err(e) => return Err(e.into()),
        };
        tokio::time::sleep(pause).await;
        pause = pause.saturating_mul(2).min(MAX_RETRY_PAUSE);
        if error.outcome_unknown {
            match find().await {
                Ok(Some(made)) => return Ok(made),
                Ok(None) => {}
                Err(lookup) => {
                    return Err(ChangeError::CreateUnknown {
                        create: error,
                        lookup: Box::new(lookup),
                    });
                }
            }
        }
        if attempt >= waits.create_attempts {
            return Err(ChangeError::CreateAttempts {
                last: error,
                attempts: attempt,
            });
        }
        attempt += 1;
    }
}

/// Create and Update answer ACTIVE, but Get shows CREATING or UPDATING until the service is
/// done (aws-facts.md §1(a), States); rooms should only point at an ACTIVE configuration.
async fn wait_active<C: ChatApi>(chat: &C, arn: &str, waits: Waits) -> Result<(), ChangeError> {
    let deadline = Instant::now() + waits.active_timeout;
    loop {
        let c = chat.get_logging_configuration(arn.to_owned()).await?;
        match c.state.as_str() {
            "ACTIVE" => return Ok(()),
            "CREATE_FAILED" | "UPDATE_FAILED" | "DELETE_FAILED" => {
                return Err(ChangeError::ConfigurationFailed {
                    arn: arn.to_owned(),
                    state: c.state.clone(),
                });
            }
            state => {
                if Instant::now() >= deadline {
                    return Err(ChangeError::NotActive {
                        arn: arn.to_owned(),
                        state: state.to_owned(),
                        waited: waits.active_timeout,
                    });
                }
                tokio::time::sleep(waits.poll).await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    fn error(status: u16, code: &str, outcome_unknown: bool) -> AwsError {
        AwsError {
            action: "ivschat:CreateRoom".to_owned(),
            resource: "r".to_owned(),
            code: Some(code.to_owned()),
            status: Some(status),
            message: "m".to_owned(),
            outcome_unknown,
        }
    }

    const QUICK: Waits = Waits {
        active_timeout: Duration::from_secs(1),
        poll: Duration::from_millis(1),
        retry_pause: Duration::from_millis(1),
        create_attempts: 4,
    };

    /// Runs `create_once` against a scripted sequence of answers to `send` and `find`, and
    /// counts the calls of each.
    fn run(
        sends: Vec<Result<&'static str, AwsError>>,
        finds: Vec<Result<Option<&'static str>, AwsError>>,
    ) -> (Result<&'static str, ChangeError>, usize, usize) {
        let sent = AtomicUsize::new(0);
        let looked = AtomicUsize::new(0);
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        let result = rt.block_on(create_once(
            || {
                let i = sent.fetch_add(1, Ordering::SeqCst);
                let answer = sends.get(i).cloned().unwrap_or(Ok("extra"));
                async move { answer }
            },
            || {
                let i = looked.fetch_add(1, Ordering::SeqCst);
                let answer = finds.get(i).cloned().unwrap_or(Ok(None));
                async move { answer }
            },
            QUICK,
        ));
        (result, sent.into_inner(), looked.into_inner())
    }

    #[test]
    fn a_lost_answer_adopts_what_the_create_made_and_sends_nothing_again() {
        let (made, sent, looked) = run(
            vec![Err(error(500, "InternalServerException", true))],
            vec![Ok(Some("found"))],
        );
        assert_eq!((made.unwrap(), sent, looked), ("found", 1, 1));
    }

    #[test]
    fn a_lost_answer_with_nothing_made_creates_again() {
        let (made, sent, looked) = run(
            vec![
                Err(error(503, "ServiceUnavailableException", true)),
                Ok("second"),
            ],
            vec![Ok(None)],
        );
        assert_eq!((made.unwrap(), sent, looked), ("second", 2, 1));
    }

    #[test]
    fn throttling_is_sent_again_without_looking() {
        let (made, sent, looked) = run(
            vec![Err(error(429, "ThrottlingException", false)), Ok("made")],
            vec![],
        );
        assert_eq!((made.unwrap(), sent, looked), ("made", 2, 0));
    }

    #[test]
    fn a_refusal_is_final_and_a_failed_lookup_never_creates_blindly() {
        let (refused, sent, _) = run(vec![Err(error(400, "ValidationException", false))], vec![]);
        let refused = refused.unwrap_err();
        assert_eq!(
            refused.aws().and_then(|e| e.code.as_deref()),
            Some("ValidationException")
        );
        assert!(matches!(refused, ChangeError::Aws(_)), "{refused:?}");
        assert_eq!(sent, 1);
        let (unknown, sent, looked) = run(
            vec![Err(error(500, "InternalServerException", true))],
            vec![Err(error(500, "InternalServerException", true))],
        );
        let unknown = unknown.unwrap_err();
        assert!(
            matches!(unknown, ChangeError::CreateUnknown { .. }),
            "{unknown:?}"
        );
        let message = unknown.to_string();
        assert!(message.contains("looking for it failed"), "{message}");
        assert_eq!((sent, looked), (1, 1));
    }

    #[test]
    fn attempts_are_bounded() {
        let lost = || Err(error(500, "InternalServerException", true));
        let (result, sent, looked) = run(vec![lost(), lost(), lost(), lost(), lost()], vec![]);
        let error = result.unwrap_err();
        assert!(
            matches!(error, ChangeError::CreateAttempts { attempts: 4, .. }),
            "{error:?}"
        );
        assert!(error.to_string().contains("sent 4 times"), "{error}");
        assert_eq!((sent, looked), (4, 4));
    }

    #[test]
    fn only_a_resource_with_both_ownership_tags_of_the_create_is_its_own() {
        let tags = |pairs: &[(&str, &str)]| -> Tags {
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect()
        };
        let sent = tags(&[(SPEC_TAG, "s"), (KEY_TAG, "lobby"), ("team", "live")]);
        assert!(made_for(
            &tags(&[(SPEC_TAG, "s"), (KEY_TAG, "lobby")]),
            &sent
        ));
        assert!(!made_for(
            &tags(&[(SPEC_TAG, "s"), (KEY_TAG, "other")]),
            &sent
        ));
        assert!(!made_for(&tags(&[(KEY_TAG, "lobby")]), &sent));
        assert!(!made_for(
            &tags(&[(SPEC_TAG, "t"), (KEY_TAG, "lobby")]),
            &sent
        ));
    }
}
