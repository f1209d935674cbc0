//! The resources the server keeps, per account and region, and their wire form.

use std::collections::BTreeMap;
use std::time::{Instant, SystemTime};

use serde_json::{Map, Value, json};

use super::ids::timestamp;

/// Where a logging configuration delivers (the `DestinationConfiguration` union).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Destination {
    S3 { bucket: String },
    CloudWatchLogs { log_group: String },
    Firehose { stream: String },
}

impl Destination {
    pub(crate) fn to_json(&self) -> Value {
        match self {
            Self::S3 { bucket } => json!({ "s3": { "bucketName": bucket } }),
            Self::CloudWatchLogs { log_group } => {
                json!({ "cloudWatchLogs": { "logGroupName": log_group } })
            }
            Self::Firehose { stream } => json!({ "firehose": { "deliveryStreamName": stream } }),
        }
    }
}

/// A `MessageReviewHandler` as a request gives it: either member may be missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Handler {
    pub(crate) uri: Option<String>,
    pub(crate) fallback: Option<String>,
}

/// A room's stored message review handler.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RoomHandler {
    pub(crate) uri: String,
    pub(crate) fallback: String,
}

impl RoomHandler {
    /// The handler after applying `change` to `current`: members the change leaves out keep their
    /// value, `fallbackResult` defaults to ALLOW, and an empty `uri` removes the handler ("Specify
    /// an empty uri string to disassociate a message review handler", aws-facts §1(a)).
    pub(crate) fn apply(current: Option<&Self>, change: Handler) -> Option<Self> {
        let uri = change
            .uri
            .or_else(|| current.map(|h| h.uri.clone()))
            .unwrap_or_default();
        let fallback = change
            .fallback
            .or_else(|| current.map(|h| h.fallback.clone()))
            .unwrap_or_else(|| "ALLOW".to_owned());
        (!uri.is_empty()).then_some(Self { uri, fallback })
    }
}

/// Where a logging configuration is in its life. The service answers ACTIVE in Create and Update
/// responses (their enums have no other value) while Get shows CREATING, UPDATING or DELETING for
/// a while, which is what Terraform's waiters expect (aws-facts §1(a) States). The deadline is
/// checked whenever the configuration is read, so no background task moves it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    Settled,
    Creating(Instant),
    Updating(Instant),
    Deleting(Instant),
}

#[derive(Debug, Clone)]
pub(crate) struct Configuration {
    pub(crate) arn: String,
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) destination: Destination,
    pub(crate) tags: BTreeMap<String, String>,
    pub(crate) created: SystemTime,
    pub(crate) updated: SystemTime,
    /// Creation order, the listing order and the pagination cursor.
    pub(crate) order: u64,
    pub(crate) phase: Phase,
}

impl Configuration {
    /// The state at `now`, or `None` once a deletion has finished.
    pub(crate) fn state(&self, now: Instant) -> Option<&'static str> {
        match self.phase {
            Phase::Creating(until) if now < until => Some("CREATING"),
            Phase::Updating(until) if now < until => Some("UPDATING"),
            Phase::Deleting(until) if now < until => Some("DELETING"),
            Phase::Deleting(_) => None,
            _ => Some("ACTIVE"),
        }
    }

    pub(crate) fn is_active(&self, now: Instant) -> bool {
        self.state(now) == Some("ACTIVE")
    }

    pub(crate) fn to_json(&self, state: &str) -> Value {
        json!({
            "arn": self.arn,
            "id": self.id,
            "createTime": timestamp(self.created),
            "updateTime": timestamp(self.updated),
            "name": self.name,
            "destinationConfiguration": self.destination.to_json(),
            "state": state,
            "tags": self.tags,
        })
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Room {
    pub(crate) arn: String,
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) rate: i64,
    pub(crate) length: i64,
    pub(crate) handler: Option<RoomHandler>,
    pub(crate) tags: BTreeMap<String, String>,
    pub(crate) logging: Vec<String>,
    pub(crate) created: SystemTime,
    pub(crate) updated: SystemTime,
    /// Raised on every change: the listing order (newest `updateTime` first) and the cursor.
    pub(crate) order: u64,
}

impl Room {
    /// GetRoom, CreateRoom and UpdateRoom answer every member.
    pub(crate) fn to_json(&self) -> Value {
        let mut out = self.summary_map();
        out.insert("maximumMessageRatePerSecond".to_owned(), json!(self.rate));
        out.insert("maximumMessageLength".to_owned(), json!(self.length));
        Value::Object(out)
    }

    /// ListRooms' `RoomSummary` has no message limits.
    pub(crate) fn summary_json(&self) -> Value {
        Value::Object(self.summary_map())
    }

    fn summary_map(&self) -> Map<String, Value> {
        let mut out = Map::new();
        out.insert("arn".to_owned(), json!(self.arn));
        out.insert("id".to_owned(), json!(self.id));
        out.insert("name".to_owned(), json!(self.name));
        out.insert("createTime".to_owned(), json!(timestamp(self.created)));
        out.insert("updateTime".to_owned(), json!(timestamp(self.updated)));
        if let Some(handler) = &self.handler {
            out.insert(
                "messageReviewHandler".to_owned(),
                json!({ "uri": handler.uri, "fallbackResult": handler.fallback }),
            );
        }
        out.insert("tags".to_owned(), json!(self.tags));
        out.insert(
            "loggingConfigurationIdentifiers".to_owned(),
            json!(self.logging),
        );
        out
    }
}

/// Everything one account has in one region.
#[derive(Debug, Default)]
pub(crate) struct Account {
    /// Keyed by ARN, the only identifier form the API takes.
    pub(crate) configurations: BTreeMap<String, Configuration>,
    pub(crate) rooms: BTreeMap<String, Room>,
    next_order: u64,
}

impl Account {
    pub(crate) fn next_order(&mut self) -> u64 {
        self.next_order += 1;
        self.next_order
    }

    /// Forgets configurations whose deletion has finished.
    pub(crate) fn purge(&mut self, now: Instant) {
        self.configurations.retain(|_, c| c.state(now).is_some());
    }

    /// Live configurations count against the quota, including those still being deleted.
    pub(crate) fn configuration_count(&self) -> usize {
        self.configurations.len()
    }

    pub(crate) fn tags_mut(&mut self, arn: &str) -> Option<&mut BTreeMap<String, String>> {
        if let Some(room) = self.rooms.get_mut(arn) {
            return Some(&mut room.tags);
        }
        self.configurations.get_mut(arn).map(|c| &mut c.tags)
    }
}
