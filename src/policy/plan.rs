//! Which policy documents one deployment needs, computed once and read by every target.

use crate::model::{Deployment, Destination, DestinationKind, partition};

use super::document::PolicyDocument;
use super::limits::CWL_ACCOUNT_POLICY_MAX_CHARS;
use super::log_delivery::{self as ld, Source};

/// Name prefix of the account-level CloudWatch Logs resource policies chatlog owns (one per
/// region, split into `-2`, `-3`... only when 5,120 characters are not enough). Matches the
/// policy-name pattern `^([^:*\/]+\/?)*[^:*\/]+$` (aws-facts §1(d)).
pub const ACCOUNT_POLICY_NAME: &str = "chatlog-ivschat-log-delivery";

#[derive(Clone, Debug)]
pub struct BucketPolicy<'a> {
    pub destination: &'a Destination,
    pub bucket: &'a str,
    /// Managed: the whole bucket policy. Existing: only the statements to merge.
    pub document: PolicyDocument,
}

#[derive(Clone, Debug)]
pub struct LogGroupPolicy<'a> {
    pub destination: &'a Destination,
    pub log_group: &'a str,
    pub document: PolicyDocument,
}

#[derive(Clone, Debug)]
pub struct AccountPolicy<'a> {
    pub name: String,
    /// The existing log groups this policy covers, in order.
    pub destinations: Vec<&'a Destination>,
    pub document: PolicyDocument,
}

#[derive(Clone, Debug)]
pub struct Stream<'a> {
    pub destination: &'a Destination,
    pub delivery_stream: &'a str,
}

#[derive(Clone, Debug)]
pub struct DeploymentPolicies<'a> {
    pub source: Source,
    pub buckets: Vec<BucketPolicy<'a>>,
    /// Log groups chatlog creates: a log-group-level policy each.
    pub log_groups: Vec<LogGroupPolicy<'a>>,
    /// Log groups that exist already: consolidated account-level policies.
    pub account_policies: Vec<AccountPolicy<'a>>,
    pub streams: Vec<Stream<'a>>,
    /// Buckets chatlog creates that only Lex bots write to (with their own roles,
    /// `policy::lex`): the whole policy is the TLS-only deny, no log-delivery statement.
    pub bot_only_buckets: Vec<BucketPolicy<'a>>,
    /// Log groups chatlog creates that only Lex bots write to: no resource policy.
    pub bot_only_log_groups: Vec<&'a Destination>,
}

impl DeploymentPolicies<'_> {
    /// The account-level policy that covers a destination, if any.
    pub fn account_policy_of(&self, destination_key: &str) -> Option<(usize, &AccountPolicy<'_>)> {
        self.account_policies
            .iter()
            .enumerate()
            .find(|(_, p)| p.destinations.iter().any(|d| d.key == destination_key))
    }
}

pub fn for_deployment(deployment: &Deployment) -> DeploymentPolicies<'_> {
    let source = Source {
        partition: partition(&deployment.region).to_owned(),
        account: deployment.account.clone(),
        region: deployment.region.clone(),
    };
    let mut buckets = Vec::new();
    let mut log_groups = Vec::new();
    let mut existing_groups = Vec::new();
    let mut streams = Vec::new();
    let mut bot_only_buckets = Vec::new();
    let mut bot_only_log_groups = Vec::new();
    for d in &deployment.destinations {
        if super::lex::bots_only(deployment, &d.key) {
            match &d.kind {
                DestinationKind::S3 { bucket } if d.managed => {
                    bot_only_buckets.push(BucketPolicy {
                        destination: d,
                        bucket,
                        document: PolicyDocument::new(vec![ld::tls_only_statement(&d.arn)]),
                    })
                }
                DestinationKind::CloudWatchLogs { .. } if d.managed => bot_only_log_groups.push(d),
                _ => {}
            }
            continue;
        }
        match &d.kind {
            DestinationKind::S3 { bucket } => {
                let document = if d.managed {
                    ld::s3_managed_bucket_policy(&d.arn, &source)
                } else {
                    ld::s3_existing_bucket_statements(&d.arn, &source)
                };
                buckets.push(BucketPolicy {
                    destination: d,
                    bucket,
                    document,
                });
            }
            DestinationKind::CloudWatchLogs { log_group, .. } => {
                if d.managed {
                    log_groups.push(LogGroupPolicy {
                        destination: d,
                        log_group,
                        document: ld::cwl_log_group_policy(&d.arn, &source),
                    });
                } else {
                    existing_groups.push(d);
                }
            }
            DestinationKind::Firehose { delivery_stream } => streams.push(Stream {
                destination: d,
                delivery_stream,
            }),
        }
    }
    let account_policies = pack_account_policies(&existing_groups, &source);
    DeploymentPolicies {
        source,
        buckets,
        log_groups,
        account_policies,
        streams,
        bot_only_buckets,
        bot_only_log_groups,
    }
}

/// Packs the existing log groups into as few account-level policies as 5,120 characters allow,
/// in destination order (stable: adding a log group at the end never moves another).
fn pack_account_policies<'a>(
    groups: &[&'a Destination],
    source: &Source,
) -> Vec<AccountPolicy<'a>> {
    let mut out: Vec<AccountPolicy<'a>> = Vec::new();
    let mut current: Vec<&'a Destination> = Vec::new();
    let document = |members: &[&Destination]| {
        PolicyDocument::new(vec![ld::cwl_statement(
            members
                .iter()
                .map(|d| ld::log_streams_arn(&d.arn))
                .collect(),
            source,
        )])
    };
    for g in groups {
        current.push(g);
        if current.len() > 1 && document(&current).chars() > CWL_ACCOUNT_POLICY_MAX_CHARS {
            current.pop();
            out.push(AccountPolicy {
                name: String::new(),
                document: document(&current),
                destinations: std::mem::take(&mut current),
            });
            current.push(g);
        }
    }
    if !current.is_empty() {
        out.push(AccountPolicy {
            name: String::new(),
            document: document(&current),
            destinations: current,
        });
    }
    for (i, p) in out.iter_mut().enumerate() {
        p.name = if i == 0 {
            ACCOUNT_POLICY_NAME.to_owned()
        } else {
            format!("{ACCOUNT_POLICY_NAME}-{}", i + 1)
        };
    }
    out
}
