//! The catalog of rules. Ids are stable: a rule may be retired but its id is never reused.
//!
//! Retired: CL080, the Terraform AWS provider's cap of 10 on aws_ivschat_room's
//! `maximum_message_rate_per_second`. hashicorp/aws 6.16.0 (2025-10-09, PR #44572) validates
//! 1-100 as the IVS Chat API does (aws-facts.md §1(f)), and renders require >= 6.66.0.

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Severity {
    #[serde(rename = "warning")]
    Warning,
    #[serde(rename = "error")]
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

macro_rules! rules {
    ($($variant:ident = $id:literal, $severity:ident, $title:literal, $source:literal;)*) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Rule { $($variant,)* }

        impl Rule {
            pub const ALL: &'static [Rule] = &[$(Rule::$variant,)*];

            pub fn id(self) -> &'static str {
                match self { $(Rule::$variant => $id,)* }
            }
            pub fn severity(self) -> Severity {
                match self { $(Rule::$variant => Severity::$severity,)* }
            }
            /// One line on what the rule checks, for `--help`-style listings and SARIF.
            pub fn title(self) -> &'static str {
                match self { $(Rule::$variant => $title,)* }
            }
            /// Where the constraint comes from.
            pub fn source(self) -> &'static str {
                match self { $(Rule::$variant => $source,)* }
            }
            pub fn from_id(id: &str) -> Option<Rule> {
                match id { $($id => Some(Rule::$variant),)* _ => None }
            }
        }
    };
}

rules! {
    Internal = "CL000", Error, "chatlog itself failed (a bug, not a problem of the spec)", "not a rule of the spec: report it with the file that caused it";
    Syntax = "CL001", Error, "the file is not valid YAML or JSON", "YAML 1.2 / RFC 8259";
    Schema = "CL002", Error, "a value has the wrong type or a required key is missing", "schemas/chatlog.schema.json";
    UnknownKey = "CL003", Error, "a key the spec format does not have", "schemas/chatlog.schema.json";
    Version = "CL004", Error, "an unsupported spec version", "schemas/chatlog.schema.json";
    DestinationKind = "CL005", Error, "a destination must be exactly one of s3, cloudwatch_logs, firehose", "ivschat service model, DestinationConfiguration (union)";
    EntryName = "CL010", Error, "an entry key that is not a valid name", "ivschat service model, RoomName / LoggingConfigurationName";
    ResourceName = "CL011", Error, "an invalid room or logging-configuration name", "ivschat service model, RoomName / LoggingConfigurationName: 0-128, [a-zA-Z0-9-_]*";
    BucketName = "CL012", Error, "an invalid S3 bucket name", "ivschat service model, BucketName: 3-63, [a-z0-9-.]+; S3 general-purpose bucket naming rules, https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html";
    LogGroupName = "CL013", Error, "an invalid CloudWatch Logs log group name", "ivschat service model, LogGroupName: 1-512, [.-_/#A-Za-z0-9]+; CreateLogGroup: no `aws/` prefix";
    DeliveryStreamName = "CL014", Error, "an invalid Firehose delivery stream name", "ivschat service model, DeliveryStreamName: 1-64, [a-zA-Z0-9_.-]+";
    MessageLength = "CL015", Error, "maximum_message_length out of range", "ivschat service model, RoomMaxMessageLength: 1-500";
    MessageRate = "CL016", Error, "maximum_message_rate_per_second out of range", "ivschat service model, RoomMaxMessageRatePerSecond: 1-100";
    LambdaArn = "CL017", Error, "a message review handler that is not a Lambda function ARN", "ivschat service model, LambdaArn";
    FallbackResult = "CL018", Error, "a fallback_result other than ALLOW or DENY", "ivschat service model, FallbackResult";
    AccountId = "CL019", Error, "an account id that is not 12 digits", "AWS account identifiers";
    RegionFormat = "CL020", Error, "a region that is not a region code", "AWS region codes";
    RegionNotOffered = "CL021", Warning, "a region where IVS Chat is not offered", "Amazon IVS endpoints (ivschat), https://docs.aws.amazon.com/general/latest/gr/ivs.html";
    RetentionDays = "CL022", Error, "a log retention CloudWatch Logs does not accept", "AWS::Logs::LogGroup RetentionInDays";
    RetentionWithoutCreate = "CL023", Error, "retention_days on a log group chatlog does not create", "chatlog: only managed destinations are configured";
    RoleArn = "CL024", Error, "an invalid IAM role ARN", "Lex V2 CreateBot roleArn, https://docs.aws.amazon.com/lexv2/latest/APIReference/API_CreateBot.html; IAM role names: 64 characters, https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html";
    ProfileName = "CL025", Error, "an empty profile name or one with control characters", "AWS shared config files (line-based)";
    RoleAccount = "CL026", Error, "a role to assume that is in another account than the one it is for", "chatlog spec: resources are created in the assumed role's account";
    SpecName = "CL027", Error, "an invalid spec name", "chatlog spec: the chatlog:spec tag value, 1-128 of A-Z a-z 0-9 _.:/=+@-";
    LexId = "CL028", Error, "an invalid Lex V2 bot id or alias id", "Lex V2 botId / botAliasId: 10 of [0-9a-zA-Z], https://docs.aws.amazon.com/lexv2/latest/APIReference/API_CreateBotAlias.html";
    KmsKeyArn = "CL029", Error, "an invalid KMS key ARN", "Lex kmsKeyArn: 20-2048, https://docs.aws.amazon.com/lexv2/latest/APIReference/API_S3BucketLogDestination.html";
    UnknownReference = "CL030", Error, "a reference to a name the spec does not define", "chatlog spec";
    TooManyLoggingConfigurations = "CL031", Error, "more than 3 logging configurations on a room", "ivschat service model, LoggingConfigurationIdentifierList: 0-3";
    DuplicateLoggingConfiguration = "CL032", Error, "a logging configuration listed twice on a room", "ivschat service model (a set of identifiers)";
    RegionMismatch = "CL033", Error, "a room, its logging configurations and their destinations in different regions", "IVS Chat logging, https://docs.aws.amazon.com/ivs/latest/ChatUserGuide/chat-logging.html: same AWS region";
    AccountMismatch = "CL034", Error, "a destination owned by another account than the resources that use it", "IVS Chat logging, https://docs.aws.amazon.com/ivs/latest/ChatUserGuide/chat-logging.html: you must own the logging location";
    LoggingConfigurationQuota = "CL035", Error, "more logging configurations in an account and region than the quota allows", "IVS Chat service quotas: 10 logging configurations per account per region (adjustable)";
    TooManyTags = "CL036", Error, "more than 50 tags on a resource", "ivschat service model, Tags: at most 50";
    TagKey = "CL037", Error, "an invalid tag key", "ivschat service model, TagKey: 1-128; `aws:` is reserved";
    TagValue = "CL038", Error, "a tag value longer than 256 characters", "ivschat service model, TagValue: 0-256";
    DefinedTwice = "CL039", Error, "a name or default defined in two places", "chatlog spec (files are merged)";
    NoPlacement = "CL040", Error, "a resource without an account or region", "chatlog spec";
    SameDestinationTwice = "CL041", Error, "two destinations for the same bucket, log group or stream", "chatlog spec";
    BotAlias = "CL042", Error, "a bot that does not name exactly one alias: `alias_id` (it exists) or `alias` (the spec owns it)", "Lex V2 CreateBotAlias / UpdateBotAlias, https://docs.aws.amazon.com/lexv2/latest/APIReference/API_CreateBotAlias.html";
    BotAliasField = "CL043", Error, "an invalid alias name, bot version or alias description", "Lex V2 botAliasName: 1-100, ^([0-9a-zA-Z][_-]?)+$; botVersion: 1-5, ^[0-9]+$, https://docs.aws.amazon.com/lexv2/latest/APIReference/API_CreateBotAlias.html; AWS::Lex::BotAlias Description: at most 200, https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-lex-botalias.html";
    LogPrefix = "CL044", Error, "a Lex log prefix over 1024 characters or with control characters", "Lex V2 logPrefix: at most 1024, https://docs.aws.amazon.com/lexv2/latest/APIReference/API_CloudWatchLogGroupLogDestination.html";
    BotLogKind = "CL045", Error, "a bot's text logs to something other than CloudWatch Logs, or audio logs to something other than S3", "Lex: text logs go to a CloudWatch Logs log group, audio logs to an S3 bucket, https://docs.aws.amazon.com/lexv2/latest/dg/conversation-logs-policies.html";
    BotPlacement = "CL046", Error, "a bot's log group, bucket or role in another region or account than the bot", "Lex conversation logs: the log group and bucket in the bot's region and your account, https://docs.aws.amazon.com/lexv2/latest/dg/conversation-logs-policies.html";
    LexV1Settings = "CL047", Error, "Lex V1 conversationLogs that cannot be carried over: an invalid entry, a log type twice, a KMS key on text logs, V1 and V2 settings together, a role other than role_arn", "Lex V1 PutBotAlias conversationLogs, https://docs.aws.amazon.com/lex/latest/dg/conversation-logs-policies.html";
    LexV1Translated = "CL048", Warning, "Lex V1 conversationLogs translated to Lex V2 conversation-log settings", "Lex V1 end of support 2025-09-15, https://docs.aws.amazon.com/lex/latest/dg/conversation-logs-policies.html; AWS's V1-to-V2 migration does not carry conversation-log settings";
    AuditTrail = "CL049", Error, "an invalid CloudTrail trail name or key prefix", "AWS::CloudTrail::Trail TrailName: 3-128, alphanumeric at both ends; S3KeyPrefix: at most 200, https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudtrail-trail.html";
    AdoptWithoutCreate = "CL052", Error, "`adopt: true` on a destination without `create: true`", "chatlog spec: adopting makes the destination managed";
    UnusedLoggingConfiguration = "CL050", Warning, "a logging configuration no room uses", "chatlog spec";
    UnusedDestination = "CL051", Warning, "a destination no logging configuration uses", "chatlog spec";
    CfnMessageRate = "CL060", Error, "a message rate over 10, which CloudFormation's AWS::IVSChat::Room refuses", "AWS::IVSChat::Room MaximumMessageRatePerSecond: 1-10 (the resource schema, as cfn-lint 1.58.0 ships it), https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ivschat-room.html";
    CfnEmptyRoomTagValue = "CL061", Error, "an empty tag value on a room, which CloudFormation's AWS::IVSChat::Room refuses", "AWS::IVSChat::Room Tag Value: minLength 1 (the resource schema, as cfn-lint 1.58.0 ships it), https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-ivschat-room-tag.html";
    CwlAccountPolicySlots = "CL062", Error, "existing log groups that need more account-level CloudWatch Logs resource policies than a region has", "CloudWatch Logs PutResourcePolicy: 10 resource policies per region, 5,120 characters each, https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutResourcePolicy.html";
    CfnBaseStackTooLarge = "CL063", Error, "more destinations and logging configurations in one deployment than one CloudFormation stack holds", "CloudFormation quotas: 500 resources and 200 outputs per template, https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html";
    CfnSelectiveLogging = "CL064", Error, "selective logging on a bot alias CloudFormation creates, which AWS::Lex::BotAlias cannot set", "AWS::Lex::BotAlias has no SelectiveLoggingEnabled (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-lex-botalias.html) while the API has it (https://docs.aws.amazon.com/lexv2/latest/APIReference/API_CreateBotAlias.html)";
    PolicyStatementMissing = "CL070", Error, "policy verify: a statement log delivery needs is missing", "the bucket and log-group statements of log delivery, https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-and-resource-policy.html";
    PolicyStatementNarrower = "CL071", Error, "policy verify: a statement meant for log delivery grants less than it needs (an action, a resource, a condition that rules it out)", "the bucket and log-group statements of log delivery, https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-and-resource-policy.html";
    PolicyStatementBroader = "CL072", Error, "policy verify: a statement grants log delivery more than it needs (wildcard action or principal, resources beyond the log prefix, looser conditions)", "the bucket and log-group statements of log delivery, https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-and-resource-policy.html";
    PolicyConfusedDeputy = "CL073", Error, "policy verify: a statement lets log delivery in without aws:SourceAccount and aws:SourceArn conditions", "aws:SourceAccount / aws:SourceArn in every log-delivery statement, https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-and-resource-policy.html";
    PolicyLookAlike = "CL074", Error, "policy verify: a statement whose Sid starts with AWSLogDelivery but is not shaped like AWS's log-delivery statements", "AWSLogDeliveryAclCheck / AWSLogDeliveryWrite, https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-and-resource-policy.html";
    PolicyDenyBlocks = "CL075", Error, "policy verify: a Deny statement that blocks or may block log delivery", "IAM policy evaluation: an explicit Deny overrides any Allow";
    PolicyNegation = "CL076", Error, "policy verify: NotAction or NotPrincipal in a policy log delivery appends to", "log delivery cannot add its statements to a policy with NotAction / NotPrincipal, https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-and-resource-policy.html";
    LiveMissing = "CL100", Error, "a resource the spec declares does not exist in the account", "chatlog drift (live)";
    LiveChanged = "CL101", Error, "a live resource differs from the spec", "chatlog drift (live)";
    LiveNotInSpec = "CL102", Error, "a resource chatlog created is no longer in the spec", "chatlog drift (live): chatlog:spec ownership tag";
    LiveNotActive = "CL103", Error, "a logging configuration that is not ACTIVE", "IVS Chat LoggingConfiguration state, https://docs.aws.amazon.com/ivs/latest/ChatAPIReference/API_LoggingConfiguration.html";
    LiveForeignWriter = "CL104", Warning, "a logging configuration outside the spec writes to one of the spec's destinations", "chatlog drift (live)";
    LiveDeliveryBlocked = "CL105", Error, "a live bucket policy or log resource policy does not let log delivery write: a statement missing or narrower, a Deny in its way, NotAction or NotPrincipal", "the statements of log delivery, https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-and-resource-policy.html, compared as `policy verify` compares them (CL070, CL071, CL075, CL076)";
    LiveDeliveryBroader = "CL106", Error, "a live bucket policy or log resource policy grants log delivery more than it needs, without confused-deputy conditions, or under a look-alike Sid", "the statements of log delivery, https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-and-resource-policy.html, compared as `policy verify` compares them (CL072, CL073, CL074)";
    LiveServiceLinkedRoleMissing = "CL107", Error, "log delivery's service-linked role (AWSServiceRoleForLogDelivery) is missing while the spec logs to Firehose", "Firehose destinations: log delivery writes through that role, https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-vended-logs-permissions.html";
    LiveStreamTagMissing = "CL108", Error, "a Firehose destination stream without the tag LogDeliveryEnabled=true", "the service-linked role may only write to streams with that tag, https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-vended-logs-permissions.html";
    LiveDestinationMissing = "CL109", Error, "an existing destination (a bucket, log group or stream the spec does not create) does not exist", "IVS Chat cannot log to a destination that does not exist";
    LiveDestinationRegion = "CL110", Error, "a bucket in another region than the deployment that logs to it", "IVS Chat logging, https://docs.aws.amazon.com/ivs/latest/ChatUserGuide/chat-logging.html: same AWS region";
    LiveDestinationOwner = "CL111", Error, "a bucket another account owns (for a bucket the spec creates: its name is taken)", "IVS Chat logging, https://docs.aws.amazon.com/ivs/latest/ChatUserGuide/chat-logging.html: you must own the logging location; S3 bucket names are global";
    LivePolicyNotMergeable = "CL112", Error, "log delivery's statements cannot be added to a live policy: NotAction or NotPrincipal, a statement of the same Sid that still falls short, over a size limit, or no free account-level policy slot", "log delivery cannot add its statements to a policy with NotAction / NotPrincipal, https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-and-resource-policy.html; bucket policies are at most 20 KB, https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-policy-language-overview.html; 10 resource policies of 5,120 characters per region, https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutResourcePolicy.html";
    LiveDuplicate = "CL113", Error, "two live resources carry this spec's ownership tags for one entry (a create retried after a lost answer)", "chatlog:spec and chatlog:key ownership tags; IVS Chat's CreateRoom and CreateLoggingConfiguration take no idempotency token (service model)";
    BaselineExpired = "CL120", Error, "a baseline entry past its expiry date: the finding it accepted fails the run again", "chatlog baseline (--baseline): `expires`";
    BaselineStale = "CL121", Error, "a baseline entry that matches no finding any more: the finding was fixed or changed", "chatlog baseline (--baseline): entries must match a finding of the run";
    StackSetName = "CL130", Error, "a stack set name CloudFormation does not accept", "AWS::CloudFormation::StackSet StackSetName: ^[a-zA-Z][a-zA-Z0-9-]{0,127}$, https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudformation-stackset.html";
    StackSetTargets = "CL131", Error, "stack set targets that do not fit the permission model: OUs for service-managed, accounts for self-managed, a filter with accounts, automatic deployment only for service-managed", "StackSets permission models and deployment targets, https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/stacksets-concepts.html";
    OrganizationalUnitId = "CL132", Error, "an invalid organizational unit or root id", "DeploymentTargets OrganizationalUnitIds: ^(ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}|r-[a-z0-9]{4,32})$, https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DeploymentTargets.html";
    StackSetRoles = "CL133", Error, "a self-managed stack set without its administration and execution roles, roles on a service-managed one, or an administration role in another account", "Self-managed permissions, https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/stacksets-prereqs-self-managed.html";
    StackSetManagementAccount = "CL134", Error, "a service-managed stack set that lists the organization's management account", "Service-managed stack sets do not deploy to the management account, https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/stacksets-orgs-manage-auto-deployment.html";
    StackSetRegion = "CL135", Error, "a stack set target region where IVS Chat is not offered, or in another partition", "Amazon IVS Chat endpoints, https://docs.aws.amazon.com/general/latest/gr/ivs.html";
    StackSetPlaceholder = "CL136", Error, "a bucket every target creates whose name does not hold `{account}` (and `{region}` for several regions)", "S3 bucket names are unique across all accounts in a partition, https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html";
    StackSetTooLarge = "CL137", Error, "a member template over 500 resources or 51,200 bytes of TemplateBody", "CloudFormation quotas, https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html; TemplateBody, https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateStackSet.html";
    StackSetCollision = "CL138", Error, "a stack set's destination that is also the spec's own, or another stack set's, in an account both reach", "chatlog spec: one owner per bucket and log group (its policy is written whole)";
    StackSetOperation = "CL139", Error, "operation preferences CloudFormation refuses: a count and a percentage together, a region order beyond the target regions", "StackSetOperationPreferences, https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_StackSetOperationPreferences.html";
    StackSetMemberDestination = "CL140", Error, "a stack set bucket the member template does not create", "chatlog spec: a member template owns the policy of what it creates; merging into an existing policy in every account is not possible";
    LiveStackSetForeign = "CL141", Error, "a stack set of the spec's name exists without chatlog's ownership tags: chatlog never changes it", "chatlog:spec and chatlog:key ownership tags";
    LiveStackSetDrift = "CL142", Error, "a stack set or its instances differ from the spec: a setting, a missing or extra instance, an instance not CURRENT, or drifted resources", "DescribeStackSet, ListStackInstances, DetectStackSetDrift, https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/stacksets-drift.html";
    LiveStackSetOperationFailed = "CL143", Error, "a stack set operation failed in some accounts and regions", "ListStackSetOperationResults, https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ListStackSetOperationResults.html";
    FileMissing = "CL090", Error, "a rendered file is missing from the directory", "chatlog check";
    FileChanged = "CL091", Error, "a committed file differs from what the spec renders", "chatlog check";
    FileStale = "CL092", Error, "a file in a folder chatlog owns that the spec no longer renders", "chatlog check";
}

#[cfg(test)]
mod tests {
    use super::Rule;

    /// A rule's source reaches users (help, `explain`, SARIF): it names public documents, never
    /// the project's own reference notes, which users do not have.
    #[test]
    fn no_rule_source_cites_a_file_users_do_not_have() {
        for rule in Rule::ALL {
            let source = rule.source();
            assert!(
                !source.contains("aws-facts") && !source.contains("seed 0"),
                "{}: {source}",
                rule.id()
            );
        }
    }
}
