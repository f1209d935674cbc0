//! What an account has at the spec's destinations, in chatlog's own types: the AWS layer reads
//! into these, planning and drift read only these.
//!
//! Only what the spec names is read (a bucket, log group or stream per destination, plus the
//! region's account-level log policies and the Firehose service-linked role when the spec needs
//! them): chatlog never lists an account's buckets or log groups wholesale.

use serde::Serialize;

use super::Tags;

/// The public access block chatlog sets on the buckets it creates: everything blocked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct PublicAccessBlock {
    pub block_public_acls: bool,
    pub ignore_public_acls: bool,
    pub block_public_policy: bool,
    pub restrict_public_buckets: bool,
}

impl PublicAccessBlock {
    pub const ALL: PublicAccessBlock = PublicAccessBlock {
        block_public_acls: true,
        ignore_public_acls: true,
        block_public_policy: true,
        restrict_public_buckets: true,
    };
}

/// The settings chatlog owns on a bucket it creates (read only for managed destinations).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BucketSettings {
    /// `None`: the bucket has no public access block configuration.
    pub public_access_block: Option<PublicAccessBlock>,
    /// The default encryption algorithm of each rule (`AES256` is SSE-S3); empty: none set.
    pub encryption: Vec<String>,
    /// The `ObjectOwnership` of each ownership-controls rule; empty: none set.
    pub object_ownership: Vec<String>,
    pub tags: Tags,
}

/// A bucket the deployment's account owns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnedBucket {
    /// `None`: S3 answered from another region without naming it.
    pub region: Option<String>,
    /// The bucket policy as S3 returns it; `None`: the bucket has no policy (or it was not read,
    /// because the bucket is in another region).
    pub policy: Option<String>,
    /// Read for managed destinations only.
    pub settings: Option<BucketSettings>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BucketState {
    Missing,
    /// The bucket exists but the deployment's account does not own it: S3 refused a request that
    /// expected that owner, or the account's own bucket list does not have it.
    OtherOwner,
    Owned(OwnedBucket),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiveBucket {
    pub name: String,
    pub state: BucketState,
}

/// A CloudWatch Logs resource policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogPolicy {
    pub name: String,
    pub document: String,
    /// Log-group-level policies carry one; PutResourcePolicy must quote it to replace them.
    pub revision_id: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PresentLogGroup {
    /// The log group's ARN without the `:*` DescribeLogGroups appends.
    pub arn: String,
    /// `None`: events never expire.
    pub retention_days: Option<u32>,
    /// Read for managed destinations only.
    pub tags: Tags,
    /// Its log-group-level resource policy (read for managed destinations only).
    pub policy: Option<LogPolicy>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiveLogGroup {
    pub name: String,
    /// `None`: no log group of that name.
    pub present: Option<PresentLogGroup>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiveStream {
    pub name: String,
    /// The stream's tags; `None`: no stream of that name.
    pub tags: Option<Tags>,
}

/// The service-linked role log delivery uses for Firehose destinations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RoleState {
    /// Not read: the deployment has no Firehose destination.
    NotRead,
    Missing,
    Present {
        name: String,
    },
}

/// Everything chatlog reads about one deployment's destinations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiveDestinations {
    pub account: String,
    pub region: String,
    pub buckets: Vec<LiveBucket>,
    pub log_groups: Vec<LiveLogGroup>,
    pub streams: Vec<LiveStream>,
    /// The region's account-level CloudWatch Logs resource policies (read when the deployment
    /// has a log group).
    pub account_log_policies: Vec<LogPolicy>,
    pub log_delivery_role: RoleState,
}

impl LiveDestinations {
    /// Nothing read yet.
    pub fn empty(account: &str, region: &str) -> Self {
        LiveDestinations {
            account: account.to_owned(),
            region: region.to_owned(),
            buckets: Vec::new(),
            log_groups: Vec::new(),
            streams: Vec::new(),
            account_log_policies: Vec::new(),
            log_delivery_role: RoleState::NotRead,
        }
    }

    pub fn bucket(&self, name: &str) -> Option<&LiveBucket> {
        self.buckets.iter().find(|b| b.name == name)
    }

    pub fn log_group(&self, name: &str) -> Option<&LiveLogGroup> {
        self.log_groups.iter().find(|g| g.name == name)
    }

    pub fn stream(&self, name: &str) -> Option<&LiveStream> {
        self.streams.iter().find(|s| s.name == name)
    }

    pub fn account_log_policy(&self, name: &str) -> Option<&LogPolicy> {
        self.account_log_policies.iter().find(|p| p.name == name)
    }
}
