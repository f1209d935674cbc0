//! The administrator account's template: one AWS::CloudFormation::StackSet with the member
//! inline, its instance groups, automatic deployment and operation preferences
//! (cfn-schemas/aws-cloudformation-stackset.json).

use serde_json::{Map, Value, json};

use crate::model::StackSet;
use crate::model::stack_set::Operation;
use crate::plan::{KEY_TAG, SPEC_TAG};
use crate::spec::types::PermissionModel;

use super::super::cloudformation::{FORMAT_VERSION, GENERATED, literal};

/// The StackSet's description (1-1,024 bytes).
pub fn description(set: &StackSet) -> String {
    format!(
        "chatlog: IVS Chat logging baseline {}, in every target account and region",
        set.name
    )
}

/// The stack set's tags: the spec's, then chatlog's ownership tags, which `apply` and `drift`
/// look for before they touch a stack set of this name.
pub fn tags(set: &StackSet, spec_name: &str) -> Vec<(String, String)> {
    let mut tags: Vec<(String, String)> = set
        .tags
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    tags.push((SPEC_TAG.to_owned(), spec_name.to_owned()));
    tags.push((KEY_TAG.to_owned(), set.key.clone()));
    tags.sort();
    tags
}

/// Capabilities the member needs: creating log delivery's service-linked role is an IAM resource.
pub fn capabilities(set: &StackSet) -> Vec<&'static str> {
    if set
        .member
        .destinations
        .iter()
        .any(|d| matches!(d.kind, crate::model::DestinationKind::Firehose { .. }))
    {
        vec!["CAPABILITY_IAM"]
    } else {
        Vec::new()
    }
}

/// `member_folder` is where the member template is written beside this one (inlined here as
/// TemplateBody).
pub fn stack_set_template(set: &StackSet, member_body: &str, member_folder: &str) -> Value {
    let mut props = Map::new();
    props.insert("StackSetName".into(), json!(set.name));
    props.insert("Description".into(), json!(description(set)));
    props.insert(
        "PermissionModel".into(),
        json!(set.permission_model.as_api()),
    );
    if set.administrator.delegated_admin {
        props.insert("CallAs".into(), json!(set.call_as()));
    }
    if let Some(role) = &set.administration_role_arn {
        props.insert("AdministrationRoleARN".into(), json!(role));
    }
    if let Some(role) = &set.execution_role_name {
        props.insert("ExecutionRoleName".into(), json!(role));
    }
    if let Some(a) = &set.auto_deployment {
        let mut auto = Map::new();
        auto.insert("Enabled".into(), json!(a.enabled));
        if a.enabled {
            auto.insert(
                "RetainStacksOnAccountRemoval".into(),
                json!(a.retain_stacks_on_account_removal),
            );
        }
        props.insert("AutoDeployment".into(), Value::Object(auto));
    }
    let capabilities = capabilities(set);
    if !capabilities.is_empty() {
        props.insert("Capabilities".into(), json!(capabilities));
    }
    // Conflicting operations queue instead of failing (the engine waits for a running one too).
    props.insert("ManagedExecution".into(), json!({"Active": true}));
    if !set.operation.is_empty() {
        props.insert(
            "OperationPreferences".into(),
            operation_preferences(&set.operation),
        );
    }
    props.insert(
        "StackInstancesGroup".into(),
        Value::Array(
            set.targets
                .iter()
                .map(|t| {
                    let mut targets = Map::new();
                    if !t.organizational_units.is_empty() {
                        targets.insert(
                            "OrganizationalUnitIds".into(),
                            json!(t.organizational_units),
                        );
                    }
                    if !t.accounts.is_empty() {
                        targets.insert("Accounts".into(), json!(t.accounts));
                    }
                    if let Some(f) = t.account_filter {
                        targets.insert("AccountFilterType".into(), json!(f.as_api()));
                    }
                    json!({"DeploymentTargets": Value::Object(targets), "Regions": t.regions})
                })
                .collect(),
        ),
    );
    props.insert(
        "Tags".into(),
        Value::Array(
            tags(set, &spec_name(set))
                .into_iter()
                .map(|(k, v)| json!({"Key": literal(&k), "Value": literal(&v)}))
                .collect(),
        ),
    );
    props.insert("TemplateBody".into(), json!(member_body));

    let mut resources = Map::new();
    resources.insert(
        "StackSet".into(),
        json!({"Type": "AWS::CloudFormation::StackSet", "Properties": Value::Object(props)}),
    );
    let mut t = Map::new();
    t.insert("AWSTemplateFormatVersion".into(), json!(FORMAT_VERSION));
    t.insert(
        "Description".into(),
        json!(format!(
            "chatlog: the stack set {} for administrator account {} in {}",
            set.name, set.administrator.account, set.administrator.region
        )),
    );
    t.insert(
        "Metadata".into(),
        json!({"chatlog": {
            "Generated": GENERATED,
            "Account": set.administrator.account,
            "Region": set.administrator.region,
            "MemberFolder": member_folder,
            "Note": match set.permission_model {
                PermissionModel::ServiceManaged => "Deploy this stack in the administrator account and region. Service-managed: trusted access for StackSets must be on in AWS Organizations, and a delegated administrator must be registered (CallAs DELEGATED_ADMIN).",
                PermissionModel::SelfManaged => "Deploy this stack in the administrator account and region. Self-managed: the administration role must exist here and the execution role in every target account.",
            },
        }}),
    );
    t.insert("Resources".into(), Value::Object(resources));
    t.insert(
        "Outputs".into(),
        json!({"StackSetId": {"Description": "The stack set's id", "Value": {"Ref": "StackSet"}}}),
    );
    Value::Object(t)
}

/// The value of the `chatlog:spec` tag: the spec's name, which a spec with stack sets must have.
pub fn spec_name(set: &StackSet) -> String {
    set.spec_name.clone()
}

pub fn operation_preferences(o: &Operation) -> Value {
    let mut m = Map::new();
    if let Some(v) = o.concurrency_mode {
        m.insert("ConcurrencyMode".into(), json!(v.as_api()));
    }
    if let Some(v) = o.failure_tolerance_count {
        m.insert("FailureToleranceCount".into(), json!(v));
    }
    if let Some(v) = o.failure_tolerance_percentage {
        m.insert("FailureTolerancePercentage".into(), json!(v));
    }
    if let Some(v) = o.max_concurrent_count {
        m.insert("MaxConcurrentCount".into(), json!(v));
    }
    if let Some(v) = o.max_concurrent_percentage {
        m.insert("MaxConcurrentPercentage".into(), json!(v));
    }
    if let Some(v) = o.region_concurrency {
        m.insert("RegionConcurrencyType".into(), json!(v.as_api()));
    }
    if !o.region_order.is_empty() {
        m.insert("RegionOrder".into(), json!(o.region_order));
    }
    Value::Object(m)
}
