//! Size limits a generated policy or template must respect, each with its source in
//! reference/aws-facts.md.

/// "Bucket policies are limited to 20 KB in size" (aws-facts §1(d)). Measured in bytes of the
/// document as written.
pub const S3_BUCKET_POLICY_MAX_BYTES: usize = 20 * 1024;

/// Account-level CloudWatch Logs resource policies: 10 per region per account, not adjustable
/// (aws-facts §1(d)).
pub const CWL_ACCOUNT_POLICY_SLOTS: usize = 10;

/// Account-level CloudWatch Logs policy document length. The current model allows 51,200, but
/// whether account-level policies still cap at 5,120 is unverified, so chatlog stays at 5,120
/// (aws-facts §1(d)).
pub const CWL_ACCOUNT_POLICY_MAX_CHARS: usize = 5_120;

/// Log-group-level CloudWatch Logs resource policies: 51,200 bytes (aws-facts §1(c), §1(d)).
pub const CWL_LOG_GROUP_POLICY_MAX_BYTES: usize = 51_200;

/// IAM inline policies of a role: 10,240 characters together (aws-facts §1(d)).
pub const IAM_ROLE_INLINE_MAX_CHARS: usize = 10_240;

/// IAM customer managed policy: 6,144 characters, whitespace not counted (aws-facts §1(d)).
pub const IAM_MANAGED_POLICY_MAX_CHARS: usize = 6_144;

/// CloudFormation: 500 resources and 200 outputs per template, 1 MB of template through S3
/// (cfn-lint uses 1,000,000 bytes) (aws-facts §1(d)).
pub const CFN_MAX_RESOURCES: usize = 500;
pub const CFN_MAX_OUTPUTS: usize = 200;
pub const CFN_MAX_TEMPLATE_BYTES: usize = 1_000_000;
/// A stack set's TemplateBody: at most 51,200 bytes inline; beyond, only TemplateURL (S3, 1 MB)
/// (aws-facts §1(k); aws-cloudformation-stackset.json TemplateBody maxLength).
pub const CFN_MAX_TEMPLATE_BODY_BYTES: usize = 51_200;
/// CloudFormation: template description at most 1,024 bytes (aws-facts §1(d)).
pub const CFN_MAX_DESCRIPTION_BYTES: usize = 1_024;
/// AWS::IVSChat::Room MaximumMessageRatePerSecond: 1-10 in CloudFormation, 1-100 in the API
/// (aws-facts §1(e), §2).
pub const CFN_MAX_MESSAGE_RATE: u32 = 10;
