//! ARNs of destinations, which are known from their names. Rooms and logging configurations get
//! service-assigned ids, so their ARNs are only known once they exist.

use super::DestinationKind;

/// The partition of a region. IVS Chat itself is only in `aws` (its model hard-codes the
/// partition in ARN patterns), but destinations in other partitions get the right ARN anyway.
pub fn partition(region: &str) -> &'static str {
    // A stack set's member template names no region: its partition is the target's own.
    if region == super::stack_set::REGION {
        super::stack_set::PARTITION
    } else if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

pub fn destination_arn(kind: &DestinationKind, account: &str, region: &str) -> String {
    let p = partition(region);
    match kind {
        DestinationKind::S3 { bucket } => format!("arn:{p}:s3:::{bucket}"),
        DestinationKind::CloudWatchLogs { log_group, .. } => {
            format!("arn:{p}:logs:{region}:{account}:log-group:{log_group}")
        }
        DestinationKind::Firehose { delivery_stream } => {
            format!("arn:{p}:firehose:{region}:{account}:deliverystream/{delivery_stream}")
        }
    }
}
