//! The resolved desired state: what a spec asks for, grouped into deployments (one per account
//! and region), with stable logical ids and ARNs where they can be known before creation.
//! Later stages (renderers, planners) read only this.

mod arn;
mod logical_id;
mod resolve;
mod room_tags;
pub(crate) mod stack_set;

pub use arn::partition;
pub use logical_id::logical_id;
pub use resolve::{Spent, resolve};
pub use room_tags::RoomTags;
pub use stack_set::StackSet;

use crate::spec::constraints::MAX_LOGGING_CONFIGURATIONS_PER_ROOM;
use crate::spec::load::Origin;
use crate::spec::types::FallbackResult;

pub type Tags = crate::sorted_map::SortedMap<String, String>;

#[derive(Clone, Debug, Default)]
pub struct Model {
    /// The spec's `name`, if it states one (the ownership tag's value).
    pub name: Option<String>,
    /// Sorted by account, then region.
    pub deployments: Vec<Deployment>,
    /// The CloudTrail trail of the `audit` section, if the spec has one.
    pub audit: Option<Audit>,
    /// Sorted by key.
    pub stack_sets: Vec<StackSet>,
}

#[derive(Clone, Debug)]
pub struct Deployment {
    pub account: String,
    pub region: String,
    /// Each sorted by key.
    pub destinations: Vec<Destination>,
    pub logging_configurations: Vec<LoggingConfiguration>,
    pub rooms: Vec<Room>,
    /// Lex V2 bot aliases whose conversation logs go to this deployment's destinations.
    pub bots: Vec<Bot>,
    /// How live commands reach the account (`accounts` in the spec); default: the credential chain.
    pub access: Access,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Access {
    pub profile: Option<String>,
    /// Assumed (with the profile's credentials, if one is named) before any call.
    pub role_arn: Option<String>,
}

impl Deployment {
    pub fn destination(&self, key: &str) -> Option<&Destination> {
        self.destinations.iter().find(|d| d.key == key)
    }
    pub fn logging_configuration(&self, key: &str) -> Option<&LoggingConfiguration> {
        self.logging_configurations.iter().find(|c| c.key == key)
    }
    /// The logging configurations `room` logs to, in the order its spec lists them.
    pub fn logging_of<'d>(&'d self, room: &Room) -> impl Iterator<Item = &'d LoggingConfiguration> {
        room.logging
            .positions()
            .filter_map(|at| self.logging_configurations.get(at))
    }
}

/// A room's logging configurations: their positions in its deployment's
/// `logging_configurations`, in the order the spec lists them. Positions, not keys: each writer
/// compared every room's keys with the configurations', and at 50,000 rooms found those strings
/// out of the cache every time (issue 17). At most three to a room (the ivschat service model's
/// LoggingConfigurationIdentifierList), so they are held in the room itself.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Logging {
    len: u8,
    at: [u32; MAX_LOGGING_CONFIGURATIONS_PER_ROOM],
}

impl Logging {
    /// `None` for more than three positions, or one past `u32`.
    pub fn new(positions: impl IntoIterator<Item = usize>) -> Option<Logging> {
        let mut logging = Logging::default();
        for position in positions {
            if !logging.push(position) {
                return None;
            }
        }
        Some(logging)
    }

    /// Adds a position, and answers whether it was kept. A room lists at most three, as the
    /// spec is read; a fourth, or one past `u32`, is not kept.
    pub(crate) fn push(&mut self, position: usize) -> bool {
        let (Some(slot), Ok(position)) = (
            self.at.get_mut(usize::from(self.len)),
            u32::try_from(position),
        ) else {
            return false;
        };
        *slot = position;
        self.len += 1;
        true
    }

    /// The same list with each position `p` replaced by `to[p]`: positions in one list made
    /// positions in another. One `to` leaves out is past every list.
    pub(crate) fn through(mut self, to: &[u32]) -> Logging {
        let len = self.len();
        for p in self.at.iter_mut().take(len) {
            *p = to.get(*p as usize).copied().unwrap_or(u32::MAX);
        }
        self
    }

    pub fn positions(&self) -> impl ExactSizeIterator<Item = usize> + '_ {
        self.at.iter().take(self.len()).map(|&p| p as usize)
    }

    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DestinationKind {
    S3 {
        bucket: String,
    },
    CloudWatchLogs {
        log_group: String,
        retention_days: Option<u32>,
    },
    Firehose {
        delivery_stream: String,
    },
}

#[derive(Clone, Debug)]
pub struct Destination {
    pub key: String,
    pub logical_id: String,
    pub kind: DestinationKind,
    /// true: the spec creates this resource and owns its policy. false: it exists and belongs to
    /// someone else; only the statements log delivery needs may be merged into its policy.
    pub managed: bool,
    /// Managed, but it exists already: targets import it instead of creating it.
    pub adopt: bool,
    pub arn: String,
    pub tags: Tags,
    pub origin: Origin,
}

#[derive(Clone, Debug)]
pub struct LoggingConfiguration {
    pub key: String,
    /// The name IVS Chat stores (defaults to the key).
    pub name: String,
    pub logical_id: String,
    /// Key of the destination, which is in the same deployment.
    pub destination: String,
    pub tags: Tags,
    pub origin: Origin,
}

#[derive(Clone, Debug)]
pub struct MessageReviewHandler {
    pub uri: String,
    pub fallback_result: FallbackResult,
}

#[derive(Clone, Debug)]
pub struct Room {
    pub key: String,
    /// The name the spec gives, where it gives one; [`Room::name`] reads the key otherwise. Not
    /// a copy of the key: one allocation fewer for every room, and one string fewer for every
    /// writer to walk, at 50,000 rooms out of the cache (issue 17).
    pub given_name: Option<String>,
    pub logical_id: String,
    /// Its logging configurations, all in this deployment ([`Deployment::logging_of`]).
    pub logging: Logging,
    pub maximum_message_length: Option<u32>,
    pub maximum_message_rate_per_second: Option<u32>,
    pub message_review_handler: Option<Box<MessageReviewHandler>>,
    pub tags: RoomTags,
    pub origin: Origin,
}

impl Room {
    /// The name IVS Chat stores: the spec's, or the key.
    pub fn name(&self) -> &str {
        self.given_name.as_deref().unwrap_or(&self.key)
    }
}

/// A Lex V2 bot alias and where its conversation logs go (aws-facts.md §1(g)). Its log
/// destinations are in this deployment; Lex writes them with the bot's role, not through log
/// delivery, so they need no resource-policy statements.
#[derive(Clone, Debug)]
pub struct Bot {
    pub key: String,
    pub logical_id: String,
    pub bot_id: String,
    pub alias: BotAlias,
    /// The bot's IAM role, which Lex uses to write the logs.
    pub role_arn: String,
    /// To a CloudWatch Logs destination.
    pub text_logs: Option<BotLog>,
    /// To an S3 destination.
    pub audio_logs: Option<BotLog>,
    /// The settings came from a Lex V1 `conversationLogs` (CL048).
    pub from_v1: bool,
    pub tags: Tags,
    pub origin: Origin,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BotAlias {
    /// An alias that exists; its settings are applied with UpdateBotAlias.
    Existing { id: String },
    /// An alias the spec owns (CloudFormation creates it).
    Owned {
        name: String,
        bot_version: Option<String>,
        description: Option<String>,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BotLog {
    /// Key of the destination, in the bot's deployment.
    pub destination: String,
    pub log_prefix: String,
    /// Audio logs only.
    pub kms_key_arn: Option<String>,
    pub selective_logging: Option<bool>,
}

impl Bot {
    /// The role's name, the last segment of its ARN (what IAM's role APIs take).
    pub fn role_name(&self) -> &str {
        self.role_arn.rsplit('/').next().unwrap_or(&self.role_arn)
    }
}

/// The CloudTrail trail of the `audit` section (aws-facts.md §1(i)).
#[derive(Clone, Debug)]
pub struct Audit {
    pub account: String,
    pub region: String,
    pub trail: String,
    pub bucket: String,
    /// true: the spec creates the bucket and owns its policy.
    pub managed: bool,
    pub prefix: Option<String>,
    pub multi_region: bool,
    pub tags: Tags,
    pub origin: Origin,
}

impl Audit {
    pub fn trail_arn(&self) -> String {
        format!(
            "arn:{}:cloudtrail:{}:{}:trail/{}",
            partition(&self.region),
            self.region,
            self.account,
            self.trail
        )
    }
    pub fn bucket_arn(&self) -> String {
        format!("arn:{}:s3:::{}", partition(&self.region), self.bucket)
    }
    /// The trail's bucket in the shape of a destination (key `audit`, which no spec key
    /// collides with in a template of its own), so targets create it like the log buckets.
    pub fn bucket_destination(&self) -> Destination {
        Destination {
            key: "audit".to_owned(),
            logical_id: "AuditBucket".to_owned(),
            kind: DestinationKind::S3 {
                bucket: self.bucket.clone(),
            },
            managed: self.managed,
            adopt: false,
            arn: self.bucket_arn(),
            tags: self.tags.clone(),
            origin: self.origin.clone(),
        }
    }
}
