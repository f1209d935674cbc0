//! A stack set of the desired state: a member deployment that every target account and region
//! gets, and how CloudFormation StackSets rolls it out (aws-facts.md §1(k)).

use crate::spec::load::Origin;
use crate::spec::types::{AccountFilter, ConcurrencyMode, PermissionModel, RegionConcurrency};

use super::{Deployment, Tags};

/// What the member template says where a deployment names its account, region and partition:
/// CloudFormation's pseudo parameters, written through `Fn::Sub`, so that no member template
/// names a concrete account or region.
pub const ACCOUNT: &str = "${AWS::AccountId}";
pub const REGION: &str = "${AWS::Region}";
pub const PARTITION: &str = "${AWS::Partition}";

#[derive(Clone, Debug)]
pub struct StackSet {
    pub key: String,
    /// The StackSetName.
    pub name: String,
    /// The spec's name: the value of the stack set's `chatlog:spec` ownership tag.
    pub spec_name: String,
    pub administrator: Administrator,
    pub permission_model: PermissionModel,
    pub administration_role_arn: Option<String>,
    pub execution_role_name: Option<String>,
    pub targets: Vec<Target>,
    pub auto_deployment: Option<AutoDeployment>,
    pub operation: Operation,
    /// The member template's contents: account [`ACCOUNT`], region [`REGION`].
    pub member: Deployment,
    pub tags: Tags,
    pub origin: Origin,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Administrator {
    pub account: String,
    pub region: String,
    pub delegated_admin: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub organizational_units: Vec<String>,
    pub accounts: Vec<String>,
    pub account_filter: Option<AccountFilter>,
    pub regions: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AutoDeployment {
    pub enabled: bool,
    pub retain_stacks_on_account_removal: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Operation {
    pub max_concurrent_percentage: Option<u32>,
    pub max_concurrent_count: Option<u32>,
    pub failure_tolerance_percentage: Option<u32>,
    pub failure_tolerance_count: Option<u32>,
    pub region_concurrency: Option<RegionConcurrency>,
    pub region_order: Vec<String>,
    pub concurrency_mode: Option<ConcurrencyMode>,
}

impl Operation {
    pub fn is_empty(&self) -> bool {
        self == &Operation::default()
    }
}

impl StackSet {
    /// Every target region, sorted, once.
    pub fn regions(&self) -> Vec<&str> {
        let mut regions: Vec<&str> = self
            .targets
            .iter()
            .flat_map(|t| t.regions.iter().map(String::as_str))
            .collect();
        regions.sort_unstable();
        regions.dedup();
        regions
    }

    /// CloudFormation's `CallAs`: a delegated administrator must say so on every call.
    pub fn call_as(&self) -> &'static str {
        if self.administrator.delegated_admin {
            "DELEGATED_ADMIN"
        } else {
            "SELF"
        }
    }

    /// The SSM parameter through which applications in a target find a logging configuration's
    /// ARN, to attach it to the rooms they create.
    pub fn parameter_name(&self, configuration_key: &str) -> String {
        format!("/chatlog/{}/{configuration_key}/arn", self.name)
    }
}
