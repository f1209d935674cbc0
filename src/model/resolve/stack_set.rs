//! The `stack_sets` section: every rule that holds for one deployment holds for every target
//! account and region of a stack set, and the rules of StackSets itself (aws-facts.md §1(k)).

use std::collections::BTreeSet;

use crate::diagnostic::{Diagnostic, Rule};
use crate::policy::limits::CFN_MAX_MESSAGE_RATE;
use crate::spec::constraints::{self as c, IVSCHAT_REGIONS};
use crate::spec::load::{Entry, Origin, Spec};
use crate::spec::source::{Anchor, Sources};
use crate::spec::types::{self, MemberDestinationKind, PermissionModel};
use crate::suggest;

use super::super::arn::{destination_arn, partition};
use super::super::logical_id::logical_id;
use super::super::stack_set::{
    ACCOUNT, Administrator, AutoDeployment, Operation, REGION, StackSet, Target,
};
use super::super::{
    Access, Deployment, Destination, DestinationKind, Logging, LoggingConfiguration,
    MessageReviewHandler, Room,
};
use super::merged_tags;

/// An account id of the longest form (every account id is 12 digits) for expanding names; the
/// digits are not all alike so that an expansion cannot pass for an IP address by accident.
const SAMPLE_ACCOUNT: &str = "123456789012";

/// A name rule of `spec::constraints`.
type NameCheck = fn(&str) -> Result<(), String>;

struct Check<'a> {
    /// Stack set keys and names seen so far.
    names: Vec<(String, String)>,
    spec: &'a Spec,
    sources: &'a Sources,
    diagnostics: &'a mut Vec<Diagnostic>,
}

/// Checks and resolves every stack set. `deployments` are the spec's own, for the collision
/// rule (CL138).
pub(super) fn resolve(
    spec: &Spec,
    sources: &Sources,
    deployments: &[Deployment],
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<StackSet> {
    let mut check = Check {
        names: Vec::new(),
        spec,
        sources,
        diagnostics,
    };
    let mut out = Vec::new();
    for (key, entry) in &spec.stack_sets {
        if let Some(set) = check.stack_set(key.as_str(), entry) {
            out.push(set);
        }
    }
    check.collisions(&out, deployments);
    out
}

impl Check<'_> {
    fn at(&self, origin: &Origin, anchor: Anchor) -> Option<crate::diagnostic::Location> {
        self.sources.locate(origin.file, &origin.pointer, anchor)
    }

    fn error(&mut self, rule: Rule, message: String, origin: &Origin, help: &str) {
        let d = Diagnostic::new(rule, message)
            .at(self.at(origin, Anchor::Key))
            .help(help.to_owned());
        self.diagnostics.push(d);
    }

    fn stack_set(&mut self, key: &str, entry: &Entry<types::StackSet>) -> Option<StackSet> {
        let set = &entry.value;
        let origin = &entry.origin;
        let errors_before = self.errors();
        let name = match &set.name {
            Some(n) => n.to_string(),
            None => {
                if let Err(e) = c::stack_set_name(key) {
                    self.error(
                        Rule::StackSetName,
                        format!("stack set `{key}` has no `name`, and its key is not a stack set name: {e}"),
                        origin,
                        "set `name` to a letter followed by letters, digits and `-`",
                    );
                }
                key.to_owned()
            }
        };
        let spec_name = match &self.spec.name {
            Some((n, _)) => n.to_string(),
            None => {
                self.error(
                    Rule::StackSetName,
                    format!("stack set `{key}` needs the spec's `name`"),
                    origin,
                    "set `name` at the top of the spec: it is the stack set's `chatlog:spec` ownership tag, which chatlog checks before it changes a stack set",
                );
                String::new()
            }
        };
        if let Some((other, _)) = self.names.iter().find(|(_, n)| *n == name) {
            let other = other.clone();
            self.error(
                Rule::StackSetName,
                format!("stack sets `{other}` and `{key}` have the same name `{name}`"),
                origin,
                "a stack set's name is its identity in the administrator's region and its folder in the rendered files; give each its own",
            );
        }
        self.names.push((key.to_owned(), name.clone()));
        self.permissions(set, origin);
        self.regions(set, origin);
        self.operation(set, origin);
        let member = self.member(key, set, origin);
        if self.errors() > errors_before {
            return None;
        }
        let access = self
            .spec
            .accounts
            .get(set.administrator.account.as_str())
            .map(|a| Access {
                profile: a.value.profile.as_ref().map(ToString::to_string),
                role_arn: a.value.role_arn.as_ref().map(ToString::to_string),
            })
            .unwrap_or_default();
        let o = &set.operation;
        Some(StackSet {
            key: key.to_owned(),
            name,
            spec_name,
            administrator: Administrator {
                account: set.administrator.account.to_string(),
                region: set.administrator.region.to_string(),
                delegated_admin: set.administrator.delegated_admin,
            },
            permission_model: set.permission_model,
            administration_role_arn: set
                .administration_role_arn
                .as_ref()
                .map(ToString::to_string),
            execution_role_name: set.execution_role_name.as_ref().map(ToString::to_string),
            targets: set
                .targets
                .iter()
                .map(|t| Target {
                    organizational_units: t
                        .organizational_units
                        .iter()
                        .map(ToString::to_string)
                        .collect(),
                    accounts: t.accounts.iter().map(ToString::to_string).collect(),
                    account_filter: t.account_filter,
                    regions: t.regions.iter().map(ToString::to_string).collect(),
                })
                .collect(),
            auto_deployment: match (set.permission_model, set.auto_deployment) {
                (_, Some(a)) => Some(AutoDeployment {
                    enabled: a.enabled,
                    retain_stacks_on_account_removal: a.retain_stacks_on_account_removal,
                }),
                // Service-managed stack sets state it either way, so that what AWS reports back
                // compares equal to what the spec says.
                (PermissionModel::ServiceManaged, None) => Some(AutoDeployment {
                    enabled: false,
                    retain_stacks_on_account_removal: false,
                }),
                (PermissionModel::SelfManaged, None) => None,
            },
            operation: Operation {
                max_concurrent_percentage: o.max_concurrent_percentage.map(types::Percentage::get),
                max_concurrent_count: o.max_concurrent_count.map(types::MaxConcurrentCount::get),
                failure_tolerance_percentage: o
                    .failure_tolerance_percentage
                    .map(types::Percentage::get),
                failure_tolerance_count: o
                    .failure_tolerance_count
                    .map(types::FailureToleranceCount::get),
                region_concurrency: o.region_concurrency,
                region_order: o.region_order.iter().map(ToString::to_string).collect(),
                concurrency_mode: o.concurrency_mode,
            },
            member: Deployment { access, ..member },
            tags: merged_tags(self.spec, &set.tags),
            origin: origin.clone(),
        })
    }

    fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    /// Targets, roles and the management account, by permission model (aws-facts.md §1(k)).
    fn permissions(&mut self, set: &types::StackSet, origin: &Origin) {
        let service = set.permission_model == PermissionModel::ServiceManaged;
        for (i, t) in set.targets.iter().enumerate() {
            let at = origin.child("targets").child(&i.to_string());
            if service {
                if t.organizational_units.is_empty() {
                    self.error(
                        Rule::StackSetTargets,
                        "a service-managed stack set targets organizational units, and this target names none".to_owned(),
                        &at,
                        "list `organizational_units` (OU ids or the root id); accounts only narrow or widen them, with `account_filter`",
                    );
                }
                match (t.accounts.is_empty(), t.account_filter) {
                    (false, None) => self.error(
                        Rule::StackSetTargets,
                        "accounts in a service-managed target need an `account_filter`".to_owned(),
                        &at.child("accounts"),
                        "say how they combine with the OUs: `intersection` (only these accounts of the OUs), `difference` (the OUs but these accounts) or `union`",
                    ),
                    (true, Some(_)) => self.error(
                        Rule::StackSetTargets,
                        "`account_filter` without `accounts`".to_owned(),
                        &at.child("account_filter"),
                        "list the accounts it filters, or remove it",
                    ),
                    _ => {}
                }
            } else {
                if t.accounts.is_empty() {
                    self.error(
                        Rule::StackSetTargets,
                        "a self-managed stack set targets accounts, and this target names none"
                            .to_owned(),
                        &at,
                        "list the target `accounts`; organizational units need `permission_model: service_managed`",
                    );
                }
                if !t.organizational_units.is_empty() {
                    self.error(
                        Rule::StackSetTargets,
                        "a self-managed stack set cannot target organizational units".to_owned(),
                        &at.child("organizational_units"),
                        "list accounts instead, or use `permission_model: service_managed`",
                    );
                }
                if t.account_filter.is_some() {
                    self.error(
                        Rule::StackSetTargets,
                        "`account_filter` is for service-managed targets".to_owned(),
                        &at.child("account_filter"),
                        "remove it: a self-managed target is exactly its accounts",
                    );
                }
            }
        }
        if service {
            for (field, given) in [
                (
                    "administration_role_arn",
                    set.administration_role_arn.is_some(),
                ),
                ("execution_role_name", set.execution_role_name.is_some()),
            ] {
                if given {
                    self.error(
                        Rule::StackSetRoles,
                        format!("`{field}` on a service-managed stack set"),
                        &origin.child(field),
                        "service-managed stack sets use the roles CloudFormation creates through AWS Organizations; remove it, or use `permission_model: self_managed`",
                    );
                }
            }
        } else {
            if set.administrator.delegated_admin {
                self.error(
                    Rule::StackSetTargets,
                    "a delegated administrator only administers service-managed stack sets"
                        .to_owned(),
                    &origin.child("administrator").child("delegated_admin"),
                    "remove `delegated_admin`, or use `permission_model: service_managed`",
                );
            }
            if set.auto_deployment.is_some() {
                self.error(
                    Rule::StackSetTargets,
                    "`auto_deployment` on a self-managed stack set".to_owned(),
                    &origin.child("auto_deployment"),
                    "automatic deployment follows accounts joining an OU, which only service-managed stack sets target; remove it",
                );
            }
            match &set.administration_role_arn {
                None => self.error(
                    Rule::StackSetRoles,
                    "a self-managed stack set needs `administration_role_arn`".to_owned(),
                    origin,
                    "name the administration role in the administrator account (AWS's default is `AWSCloudFormationStackSetAdministrationRole`), so that the spec states which role deploys",
                ),
                Some(role) => {
                    let account = c::role_arn_account(role.as_str());
                    if account != Some(set.administrator.account.as_str()) {
                        self.error(
                            Rule::StackSetRoles,
                            format!(
                                "the administration role `{role}` is not in the administrator account `{}`",
                                set.administrator.account
                            ),
                            &origin.child("administration_role_arn"),
                            "the administration role belongs to the account that owns the stack set",
                        );
                    }
                }
            }
            if set.execution_role_name.is_none() {
                self.error(
                    Rule::StackSetRoles,
                    "a self-managed stack set needs `execution_role_name`".to_owned(),
                    origin,
                    "name the execution role that exists in every target account (AWS's default is `AWSCloudFormationStackSetExecutionRole`)",
                );
            }
        }
        if let Some(a) = &set.auto_deployment
            && !a.enabled
            && a.retain_stacks_on_account_removal
        {
            self.error(
                Rule::StackSetTargets,
                "`retain_stacks_on_account_removal` without automatic deployment".to_owned(),
                &origin
                    .child("auto_deployment")
                    .child("retain_stacks_on_account_removal"),
                "CloudFormation takes it only with `enabled: true`",
            );
        }
        // A service-managed stack set never deploys to the management account, so naming it
        // would leave that account without the baseline while the spec says otherwise.
        let management = if set.administrator.delegated_admin {
            set.management_account.as_ref()
        } else {
            Some(&set.administrator.account)
        };
        if service && let Some(management) = management {
            for (i, t) in set.targets.iter().enumerate() {
                if t.account_filter == Some(types::AccountFilter::Difference) {
                    continue;
                }
                if let Some(j) = t.accounts.iter().position(|a| a == management) {
                    self.error(
                        Rule::StackSetManagementAccount,
                        format!(
                            "the organization's management account `{management}` is a target of a service-managed stack set"
                        ),
                        &origin
                            .child("targets")
                            .child(&i.to_string())
                            .child("accounts")
                            .child(&j.to_string()),
                        "service-managed stack sets never deploy to the management account; deploy to it with the spec's own `destinations` (or a self-managed stack set)",
                    );
                }
            }
        }
        if !service && set.management_account.is_some() {
            self.error(
                Rule::StackSetRoles,
                "`management_account` on a self-managed stack set".to_owned(),
                &origin.child("management_account"),
                "it only matters to service-managed stack sets; remove it",
            );
        }
    }

    /// Every target region offers IVS Chat, in the administrator's partition.
    fn regions(&mut self, set: &types::StackSet, origin: &Origin) {
        let home = partition(set.administrator.region.as_str());
        for (i, t) in set.targets.iter().enumerate() {
            for (j, region) in t.regions.iter().enumerate() {
                let at = origin
                    .child("targets")
                    .child(&i.to_string())
                    .child("regions")
                    .child(&j.to_string());
                if !IVSCHAT_REGIONS.contains(&region.as_str()) {
                    let d = Diagnostic::new(
                        Rule::StackSetRegion,
                        format!("IVS Chat is not offered in `{region}`: every stack instance there would fail"),
                    )
                    .at(self.at(&at, Anchor::Value))
                    .help(format!(
                        "IVS Chat regions: {}",
                        IVSCHAT_REGIONS.join(", ")
                    ));
                    self.diagnostics.push(d);
                } else if partition(region.as_str()) != home {
                    let d = Diagnostic::new(
                        Rule::StackSetRegion,
                        format!(
                            "`{region}` is in another partition than the administrator's region `{}`",
                            set.administrator.region
                        ),
                    )
                    .at(self.at(&at, Anchor::Value))
                    .help("a stack set deploys within its own partition");
                    self.diagnostics.push(d);
                }
            }
        }
    }

    fn operation(&mut self, set: &types::StackSet, origin: &Origin) {
        let o = &set.operation;
        let at = origin.child("operation");
        if o.max_concurrent_count.is_some() && o.max_concurrent_percentage.is_some() {
            self.error(
                Rule::StackSetOperation,
                "both `max_concurrent_count` and `max_concurrent_percentage`".to_owned(),
                &at,
                "CloudFormation takes one of the two; keep one",
            );
        }
        if o.failure_tolerance_count.is_some() && o.failure_tolerance_percentage.is_some() {
            self.error(
                Rule::StackSetOperation,
                "both `failure_tolerance_count` and `failure_tolerance_percentage`".to_owned(),
                &at,
                "CloudFormation takes one of the two; keep one",
            );
        }
        let regions: BTreeSet<&str> = set
            .targets
            .iter()
            .flat_map(|t| t.regions.iter().map(types::Region::as_str))
            .collect();
        for (i, region) in o.region_order.iter().enumerate() {
            if !regions.contains(region.as_str()) {
                let d = Diagnostic::new(
                    Rule::StackSetOperation,
                    format!("`region_order` names `{region}`, which no target deploys to"),
                )
                .at(self.at(
                    &at.child("region_order").child(&i.to_string()),
                    Anchor::Value,
                ))
                .help("order only the target regions");
                self.diagnostics.push(d);
            }
        }
    }

    /// The member template's deployment, its names checked at every target region's expansion.
    fn member(&mut self, key: &str, set: &types::StackSet, origin: &Origin) -> Deployment {
        let regions: Vec<&str> = {
            let mut r: Vec<&str> = set
                .targets
                .iter()
                .flat_map(|t| t.regions.iter().map(types::Region::as_str))
                .collect();
            r.sort_unstable();
            r.dedup();
            r
        };
        let mut destinations = Vec::new();
        let mut seen: Vec<(String, Origin)> = Vec::new();
        for (dkey, d) in &set.destinations {
            let at = origin.child("destinations").child(dkey.as_str());
            let (raw, field, check, rule): (&str, &str, NameCheck, Rule) = match &d.kind {
                MemberDestinationKind::S3(s3) => (
                    s3.bucket.as_str(),
                    "s3/bucket",
                    c::bucket_name as NameCheck,
                    Rule::BucketName,
                ),
                MemberDestinationKind::CloudWatchLogs(cw) => (
                    cw.log_group.as_str(),
                    "cloudwatch_logs/log_group",
                    c::log_group_name as NameCheck,
                    Rule::LogGroupName,
                ),
                MemberDestinationKind::Firehose(fh) => (
                    fh.delivery_stream.as_str(),
                    "firehose/delivery_stream",
                    c::delivery_stream_name as NameCheck,
                    Rule::DeliveryStreamName,
                ),
            };
            let name_at = field
                .split('/')
                .fold(at.clone(), |o, segment| o.child(segment));
            for region in &regions {
                let expanded = c::expand(raw, SAMPLE_ACCOUNT, region);
                if let Err(e) = check(&expanded) {
                    let d = Diagnostic::new(
                        rule,
                        format!("`{raw}` is not a valid name in `{region}`: `{expanded}`: {e}"),
                    )
                    .at(self.at(&name_at, Anchor::Value))
                    .help("the name is checked as each target account and region expands it (an account id is 12 digits)");
                    self.diagnostics.push(d);
                    break;
                }
            }
            let (kind, managed) = match &d.kind {
                MemberDestinationKind::S3(s3) => {
                    if !s3.create {
                        self.error(
                            Rule::StackSetMemberDestination,
                            format!("stack set bucket `{dkey}` without `create: true`"),
                            &at.child("s3"),
                            "a member template can only write the policy of a bucket it creates; an existing bucket's policy would need merging in every account",
                        );
                    } else if !raw.contains("{account}") {
                        self.error(
                            Rule::StackSetPlaceholder,
                            format!("the bucket `{raw}` is created in every target account, but its name does not hold `{{account}}`"),
                            &name_at,
                            "bucket names are global: only the first account would get it; put `{account}` in the name",
                        );
                    } else if regions.len() > 1 && !raw.contains("{region}") {
                        self.error(
                            Rule::StackSetPlaceholder,
                            format!("the bucket `{raw}` is created in {} regions of each account, but its name does not hold `{{region}}`", regions.len()),
                            &name_at,
                            "bucket names are global: only the first region would get it; put `{region}` in the name",
                        );
                    }
                    (
                        DestinationKind::S3 {
                            bucket: c::expand(raw, ACCOUNT, REGION),
                        },
                        s3.create,
                    )
                }
                MemberDestinationKind::CloudWatchLogs(cw) => {
                    if cw.retention_days.is_some() && !cw.create {
                        self.error(
                            Rule::RetentionWithoutCreate,
                            format!("`retention_days` on log group `{dkey}`, which the stack set does not create"),
                            &at.child("cloudwatch_logs").child("retention_days"),
                            "set `create: true`, or remove `retention_days`",
                        );
                    }
                    (
                        DestinationKind::CloudWatchLogs {
                            log_group: c::expand(raw, ACCOUNT, REGION),
                            retention_days: cw.retention_days.map(types::RetentionDays::get),
                        },
                        cw.create,
                    )
                }
                MemberDestinationKind::Firehose(_) => (
                    DestinationKind::Firehose {
                        delivery_stream: c::expand(raw, ACCOUNT, REGION),
                    },
                    false,
                ),
            };
            let same = |o: &DestinationKind| match (o, &kind) {
                (DestinationKind::S3 { bucket: a }, DestinationKind::S3 { bucket: b }) => a == b,
                (
                    DestinationKind::CloudWatchLogs { log_group: a, .. },
                    DestinationKind::CloudWatchLogs { log_group: b, .. },
                ) => a == b,
                (
                    DestinationKind::Firehose { delivery_stream: a },
                    DestinationKind::Firehose { delivery_stream: b },
                ) => a == b,
                _ => false,
            };
            if let Some(first) = destinations
                .iter()
                .position(|x: &Destination| same(&x.kind))
            {
                let first_origin = seen.get(first).map(|(_, o)| o.clone());
                let d = Diagnostic::new(
                    Rule::SameDestinationTwice,
                    format!("stack set destination `{dkey}` names the same resource as another"),
                )
                .at(self.at(&at, Anchor::Key))
                .related(
                    "first named here",
                    first_origin.and_then(|o| self.at(&o, Anchor::Key)),
                )
                .help("keep one destination and point the logging configurations at it");
                self.diagnostics.push(d);
            }
            seen.push((dkey.to_string(), at.clone()));
            destinations.push(Destination {
                key: dkey.to_string(),
                logical_id: logical_id("Destination", dkey.as_str()),
                arn: destination_arn(&kind, ACCOUNT, REGION),
                kind,
                managed,
                adopt: false,
                tags: merged_tags(self.spec, &d.tags),
                origin: at,
            });
        }
        let mut configurations = Vec::new();
        for (ckey, cfg) in &set.logging_configurations {
            let at = origin.child("logging_configurations").child(ckey.as_str());
            if !set.destinations.contains_key(cfg.destination.as_str()) {
                let names = set.destinations.keys().map(types::EntryKey::as_str);
                let mut d = Diagnostic::new(
                    Rule::UnknownReference,
                    format!(
                        "logging configuration `{ckey}` of stack set `{key}` writes to unknown destination `{}`",
                        cfg.destination
                    ),
                )
                .at(self.at(&at.child("destination"), Anchor::Value));
                d = match suggest::did_you_mean(&cfg.destination, names) {
                    Some(hint) => d.help(hint),
                    None => d.help("add it under the stack set's `destinations`"),
                };
                self.diagnostics.push(d);
            }
            configurations.push(LoggingConfiguration {
                key: ckey.to_string(),
                name: cfg
                    .name
                    .as_ref()
                    .map_or_else(|| ckey.to_string(), ToString::to_string),
                logical_id: logical_id("LoggingConfiguration", ckey.as_str()),
                destination: cfg.destination.clone(),
                tags: merged_tags(self.spec, &cfg.tags),
                origin: at,
            });
        }
        if configurations.len() > c::DEFAULT_LOGGING_CONFIGURATION_QUOTA as usize {
            self.error(
                Rule::LoggingConfigurationQuota,
                format!(
                    "stack set `{key}` gives every target {} logging configurations, over IVS Chat's default quota of {}",
                    configurations.len(),
                    c::DEFAULT_LOGGING_CONFIGURATION_QUOTA
                ),
                &origin.child("logging_configurations"),
                "the quota is per account and region; keep the member's logging configurations within it",
            );
        }
        let mut rooms = Vec::new();
        for (rkey, room) in &set.rooms {
            let at = origin.child("rooms").child(rkey.as_str());
            for (i, reference) in room.logging.iter().enumerate() {
                if !set.logging_configurations.contains_key(reference) {
                    let names = set
                        .logging_configurations
                        .keys()
                        .map(types::EntryKey::as_str);
                    let mut d = Diagnostic::new(
                        Rule::UnknownReference,
                        format!(
                            "room `{rkey}` of stack set `{key}` uses unknown logging configuration `{reference}`"
                        ),
                    )
                    .at(self.at(&at.child("logging").child(&i.to_string()), Anchor::Value));
                    d = match suggest::did_you_mean(reference, names) {
                        Some(hint) => d.help(hint),
                        None => d.help("add it under the stack set's `logging_configurations`"),
                    };
                    self.diagnostics.push(d);
                }
            }
            if let Some(rate) = room.maximum_message_rate_per_second
                && rate.get() > CFN_MAX_MESSAGE_RATE
            {
                let d = Diagnostic::new(
                    Rule::CfnMessageRate,
                    format!(
                        "room `{rkey}` of stack set `{key}` allows {} messages per second; CloudFormation's AWS::IVSChat::Room accepts at most {CFN_MAX_MESSAGE_RATE}",
                        rate.get()
                    ),
                )
                .at(self.at(&at.child("maximum_message_rate_per_second"), Anchor::Value))
                .help("a stack set deploys through CloudFormation: lower the rate to 10 or less");
                self.diagnostics.push(d);
            }
            let tags = merged_tags(self.spec, &room.tags);
            if let Some((k, _)) = tags.iter().find(|(_, v)| v.is_empty()) {
                self.error(
                    Rule::CfnEmptyRoomTagValue,
                    format!("room `{rkey}` of stack set `{key}` has an empty value for tag `{k}`, which AWS::IVSChat::Room refuses"),
                    &at,
                    "give the tag a value, or remove it",
                );
            }
            rooms.push(Room {
                key: rkey.to_string(),
                given_name: room.name.as_ref().map(ToString::to_string),
                logical_id: logical_id("Room", rkey.as_str()),
                // A reference to no configuration is an error above; a room lists at most three.
                logging: Logging::new(room.logging.iter().filter_map(|reference| {
                    configurations.iter().position(|c| c.key == reference)
                }))
                .unwrap_or_default(),
                maximum_message_length: room.maximum_message_length.map(types::MessageLength::get),
                maximum_message_rate_per_second: room
                    .maximum_message_rate_per_second
                    .map(types::MessageRate::get),
                message_review_handler: room.message_review_handler.as_ref().map(|h| {
                    Box::new(MessageReviewHandler {
                        uri: h.uri.to_string(),
                        fallback_result: h.fallback_result,
                    })
                }),
                tags: tags.into(),
                origin: at,
            });
        }
        self.unused(key, set, origin);
        Deployment {
            account: ACCOUNT.to_owned(),
            region: REGION.to_owned(),
            destinations,
            logging_configurations: configurations,
            rooms,
            bots: Vec::new(),
            access: Access::default(),
        }
    }

    fn unused(&mut self, key: &str, set: &types::StackSet, origin: &Origin) {
        let used: BTreeSet<&str> = set
            .logging_configurations
            .values()
            .map(|c| c.destination.as_str())
            .collect();
        for dkey in set.destinations.keys() {
            if !used.contains(dkey.as_str()) {
                let d = Diagnostic::new(
                    Rule::UnusedDestination,
                    format!("destination `{dkey}` of stack set `{key}` is not used by any logging configuration"),
                )
                .at(self.at(&origin.child("destinations").child(dkey.as_str()), Anchor::Key))
                .help("remove it, or add a logging configuration that writes to it");
                self.diagnostics.push(d);
            }
        }
        // Rooms are optional in a stack set: applications create them and attach the logging
        // configurations they find in SSM, so an unused configuration is the normal case.
    }

    /// A stack set's destinations may not be the spec's own in an account it reaches, nor another
    /// stack set's: two owners of one bucket or log group overwrite each other's policy.
    fn collisions(&mut self, sets: &[StackSet], deployments: &[Deployment]) {
        for set in sets {
            for dep in deployments {
                if !reaches(set, &dep.account, &dep.region) {
                    continue;
                }
                for ours in set.member.destinations.iter().filter(|d| d.managed) {
                    let ours_there = expand_model(&ours.kind, &dep.account, &dep.region);
                    for theirs in &dep.destinations {
                        if same_resource(&ours_there, &theirs.kind) {
                            let d = Diagnostic::new(
                                Rule::StackSetCollision,
                                format!(
                                    "stack set `{}` creates `{}` in account `{}` in `{}`, where the spec's destination `{}` is the same resource",
                                    set.key,
                                    resource_name(&ours_there),
                                    dep.account,
                                    dep.region,
                                    theirs.key
                                ),
                            )
                            .at(self.at(&ours.origin, Anchor::Key))
                            .related("the spec's own destination", self.at(&theirs.origin, Anchor::Key))
                            .help("give the stack set's resource a name of its own (with `{account}` and `{region}`), or leave that account out of its targets");
                            self.diagnostics.push(d);
                        }
                    }
                }
            }
        }
        for (i, a) in sets.iter().enumerate() {
            for b in sets.iter().skip(i + 1) {
                let Some(region) = a.regions().into_iter().find(|r| b.regions().contains(r)) else {
                    continue;
                };
                if !may_share_accounts(a, b) {
                    continue;
                }
                for x in a.member.destinations.iter().filter(|d| d.managed) {
                    for y in b.member.destinations.iter().filter(|d| d.managed) {
                        let x_there = expand_model(&x.kind, SAMPLE_ACCOUNT, region);
                        let y_there = expand_model(&y.kind, SAMPLE_ACCOUNT, region);
                        if same_resource(&x_there, &y_there) {
                            let d = Diagnostic::new(
                                Rule::StackSetCollision,
                                format!(
                                    "stack sets `{}` and `{}` both create `{}` in the accounts they share",
                                    a.key,
                                    b.key,
                                    resource_name(&x_there)
                                ),
                            )
                            .at(self.at(&y.origin, Anchor::Key))
                            .related("the other stack set's destination", self.at(&x.origin, Anchor::Key))
                            .help("name the destinations apart, or merge the two baselines into one stack set");
                            self.diagnostics.push(d);
                        }
                    }
                }
            }
        }
    }
}

/// Whether a stack set may deploy to an account and region. For service-managed targets the OU
/// membership is not known offline: every account but the management account may be in them.
fn reaches(set: &StackSet, account: &str, region: &str) -> bool {
    set.targets.iter().any(|t| {
        if !t.regions.iter().any(|r| r == region) {
            return false;
        }
        let listed = t.accounts.iter().any(|a| a == account);
        match set.permission_model {
            PermissionModel::SelfManaged => listed,
            PermissionModel::ServiceManaged => {
                let management =
                    !set.administrator.delegated_admin && set.administrator.account == account;
                !management
                    && match t.account_filter {
                        Some(types::AccountFilter::Intersection) => listed,
                        Some(types::AccountFilter::Difference) => !listed,
                        _ => true,
                    }
            }
        }
    })
}

fn may_share_accounts(a: &StackSet, b: &StackSet) -> bool {
    let accounts = |s: &StackSet| -> Option<BTreeSet<String>> {
        match s.permission_model {
            PermissionModel::SelfManaged => Some(
                s.targets
                    .iter()
                    .flat_map(|t| t.accounts.iter().cloned())
                    .collect(),
            ),
            PermissionModel::ServiceManaged => None,
        }
    };
    match (accounts(a), accounts(b)) {
        (Some(x), Some(y)) => !x.is_disjoint(&y),
        _ => true,
    }
}

/// A member destination as it is in one account and region.
fn expand_model(kind: &DestinationKind, account: &str, region: &str) -> DestinationKind {
    let sub = |s: &str| s.replace(ACCOUNT, account).replace(REGION, region);
    match kind {
        DestinationKind::S3 { bucket } => DestinationKind::S3 {
            bucket: sub(bucket),
        },
        DestinationKind::CloudWatchLogs {
            log_group,
            retention_days,
        } => DestinationKind::CloudWatchLogs {
            log_group: sub(log_group),
            retention_days: *retention_days,
        },
        DestinationKind::Firehose { delivery_stream } => DestinationKind::Firehose {
            delivery_stream: sub(delivery_stream),
        },
    }
}

fn same_resource(a: &DestinationKind, b: &DestinationKind) -> bool {
    match (a, b) {
        (DestinationKind::S3 { bucket: x }, DestinationKind::S3 { bucket: y }) => x == y,
        (
            DestinationKind::CloudWatchLogs { log_group: x, .. },
            DestinationKind::CloudWatchLogs { log_group: y, .. },
        ) => x == y,
        _ => false,
    }
}

fn resource_name(kind: &DestinationKind) -> &str {
    match kind {
        DestinationKind::S3 { bucket } => bucket,
        DestinationKind::CloudWatchLogs { log_group, .. } => log_group,
        DestinationKind::Firehose { delivery_stream } => delivery_stream,
    }
}
