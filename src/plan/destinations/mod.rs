//! Planning the destinations of one deployment: what must change at the spec's buckets, log
//! groups and streams so that log delivery can write there, before any logging configuration is
//! created (IVS Chat fails a configuration whose destination is missing).
//!
//! - Managed destinations (`create: true`) are chatlog's: created with the ownership tags, their
//!   settings and whole policy kept as the spec says. One that exists without this spec's tags is
//!   never changed (its changes are blocked, as for rooms).
//! - Existing destinations are someone else's: chatlog only adds what log delivery lacks (merged
//!   bucket statements, the consolidated account-level log policy, the stream tag, the
//!   service-linked role) and never removes or rewrites a statement the spec does not own.
//! - What makes an apply impossible (an existing destination missing, in another region or
//!   account, a policy chatlog cannot add to) is a preflight problem: apply refuses before any
//!   write, plan and drift show it.
//!
//! Whether log delivery is granted is decided by `policy::verify`, the same comparison `policy
//! verify` and drift use.

mod firehose;
mod logs;
mod s3;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Value, json};

use super::tags::{self, Owner};
use super::{Action, AttributeDiff, CONFIGURATION, Change, KEY_TAG, SPEC_TAG};
use crate::diagnostic::{Diagnostic, Rule};
use crate::live::destinations::{
    BucketSettings, BucketState, LiveDestinations, LogPolicy, OwnedBucket, PresentLogGroup,
    PublicAccessBlock, RoleState,
};
use crate::live::{LiveDestination, RegionInventory, Tags};
use crate::model::{Deployment, Destination, DestinationKind, Model};
use crate::policy::limits::{CWL_ACCOUNT_POLICY_MAX_CHARS, CWL_ACCOUNT_POLICY_SLOTS};
use crate::policy::log_delivery::{self as ld, DELIVERY_PRINCIPAL, FIREHOSE_TAG, SLR_NAME};
use crate::policy::merge::{MergeError, merge_bucket_policy};
use crate::policy::plan::{AccountPolicy, DeploymentPolicies, for_deployment};
use crate::policy::verify::{self, Document, Kind, Need};
use crate::policy::{PolicyDocument, normalize};
use crate::spec::load::Origin;
use crate::spec::source::Sources;

use firehose::{service_linked_role, stream};
use logs::{account_log_policy, managed_log_group};
use s3::bucket_destination;

pub const BUCKET: &str = "AWS::S3::Bucket";
pub const BUCKET_POLICY: &str = "AWS::S3::BucketPolicy";
pub const LOG_GROUP: &str = "AWS::Logs::LogGroup";
pub const LOG_POLICY: &str = "AWS::Logs::ResourcePolicy";
pub const STREAM: &str = "AWS::KinesisFirehose::DeliveryStream";
pub const SERVICE_LINKED_ROLE: &str = "AWS::IAM::ServiceLinkedRole";

/// The name of the log-group-level policy chatlog puts on a log group it creates.
/// PutResourcePolicy requires a name even when the policy is scoped to one log group.
pub const LOG_GROUP_POLICY_NAME: &str = "chatlog-ivschat-log-group";

/// SSE-S3, the default encryption of the buckets chatlog creates.
const SSE_S3: &str = "AES256";
/// Object ownership of the buckets chatlog creates: ACLs off, the bucket owner owns every object.
const OWNER_ENFORCED: &str = "BucketOwnerEnforced";

pub fn is_destination_type(resource_type: &str) -> bool {
    [
        BUCKET,
        BUCKET_POLICY,
        LOG_GROUP,
        LOG_POLICY,
        STREAM,
        SERVICE_LINKED_ROLE,
    ]
    .contains(&resource_type)
}

/// One API call on a destination.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "operation")]
pub enum DestinationOperation {
    /// With a LocationConstraint unless the region is us-east-1.
    CreateBucket {
        bucket: String,
        region: String,
    },
    /// Every public access blocked.
    PutPublicAccessBlock {
        bucket: String,
    },
    /// SSE-S3 default encryption.
    PutBucketEncryption {
        bucket: String,
    },
    /// BucketOwnerEnforced.
    PutBucketOwnershipControls {
        bucket: String,
    },
    /// The whole tag set (S3 replaces it).
    PutBucketTagging {
        bucket: String,
        tags: Tags,
    },
    /// The whole policy of a bucket chatlog manages.
    PutBucketPolicy {
        bucket: String,
        policy: PolicyDocument,
    },
    /// Reads the bucket's policy when the call runs and merges `statements` into it, so that a
    /// statement someone added since the plan is kept too.
    MergeBucketPolicy {
        bucket: String,
        statements: PolicyDocument,
    },
    CreateLogGroup {
        log_group: String,
        tags: Tags,
    },
    PutRetentionPolicy {
        log_group: String,
        days: u32,
    },
    DeleteRetentionPolicy {
        log_group: String,
    },
    TagLogGroup {
        arn: String,
        tags: Tags,
    },
    UntagLogGroup {
        arn: String,
        keys: Vec<String>,
    },
    /// A log-group-level resource policy; `expected_revision_id` is the live policy's (none for
    /// a first policy), as PutResourcePolicy requires with `resourceArn`.
    PutLogGroupPolicy {
        name: String,
        arn: String,
        policy: PolicyDocument,
        expected_revision_id: Option<String>,
    },
    /// Reads the account-level policy `name` when the call runs and merges `statements` into it.
    MergeAccountLogPolicy {
        name: String,
        statements: PolicyDocument,
    },
    TagDeliveryStream {
        stream: String,
        tags: Tags,
    },
    /// Skipped when the role exists by the time the call runs (several deployments of one
    /// account may each plan it).
    CreateServiceLinkedRole {
        service: String,
    },
}

/// Why an apply cannot go ahead.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Problem {
    /// An existing destination does not exist.
    Missing,
    /// A destination is in another region than its deployment.
    OtherRegion,
    /// A bucket belongs to another account (for a managed bucket: its name is taken).
    OtherOwner,
    /// chatlog cannot add log delivery's statements to a policy.
    CannotMerge,
}

/// A problem found before any write: apply refuses the whole run, plan and drift show it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Preflight {
    pub account: String,
    pub region: String,
    /// The destination's key in the spec.
    pub destination: String,
    pub problem: Problem,
    pub message: String,
    pub help: String,
    #[serde(skip)]
    pub origin: Option<Origin>,
}

#[derive(Clone, Debug, Default)]
pub struct DestinationPlan {
    pub changes: Vec<Change>,
    pub preflight: Vec<Preflight>,
}

/// Ours only with both tags naming this spec and this entry: a bucket another entry (or spec)
/// created is not this entry's to change.
fn owner_of(tags: &Tags, owner: &str, key: &str) -> Owner {
    match tags::owner_of(tags, owner) {
        Owner::Us if tags.get(KEY_TAG).map(String::as_str) != Some(key) => Owner::Other,
        found => found,
    }
}

/// With `adopt: true` the spec takes over a destination nobody's tags claim (another spec's
/// stays another spec's).
fn owner_of_destination(d: &Destination, tags: &Tags, owner: &str) -> Owner {
    match owner_of(tags, owner, &d.key) {
        Owner::Nobody if d.adopt => Owner::Us,
        found => found,
    }
}

/// The statements of a policy document as JSON text; `None` when it is not one.
fn statements_of(text: &str) -> Option<Vec<Value>> {
    match serde_json::from_str::<Value>(text).ok()?.get("Statement")? {
        Value::Array(list) => Some(list.clone()),
        one @ Value::Object(_) => Some(vec![one.clone()]),
        _ => None,
    }
}

/// Whether a live policy holds exactly the statements of `desired`, compared normalized (order,
/// one-element lists, case of actions and condition keys do not matter).
pub fn same_statements(live: Option<&str>, desired: &PolicyDocument) -> bool {
    let Some(statements) = live.and_then(statements_of) else {
        return false;
    };
    let Some(mut pool) = statements
        .iter()
        .map(|s| normalize::statement(s).ok())
        .collect::<Option<Vec<_>>>()
    else {
        return false;
    };
    if pool.len() != desired.statements.len() {
        return false;
    }
    desired.statements.iter().all(|want| {
        let want = normalize::from_typed(want);
        match pool.iter().position(|have| *have == want) {
            Some(i) => {
                pool.swap_remove(i);
                true
            }
            None => false,
        }
    })
}

/// A live bucket policy as `policy verify` reads it (an empty text: no policy).
pub fn bucket_documents(bucket: &str, policy: Option<&str>) -> Result<Vec<Document>, String> {
    let label = format!("policy of bucket `{bucket}`");
    verify::input::read(&label, policy.unwrap_or_default().as_bytes(), Kind::Bucket)
        .map(|f| f.documents)
        .map_err(|e| format!("{label} cannot be read: {}", e.message))
}

/// Live CloudWatch Logs resource policies as `policy verify` reads them, in the shape of
/// `aws logs describe-resource-policies` output.
pub fn log_documents(policies: &[&LogPolicy]) -> Result<Vec<Document>, String> {
    let listing = json!({
        "resourcePolicies": policies
            .iter()
            .map(|p| json!({"policyName": p.name, "policyDocument": p.document}))
            .collect::<Vec<_>>()
    });
    let text = serde_json::to_string(&listing).unwrap_or_default();
    verify::input::read(
        "CloudWatch Logs resource policies",
        text.as_bytes(),
        Kind::Logs,
    )
    .map(|f| f.documents)
    .map_err(|e| {
        format!(
            "a CloudWatch Logs resource policy cannot be read: {}",
            e.message
        )
    })
}

/// Every log resource policy read: the account-level ones and each log group's own.
pub fn all_log_policies(live: &LiveDestinations) -> Vec<&LogPolicy> {
    live.account_log_policies
        .iter()
        .chain(
            live.log_groups
                .iter()
                .filter_map(|g| g.present.as_ref()?.policy.as_ref()),
        )
        .collect()
}

/// The statements log delivery needs at the log groups of a deployment and at the buckets
/// `buckets` picks, as `policy verify` states them, by destination key. Built once per
/// deployment: each of `verify`'s lookups builds all of the deployment's policies.
pub fn needs_of(
    deployment: &Deployment,
    sources: &Sources,
    buckets: impl Fn(&Destination) -> bool,
) -> BTreeMap<String, Vec<Need>> {
    let model = Model {
        deployments: vec![deployment.clone()],
        ..Model::default()
    };
    let mut needs: BTreeMap<String, Vec<Need>> = BTreeMap::new();
    for need in verify::log_group_needs(&model, sources) {
        needs
            .entry(need.destination.clone())
            .or_default()
            .push(need);
    }
    for d in &deployment.destinations {
        if let DestinationKind::S3 { bucket } = &d.kind
            && buckets(d)
        {
            let at_bucket = verify::bucket_needs(&model, sources, bucket).unwrap_or_default();
            needs.insert(d.key.clone(), at_bucket);
        }
    }
    needs
}

/// Whether a `policy verify` finding means log delivery cannot write (as opposed to a grant
/// broader than it needs).
pub fn blocks_delivery(d: &Diagnostic) -> bool {
    matches!(
        d.rule,
        Rule::PolicyStatementMissing
            | Rule::PolicyStatementNarrower
            | Rule::PolicyDenyBlocks
            | Rule::PolicyNegation
    )
}

/// Whether the documents let log delivery write what `needs` asks (a NotAction/NotPrincipal
/// statement elsewhere does not matter here: it only stops AWS from appending to its policy).
fn granted(needs: &[Need], documents: &[Document]) -> bool {
    !verify::verify(needs, documents)
        .iter()
        .any(|d| blocks_delivery(d) && d.rule != Rule::PolicyNegation)
}

struct Planner<'a> {
    deployment: &'a Deployment,
    live: &'a LiveDestinations,
    owner: &'a str,
    /// `needs_of` the deployment.
    needs: BTreeMap<String, Vec<Need>>,
    /// Every log resource policy read, as `policy verify` reads them.
    log_documents: Result<Vec<Document>, String>,
    plan: DestinationPlan,
}

impl Planner<'_> {
    fn change(&self, resource_type: &'static str, key: &str, origin: &Origin) -> Change {
        Change {
            origin: Some(origin.clone()),
            ..Change::unchanged(self.deployment, resource_type, key)
        }
    }

    /// A change at a destination of the spec: its key, ARN and place in the spec.
    fn at(&self, resource_type: &'static str, d: &Destination) -> Change {
        Change {
            arn: Some(d.arn.clone()),
            ..self.change(resource_type, &d.key, &d.origin)
        }
    }

    fn problem(&mut self, d: &Destination, problem: Problem, message: String, help: String) {
        self.plan.preflight.push(Preflight {
            account: self.deployment.account.clone(),
            region: self.deployment.region.clone(),
            destination: d.key.clone(),
            problem,
            message,
            help,
            origin: Some(d.origin.clone()),
        });
    }

    fn needs(&self, d: &Destination) -> &[Need] {
        self.needs.get(&d.key).map_or(&[], Vec::as_slice)
    }

    fn push(&mut self, change: Change) {
        self.plan.changes.push(change);
    }

    /// Sets the action from the diffs and blocks changes to a destination chatlog does not own.
    fn finish(&self, change: &mut Change, owner: Owner, what: &str) {
        if change.diffs.is_empty() {
            change.operations.clear();
            return;
        }
        if change.action == Action::NoChange {
            change.action = Action::Update;
        }
        if owner != Owner::Us {
            change.operations.clear();
            change.blocked = Some(format!(
                "the {what} exists without the tags {SPEC_TAG}={} and {KEY_TAG}={}; chatlog does not change destinations it does not own (set `adopt: true` to take it over, or drop `create: true` to treat it as an existing destination)",
                self.owner, change.key
            ));
        }
    }
}

/// The changes at one deployment's destinations, and what stops an apply. `sources` only
/// locates findings; plans pass `Sources::default()`.
pub fn plan_destinations(
    deployment: &Deployment,
    live: &LiveDestinations,
    owner: &str,
) -> DestinationPlan {
    let policies = for_deployment(deployment);
    let mut p = Planner {
        deployment,
        live,
        owner,
        // A managed bucket's policy is compared whole, without asking what log delivery needs.
        needs: needs_of(deployment, &Sources::default(), |d| !d.managed),
        log_documents: log_documents(&all_log_policies(live)),
        plan: DestinationPlan::default(),
    };
    for d in &deployment.destinations {
        match &d.kind {
            DestinationKind::S3 { bucket } => {
                let document = policies
                    .buckets
                    .iter()
                    .find(|b| b.destination.key == d.key)
                    .map(|b| b.document.clone());
                if let Some(document) = document {
                    bucket_destination(&mut p, d, bucket, &document);
                }
            }
            DestinationKind::CloudWatchLogs {
                log_group,
                retention_days,
            } => {
                if d.managed {
                    managed_log_group(&mut p, d, log_group, *retention_days, &policies);
                } else if live
                    .log_group(log_group)
                    .is_none_or(|g| g.present.is_none())
                {
                    p.problem(
                        d,
                        Problem::Missing,
                        format!(
                            "log group `{log_group}` (destination `{}`) does not exist in {}/{}",
                            d.key, deployment.account, deployment.region
                        ),
                        "create it, or set `create: true` so that chatlog creates it; IVS Chat cannot log to a missing log group".to_owned(),
                    );
                }
            }
            DestinationKind::Firehose { delivery_stream } => {
                stream(&mut p, d, delivery_stream);
            }
        }
    }
    for account_policy in &policies.account_policies {
        account_log_policy(&mut p, account_policy);
    }
    service_linked_role(&mut p);
    p.plan
}

fn desired_tags(p: &Planner<'_>, d: &Destination) -> Tags {
    tags::owned(&d.tags, p.owner, &d.key)
}

/// With `--prune`: the buckets and log groups that configurations being deleted wrote to, when
/// the spec no longer names them. They hold chat logs, so chatlog keeps them and says so.
// Called by the live engine (feature `aws`) only.
#[cfg_attr(not(feature = "aws"), allow(dead_code))]
pub fn kept_on_prune(
    deployment: &Deployment,
    live: &RegionInventory,
    changes: &[Change],
) -> Vec<Change> {
    let mut out: Vec<Change> = Vec::new();
    for c in changes {
        if c.resource_type != CONFIGURATION || c.action != Action::Delete || c.blocked.is_some() {
            continue;
        }
        let Some(config) = live
            .logging_configurations
            .iter()
            .find(|l| Some(&l.arn) == c.arn.as_ref())
        else {
            continue;
        };
        let (resource_type, name) = match &config.destination {
            LiveDestination::S3 { bucket_name } => (BUCKET, bucket_name),
            LiveDestination::CloudWatchLogs { log_group_name } => (LOG_GROUP, log_group_name),
            _ => continue,
        };
        let in_spec = deployment
            .destinations
            .iter()
            .any(|d| super::live_destination(&d.kind) == config.destination);
        if in_spec
            || out
                .iter()
                .any(|o| &o.key == name && o.resource_type == resource_type)
        {
            continue;
        }
        out.push(Change {
            action: Action::Delete,
            blocked: Some(format!(
                "kept: --prune never deletes buckets or log groups, which hold the chat logs (logging configuration `{}` wrote here); delete it yourself once nobody needs its logs",
                c.key
            )),
            ..Change::unchanged(deployment, resource_type, name)
        });
    }
    out
}

/// The Sids of a document's statements.
fn sids(document: &PolicyDocument) -> Vec<&str> {
    document
        .statements
        .iter()
        .filter_map(|s| s.sid.as_deref())
        .collect()
}

/// Statements of `text` whose Sid is one of `sids`.
fn with_sids(text: Option<&str>, sids: &[&str]) -> Value {
    text.and_then(statements_of).map_or(Value::Null, |list| {
        Value::Array(
            list.into_iter()
                .filter(|s| {
                    s.get("Sid")
                        .and_then(Value::as_str)
                        .is_some_and(|sid| sids.contains(&sid))
                })
                .collect(),
        )
    })
}
