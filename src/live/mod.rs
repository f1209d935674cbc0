//! What an account has, in chatlog's own types: the AWS layer reads into these, and the pure
//! parts (inventory tables, import, later plan and drift) read only these, never SDK types.

pub(crate) mod cache;
pub(crate) mod destinations;
pub mod import;
pub(crate) mod stack_set;

use serde::Serialize;

pub type Tags = crate::sorted_map::SortedMap<String, String>;

/// `aws:` keys (in any case) belong to AWS: nobody else may set or remove them.
pub fn is_aws_tag(key: &str) -> bool {
    key.to_ascii_lowercase().starts_with("aws:")
}

/// Where a logging configuration writes (the service's DestinationConfiguration union).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum LiveDestination {
    #[serde(rename = "s3")]
    S3 {
        #[serde(rename = "bucketName")]
        bucket_name: String,
    },
    #[serde(rename = "cloudWatchLogs")]
    CloudWatchLogs {
        #[serde(rename = "logGroupName")]
        log_group_name: String,
    },
    #[serde(rename = "firehose")]
    Firehose {
        #[serde(rename = "deliveryStreamName")]
        delivery_stream_name: String,
    },
    /// A destination type this version of chatlog does not know (the SDK's `Unknown` variant).
    #[serde(rename = "unknown")]
    Unknown,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LiveLoggingConfiguration {
    pub arn: String,
    pub id: String,
    pub name: String,
    pub state: String,
    pub destination: LiveDestination,
    pub tags: Tags,
    pub create_time: Option<String>,
    pub update_time: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LiveReviewHandler {
    pub uri: String,
    pub fallback_result: String,
}

/// A room. ListRooms leaves out the message limits; they are `None` until a GetRoom fills them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LiveRoom {
    pub arn: String,
    pub id: String,
    pub name: String,
    pub logging_configuration_identifiers: Vec<String>,
    pub maximum_message_length: Option<u32>,
    pub maximum_message_rate_per_second: Option<u32>,
    pub message_review_handler: Option<LiveReviewHandler>,
    pub tags: Tags,
    pub create_time: Option<String>,
    pub update_time: Option<String>,
}

/// Everything chatlog reads from one account and region.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RegionInventory {
    pub account: String,
    pub region: String,
    pub logging_configurations: Vec<LiveLoggingConfiguration>,
    pub rooms: Vec<LiveRoom>,
}
