//! The spec as serde reads it. Every constraint the JSON Schema states is also enforced here, in
//! validated newtypes, so that a value of these types is known to be well-formed; a test checks
//! that the schema and these types accept and reject the same documents.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

use super::constraints as c;
use super::key_list::KeyList;
use super::origin::{Entry, FILE_AS_READ, Origin};
use crate::sorted_map::SortedMap;

macro_rules! checked_string {
    ($(#[$doc:meta])* $name:ident, $check:path) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(value: String) -> Result<Self, String> {
                $check(&value).map(|()| Self(value))
            }
        }
        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        // Ordered and hashed as its text, so maps keyed by it can be searched with a `&str`.
        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

macro_rules! checked_int {
    ($(#[$doc:meta])* $name:ident, $check:path) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "Integer", into = "i64")]
        pub struct $name(u32);

        impl TryFrom<Integer> for $name {
            type Error = String;
            fn try_from(value: Integer) -> Result<Self, String> {
                $check(value.0)?;
                u32::try_from(value.0).map(Self).map_err(|e| e.to_string())
            }
        }
        impl From<$name> for i64 {
            fn from(value: $name) -> i64 {
                i64::from(value.0)
            }
        }
        impl $name {
            pub fn get(self) -> u32 {
                self.0
            }
        }
    };
}

/// An integer as JSON Schema understands it: `5` and `5.0` are both the integer five.
#[derive(Clone, Copy, Debug)]
pub struct Integer(pub i64);

impl<'de> Deserialize<'de> for Integer {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Integer;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an integer")
            }
            fn visit_i64<E>(self, v: i64) -> Result<Integer, E> {
                Ok(Integer(v))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Integer, E> {
                i64::try_from(v).map(Integer).map_err(E::custom)
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Integer, E> {
                #[expect(
                    clippy::cast_possible_truncation,
                    reason = "checked to be integral and in range first"
                )]
                if v.fract() == 0.0 && v >= i64::MIN as f64 && v < i64::MAX as f64 {
                    Ok(Integer(v as i64))
                } else {
                    Err(E::custom(format!("expected an integer, found {v}")))
                }
            }
        }
        d.deserialize_any(V)
    }
}

checked_string!(
    /// The key of an entry in `destinations`, `logging_configurations` or `rooms`.
    EntryKey, c::entry_key
);
checked_string!(
    /// A room or logging-configuration name as IVS Chat stores it.
    ResourceName, c::resource_name
);
checked_string!(AccountId, c::account_id);
checked_string!(Region, c::region);
checked_string!(BucketName, c::bucket_name);
checked_string!(LogGroupName, c::log_group_name);
checked_string!(DeliveryStreamName, c::delivery_stream_name);
checked_string!(LambdaArn, c::lambda_arn);
checked_string!(
    /// The spec's name: the value of the `chatlog:spec` ownership tag.
    SpecName,
    c::spec_name
);
checked_string!(
    /// An IAM role chatlog assumes to reach an account.
    RoleArn,
    c::role_arn
);
checked_string!(
    /// A named profile of the shared AWS config and credentials files.
    ProfileName,
    c::profile_name
);
checked_string!(TagKey, c::tag_key);
checked_string!(TagValue, c::tag_value);
checked_string!(
    /// A Lex V2 bot id or bot-alias id.
    LexId,
    c::lex_id
);
checked_string!(BotAliasName, c::bot_alias_name);
checked_string!(BotVersion, c::bot_version);
checked_string!(AliasDescription, c::alias_description);
checked_string!(LogPrefix, c::log_prefix);
checked_string!(KmsKeyArn, c::kms_key_arn);
checked_string!(
    /// The log group or bucket ARN of a Lex V1 log setting.
    LexV1ResourceArn,
    c::lex_v1_resource_arn
);
checked_string!(TrailName, c::trail_name);
checked_string!(TrailPrefix, c::trail_prefix);
checked_int!(MessageLength, c::message_length);
checked_int!(MessageRate, c::message_rate);
checked_int!(RetentionDays, c::retention_days);
checked_int!(QuotaValue, c::quota_value);
checked_string!(
    /// A CloudFormation stack set's name.
    StackSetName, c::stack_set_name
);
checked_string!(
    /// An AWS Organizations OU id or root id, a stack set's deployment target.
    OrganizationalUnitId, c::organizational_unit_id
);
checked_string!(
    /// An IAM role's name (a stack set's execution role).
    RoleName, c::role_name
);
checked_string!(
    /// A bucket name that may hold `{account}` and `{region}` (a stack set's).
    TemplatedBucketName, c::templated_bucket_name
);
checked_string!(TemplatedLogGroupName, c::templated_log_group_name);
checked_string!(
    TemplatedDeliveryStreamName,
    c::templated_delivery_stream_name
);
checked_int!(Percentage, c::percentage);
checked_int!(FailureToleranceCount, c::failure_tolerance_count);
checked_int!(MaxConcurrentCount, c::max_concurrent_count);

/// Tags of one resource (at most 50 per map; the merged count is checked semantically).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    try_from = "SortedMap<TagKey, TagValue>",
    into = "SortedMap<TagKey, TagValue>"
)]
pub struct Tags(SortedMap<TagKey, TagValue>);

impl TryFrom<SortedMap<TagKey, TagValue>> for Tags {
    type Error = String;
    fn try_from(value: SortedMap<TagKey, TagValue>) -> Result<Self, String> {
        c::tag_count(value.len()).map(|()| Self(value))
    }
}
impl From<Tags> for SortedMap<TagKey, TagValue> {
    fn from(value: Tags) -> Self {
        value.0
    }
}
impl Tags {
    pub fn iter(&self) -> impl Iterator<Item = (&TagKey, &TagValue)> {
        self.0.iter()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Version {
    #[serde(rename = "1")]
    V1,
}

impl TryFrom<i64> for Version {
    type Error = String;
    fn try_from(value: i64) -> Result<Self, String> {
        match value {
            1 => Ok(Version::V1),
            other => Err(format!("unsupported version {other}")),
        }
    }
}

fn version<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Version, D::Error> {
    let raw = Integer::deserialize(d)?;
    Version::try_from(raw.0).map_err(serde::de::Error::custom)
}

/// A file's rooms, each placed at its key (`/rooms/KEY`) as it is read, on the thread that
/// reads it: a large spec's rooms are read in pieces at once (`load`), and placing them in the
/// merge instead, one after another, took 2 ms of a 50,000-room `validate`, most of it finding
/// each room again in memory that no cache held any more (issue 17). The merge sets the file.
fn rooms_at_their_keys<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<SortedMap<EntryKey, Box<Entry<Room>>>, D::Error> {
    let section = Origin {
        file: FILE_AS_READ,
        pointer: "/rooms".to_owned(),
    };
    SortedMap::deserialize_each(
        deserializer,
        |key: &EntryKey, room: &mut Box<Entry<Room>>| {
            room.origin = section.child(key.as_str());
        },
    )
}

/// A piece of a file's rooms, read as the file's `rooms` are (`rooms_at_their_keys`).
#[derive(Debug)]
pub struct PieceOfRooms(pub SortedMap<EntryKey, Box<Entry<Room>>>);

impl<'de> Deserialize<'de> for PieceOfRooms {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        rooms_at_their_keys(deserializer).map(PieceOfRooms)
    }
}

/// One spec file as written.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpecFile {
    #[serde(rename = "$schema", default)]
    pub schema: Option<String>,
    #[serde(deserialize_with = "version")]
    pub version: Version,
    pub name: Option<SpecName>,
    #[serde(default)]
    pub defaults: Defaults,
    #[serde(default)]
    pub quotas: Vec<Quota>,
    #[serde(default)]
    pub accounts: BTreeMap<AccountId, AccountAccess>,
    // The named sections' entries are read with room for their origins, which the merge sets
    // in place (see `Entry`'s `Deserialize`).
    #[serde(default)]
    pub destinations: SortedMap<EntryKey, Entry<Destination>>,
    #[serde(default)]
    pub logging_configurations: SortedMap<EntryKey, Entry<LoggingConfiguration>>,
    /// Each room boxed: a large spec's rooms are read in pieces at once, and joining the pieces
    /// moves 32 bytes a room instead of 250 (at 5,000 rooms 160 KB instead of 1.2 MB of fresh
    /// pages; issue 17). Each is placed at its key as it is read (`rooms_at_their_keys`).
    #[serde(default, deserialize_with = "rooms_at_their_keys")]
    pub rooms: SortedMap<EntryKey, Box<Entry<Room>>>,
    #[serde(default)]
    pub bots: SortedMap<EntryKey, Entry<Bot>>,
    pub audit: Option<Audit>,
    #[serde(default)]
    pub stack_sets: SortedMap<EntryKey, Entry<StackSet>>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Defaults {
    pub account: Option<AccountId>,
    pub region: Option<Region>,
    #[serde(default)]
    pub tags: Tags,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quota {
    pub account: Option<AccountId>,
    pub region: Option<Region>,
    pub logging_configurations: QuotaValue,
}

/// How chatlog reaches one account for live commands: a profile, a role to assume, or both (the
/// role assumed with the profile's credentials). Without an entry, the standard credential chain.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountAccess {
    pub profile: Option<ProfileName>,
    pub role_arn: Option<RoleArn>,
}

/// Where a resource lives and what it is tagged with, when it says so itself.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Placement {
    pub account: Option<AccountId>,
    pub region: Option<Region>,
    #[serde(default)]
    pub tags: Tags,
}

/// A destination exactly as written: the kinds are separate optional keys so that the error
/// for "none" or "several" can be reported on the entry rather than as a serde enum mismatch.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDestination {
    s3: Option<S3Destination>,
    cloudwatch_logs: Option<CloudWatchLogsDestination>,
    firehose: Option<FirehoseDestination>,
    account: Option<AccountId>,
    region: Option<Region>,
    #[serde(default)]
    tags: Tags,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(try_from = "RawDestination")]
pub struct Destination {
    pub kind: DestinationKind,
    pub account: Option<AccountId>,
    pub region: Option<Region>,
    pub tags: Tags,
}

impl TryFrom<RawDestination> for Destination {
    type Error = String;
    fn try_from(raw: RawDestination) -> Result<Self, String> {
        let kind = match (raw.s3, raw.cloudwatch_logs, raw.firehose) {
            (Some(s3), None, None) => DestinationKind::S3(s3),
            (None, Some(cw), None) => DestinationKind::CloudWatchLogs(cw),
            (None, None, Some(fh)) => DestinationKind::Firehose(fh),
            _ => {
                return Err(
                    "a destination needs exactly one of `s3`, `cloudwatch_logs`, `firehose`".into(),
                );
            }
        };
        Ok(Destination {
            kind,
            account: raw.account,
            region: raw.region,
            tags: raw.tags,
        })
    }
}

/// The destination kinds, exactly one per destination.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DestinationKind {
    S3(S3Destination),
    CloudWatchLogs(CloudWatchLogsDestination),
    Firehose(FirehoseDestination),
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct S3Destination {
    pub bucket: BucketName,
    #[serde(default)]
    pub create: bool,
    #[serde(default)]
    pub adopt: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CloudWatchLogsDestination {
    pub log_group: LogGroupName,
    #[serde(default)]
    pub create: bool,
    #[serde(default)]
    pub adopt: bool,
    pub retention_days: Option<RetentionDays>,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FirehoseDestination {
    pub delivery_stream: DeliveryStreamName,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoggingConfiguration {
    pub destination: String,
    pub name: Option<ResourceName>,
    pub account: Option<AccountId>,
    pub region: Option<Region>,
    #[serde(default)]
    pub tags: Tags,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Room {
    pub name: Option<ResourceName>,
    #[serde(default, deserialize_with = "logging_list")]
    pub logging: KeyList,
    pub maximum_message_length: Option<MessageLength>,
    pub maximum_message_rate_per_second: Option<MessageRate>,
    pub message_review_handler: Option<Box<MessageReviewHandler>>,
    pub account: Option<AccountId>,
    pub region: Option<Region>,
    #[serde(default)]
    pub tags: Tags,
}

fn logging_list<'de, D: serde::Deserializer<'de>>(d: D) -> Result<KeyList, D::Error> {
    let list = KeyList::deserialize(d)?;
    c::logging_list(&list).map_err(serde::de::Error::custom)?;
    Ok(list)
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum FallbackResult {
    #[default]
    #[serde(rename = "ALLOW")]
    Allow,
    #[serde(rename = "DENY")]
    Deny,
}

impl FallbackResult {
    pub fn as_str(self) -> &'static str {
        match self {
            FallbackResult::Allow => "ALLOW",
            FallbackResult::Deny => "DENY",
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessageReviewHandler {
    pub uri: LambdaArn,
    #[serde(default)]
    pub fallback_result: FallbackResult,
}

/// A Lex V2 bot alias whose conversation logs go to the spec's destinations. Which alias
/// (`alias_id` or `alias`), the role, and V1 settings against V2 ones are checked semantically,
/// where the messages can say what to keep.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bot {
    pub bot_id: LexId,
    /// An alias that exists: chatlog renders the settings to apply to it.
    pub alias_id: Option<LexId>,
    /// An alias the spec owns: CloudFormation creates it with the settings.
    pub alias: Option<OwnedAlias>,
    /// The bot's IAM role (CreateBot `roleArn`), which writes the logs.
    pub role_arn: Option<RoleArn>,
    pub text_logs: Option<TextLogs>,
    pub audio_logs: Option<AudioLogs>,
    /// Lex V1 `conversationLogs` of PutBotAlias, carried over to V2 settings.
    #[serde(rename = "conversationLogs")]
    pub conversation_logs: Option<LexV1ConversationLogs>,
    pub account: Option<AccountId>,
    pub region: Option<Region>,
    #[serde(default)]
    pub tags: Tags,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OwnedAlias {
    pub name: BotAliasName,
    pub bot_version: Option<BotVersion>,
    pub description: Option<AliasDescription>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TextLogs {
    /// Key of a `cloudwatch_logs` destination.
    pub destination: String,
    pub log_prefix: Option<LogPrefix>,
    pub selective_logging: Option<bool>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AudioLogs {
    /// Key of an `s3` destination.
    pub destination: String,
    pub log_prefix: Option<LogPrefix>,
    pub kms_key_arn: Option<KmsKeyArn>,
    pub selective_logging: Option<bool>,
}

/// Lex V1 PutBotAlias `conversationLogs` (lex-models, aws-facts.md §1(g); seed 004), keys as the
/// API spells them so that a V1 alias's settings can be pasted as they are.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LexV1ConversationLogs {
    pub iam_role_arn: RoleArn,
    pub log_settings: Vec<LexV1LogSetting>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LexV1LogSetting {
    pub destination: LexV1Destination,
    pub log_type: LexV1LogType,
    pub resource_arn: LexV1ResourceArn,
    pub kms_key_arn: Option<KmsKeyArn>,
    /// Returned by GetBotAlias (computed by Lex V1); carried over as the V2 log prefix.
    pub resource_prefix: Option<LogPrefix>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
pub enum LexV1Destination {
    #[serde(rename = "CLOUDWATCH_LOGS")]
    CloudWatchLogs,
    #[serde(rename = "S3")]
    S3,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
pub enum LexV1LogType {
    #[serde(rename = "AUDIO")]
    Audio,
    #[serde(rename = "TEXT")]
    Text,
}

/// A CloudTrail trail that records management write events into a bucket.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Audit {
    pub trail: TrailName,
    pub s3: S3Destination,
    pub prefix: Option<TrailPrefix>,
    pub multi_region: Option<bool>,
    pub account: Option<AccountId>,
    pub region: Option<Region>,
    #[serde(default)]
    pub tags: Tags,
}

/// A baseline that CloudFormation StackSets rolls out to every account of some OUs (or some
/// accounts) in some regions: the same destinations, logging configurations and rooms in each,
/// named with each target's own `{account}` and `{region}` (aws-facts.md §1(k)).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StackSet {
    /// The stack set's name (default: its key).
    pub name: Option<StackSetName>,
    pub administrator: Administrator,
    pub permission_model: PermissionModel,
    /// Self-managed: the role in the administrator account that CloudFormation assumes.
    pub administration_role_arn: Option<RoleArn>,
    /// Self-managed: the role in every target account that the administration role assumes.
    pub execution_role_name: Option<RoleName>,
    /// The organization's management account, when the administrator is a delegated one: a
    /// service-managed stack set never deploys to it.
    pub management_account: Option<AccountId>,
    #[serde(deserialize_with = "non_empty")]
    pub targets: Vec<StackSetTarget>,
    pub auto_deployment: Option<AutoDeployment>,
    #[serde(default)]
    pub operation: OperationPreferences,
    #[serde(default)]
    pub destinations: BTreeMap<EntryKey, MemberDestination>,
    #[serde(default)]
    pub logging_configurations: BTreeMap<EntryKey, MemberLoggingConfiguration>,
    #[serde(default)]
    pub rooms: BTreeMap<EntryKey, MemberRoom>,
    /// Tags of the stack set, which CloudFormation also puts on the stacks and their resources.
    #[serde(default)]
    pub tags: Tags,
}

/// The account (the organization's management account or a delegated administrator) and region
/// that own the stack set.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Administrator {
    pub account: AccountId,
    pub region: Region,
    /// A delegated administrator calls with `CallAs: DELEGATED_ADMIN`.
    #[serde(default)]
    pub delegated_admin: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PermissionModel {
    ServiceManaged,
    SelfManaged,
}

impl PermissionModel {
    /// As the CloudFormation API spells it.
    pub fn as_api(self) -> &'static str {
        match self {
            PermissionModel::ServiceManaged => "SERVICE_MANAGED",
            PermissionModel::SelfManaged => "SELF_MANAGED",
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StackSetTarget {
    #[serde(default, deserialize_with = "unique")]
    pub organizational_units: Vec<OrganizationalUnitId>,
    #[serde(default, deserialize_with = "unique")]
    pub accounts: Vec<AccountId>,
    /// Service-managed, with both OUs and accounts: how the accounts narrow or widen the OUs.
    pub account_filter: Option<AccountFilter>,
    #[serde(deserialize_with = "non_empty_unique")]
    pub regions: Vec<Region>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountFilter {
    Intersection,
    Difference,
    Union,
}

impl AccountFilter {
    pub fn as_api(self) -> &'static str {
        match self {
            AccountFilter::Intersection => "INTERSECTION",
            AccountFilter::Difference => "DIFFERENCE",
            AccountFilter::Union => "UNION",
        }
    }
}

#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AutoDeployment {
    pub enabled: bool,
    #[serde(default)]
    pub retain_stacks_on_account_removal: bool,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperationPreferences {
    pub max_concurrent_percentage: Option<Percentage>,
    pub max_concurrent_count: Option<MaxConcurrentCount>,
    pub failure_tolerance_percentage: Option<Percentage>,
    pub failure_tolerance_count: Option<FailureToleranceCount>,
    pub region_concurrency: Option<RegionConcurrency>,
    #[serde(default, deserialize_with = "unique")]
    pub region_order: Vec<Region>,
    pub concurrency_mode: Option<ConcurrencyMode>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegionConcurrency {
    Parallel,
    Sequential,
}

impl RegionConcurrency {
    pub fn as_api(self) -> &'static str {
        match self {
            RegionConcurrency::Parallel => "PARALLEL",
            RegionConcurrency::Sequential => "SEQUENTIAL",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConcurrencyMode {
    StrictFailureTolerance,
    SoftFailureTolerance,
}

impl ConcurrencyMode {
    pub fn as_api(self) -> &'static str {
        match self {
            ConcurrencyMode::StrictFailureTolerance => "STRICT_FAILURE_TOLERANCE",
            ConcurrencyMode::SoftFailureTolerance => "SOFT_FAILURE_TOLERANCE",
        }
    }
}

fn non_empty<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Vec<T>, D::Error> {
    let list = Vec::<T>::deserialize(d)?;
    if list.is_empty() {
        return Err(serde::de::Error::custom("the list may not be empty"));
    }
    Ok(list)
}

fn unique<'de, D: serde::Deserializer<'de>, T: Deserialize<'de> + Ord>(
    d: D,
) -> Result<Vec<T>, D::Error> {
    let list = Vec::<T>::deserialize(d)?;
    let distinct: std::collections::BTreeSet<&T> = list.iter().collect();
    if distinct.len() != list.len() {
        return Err(serde::de::Error::custom("the list names an item twice"));
    }
    Ok(list)
}

fn non_empty_unique<'de, D: serde::Deserializer<'de>, T: Deserialize<'de> + Ord>(
    d: D,
) -> Result<Vec<T>, D::Error> {
    let list = unique(d)?;
    if list.is_empty() {
        return Err(serde::de::Error::custom("the list may not be empty"));
    }
    Ok(list)
}

/// A destination of a stack set's member template: in every target account and region, so it
/// names no account or region of its own, and its names may hold `{account}` and `{region}`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMemberDestination {
    s3: Option<MemberS3>,
    cloudwatch_logs: Option<MemberCloudWatchLogs>,
    firehose: Option<MemberFirehose>,
    #[serde(default)]
    tags: Tags,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(try_from = "RawMemberDestination")]
pub struct MemberDestination {
    pub kind: MemberDestinationKind,
    pub tags: Tags,
}

impl TryFrom<RawMemberDestination> for MemberDestination {
    type Error = String;
    fn try_from(raw: RawMemberDestination) -> Result<Self, String> {
        let kind = match (raw.s3, raw.cloudwatch_logs, raw.firehose) {
            (Some(s3), None, None) => MemberDestinationKind::S3(s3),
            (None, Some(cw), None) => MemberDestinationKind::CloudWatchLogs(cw),
            (None, None, Some(fh)) => MemberDestinationKind::Firehose(fh),
            _ => {
                return Err(
                    "a destination needs exactly one of `s3`, `cloudwatch_logs`, `firehose`".into(),
                );
            }
        };
        Ok(MemberDestination {
            kind,
            tags: raw.tags,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MemberDestinationKind {
    S3(MemberS3),
    CloudWatchLogs(MemberCloudWatchLogs),
    Firehose(MemberFirehose),
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberS3 {
    pub bucket: TemplatedBucketName,
    #[serde(default)]
    pub create: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberCloudWatchLogs {
    pub log_group: TemplatedLogGroupName,
    #[serde(default)]
    pub create: bool,
    pub retention_days: Option<RetentionDays>,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberFirehose {
    pub delivery_stream: TemplatedDeliveryStreamName,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberLoggingConfiguration {
    pub destination: String,
    pub name: Option<ResourceName>,
    #[serde(default)]
    pub tags: Tags,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberRoom {
    pub name: Option<ResourceName>,
    #[serde(default, deserialize_with = "logging_list")]
    pub logging: KeyList,
    pub maximum_message_length: Option<MessageLength>,
    pub maximum_message_rate_per_second: Option<MessageRate>,
    pub message_review_handler: Option<MessageReviewHandler>,
    #[serde(default)]
    pub tags: Tags,
}

/// Whether the typed layer accepts a document (used to prove the schema and the types agree).
pub fn accepts(value: &serde_json::Value) -> Result<(), serde_json::Error> {
    read(value.clone()).map(|_| ())
}

/// A document's value read into the types, as `validate` reads a file that is not in the block
/// subset (and debug builds read every file, to compare).
pub fn read(value: serde_json::Value) -> Result<SpecFile, serde_json::Error> {
    SpecFile::deserialize(super::strict::Strict(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A spec's rooms are boxed as they are read, each in a block of mimalloc's size for it:
    /// 192 bytes, the class below 224 (issue 17: 32 bytes a room, 39 pages at 5,000 rooms).
    #[test]
    fn a_read_room_fits_a_192_byte_block() {
        assert!(
            std::mem::size_of::<Entry<Room>>() <= 192,
            "{} bytes",
            std::mem::size_of::<Entry<Room>>()
        );
    }
}
