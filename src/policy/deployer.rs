//! The least-privilege identity policy for whoever deploys or applies a spec: the IVS Chat
//! actions scoped to the spec's accounts and regions, and the logs, s3, iam and firehose actions
//! log delivery performs on the caller's behalf. Split into several managed policies when one
//! would exceed IAM's 6,144 characters.

use std::collections::BTreeSet;

use crate::model::{BotAlias, DestinationKind, Model, partition};

use super::document::{Conditions, PolicyDocument, Statement, Strings};
use super::lex;
use super::limits::IAM_MANAGED_POLICY_MAX_CHARS;
use super::log_delivery::{DELIVERY_PRINCIPAL, slr_arn};
use super::plan;

/// IVS Chat actions of the CloudFormation handlers of AWS::IVSChat::LoggingConfiguration and
/// AWS::IVSChat::Room, create/read/update/delete/list (aws-facts §1(c)); `apply` calls the same
/// operations.
const IVSCHAT_ACTIONS: [&str; 13] = [
    "ivschat:CreateLoggingConfiguration",
    "ivschat:CreateRoom",
    "ivschat:DeleteLoggingConfiguration",
    "ivschat:DeleteRoom",
    "ivschat:GetLoggingConfiguration",
    "ivschat:GetRoom",
    "ivschat:ListLoggingConfigurations",
    "ivschat:ListRooms",
    "ivschat:ListTagsForResource",
    "ivschat:TagResource",
    "ivschat:UntagResource",
    "ivschat:UpdateLoggingConfiguration",
    "ivschat:UpdateRoom",
];

/// Permission-only log-delivery actions, granted on `*` (aws-facts §1(c): resource-level
/// scoping unverified).
const LOG_DELIVERY_ACTIONS: [&str; 5] = [
    "logs:CreateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:GetLogDelivery",
    "logs:ListLogDeliveries",
    "logs:UpdateLogDelivery",
];

/// What first-time setup of a CloudWatch Logs destination needs (aws-facts §1(c)), plus the
/// AWS::Logs::ResourcePolicy delete handler when chatlog owns account-level policies
/// (aws-facts §1(e)). These actions take no resource ARN (IAM service authorization data, as
/// parliament reads it), so they are granted on `*`.
const CWL_POLICY_ACTIONS: [&str; 3] = [
    "logs:DescribeLogGroups",
    "logs:DescribeResourcePolicies",
    "logs:PutResourcePolicy",
];

/// AWS::Logs::LogGroup handlers (cfn-schemas/aws-logs-loggroup.json, aws-facts §1(e)), limited
/// to the properties chatlog sets (name, retention, tags, resource policy). Log groups are
/// retained on stack deletion, so no DeleteLogGroup.
const LOG_GROUP_ACTIONS: [&str; 7] = [
    "logs:CreateLogGroup",
    "logs:DeleteRetentionPolicy",
    "logs:GetDataProtectionPolicy",
    "logs:ListTagsForResource",
    "logs:PutRetentionPolicy",
    "logs:TagResource",
    "logs:UntagResource",
];

/// AWS::S3::Bucket handlers (cfn-lint 1.58.0 schema, the source aws-facts §0 calls CL), limited
/// to the properties chatlog sets. Buckets are retained on stack deletion, so no DeleteBucket.
const BUCKET_ACTIONS: [&str; 10] = [
    "s3:CreateBucket",
    "s3:GetBucketOwnershipControls",
    "s3:GetBucketPublicAccessBlock",
    "s3:GetBucketTagging",
    "s3:GetEncryptionConfiguration",
    "s3:ListBucket",
    "s3:PutBucketOwnershipControls",
    "s3:PutBucketPublicAccessBlock",
    "s3:PutBucketTagging",
    "s3:PutEncryptionConfiguration",
];

/// AWS::Lex::BotAlias handlers, create/read/update/delete (cfn-lint 1.58.0 schema,
/// reference/cfn-schemas/aws-lex-botalias.json; aws-facts §1(e)), on the aliases the spec owns.
const LEX_OWNED_ALIAS_ACTIONS: [&str; 7] = [
    "lex:CreateBotAlias",
    "lex:DeleteBotAlias",
    "lex:DescribeBotAlias",
    "lex:ListTagsForResource",
    "lex:TagResource",
    "lex:UntagResource",
    "lex:UpdateBotAlias",
];

/// Setting an existing alias's conversation logs: read it, then write it back whole
/// (UpdateBotAlias replaces the alias, aws-facts §1(g)).
const LEX_EXISTING_ALIAS_ACTIONS: [&str; 2] = ["lex:DescribeBotAlias", "lex:UpdateBotAlias"];

/// AWS::IAM::RolePolicy handlers (cfn-lint 1.58.0 schema): the inline policy on a bot's role.
const ROLE_POLICY_ACTIONS: [&str; 3] = [
    "iam:DeleteRolePolicy",
    "iam:GetRolePolicy",
    "iam:PutRolePolicy",
];

/// AWS::CloudTrail::Trail handlers (cfn-lint 1.58.0 schema, reference/cfn-schemas/
/// aws-cloudtrail-trail.json; aws-facts §1(e)) on the audit trail, without what chatlog's trail
/// never uses (a CloudWatch Logs role, organization trails, event configuration).
const TRAIL_ACTIONS: [&str; 13] = [
    "cloudtrail:AddTags",
    "cloudtrail:CreateTrail",
    "cloudtrail:DeleteTrail",
    "cloudtrail:GetEventSelectors",
    "cloudtrail:GetInsightSelectors",
    "cloudtrail:GetTrail",
    "cloudtrail:GetTrailStatus",
    "cloudtrail:ListTags",
    "cloudtrail:PutEventSelectors",
    "cloudtrail:RemoveTags",
    "cloudtrail:StartLogging",
    "cloudtrail:StopLogging",
    "cloudtrail:UpdateTrail",
];

/// Builds the deployer policy, split into documents of at most 6,144 characters.
pub fn deployer_policies(model: &Model) -> Vec<PolicyDocument> {
    split(deployer_statements(model), IAM_MANAGED_POLICY_MAX_CHARS)
}

fn sorted(set: BTreeSet<String>) -> Vec<String> {
    set.into_iter().collect()
}

pub fn deployer_statements(model: &Model) -> Vec<Statement> {
    let mut ivschat = BTreeSet::new();
    let mut buckets = BTreeSet::new();
    let mut managed_buckets = BTreeSet::new();
    let mut managed_groups = BTreeSet::new();
    let mut streams = BTreeSet::new();
    let mut slr = BTreeSet::new();
    let mut any_log_group = false;
    let mut any_account_policy = false;
    let mut existing_aliases = BTreeSet::new();
    let mut owned_aliases = BTreeSet::new();
    let mut owned_bots = BTreeSet::new();
    let mut policy_roles = BTreeSet::new();
    let mut bot_roles = BTreeSet::new();
    for dep in &model.deployments {
        for bot in &dep.bots {
            bot_roles.insert(bot.role_arn.clone());
            if lex::role_policy(dep, bot).is_some() {
                policy_roles.insert(bot.role_arn.clone());
            }
            match bot.alias {
                BotAlias::Existing { .. } => {
                    existing_aliases.insert(lex::alias_arn(dep, bot));
                }
                BotAlias::Owned { .. } => {
                    owned_aliases.insert(lex::alias_arn(dep, bot));
                    owned_bots.insert(lex::bot_arn(dep, bot));
                }
            }
        }
        let p = partition(&dep.region);
        let (r, a) = (&dep.region, &dep.account);
        // Room and logging-configuration ids are assigned by the service, so the ARNs are known
        // up to the id (aws-facts §1(a), ARNs / IAM).
        ivschat.insert(format!("arn:{p}:ivschat:{r}:{a}:logging-configuration/*"));
        ivschat.insert(format!("arn:{p}:ivschat:{r}:{a}:room/*"));
        let policies = plan::for_deployment(dep);
        any_account_policy |= !policies.account_policies.is_empty();
        for d in &dep.destinations {
            // What only Lex bots write to needs no log-delivery setup (policy::lex); a managed
            // one still has to be created.
            let log_delivery = !lex::bots_only(dep, &d.key);
            match &d.kind {
                DestinationKind::S3 { .. } => {
                    if log_delivery {
                        buckets.insert(d.arn.clone());
                    }
                    if d.managed {
                        managed_buckets.insert(d.arn.clone());
                    }
                }
                DestinationKind::CloudWatchLogs { .. } => {
                    any_log_group |= log_delivery;
                    if d.managed {
                        managed_groups.insert(d.arn.clone());
                        managed_groups.insert(format!("{}:*", d.arn));
                    }
                }
                DestinationKind::Firehose { .. } => {
                    streams.insert(d.arn.clone());
                    slr.insert(slr_arn(p, a));
                }
            }
        }
    }
    let mut out = Vec::new();
    if !model.deployments.is_empty() {
        let actions: BTreeSet<&str> = IVSCHAT_ACTIONS.into_iter().collect();
        out.push(Statement::allow(
            "IvsChat",
            Strings::many(actions),
            Strings::Many(sorted(ivschat)),
        ));
        out.push(Statement::allow(
            "LogDelivery",
            Strings::many(LOG_DELIVERY_ACTIONS),
            Strings::one("*"),
        ));
    }
    if any_log_group || !managed_groups.is_empty() {
        let mut actions: Vec<&str> = if any_log_group {
            CWL_POLICY_ACTIONS.to_vec()
        } else {
            Vec::new()
        };
        if any_account_policy {
            actions.push("logs:DeleteResourcePolicy");
        }
        if !managed_groups.is_empty() {
            // Read handler of AWS::Logs::LogGroup (aws-facts §1(e)); takes no resource ARN.
            actions.push("logs:DescribeIndexPolicies");
        }
        actions.sort_unstable();
        out.push(Statement::allow(
            "LogsResourcePolicies",
            Strings::many(actions),
            Strings::one("*"),
        ));
    }
    if !managed_groups.is_empty() {
        out.push(Statement::allow(
            "LogGroups",
            Strings::many(LOG_GROUP_ACTIONS),
            Strings::Many(sorted(managed_groups)),
        ));
    }
    if !buckets.is_empty() {
        // First-time S3 setup reads the bucket policy (aws-facts §1(c)); `apply` also checks the
        // bucket's region before any write (GetBucketLocation).
        out.push(Statement::allow(
            "ReadBucketPolicies",
            Strings::many(["s3:GetBucketLocation", "s3:GetBucketPolicy"]),
            Strings::Many(sorted(buckets.clone())),
        ));
        // `apply` confirms a bucket's owner in the account's own bucket list as well as through
        // ExpectedBucketOwner; ListAllMyBuckets takes no resource.
        out.push(Statement::allow(
            "ListOwnBuckets",
            Strings::one("s3:ListAllMyBuckets"),
            Strings::one("*"),
        ));
        // `apply` merges the statements log delivery needs into an existing bucket's policy
        // (never removing one), as `policy merge --write` would.
        let existing: BTreeSet<String> = buckets.difference(&managed_buckets).cloned().collect();
        if !existing.is_empty() {
            out.push(Statement::allow(
                "MergeLogDeliveryStatements",
                Strings::one("s3:PutBucketPolicy"),
                Strings::Many(sorted(existing)),
            ));
        }
    }
    if !managed_buckets.is_empty() {
        // Buckets chatlog creates: AWS::S3::Bucket (above) and AWS::S3::BucketPolicy
        // create/update/delete handlers (aws-facts §1(e)). Buckets that exist get only
        // s3:PutBucketPolicy, for apply's merge (above); never DeleteBucketPolicy.
        let mut actions: Vec<&str> = BUCKET_ACTIONS.to_vec();
        actions.extend(["s3:DeleteBucketPolicy", "s3:PutBucketPolicy"]);
        actions.sort_unstable();
        out.push(Statement::allow(
            "Buckets",
            Strings::many(actions),
            Strings::Many(sorted(managed_buckets)),
        ));
    }
    if !streams.is_empty() {
        // Firehose setup tags the stream `LogDeliveryEnabled=true` (aws-facts §1(c)).
        // `apply` reads the tags first and adds the tag only when it is missing.
        out.push(Statement::allow(
            "TagDeliveryStreams",
            Strings::many([
                "firehose:ListTagsForDeliveryStream",
                "firehose:TagDeliveryStream",
            ]),
            Strings::Many(sorted(streams)),
        ));
        // Scoped service-linked-role creation as AWS grants it (aws-facts §1(c)), narrowed to
        // the spec's accounts; iam:GetRole from the AWS::IAM::ServiceLinkedRole create handler
        // (aws-facts §1(e)).
        out.push(
            Statement::allow(
                "LogDeliveryServiceLinkedRole",
                Strings::one("iam:CreateServiceLinkedRole"),
                Strings::Many(sorted(slr.clone())),
            )
            .condition(Conditions::new().with(
                "StringEquals",
                "iam:AWSServiceName",
                Strings::one(DELIVERY_PRINCIPAL),
            )),
        );
        // iam:GetRole does not take the iam:AWSServiceName condition key (IAM service
        // authorization data, as parliament reads it), so it gets its own statement.
        out.push(Statement::allow(
            "ReadLogDeliveryServiceLinkedRole",
            Strings::one("iam:GetRole"),
            Strings::Many(sorted(slr)),
        ));
        // `apply` finds the role by its service path (its name differs between AWS and some
        // emulators); ListRoles takes no resource.
        out.push(Statement::allow(
            "FindLogDeliveryServiceLinkedRole",
            Strings::one("iam:ListRoles"),
            Strings::one("*"),
        ));
    }
    if let Some(audit) = &model.audit {
        out.push(Statement::allow(
            "AuditTrail",
            Strings::many(TRAIL_ACTIONS),
            Strings::one(audit.trail_arn()),
        ));
        // The handlers' read and list calls take no resource (IAM service authorization data).
        out.push(Statement::allow(
            "DescribeTrails",
            Strings::one("cloudtrail:DescribeTrails"),
            Strings::one("*"),
        ));
        if audit.managed {
            let mut actions: Vec<&str> = BUCKET_ACTIONS.to_vec();
            actions.extend([
                "s3:DeleteBucketPolicy",
                "s3:GetBucketPolicy",
                "s3:PutBucketPolicy",
            ]);
            actions.sort_unstable();
            out.push(Statement::allow(
                "AuditBucket",
                Strings::many(actions),
                Strings::one(audit.bucket_arn()),
            ));
        }
    }
    if !existing_aliases.is_empty() {
        out.push(Statement::allow(
            "LexAliasConversationLogs",
            Strings::many(LEX_EXISTING_ALIAS_ACTIONS),
            Strings::Many(sorted(existing_aliases)),
        ));
    }
    if !owned_aliases.is_empty() {
        out.push(Statement::allow(
            "LexOwnedAliases",
            Strings::many(LEX_OWNED_ALIAS_ACTIONS),
            Strings::Many(sorted(owned_aliases)),
        ));
        // The create handler of AWS::Lex::BotAlias reads the bot (aws-facts §1(e)); `apply`
        // finds an owned alias by its name (ListBotAliases).
        out.push(Statement::allow(
            "LexBots",
            Strings::many(["lex:DescribeBot", "lex:ListBotAliases"]),
            Strings::Many(sorted(owned_bots)),
        ));
    }
    if !policy_roles.is_empty() {
        out.push(Statement::allow(
            "BotRolePolicies",
            Strings::many(ROLE_POLICY_ACTIONS),
            Strings::Many(sorted(policy_roles)),
        ));
    }
    if !bot_roles.is_empty() {
        // Whoever sets conversation logs must be able to pass the bot's role, and only to
        // Lex V2 (aws-facts §1(g): iam:PassRole, conditioned on iam:PassedToService).
        out.push(
            Statement::allow(
                "PassBotRolesToLex",
                Strings::one("iam:PassRole"),
                Strings::Many(sorted(bot_roles)),
            )
            .condition(Conditions::new().with(
                "StringEquals",
                "iam:PassedToService",
                Strings::one(lex::LEX_V2_PRINCIPAL),
            )),
        );
    }
    out.extend(stack_set_statements(model));
    out
}

/// StackSet operations chatlog runs in each administrator account and region
/// (aws-facts.md §1(k): the API calls of `apply`, `plan` and `drift`; AWS's service authorization
/// reference for CloudFormation lists stackset, stackset-target and type as their resources).
/// No DeleteStackSet: chatlog never deletes a stack set.
const STACK_SET_ACTIONS: [&str; 11] = [
    "cloudformation:CreateStackInstances",
    "cloudformation:DeleteStackInstances",
    "cloudformation:DescribeStackInstance",
    "cloudformation:DescribeStackSet",
    "cloudformation:DescribeStackSetOperation",
    "cloudformation:DetectStackSetDrift",
    "cloudformation:ListStackInstanceResourceDrifts",
    "cloudformation:ListStackInstances",
    "cloudformation:ListStackSetOperationResults",
    "cloudformation:UpdateStackInstances",
    "cloudformation:UpdateStackSet",
];

fn stack_set_statements(model: &Model) -> Vec<Statement> {
    if model.stack_sets.is_empty() {
        return Vec::new();
    }
    let mut resources = BTreeSet::new();
    let mut roles = BTreeSet::new();
    for set in &model.stack_sets {
        let (p, r, a) = (
            partition(&set.administrator.region),
            &set.administrator.region,
            &set.administrator.account,
        );
        resources.insert(format!(
            "arn:{p}:cloudformation:{r}:{a}:stackset/{}:*",
            set.name
        ));
        // Instance operations also name their targets and the member's resource types, which
        // are known by the target only.
        resources.insert(format!("arn:{p}:cloudformation:{r}:{a}:stackset-target/*"));
        resources.insert(format!("arn:{p}:cloudformation:{r}:{a}:type/resource/*"));
        if let Some(role) = &set.administration_role_arn {
            roles.insert(role.clone());
        }
    }
    let mut out = vec![
        // CreateStackSet takes no resource ARN: the stack set does not exist yet.
        Statement::allow(
            "CreateStackSets",
            Strings::one("cloudformation:CreateStackSet"),
            Strings::one("*"),
        ),
        Statement::allow(
            "StackSets",
            Strings::many(STACK_SET_ACTIONS),
            Strings::Many(sorted(resources)),
        ),
    ];
    if !roles.is_empty() {
        // Self-managed: CloudFormation assumes the administration role the stack set names.
        out.push(
            Statement::allow(
                "StackSetAdministrationRole",
                Strings::one("iam:PassRole"),
                Strings::Many(sorted(roles)),
            )
            .condition(Conditions::new().with(
                "StringEquals",
                "iam:PassedToService",
                Strings::one("cloudformation.amazonaws.com"),
            )),
        );
    }
    out
}

/// Packs statements into documents of at most `limit` characters, in order. A statement that
/// is too big alone is cut into several with parts of its resource list (Sids `X`, `X2`, ...).
pub fn split(statements: Vec<Statement>, limit: usize) -> Vec<PolicyDocument> {
    let mut pieces = Vec::new();
    for s in statements {
        pieces.extend(cut(s, limit));
    }
    let mut docs: Vec<PolicyDocument> = Vec::new();
    let mut current: Vec<Statement> = Vec::new();
    for s in pieces {
        current.push(s);
        if current.len() > 1
            && PolicyDocument::new(current.clone()).chars() > limit
            && let Some(last) = current.pop()
        {
            docs.push(PolicyDocument::new(std::mem::take(&mut current)));
            current.push(last);
        }
    }
    if !current.is_empty() {
        docs.push(PolicyDocument::new(current));
    }
    docs
}

fn cut(statement: Statement, limit: usize) -> Vec<Statement> {
    if PolicyDocument::new(vec![statement.clone()]).chars() <= limit || statement.resource.len() < 2
    {
        return vec![statement];
    }
    let resources: Vec<String> = statement
        .resource
        .values()
        .into_iter()
        .map(str::to_owned)
        .collect();
    let base = statement.sid.clone().unwrap_or_default();
    let mut out = Vec::new();
    let mut part: Vec<String> = Vec::new();
    let make = |part: Vec<String>, n: usize| {
        let mut s = statement.clone();
        s.resource = Strings::Many(part);
        s.sid = Some(if n == 1 {
            base.clone()
        } else {
            format!("{base}{n}")
        });
        s
    };
    for r in resources {
        part.push(r);
        let probe = make(part.clone(), out.len() + 1);
        if part.len() > 1
            && PolicyDocument::new(vec![probe]).chars() > limit
            && let Some(last) = part.pop()
        {
            out.push(make(std::mem::take(&mut part), out.len() + 1));
            part.push(last);
        }
    }
    if !part.is_empty() {
        out.push(make(part, out.len() + 1));
    }
    out
}
