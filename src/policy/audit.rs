//! The `audit` trail's bucket policy: CloudTrail's own statements (principal
//! `cloudtrail.amazonaws.com`, scoped to the trail with `aws:SourceArn`), not log delivery's
//! (aws-facts.md §1(i)). Which events the trail records is in [`SELECTOR`].

use crate::model::Audit;

use super::document::{Conditions, PolicyDocument, Principal, Statement, Strings};
use super::log_delivery::tls_only_statement;

/// CloudTrail's service principal (aws-facts.md §1(i)).
pub const CLOUDTRAIL_PRINCIPAL: &str = "cloudtrail.amazonaws.com";
pub const ACL_CHECK_SID: &str = "AWSCloudTrailAclCheck";
pub const WRITE_SID: &str = "AWSCloudTrailWrite";

/// The trail's advanced event selector: management events that write. A trail cannot narrow
/// management events to one service (for trails, `eventSource` only takes `NotEquals` of KMS or
/// RDS Data, aws-facts.md §1(i)), so IVS Chat's calls (eventSource `ivschat.amazonaws.com`) are
/// picked out downstream.
pub const SELECTOR: [(&str, &str); 2] = [("eventCategory", "Management"), ("readOnly", "false")];
pub const SELECTOR_NAME: &str = "Management write events";

/// How to find IVS Chat's calls among everything the trail records (aws-facts.md §1(i)).
pub const FILTERING: &str = "A trail cannot record one service's management events only (for trails, eventSource takes only NotEquals of kms.amazonaws.com or rdsdata.amazonaws.com), so this trail records every management write of the account. Pick IVS Chat's calls out downstream by eventSource = ivschat.amazonaws.com: an EventBridge rule matching {\"detail\": {\"eventSource\": [\"ivschat.amazonaws.com\"]}}, a CloudWatch Logs metric filter { $.eventSource = \"ivschat.amazonaws.com\" }, or an Athena or CloudTrail Lake query WHERE eventSource = 'ivschat.amazonaws.com'.";

/// Where CloudTrail writes: `[PREFIX/]AWSLogs/ACCOUNT/`.
pub fn log_path(audit: &Audit) -> String {
    match &audit.prefix {
        Some(p) => format!("{p}/AWSLogs/{}", audit.account),
        None => format!("AWSLogs/{}", audit.account),
    }
}

/// CloudTrail's two statements: it checks the bucket's ACL, then writes its log files under the
/// account's path with the bucket owner in full control; both only for this trail.
pub fn statements(audit: &Audit) -> Vec<Statement> {
    let bucket = audit.bucket_arn();
    let principal = || Principal::Service(Strings::one(CLOUDTRAIL_PRINCIPAL));
    let acl_check = Statement::allow(
        ACL_CHECK_SID,
        Strings::one("s3:GetBucketAcl"),
        Strings::one(bucket.clone()),
    )
    .principal(principal())
    .condition(Conditions::new().with(
        "StringEquals",
        "aws:SourceArn",
        Strings::one(audit.trail_arn()),
    ));
    let write = Statement::allow(
        WRITE_SID,
        Strings::one("s3:PutObject"),
        Strings::one(format!("{bucket}/{}/*", log_path(audit))),
    )
    .principal(principal())
    .condition(
        Conditions::new()
            .with(
                "StringEquals",
                "s3:x-amz-acl",
                Strings::one("bucket-owner-full-control"),
            )
            .with(
                "StringEquals",
                "aws:SourceArn",
                Strings::one(audit.trail_arn()),
            ),
    );
    vec![acl_check, write]
}

/// The bucket's policy: the whole policy (with the TLS-only deny) for a bucket chatlog creates,
/// the statements to merge for one that belongs to someone else.
pub fn bucket_policy(audit: &Audit) -> PolicyDocument {
    let mut s = statements(audit);
    if audit.managed {
        s.push(tls_only_statement(&audit.bucket_arn()));
    }
    PolicyDocument::new(s)
}
