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

use crate::report::sanitize::one_cell;
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

fn bucket_destination(
    p: &mut Planner<'_>,
    d: &Destination,
    bucket: &str,
    document: &PolicyDocument,
) {
    let (account, region) = (&p.deployment.account, &p.deployment.region);
    let state = p
        .live
        .bucket(bucket)
        .map_or(BucketState::Missing, |b| b.state.clone());
    match state {
        BucketState::Missing if d.managed => create_bucket(p, d, bucket, document),
        BucketState::Missing => {
            let message = format!("bucket `{bucket}` (destination `{}`) does not exist", d.key);
            p.problem(
                d,
                Problem::Missing,
                message,
                "create it in the deployment's account and region, or set `create: true` so that chatlog creates it".to_owned(),
            );
        }
        BucketState::OtherOwner => {
            let (message, help) = if d.managed {
                (
                    format!(
                        "bucket `{bucket}` (destination `{}`) cannot be created: the name belongs to a bucket of another account (bucket names are global)",
                        d.key
                    ),
                    "choose another bucket name".to_owned(),
                )
            } else {
                (
                    format!(
                        "bucket `{bucket}` (destination `{}`) is not owned by account {account}",
                        d.key
                    ),
                    format!(
                        "IVS Chat only logs to destinations its own account owns: log to a bucket of account {account}, or move the destination to the bucket owner's account (if the bucket is {account}'s, the caller may lack s3:ListBucket on it)"
                    ),
                )
            };
            p.problem(d, Problem::OtherOwner, message, help);
        }
        BucketState::Owned(owned) if owned.region.as_deref() != Some(region.as_str()) => {
            let message = format!(
                "bucket `{bucket}` (destination `{}`) is in {}, not in {region}",
                d.key,
                owned
                    .region
                    .as_deref()
                    .map_or_else(|| "another region".to_owned(), |r| format!("`{r}`"))
            );
            p.problem(
                d,
                Problem::OtherRegion,
                message,
                format!(
                    "IVS Chat logs only to a bucket in the room's region: use a bucket in {region}, or set the destination's `region` to the bucket's"
                ),
            );
        }
        BucketState::Owned(owned) if d.managed => {
            managed_bucket(p, d, bucket, document, &owned);
        }
        BucketState::Owned(owned) => existing_bucket_policy(p, d, bucket, document, &owned),
    }
}

fn desired_tags(p: &Planner<'_>, d: &Destination) -> Tags {
    tags::owned(&d.tags, p.owner, &d.key)
}

fn create_bucket(p: &mut Planner<'_>, d: &Destination, bucket: &str, document: &PolicyDocument) {
    let tags = desired_tags(p, d);
    let mut change = p.at(BUCKET, d);
    change.action = Action::Create;
    change.diffs = vec![
        AttributeDiff::created("region", json!(p.deployment.region)),
        AttributeDiff::created("public_access_block", json!(PublicAccessBlock::ALL)),
        AttributeDiff::created("encryption", json!([SSE_S3])),
        AttributeDiff::created("object_ownership", json!([OWNER_ENFORCED])),
        AttributeDiff::created("tags", json!(tags)),
    ];
    let b = bucket.to_owned();
    change.operations = [
        DestinationOperation::CreateBucket {
            bucket: b.clone(),
            region: p.deployment.region.clone(),
        },
        // Tags right after creation: a bucket without them is one chatlog no longer touches.
        DestinationOperation::PutBucketTagging {
            bucket: b.clone(),
            tags,
        },
        DestinationOperation::PutPublicAccessBlock { bucket: b.clone() },
        DestinationOperation::PutBucketEncryption { bucket: b.clone() },
        DestinationOperation::PutBucketOwnershipControls { bucket: b.clone() },
    ]
    .into_iter()
    .map(super::Operation::Destination)
    .collect();
    p.push(change);
    let mut policy = p.at(BUCKET_POLICY, d);
    policy.action = Action::Create;
    // The statements by Sid; the operation carries the whole document (`plan --format json`).
    policy.diffs = vec![AttributeDiff::created("statements", json!(sids(document)))];
    policy.operations = vec![super::Operation::Destination(
        DestinationOperation::PutBucketPolicy {
            bucket: b,
            policy: document.clone(),
        },
    )];
    p.push(policy);
}

fn managed_bucket(
    p: &mut Planner<'_>,
    d: &Destination,
    bucket: &str,
    document: &PolicyDocument,
    owned: &OwnedBucket,
) {
    let settings = owned.settings.clone().unwrap_or(BucketSettings {
        public_access_block: None,
        encryption: Vec::new(),
        object_ownership: Vec::new(),
        tags: Tags::new(),
    });
    let owner = owner_of_destination(d, &settings.tags, p.owner);
    let b = bucket.to_owned();
    let op = super::Operation::Destination;
    let mut change = p.at(BUCKET, d);
    if let Some(x) = AttributeDiff::between(
        "public_access_block",
        json!(settings.public_access_block),
        json!(PublicAccessBlock::ALL),
    ) {
        change.diffs.push(x);
        change
            .operations
            .push(op(DestinationOperation::PutPublicAccessBlock {
                bucket: b.clone(),
            }));
    }
    if let Some(x) =
        AttributeDiff::between("encryption", json!(settings.encryption), json!([SSE_S3]))
    {
        change.diffs.push(x);
        change
            .operations
            .push(op(DestinationOperation::PutBucketEncryption {
                bucket: b.clone(),
            }));
    }
    if let Some(x) = AttributeDiff::between(
        "object_ownership",
        json!(settings.object_ownership),
        json!([OWNER_ENFORCED]),
    ) {
        change.diffs.push(x);
        change
            .operations
            .push(op(DestinationOperation::PutBucketOwnershipControls {
                bucket: b.clone(),
            }));
    }
    if owner != Owner::Us {
        change
            .diffs
            .extend(tags::unowned_diff(&settings.tags, &d.tags));
    } else {
        let wanted = desired_tags(p, d);
        if let Some(x) = tags::delta(&settings.tags, &wanted).diff {
            change.diffs.push(x);
            // S3 replaces the whole tag set; AWS's own tags cannot be removed, so they stay.
            let mut whole = wanted;
            whole.extend(tags::aws_tags(&settings.tags));
            change
                .operations
                .push(op(DestinationOperation::PutBucketTagging {
                    bucket: b.clone(),
                    tags: whole,
                }));
        }
    }
    p.finish(&mut change, owner, "bucket");
    p.push(change);

    let mut policy = p.at(BUCKET_POLICY, d);
    if !same_statements(owned.policy.as_deref(), document) {
        let before = owned
            .policy
            .as_deref()
            .and_then(statements_of)
            .map_or(Value::Null, Value::Array);
        policy.diffs.push(AttributeDiff {
            attribute: "statements".to_owned(),
            before,
            after: json!(document.statements),
        });
        policy
            .operations
            .push(op(DestinationOperation::PutBucketPolicy {
                bucket: b,
                policy: document.clone(),
            }));
        if owned.policy.is_none() {
            policy.action = Action::Create;
        }
    }
    p.finish(&mut policy, owner, "bucket");
    p.push(policy);
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

fn existing_bucket_policy(
    p: &mut Planner<'_>,
    d: &Destination,
    bucket: &str,
    document: &PolicyDocument,
    owned: &OwnedBucket,
) {
    let live_policy = owned.policy.as_deref();
    let documents = match bucket_documents(bucket, live_policy) {
        Ok(documents) => documents,
        Err(message) => {
            p.problem(
                d,
                Problem::CannotMerge,
                message,
                "fix the bucket policy by hand; chatlog only adds statements to a policy it can read".to_owned(),
            );
            return;
        }
    };
    let mut change = p.at(BUCKET_POLICY, d);
    if granted(p.needs(d), &documents) {
        // Whoever owns the policy already lets log delivery write, in their own words; AWS
        // then appends nothing either, so a NotAction elsewhere in it does not matter.
        p.push(change);
        return;
    }
    let merged = match merge_bucket_policy(live_policy.unwrap_or_default(), document) {
        Err(e) => {
            let help = e.help().to_owned();
            p.problem(
                d,
                Problem::CannotMerge,
                format!(
                    "log delivery's statements cannot be added to the policy of bucket `{bucket}` (destination `{}`): {e}",
                    d.key
                ),
                help,
            );
            return;
        }
        Ok(m) => m,
    };
    if !merged.changed {
        p.problem(
            d,
            Problem::CannotMerge,
            format!(
                "the policy of bucket `{bucket}` (destination `{}`) has log delivery's statements, but they do not let it write, and chatlog only ever adds to a policy it does not own",
                d.key
            ),
            "fix those statements by hand: `chatlog policy verify` says what they lack".to_owned(),
        );
        return;
    }
    let ids = sids(document);
    change.action = if live_policy.is_some() {
        Action::Update
    } else {
        Action::Create
    };
    change.diffs.push(AttributeDiff {
        attribute: "log-delivery statements".to_owned(),
        before: with_sids(live_policy, &ids),
        after: with_sids(Some(&merged.text), &ids),
    });
    change.operations.push(super::Operation::Destination(
        DestinationOperation::MergeBucketPolicy {
            bucket: bucket.to_owned(),
            statements: document.clone(),
        },
    ));
    p.push(change);
}

fn managed_log_group(
    p: &mut Planner<'_>,
    d: &Destination,
    log_group: &str,
    retention_days: Option<u32>,
    policies: &DeploymentPolicies<'_>,
) {
    let Some(document) = policies
        .log_groups
        .iter()
        .find(|g| g.destination.key == d.key)
        .map(|g| g.document.clone())
    else {
        return;
    };
    let op = super::Operation::Destination;
    let mut change = p.at(LOG_GROUP, d);
    let mut policy = p.at(LOG_POLICY, d);
    let present = p.live.log_group(log_group).and_then(|g| g.present.clone());
    let Some(group) = present else {
        let tags = desired_tags(p, d);
        change.action = Action::Create;
        change
            .diffs
            .push(AttributeDiff::created("tags", json!(tags)));
        change
            .operations
            .push(op(DestinationOperation::CreateLogGroup {
                log_group: log_group.to_owned(),
                tags,
            }));
        if let Some(days) = retention_days {
            change
                .diffs
                .push(AttributeDiff::created("retention_days", json!(days)));
            change
                .operations
                .push(op(DestinationOperation::PutRetentionPolicy {
                    log_group: log_group.to_owned(),
                    days,
                }));
        }
        p.push(change);
        policy.action = Action::Create;
        policy
            .diffs
            .push(AttributeDiff::created("statements", json!(sids(&document))));
        policy
            .operations
            .push(op(DestinationOperation::PutLogGroupPolicy {
                name: LOG_GROUP_POLICY_NAME.to_owned(),
                arn: d.arn.clone(),
                policy: document.clone(),
                expected_revision_id: None,
            }));
        p.push(policy);
        return;
    };
    let owner = owner_of_destination(d, &group.tags, p.owner);
    if let Some(x) = AttributeDiff::between(
        "retention_days",
        json!(group.retention_days),
        json!(retention_days),
    ) {
        change.diffs.push(x);
        change.operations.push(op(match retention_days {
            Some(days) => DestinationOperation::PutRetentionPolicy {
                log_group: log_group.to_owned(),
                days,
            },
            None => DestinationOperation::DeleteRetentionPolicy {
                log_group: log_group.to_owned(),
            },
        }));
    }
    if owner == Owner::Us {
        log_group_tags(p, d, &group, &mut change);
    } else {
        change
            .diffs
            .extend(tags::unowned_diff(&group.tags, &d.tags));
    }
    p.finish(&mut change, owner, "log group");
    p.push(change);

    let live_policy = group.policy.as_ref();
    let in_place = same_statements(live_policy.map(|l| l.document.as_str()), &document);
    // Without a policy of its own, a log group others already grant needs none: CloudWatch Logs
    // itself adds no log-group-level policy then (aws-facts §1(c), CloudWatch Logs).
    let covered = live_policy.is_none() && log_group_granted(p, d);
    if !in_place && !covered {
        policy.diffs.push(AttributeDiff {
            attribute: "statements".to_owned(),
            before: live_policy
                .and_then(|l| statements_of(&l.document))
                .map_or(Value::Null, Value::Array),
            after: json!(document.statements),
        });
        if live_policy.is_none() {
            policy.action = Action::Create;
        }
        policy
            .operations
            .push(op(DestinationOperation::PutLogGroupPolicy {
                name: live_policy
                    .map_or_else(|| LOG_GROUP_POLICY_NAME.to_owned(), |l| l.name.clone()),
                arn: group.arn.clone(),
                policy: document.clone(),
                expected_revision_id: live_policy.and_then(|l| l.revision_id.clone()),
            }));
    }
    p.finish(&mut policy, owner, "log group");
    p.push(policy);
}

fn log_group_tags(p: &Planner<'_>, d: &Destination, group: &PresentLogGroup, change: &mut Change) {
    let op = super::Operation::Destination;
    let delta = tags::delta(&group.tags, &desired_tags(p, d));
    change.diffs.extend(delta.diff);
    if !delta.set.is_empty() {
        change
            .operations
            .push(op(DestinationOperation::TagLogGroup {
                arn: group.arn.clone(),
                tags: delta.set,
            }));
    }
    if !delta.remove.is_empty() {
        change
            .operations
            .push(op(DestinationOperation::UntagLogGroup {
                arn: group.arn.clone(),
                keys: delta.remove,
            }));
    }
}

/// Whether the log resource policies read let log delivery write to the log group.
fn log_group_granted(p: &Planner<'_>, d: &Destination) -> bool {
    p.log_documents
        .as_ref()
        .is_ok_and(|docs| granted(p.needs(d), docs))
}

/// The consolidated account-level policy for existing log groups: kept complete once chatlog
/// wrote it; written at all only when some group's delivery is not granted by another policy.
fn account_log_policy(p: &mut Planner<'_>, policy: &AccountPolicy<'_>) {
    let Some(first) = policy.destinations.first().copied() else {
        return;
    };
    let live = p.live.account_log_policy(&policy.name);
    let needed = policy.destinations.iter().any(|d| {
        let exists = match &d.kind {
            DestinationKind::CloudWatchLogs { log_group, .. } => p
                .live
                .log_group(log_group)
                .is_some_and(|g| g.present.is_some()),
            _ => false,
        };
        exists && !log_group_granted(p, d)
    });
    if live.is_none() && !needed {
        return;
    }
    let mut change = p.change(LOG_POLICY, &policy.name, &first.origin);
    let merged = match merge_bucket_policy(
        live.map(|l| l.document.as_str()).unwrap_or_default(),
        &policy.document,
    ) {
        Ok(m) => m,
        Err(e) => {
            let message = match &e {
                MergeError::TooLarge(..) => format!(
                    "account-level log policy `{}` would exceed {CWL_ACCOUNT_POLICY_MAX_CHARS} characters",
                    policy.name
                ),
                _ => format!(
                    "log delivery's statement cannot be added to account-level log policy `{}`: {e}",
                    policy.name
                ),
            };
            p.problem(first, Problem::CannotMerge, message, e.help().to_owned());
            return;
        }
    };
    let compact = serde_json::from_str::<Value>(&merged.text)
        .map(|v| v.to_string())
        .unwrap_or_default();
    // Account-level policies stay within 5,120 characters (aws-facts §1(d)).
    if compact.chars().count() > CWL_ACCOUNT_POLICY_MAX_CHARS {
        p.problem(
            first,
            Problem::CannotMerge,
            format!(
                "account-level log policy `{}` would be {} characters with log delivery's statement, over the {CWL_ACCOUNT_POLICY_MAX_CHARS} CloudWatch Logs allows",
                policy.name,
                compact.chars().count()
            ),
            format!(
                "remove log groups the policy no longer needs to cover from `{}`, or log to groups under `/aws/vendedlogs/`",
                policy.name
            ),
        );
        return;
    }
    if live.is_none() && p.live.account_log_policies.len() >= CWL_ACCOUNT_POLICY_SLOTS {
        // 10 account-level policies per region, not adjustable (aws-facts §1(d)).
        p.problem(
            first,
            Problem::CannotMerge,
            format!(
                "{}/{} already has {CWL_ACCOUNT_POLICY_SLOTS} account-level CloudWatch Logs resource policies, the most a region allows, so `{}` cannot be added",
                p.deployment.account, p.deployment.region, policy.name
            ),
            "delete an account-level resource policy nobody needs, or let chatlog create the log groups (`create: true`: they get log-group-level policies)".to_owned(),
        );
        return;
    }
    if merged.changed {
        let ids = sids(&policy.document);
        change.action = if live.is_some() {
            Action::Update
        } else {
            Action::Create
        };
        change.diffs.push(AttributeDiff {
            attribute: "log-delivery statements".to_owned(),
            before: with_sids(live.map(|l| l.document.as_str()), &ids),
            after: with_sids(Some(&merged.text), &ids),
        });
        change.operations.push(super::Operation::Destination(
            DestinationOperation::MergeAccountLogPolicy {
                name: policy.name.clone(),
                statements: policy.document.clone(),
            },
        ));
    }
    p.push(change);
}

fn stream(p: &mut Planner<'_>, d: &Destination, name: &str) {
    let tags = p.live.stream(name).and_then(|s| s.tags.clone());
    let Some(tags) = tags else {
        let message = format!(
            "Firehose stream `{name}` (destination `{}`) does not exist in {}/{}",
            d.key, p.deployment.account, p.deployment.region
        );
        p.problem(
            d,
            Problem::Missing,
            message,
            "create the delivery stream first: chatlog never creates streams (a stream needs its own destination configuration)".to_owned(),
        );
        return;
    };
    let mut change = p.at(STREAM, d);
    let (key, value) = FIREHOSE_TAG;
    // The tag the service-linked role's policy requires (aws-facts §1(c), Firehose); additive,
    // as AWS itself adds it.
    if tags.get(key).map(String::as_str) != Some(value) {
        change.action = Action::Update;
        change.diffs.push(AttributeDiff {
            attribute: format!("tags.{key}"),
            before: json!(tags.get(key)),
            after: json!(value),
        });
        change.operations.push(super::Operation::Destination(
            DestinationOperation::TagDeliveryStream {
                stream: name.to_owned(),
                tags: Tags::from([(key.to_owned(), value.to_owned())]),
            },
        ));
    }
    p.push(change);
}

fn service_linked_role(p: &mut Planner<'_>) {
    let Some(first) = p
        .deployment
        .destinations
        .iter()
        .find(|d| matches!(d.kind, DestinationKind::Firehose { .. }))
    else {
        return;
    };
    let mut change = p.change(SERVICE_LINKED_ROLE, SLR_NAME, &first.origin);
    change.arn = Some(ld::slr_arn(
        crate::model::partition(&p.deployment.region),
        &p.deployment.account,
    ));
    if p.live.log_delivery_role == RoleState::Missing {
        change.action = Action::Create;
        change.diffs.push(AttributeDiff::created(
            "aws_service_name",
            json!(DELIVERY_PRINCIPAL),
        ));
        change.operations.push(super::Operation::Destination(
            DestinationOperation::CreateServiceLinkedRole {
                service: DELIVERY_PRINCIPAL.to_owned(),
            },
        ));
    }
    p.push(change);
}

/// With `--prune`: the buckets and log groups that configurations being deleted wrote to, when
/// the spec no longer names them. They hold chat logs, so chatlog keeps them and says so.
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

/// Preflight problems as a person reads them, after the plan.
pub fn render_preflight(problems: &[Preflight]) -> String {
    if problems.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "Apply cannot go ahead ({} problem{} at destinations; nothing is changed until they are fixed):\n",
        problems.len(),
        if problems.len() == 1 { "" } else { "s" }
    );
    for problem in problems {
        // Quoted values come from the account: JSON-escaped, as the plan prints them.
        out.push_str(&format!(
            "  ! {}/{}: {}\n      fix: {}\n",
            problem.account,
            problem.region,
            one_cell(&problem.message),
            one_cell(&problem.help)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

    use super::*;
    use crate::live::LiveLoggingConfiguration;
    use crate::live::destinations::{LiveBucket, LiveLogGroup, LiveStream};
    use crate::plan::test_support::tags;
    use crate::plan::{Operation, execution_order};

    const ACCOUNT: &str = "111122223333";
    const REGION: &str = "us-west-2";
    const OWNER: &str = "s";

    const SPEC: &str = r#"
version: 1
defaults: {account: "111122223333", region: us-west-2, tags: {team: live}}
destinations:
  archive: {s3: {bucket: acme-archive, create: true}}
  shared: {s3: {bucket: acme-shared}}
  tail: {cloudwatch_logs: {log_group: /aws/vendedlogs/ivschat/tail, create: true, retention_days: 30}}
  ops: {cloudwatch_logs: {log_group: /ops/chat}}
  stream: {firehose: {delivery_stream: chat-analytics}}
logging_configurations:
  archive: {destination: archive}
  shared: {destination: shared}
  tail: {destination: tail}
  ops: {destination: ops}
  stream: {destination: stream}
rooms:
  lobby: {logging: [archive, shared, tail]}
  side: {logging: [ops, stream]}
"#;

    fn deployment() -> Deployment {
        crate::plan::test_support::deployment(SPEC)
    }

    fn owned_tags(key: &str) -> Tags {
        tags(&[("team", "live"), (SPEC_TAG, OWNER), (KEY_TAG, key)])
    }

    const FOREIGN: &str = r#"{"Sid": "ReadersRead", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-shared/*"}"#;

    fn foreign_policy() -> String {
        format!(r#"{{"Version": "2012-10-17", "Statement": [{FOREIGN}]}}"#)
    }

    /// What the account looks like after a successful apply.
    fn converged(dep: &Deployment) -> LiveDestinations {
        let policies = for_deployment(dep);
        let doc = |key: &str| {
            policies
                .buckets
                .iter()
                .find(|b| b.destination.key == key)
                .unwrap()
                .document
                .clone()
        };
        let shared = merge_bucket_policy(&foreign_policy(), &doc("shared")).unwrap();
        let tail = dep.destination("tail").unwrap();
        let ops = dep.destination("ops").unwrap();
        LiveDestinations {
            account: ACCOUNT.to_owned(),
            region: REGION.to_owned(),
            buckets: vec![
                LiveBucket {
                    name: "acme-archive".to_owned(),
                    state: BucketState::Owned(OwnedBucket {
                        region: Some(REGION.to_owned()),
                        policy: Some(doc("archive").to_compact()),
                        settings: Some(BucketSettings {
                            public_access_block: Some(PublicAccessBlock::ALL),
                            encryption: vec![SSE_S3.to_owned()],
                            object_ownership: vec![OWNER_ENFORCED.to_owned()],
                            tags: owned_tags("archive"),
                        }),
                    }),
                },
                LiveBucket {
                    name: "acme-shared".to_owned(),
                    state: BucketState::Owned(OwnedBucket {
                        region: Some(REGION.to_owned()),
                        policy: Some(shared.text),
                        settings: None,
                    }),
                },
            ],
            log_groups: vec![
                LiveLogGroup {
                    name: "/aws/vendedlogs/ivschat/tail".to_owned(),
                    present: Some(PresentLogGroup {
                        arn: tail.arn.clone(),
                        retention_days: Some(30),
                        tags: owned_tags("tail"),
                        policy: Some(LogPolicy {
                            name: LOG_GROUP_POLICY_NAME.to_owned(),
                            document: policies.log_groups[0].document.to_compact(),
                            revision_id: Some("rev-1".to_owned()),
                        }),
                    }),
                },
                LiveLogGroup {
                    name: "/ops/chat".to_owned(),
                    present: Some(PresentLogGroup {
                        arn: ops.arn.clone(),
                        retention_days: None,
                        tags: Tags::new(),
                        policy: None,
                    }),
                },
            ],
            streams: vec![LiveStream {
                name: "chat-analytics".to_owned(),
                tags: Some(tags(&[("LogDeliveryEnabled", "true")])),
            }],
            account_log_policies: vec![LogPolicy {
                name: policies.account_policies[0].name.clone(),
                document: policies.account_policies[0].document.to_compact(),
                revision_id: None,
            }],
            log_delivery_role: RoleState::Present {
                name: SLR_NAME.to_owned(),
            },
        }
    }

    fn plan(live: &LiveDestinations) -> DestinationPlan {
        plan_destinations(&deployment(), live, OWNER)
    }

    fn pending(p: &DestinationPlan) -> Vec<(&'static str, &str, Action)> {
        p.changes
            .iter()
            .filter(|c| c.pending())
            .map(|c| (c.resource_type, c.key.as_str(), c.action))
            .collect()
    }

    fn calls(c: &Change) -> Vec<&DestinationOperation> {
        c.operations
            .iter()
            .map(|o| match o {
                Operation::Destination(d) => d,
                other => panic!("{other:?}"),
            })
            .collect()
    }

    fn find<'a>(p: &'a DestinationPlan, resource_type: &str, key: &str) -> &'a Change {
        p.changes
            .iter()
            .find(|c| c.resource_type == resource_type && c.key == key)
            .unwrap_or_else(|| panic!("no {resource_type} {key} in {:#?}", p.changes))
    }

    /// The first preflight problem, asserted to be `problem` with a message that says `says`.
    fn first_problem<'a>(p: &'a DestinationPlan, problem: Problem, says: &str) -> &'a Preflight {
        let first = p
            .preflight
            .first()
            .unwrap_or_else(|| panic!("no preflight problem"));
        assert_eq!(first.problem, problem, "{first:#?}");
        assert!(first.message.contains(says), "{}", first.message);
        first
    }

    fn bucket_mut<'a>(live: &'a mut LiveDestinations, name: &str) -> &'a mut OwnedBucket {
        let b = live.buckets.iter_mut().find(|b| b.name == name).unwrap();
        let BucketState::Owned(owned) = &mut b.state else {
            panic!("{name} is not owned");
        };
        owned
    }

    #[test]
    fn a_converged_account_needs_nothing() {
        let dep = deployment();
        let p = plan(&converged(&dep));
        assert!(p.preflight.is_empty(), "{:#?}", p.preflight);
        assert!(pending(&p).is_empty(), "{:#?}", p.changes);
    }

    #[test]
    fn an_empty_account_creates_managed_destinations_and_stops_at_missing_existing_ones() {
        let p = plan(&LiveDestinations {
            log_delivery_role: RoleState::Missing,
            ..LiveDestinations::empty(ACCOUNT, REGION)
        });
        assert_eq!(
            pending(&p),
            [
                (BUCKET, "archive", Action::Create),
                (BUCKET_POLICY, "archive", Action::Create),
                (LOG_GROUP, "tail", Action::Create),
                (LOG_POLICY, "tail", Action::Create),
                (SERVICE_LINKED_ROLE, SLR_NAME, Action::Create),
            ]
        );
        let bucket = calls(find(&p, BUCKET, "archive"));
        assert_eq!(
            bucket[0],
            &DestinationOperation::CreateBucket {
                bucket: "acme-archive".to_owned(),
                region: REGION.to_owned()
            }
        );
        let DestinationOperation::PutBucketTagging { tags, .. } = bucket[1] else {
            panic!("{bucket:?}");
        };
        assert_eq!(tags, &owned_tags("archive"), "tags right after creation");
        assert_eq!(bucket.len(), 5);
        let DestinationOperation::PutBucketPolicy { policy, .. } =
            calls(find(&p, BUCKET_POLICY, "archive"))[0]
        else {
            panic!();
        };
        assert_eq!(policy.statements.len(), 3, "log delivery and TLS only");
        let group = calls(find(&p, LOG_GROUP, "tail"));
        assert!(matches!(
            group[..],
            [
                DestinationOperation::CreateLogGroup { .. },
                DestinationOperation::PutRetentionPolicy { days: 30, .. }
            ]
        ));
        let problems: Vec<(&str, Problem)> = p
            .preflight
            .iter()
            .map(|x| (x.destination.as_str(), x.problem))
            .collect();
        assert_eq!(
            problems,
            [
                ("ops", Problem::Missing),
                ("shared", Problem::Missing),
                ("stream", Problem::Missing)
            ]
        );
        assert!(p.preflight[1].message.contains("`acme-shared`"));
    }

    #[test]
    fn an_existing_bucket_gets_only_the_missing_statements_merged_and_keeps_foreign_ones() {
        let dep = deployment();
        let mut live = converged(&dep);
        bucket_mut(&mut live, "acme-shared").policy = Some(foreign_policy());
        let p = plan(&live);
        assert_eq!(
            pending(&p),
            [(BUCKET_POLICY, "shared", Action::Update)],
            "{:#?}",
            p.changes
        );
        let change = find(&p, BUCKET_POLICY, "shared");
        let DestinationOperation::MergeBucketPolicy { bucket, statements } = calls(change)[0]
        else {
            panic!();
        };
        assert_eq!(bucket, "acme-shared");
        assert_eq!(sids(statements), [ld::ACL_CHECK_SID, ld::WRITE_SID]);
        assert_eq!(change.diffs[0].before, json!([]));
        assert_eq!(change.diffs[0].after.as_array().unwrap().len(), 2);

        // A bucket without any policy gets one created from the statements alone.
        bucket_mut(&mut live, "acme-shared").policy = None;
        assert_eq!(
            pending(&plan(&live)),
            [(BUCKET_POLICY, "shared", Action::Create)]
        );
    }

    #[test]
    fn a_policy_that_grants_log_delivery_in_its_own_words_is_left_alone() {
        let dep = deployment();
        let mut live = converged(&dep);
        // One statement with other Sids and both actions: still everything log delivery needs.
        let own_words = json!({"Version": "2012-10-17", "Statement": [
            serde_json::from_str::<Value>(FOREIGN).unwrap(),
            {"Sid": "Delivery", "Effect": "Allow", "Principal": {"Service": "delivery.logs.amazonaws.com"},
             "Action": ["s3:GetBucketAcl", "s3:PutObject"],
             "Resource": ["arn:aws:s3:::acme-shared", "arn:aws:s3:::acme-shared/AWSLogs/111122223333/*"],
             "Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"},
                           "ArnLike": {"aws:SourceArn": "arn:aws:logs:us-west-2:111122223333:*"}}}
        ]});
        bucket_mut(&mut live, "acme-shared").policy = Some(own_words.to_string());
        let p = plan(&live);
        assert!(pending(&p).is_empty(), "{:#?}", p.changes);
        assert!(p.preflight.is_empty());
    }

    #[test]
    fn not_action_in_an_existing_policy_stops_the_apply() {
        let dep = deployment();
        let mut live = converged(&dep);
        bucket_mut(&mut live, "acme-shared").policy = Some(
            r#"{"Version": "2012-10-17", "Statement": [{"Sid": "NoDeletes", "Effect": "Deny", "Principal": "*", "NotAction": "s3:GetObject", "Resource": "arn:aws:s3:::acme-shared/*"}]}"#
                .to_owned(),
        );
        let p = plan(&live);
        assert_eq!(p.preflight.len(), 1, "{:#?}", p.preflight);
        let problem = first_problem(&p, Problem::CannotMerge, "`NotAction`");
        assert_eq!(problem.destination, "shared");
        assert!(problem.help.contains("NotAction"), "{}", problem.help);
    }

    #[test]
    fn an_existing_bucket_of_another_account_or_region_stops_the_apply() {
        let dep = deployment();
        let mut live = converged(&dep);
        live.buckets[1].state = BucketState::OtherOwner;
        let p = plan(&live);
        assert_eq!(p.preflight.len(), 1);
        first_problem(&p, Problem::OtherOwner, "not owned by account 111122223333");

        let mut live = converged(&dep);
        bucket_mut(&mut live, "acme-shared").region = Some("eu-west-1".to_owned());
        let p = plan(&live);
        first_problem(&p, Problem::OtherRegion, "`eu-west-1`");
    }

    #[test]
    fn a_managed_bucket_name_taken_by_another_account_stops_the_apply() {
        let dep = deployment();
        let mut live = converged(&dep);
        live.buckets[0].state = BucketState::OtherOwner;
        let p = plan(&live);
        let problem = first_problem(&p, Problem::OtherOwner, "cannot be created");
        assert_eq!(problem.destination, "archive");
    }

    #[test]
    fn managed_bucket_drift_is_fixed_and_an_untagged_look_alike_is_blocked() {
        let dep = deployment();
        let mut live = converged(&dep);
        {
            let owned = bucket_mut(&mut live, "acme-archive");
            let settings = owned.settings.as_mut().unwrap();
            settings.encryption = vec!["aws:kms".to_owned()];
            settings.public_access_block = None;
            settings
                .tags
                .insert("aws:cloudformation:stack-name".to_owned(), "x".to_owned());
            settings.tags.insert("stale".to_owned(), "1".to_owned());
            // The write statement removed behind chatlog's back.
            let doc = for_deployment(&dep).buckets[0].document.clone();
            let mut fewer = doc.clone();
            fewer.statements.remove(1);
            owned.policy = Some(fewer.to_compact());
        }
        let p = plan(&live);
        assert_eq!(
            pending(&p),
            [
                (BUCKET, "archive", Action::Update),
                (BUCKET_POLICY, "archive", Action::Update)
            ]
        );
        let ops = calls(find(&p, BUCKET, "archive"));
        assert!(matches!(
            ops[0],
            DestinationOperation::PutPublicAccessBlock { .. }
        ));
        assert!(matches!(
            ops[1],
            DestinationOperation::PutBucketEncryption { .. }
        ));
        let DestinationOperation::PutBucketTagging { tags, .. } = ops[2] else {
            panic!("{ops:?}");
        };
        assert!(!tags.contains_key("stale"));
        assert_eq!(
            tags.get("aws:cloudformation:stack-name")
                .map(String::as_str),
            Some("x"),
            "AWS's tags stay in the replaced set"
        );

        // Without this spec's tags the same differences are shown but never applied.
        bucket_mut(&mut live, "acme-archive")
            .settings
            .as_mut()
            .unwrap()
            .tags = tags_without_ownership();
        let p = plan(&live);
        for resource_type in [BUCKET, BUCKET_POLICY] {
            let c = find(&p, resource_type, "archive");
            assert!(c.operations.is_empty());
            assert!(
                c.blocked.as_deref().unwrap().contains("does not own"),
                "{c:#?}"
            );
        }
        assert!(execution_order(&p.changes).is_empty());
    }

    fn tags_without_ownership() -> Tags {
        tags(&[("team", "live")])
    }

    #[test]
    fn adopt_takes_over_an_untagged_bucket_but_never_another_specs() {
        let mut dep = deployment();
        dep.destinations
            .iter_mut()
            .find(|d| d.key == "archive")
            .unwrap()
            .adopt = true;
        let mut live = converged(&dep);
        {
            let settings = bucket_mut(&mut live, "acme-archive")
                .settings
                .as_mut()
                .unwrap();
            settings.tags = tags_without_ownership();
            settings.encryption = Vec::new();
        }
        let p = plan_destinations(&dep, &live, OWNER);
        let bucket = find(&p, BUCKET, "archive");
        assert!(bucket.blocked.is_none(), "{bucket:#?}");
        let ops = calls(bucket);
        assert!(matches!(
            ops[0],
            DestinationOperation::PutBucketEncryption { .. }
        ));
        let DestinationOperation::PutBucketTagging { tags: set, .. } = ops[1] else {
            panic!("{ops:?}");
        };
        assert_eq!(set, &owned_tags("archive"));

        bucket_mut(&mut live, "acme-archive")
            .settings
            .as_mut()
            .unwrap()
            .tags = tags(&[(SPEC_TAG, "another-spec"), (KEY_TAG, "archive")]);
        let p = plan_destinations(&dep, &live, OWNER);
        assert!(find(&p, BUCKET, "archive").blocked.is_some());
    }

    #[test]
    fn an_untagged_managed_bucket_that_matches_the_spec_is_no_change() {
        let dep = deployment();
        let mut live = converged(&dep);
        bucket_mut(&mut live, "acme-archive")
            .settings
            .as_mut()
            .unwrap()
            .tags = tags_without_ownership();
        let p = plan(&live);
        assert!(pending(&p).is_empty(), "{:#?}", p.changes);
    }

    #[test]
    fn a_managed_log_group_keeps_its_retention_tags_and_policy() {
        let dep = deployment();
        let mut live = converged(&dep);
        let group = live.log_groups[0].present.as_mut().unwrap();
        group.retention_days = Some(7);
        group.tags.insert("stale".to_owned(), "1".to_owned());
        group.policy.as_mut().unwrap().document =
            r#"{"Version": "2012-10-17", "Statement": []}"#.to_owned();
        let p = plan(&live);
        let ops = calls(find(&p, LOG_GROUP, "tail"));
        assert!(matches!(
            ops[0],
            DestinationOperation::PutRetentionPolicy { days: 30, .. }
        ));
        assert!(
            matches!(ops[1], DestinationOperation::UntagLogGroup { keys, .. } if keys == &["stale"])
        );
        let DestinationOperation::PutLogGroupPolicy {
            expected_revision_id,
            arn,
            ..
        } = calls(find(&p, LOG_POLICY, "tail"))[0]
        else {
            panic!();
        };
        assert_eq!(expected_revision_id.as_deref(), Some("rev-1"));
        assert!(
            arn.ends_with(":log-group:/aws/vendedlogs/ivschat/tail"),
            "{arn}"
        );
    }

    #[test]
    fn a_managed_log_group_granted_by_an_account_level_policy_needs_no_policy_of_its_own() {
        let dep = deployment();
        let mut live = converged(&dep);
        live.log_groups[0].present.as_mut().unwrap().policy = None;
        // Without any grant, chatlog puts the log group's own policy.
        let p = plan(&live);
        assert_eq!(pending(&p), [(LOG_POLICY, "tail", Action::Create)]);
        // AWS's own account-level policy already lists the group (as CloudWatch Logs writes it).
        let tail_arn = dep.destination("tail").unwrap().arn.clone();
        live.account_log_policies.push(LogPolicy {
            name: ld::LOG_DELIVERY_ID.to_owned(),
            document: PolicyDocument::new(vec![ld::cwl_statement(
                vec![ld::log_streams_arn(&tail_arn)],
                &for_deployment(&dep).source,
            )])
            .to_compact(),
            revision_id: None,
        });
        let p = plan(&live);
        assert!(pending(&p).is_empty(), "{:#?}", p.changes);
    }

    #[test]
    fn existing_log_groups_get_the_consolidated_policy_only_when_nothing_grants_them() {
        let dep = deployment();
        let mut live = converged(&dep);
        let name = live.account_log_policies[0].name.clone();
        live.account_log_policies.clear();
        let p = plan(&live);
        assert_eq!(pending(&p), [(LOG_POLICY, name.as_str(), Action::Create)]);
        let DestinationOperation::MergeAccountLogPolicy { statements, .. } =
            calls(find(&p, LOG_POLICY, &name))[0]
        else {
            panic!();
        };
        assert_eq!(statements.statements.len(), 1);

        // Another policy grants it: no slot is spent.
        let ops_arn = dep.destination("ops").unwrap().arn.clone();
        live.account_log_policies.push(LogPolicy {
            name: "someone-elses".to_owned(),
            document: PolicyDocument::new(vec![ld::cwl_statement(
                vec![ld::log_streams_arn(&ops_arn)],
                &for_deployment(&dep).source,
            )])
            .to_compact(),
            revision_id: None,
        });
        assert!(pending(&plan(&live)).is_empty());

        // No grant and every account-level slot taken: the apply cannot go ahead.
        live.account_log_policies = (0..10)
            .map(|i| LogPolicy {
                name: format!("p{i}"),
                document: r#"{"Version": "2012-10-17", "Statement": []}"#.to_owned(),
                revision_id: None,
            })
            .collect();
        let p = plan(&live);
        assert_eq!(p.preflight.len(), 1);
        first_problem(&p, Problem::CannotMerge, "10 account-level");
    }

    #[test]
    fn chatlogs_account_policy_is_kept_complete_by_merging() {
        let dep = deployment();
        let mut live = converged(&dep);
        // Someone else's group was added under chatlog's name, and the spec's group was dropped.
        let policy = &mut live.account_log_policies[0];
        policy.document = json!({"Version": "2012-10-17", "Statement": [{
            "Sid": ld::LOG_DELIVERY_ID, "Effect": "Allow",
            "Principal": {"Service": [DELIVERY_PRINCIPAL]},
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": ["arn:aws:logs:us-west-2:111122223333:log-group:/other:log-stream:*"],
            "Condition": {"StringEquals": {"aws:SourceAccount": ["111122223333"]},
                          "ArnLike": {"aws:SourceArn": ["arn:aws:logs:us-west-2:111122223333:*"]}}}]})
        .to_string();
        let p = plan(&live);
        let change = p
            .changes
            .iter()
            .find(|c| c.resource_type == LOG_POLICY && c.pending())
            .unwrap();
        let after = change.diffs[0].after.to_string();
        assert!(after.contains("/other:log-stream"), "kept: {after}");
        assert!(after.contains("/ops/chat:log-stream"), "added: {after}");
    }

    #[test]
    fn a_stream_without_the_tag_is_tagged_and_a_missing_role_is_created() {
        let dep = deployment();
        let mut live = converged(&dep);
        live.streams[0].tags = Some(tags(&[("owner", "data")]));
        live.log_delivery_role = RoleState::Missing;
        let p = plan(&live);
        assert_eq!(
            pending(&p),
            [
                (STREAM, "stream", Action::Update),
                (SERVICE_LINKED_ROLE, SLR_NAME, Action::Create)
            ]
        );
        assert_eq!(
            calls(find(&p, STREAM, "stream"))[0],
            &DestinationOperation::TagDeliveryStream {
                stream: "chat-analytics".to_owned(),
                tags: tags(&[("LogDeliveryEnabled", "true")])
            }
        );
    }

    #[test]
    fn destinations_go_first_in_an_apply() {
        let dep = deployment();
        let mut changes = plan(&LiveDestinations::empty(ACCOUNT, REGION)).changes;
        let inventory = RegionInventory {
            account: ACCOUNT.to_owned(),
            region: REGION.to_owned(),
            logging_configurations: vec![],
            rooms: vec![],
        };
        let mut all = super::super::plan_deployment(&dep, &inventory, OWNER, false);
        all.append(&mut changes);
        let order: Vec<&str> = execution_order(&all)
            .iter()
            .map(|c| c.resource_type)
            .collect();
        let first_configuration = order.iter().position(|t| *t == CONFIGURATION).unwrap();
        assert!(
            order[..first_configuration]
                .iter()
                .all(|t| is_destination_type(t)),
            "{order:?}"
        );
        assert!(
            order[first_configuration..]
                .iter()
                .all(|t| !is_destination_type(t)),
            "{order:?}"
        );
    }

    #[test]
    fn policies_compare_normalized() {
        let dep = deployment();
        let doc = for_deployment(&dep).buckets[0].document.clone();
        let mut value = doc.to_value();
        // Reordered statements, a list for a single action, another Id: the same policy.
        let statements = value["Statement"].as_array_mut().unwrap();
        statements.reverse();
        statements[2]["Action"] = json!(["s3:GetBucketAcl"]);
        value["Id"] = json!("other");
        assert!(same_statements(Some(&value.to_string()), &doc));
        value["Statement"].as_array_mut().unwrap().pop();
        assert!(!same_statements(Some(&value.to_string()), &doc));
        assert!(!same_statements(Some("not json"), &doc));
        assert!(!same_statements(None, &doc));
    }

    #[test]
    fn prune_keeps_the_buckets_of_deleted_configurations_and_says_so() {
        let dep = deployment();
        let arn = "arn:aws:ivschat:us-west-2:111122223333:logging-configuration/oldOLDoldOLD";
        let inventory = RegionInventory {
            account: ACCOUNT.to_owned(),
            region: REGION.to_owned(),
            logging_configurations: vec![LiveLoggingConfiguration {
                arn: arn.to_owned(),
                id: "oldOLDoldOLD".to_owned(),
                name: "old".to_owned(),
                state: "ACTIVE".to_owned(),
                destination: LiveDestination::S3 {
                    bucket_name: "old-archive".to_owned(),
                },
                tags: owned_tags("old"),
                create_time: None,
                update_time: None,
            }],
            rooms: vec![],
        };
        let chat = super::super::plan_deployment(&dep, &inventory, OWNER, true);
        let kept = kept_on_prune(&dep, &inventory, &chat);
        assert_eq!(kept.len(), 1);
        assert_eq!(
            (kept[0].resource_type, kept[0].key.as_str()),
            (BUCKET, "old-archive")
        );
        assert!(
            kept[0]
                .blocked
                .as_deref()
                .unwrap()
                .contains("never deletes")
        );
        assert!(kept[0].operations.is_empty());
    }

    #[test]
    fn preflight_text_escapes_values_from_the_account() {
        let text = render_preflight(&[Preflight {
            account: ACCOUNT.to_owned(),
            region: REGION.to_owned(),
            destination: "x".to_owned(),
            problem: Problem::Missing,
            message: "bucket `a\u{1b}[2Jb` does not exist".to_owned(),
            help: "h".to_owned(),
            origin: None,
        }]);
        assert!(!text.contains('\u{1b}'), "{text}");
        assert!(text.contains("\\u{1b}"), "{text}");
        assert!(render_preflight(&[]).is_empty());
    }
}
