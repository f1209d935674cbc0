//! A stack set as CloudFormation reports it (DescribeStackSet, ListStackInstances,
//! ListStackSetOperationResults), in chatlog's own types.
// Only the live engine (feature `aws`) reads and writes these; the lean build keeps the types.
#![cfg_attr(not(feature = "aws"), allow(dead_code))]

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LiveStackSet {
    pub name: String,
    /// ACTIVE or DELETED.
    pub status: String,
    pub permission_model: Option<String>,
    pub description: Option<String>,
    pub template_body: Option<String>,
    pub tags: super::Tags,
    pub administration_role_arn: Option<String>,
    pub execution_role_name: Option<String>,
    /// `(enabled, retain_stacks_on_account_removal)`, when AWS reports it.
    pub auto_deployment: Option<(bool, bool)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiveInstance {
    pub account: String,
    pub region: String,
    /// Service-managed: the OU the account was deployed to through.
    pub organizational_unit: Option<String>,
    /// CURRENT, OUTDATED or INOPERABLE.
    pub status: String,
    pub status_reason: Option<String>,
    /// DRIFTED, IN_SYNC, UNKNOWN or NOT_CHECKED.
    pub drift_status: Option<String>,
}

/// How a stack set operation ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OperationOutcome {
    pub operation_id: String,
    /// SUCCEEDED, FAILED, STOPPED.
    pub status: String,
    pub status_reason: Option<String>,
    /// The accounts and regions where it did not succeed.
    pub failures: Vec<InstanceFailure>,
}

impl OperationOutcome {
    pub fn succeeded(&self) -> bool {
        self.status == "SUCCEEDED"
    }
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct InstanceFailure {
    pub account: String,
    pub region: String,
    pub status: String,
    pub reason: String,
}

/// A resource of a drifted stack instance that differs from the member template
/// (ListStackInstanceResourceDrifts).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceDrift {
    pub logical_id: String,
    pub resource_type: String,
    /// MODIFIED or DELETED.
    pub status: String,
    /// The property paths that differ.
    pub properties: Vec<String>,
}
