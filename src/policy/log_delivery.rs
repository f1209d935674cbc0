//! The statements CloudWatch Logs' vended-log delivery ("V1", which IVS Chat uses) needs on each
//! kind of destination, exactly as reference/aws-facts.md §1(c) shows them.

use super::document::{Conditions, Effect, PolicyDocument, Principal, Statement, Strings};

/// The service principal of log delivery (aws-facts §1(c)).
pub const DELIVERY_PRINCIPAL: &str = "delivery.logs.amazonaws.com";
/// The S3 document's `Id` and the CloudWatch Logs statement's `Sid` (aws-facts §1(c)).
pub const LOG_DELIVERY_ID: &str = "AWSLogDeliveryWrite20150319";
pub const ACL_CHECK_SID: &str = "AWSLogDeliveryAclCheck";
pub const WRITE_SID: &str = "AWSLogDeliveryWrite";
/// chatlog's own statement; not required by log delivery.
pub const TLS_ONLY_SID: &str = "DenyInsecureTransport";
/// The service-linked role log delivery uses for Firehose (aws-facts §1(c)).
pub const SLR_NAME: &str = "AWSServiceRoleForLogDelivery";
/// The stream tag log delivery requires on a Firehose destination (aws-facts §1(c)).
pub const FIREHOSE_TAG: (&str, &str) = ("LogDeliveryEnabled", "true");

/// Who may deliver: the account and the region of the logging configurations (aws-facts §1(c):
/// `aws:SourceAccount` = the account, `aws:SourceArn` = `arn:aws:logs:<region>:<account>:*`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    pub partition: String,
    pub account: String,
    pub region: String,
}

impl Source {
    fn conditions(&self) -> Conditions {
        Conditions::new()
            .with(
                "StringEquals",
                "aws:SourceAccount",
                Strings::many([self.account.clone()]),
            )
            .with(
                "ArnLike",
                "aws:SourceArn",
                Strings::many([self.source_arn()]),
            )
    }
    fn source_arn(&self) -> String {
        format!(
            "arn:{}:logs:{}:{}:*",
            self.partition, self.region, self.account
        )
    }
}

/// `AWSLogDeliveryAclCheck` and `AWSLogDeliveryWrite` for a bucket (aws-facts §1(c), S3).
pub fn s3_statements(bucket_arn: &str, source: &Source) -> Vec<Statement> {
    let principal = || Principal::Service(Strings::one(DELIVERY_PRINCIPAL));
    let acl_check = Statement::allow(
        ACL_CHECK_SID,
        Strings::one("s3:GetBucketAcl"),
        Strings::one(bucket_arn),
    )
    .principal(principal())
    .condition(source.conditions());
    let write_conditions = Conditions::new()
        .with(
            "StringEquals",
            "s3:x-amz-acl",
            Strings::one("bucket-owner-full-control"),
        )
        .with(
            "StringEquals",
            "aws:SourceAccount",
            Strings::many([source.account.clone()]),
        )
        .with(
            "ArnLike",
            "aws:SourceArn",
            Strings::many([source.source_arn()]),
        );
    let write = Statement::allow(
        WRITE_SID,
        Strings::one("s3:PutObject"),
        Strings::one(format!("{bucket_arn}/AWSLogs/{}/*", source.account)),
    )
    .principal(principal())
    .condition(write_conditions);
    vec![acl_check, write]
}

/// Denies every request to the bucket that does not use TLS. Required by chatlog's design for
/// buckets it creates (issue 3); not part of what log delivery needs, so never merged into a
/// bucket someone else owns.
pub fn tls_only_statement(bucket_arn: &str) -> Statement {
    Statement {
        sid: Some(TLS_ONLY_SID.to_owned()),
        effect: Effect::Deny,
        principal: Some(Principal::Anyone),
        action: Strings::one("s3:*"),
        resource: Strings::many([bucket_arn.to_owned(), format!("{bucket_arn}/*")]),
        condition: Conditions::new().with("Bool", "aws:SecureTransport", Strings::one("false")),
    }
}

/// The whole policy of a bucket chatlog creates: log delivery plus TLS only.
pub fn s3_managed_bucket_policy(bucket_arn: &str, source: &Source) -> PolicyDocument {
    let mut statements = s3_statements(bucket_arn, source);
    statements.push(tls_only_statement(bucket_arn));
    PolicyDocument::new(statements).with_id(LOG_DELIVERY_ID)
}

/// The statements to merge into a bucket someone else owns: log delivery only.
pub fn s3_existing_bucket_statements(bucket_arn: &str, source: &Source) -> PolicyDocument {
    PolicyDocument::new(s3_statements(bucket_arn, source)).with_id(LOG_DELIVERY_ID)
}

/// The log streams of a log group, the resource the CloudWatch Logs statement grants on
/// (aws-facts §1(c): `...:log-group:<name>:log-stream:*`).
pub fn log_streams_arn(log_group_arn: &str) -> String {
    format!("{log_group_arn}:log-stream:*")
}

/// The CloudWatch Logs resource-policy statement for some log groups (aws-facts §1(c)).
pub fn cwl_statement(stream_arns: Vec<String>, source: &Source) -> Statement {
    Statement::allow(
        LOG_DELIVERY_ID,
        Strings::many(["logs:CreateLogStream", "logs:PutLogEvents"]),
        Strings::Many(stream_arns),
    )
    .principal(Principal::Service(Strings::many([DELIVERY_PRINCIPAL])))
    .condition(source.conditions())
}

/// The policy of one log group chatlog creates (a log-group-level resource policy).
pub fn cwl_log_group_policy(log_group_arn: &str, source: &Source) -> PolicyDocument {
    PolicyDocument::new(vec![cwl_statement(
        vec![log_streams_arn(log_group_arn)],
        source,
    )])
}

/// The trust policy of `AWSServiceRoleForLogDelivery` (aws-facts §1(c), Firehose).
pub fn slr_trust_policy() -> serde_json::Value {
    serde_json::json!({
        "Version": super::document::VERSION,
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Service": DELIVERY_PRINCIPAL},
            "Action": "sts:AssumeRole"
        }]
    })
}

pub fn slr_arn(partition: &str, account: &str) -> String {
    format!("arn:{partition}:iam::{account}:role/aws-service-role/{DELIVERY_PRINCIPAL}/{SLR_NAME}")
}
