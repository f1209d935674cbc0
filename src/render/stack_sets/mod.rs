//! Stack sets: the member template every target account and region gets, and the
//! administrator's side that rolls it out (a CloudFormation template with an
//! AWS::CloudFormation::StackSet, and a Terraform module). aws-facts.md §1(k).
//!
//! The member is rendered by the deployment renderer from a deployment whose account, region and
//! partition are CloudFormation's pseudo parameters; every string holding one becomes `Fn::Sub`
//! (or a plain `Ref` when it is nothing else), so no member template names a concrete account or
//! region. Spec values cannot hold `${`: the names that may hold placeholders have no `$` in
//! their character sets, and every other spec string goes through [`cloudformation::literal`],
//! which never leaves `${` in one piece.

mod administrator;
pub(crate) mod terraform;

use serde_json::{Map, Value, json};

use crate::diagnostic::{Diagnostic, Rule};
use crate::model::stack_set::{ACCOUNT, PARTITION, REGION};
use crate::model::{Model, StackSet, logical_id};
use crate::policy::limits::{CFN_MAX_RESOURCES, CFN_MAX_TEMPLATE_BODY_BYTES};
use crate::spec::source::{Anchor, Sources};

use super::cloudformation::{self, FORMAT_VERSION, GENERATED};
use super::{File, RenderError, TemplateFormat};

pub use administrator::stack_set_template;
// What the live engine sends with CreateStackSet.
#[cfg(feature = "aws")]
pub use administrator::{capabilities, description};

/// `cloudformation/stack-sets/<name>/`.
pub fn folder(set: &StackSet) -> String {
    format!("cloudformation/stack-sets/{}", set.name)
}

/// The member template and the administrator's template of every stack set.
pub fn render(model: &Model, format: TemplateFormat) -> Result<Vec<File>, RenderError> {
    let ext = cloudformation::extension(format);
    let mut files = Vec::new();
    for set in &model.stack_sets {
        let member_path = format!("{}/member.{ext}", folder(set));
        let member = member_text(set, format)?;
        let body = member_body(set);
        let admin_path = format!("{}/stack-set.{ext}", folder(set));
        let admin = cloudformation::serialize(
            &admin_path,
            &stack_set_template(set, &body, &folder(set)),
            format,
        )?;
        files.push(File {
            path: member_path,
            contents: member,
        });
        files.push(File {
            path: admin_path,
            contents: admin,
        });
    }
    Ok(files)
}

/// The member template as text, in the format of the render.
pub fn member_text(set: &StackSet, format: TemplateFormat) -> Result<String, RenderError> {
    let path = format!(
        "{}/member.{}",
        folder(set),
        cloudformation::extension(format)
    );
    cloudformation::serialize(&path, &member_template(set), format)
}

/// The TemplateBody the administrator's side inlines: the member in YAML, the smaller of the two
/// forms, whatever the format of the files (CL137 measures this text).
pub fn member_body(set: &StackSet) -> String {
    super::to_yaml(&member_template(set))
}

/// What every target account and region gets: the member deployment's resources, and an SSM
/// parameter per logging configuration holding its ARN.
pub fn member_template(set: &StackSet) -> Value {
    let parts = cloudformation::member_parts(&set.member);
    let mut resources = parts.resources;
    for c in &set.member.logging_configurations {
        let mut props = Map::new();
        props.insert("Name".into(), json!(set.parameter_name(&c.key)));
        props.insert("Type".into(), json!("String"));
        props.insert("Value".into(), json!({"Fn::GetAtt": [c.logical_id, "Arn"]}));
        props.insert(
            "Description".into(),
            json!(format!(
                "ARN of chatlog logging configuration `{}` of stack set `{}`: attach it to the rooms you create here",
                c.key, set.name
            )),
        );
        if !set.tags.is_empty() {
            props.insert(
                "Tags".into(),
                Value::Object(
                    set.tags
                        .iter()
                        .map(|(k, v)| (k.clone(), cloudformation::literal(v)))
                        .collect(),
                ),
            );
        }
        resources.insert(
            parameter_id(&c.key),
            json!({"Type": "AWS::SSM::Parameter", "Properties": Value::Object(props)}),
        );
    }
    let mut t = Map::new();
    t.insert("AWSTemplateFormatVersion".into(), json!(FORMAT_VERSION));
    t.insert(
        "Description".into(),
        json!(format!(
            "chatlog: IVS Chat logging baseline of stack set {}, in every target account and region",
            set.name
        )),
    );
    let mut metadata = Map::new();
    metadata.insert("Generated".into(), json!(GENERATED));
    metadata.insert("StackSet".into(), json!(set.name));
    if set
        .member
        .destinations
        .iter()
        .any(|d| matches!(d.kind, crate::model::DestinationKind::Firehose { .. }))
    {
        metadata.insert(
            "Firehose".into(),
            json!("Each target's delivery stream needs the tag LogDeliveryEnabled=true and log delivery's service-linked role AWSServiceRoleForLogDelivery; this template creates the role only when the stack set passes CreateLogDeliveryServiceLinkedRole=true (an account with several target regions must create it in one of them)."),
        );
    }
    t.insert("Metadata".into(), json!({ "chatlog": metadata }));
    if !parts.parameters.is_empty() {
        t.insert("Parameters".into(), Value::Object(parts.parameters));
    }
    if !parts.conditions.is_empty() {
        t.insert("Conditions".into(), Value::Object(parts.conditions));
    }
    t.insert("Resources".into(), Value::Object(resources));
    if !parts.outputs.is_empty() {
        t.insert("Outputs".into(), Value::Object(parts.outputs));
    }
    substitute(Value::Object(t))
}

fn parameter_id(configuration_key: &str) -> String {
    logical_id("LoggingConfigurationParameter", configuration_key)
}

/// Strings that hold the member's placeholders become `Fn::Sub` (a lone placeholder a `Ref`).
/// A value already under `Fn::Sub` is left as it is.
fn substitute(value: Value) -> Value {
    match value {
        Value::String(s) if s.contains("${AWS::") => {
            for (placeholder, name) in [
                (ACCOUNT, "AWS::AccountId"),
                (REGION, "AWS::Region"),
                (PARTITION, "AWS::Partition"),
            ] {
                if s == placeholder {
                    return json!({ "Ref": name });
                }
            }
            json!({ "Fn::Sub": s })
        }
        Value::Array(items) => Value::Array(items.into_iter().map(substitute).collect()),
        Value::Object(map) => {
            if map.contains_key("Fn::Sub") {
                return Value::Object(map);
            }
            Value::Object(map.into_iter().map(|(k, v)| (k, substitute(v))).collect())
        }
        other => other,
    }
}

/// The member template must fit one stack and an inline TemplateBody (CL137); chatlog renders
/// TemplateBody only.
pub fn check(model: &Model, sources: &Sources) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for set in &model.stack_sets {
        let template = member_template(set);
        let resources = template
            .get("Resources")
            .and_then(Value::as_object)
            .map_or(0, Map::len);
        let at = sources.locate(set.origin.file, &set.origin.pointer, Anchor::Key);
        if resources > CFN_MAX_RESOURCES {
            out.push(
                Diagnostic::new(
                    Rule::StackSetTooLarge,
                    format!(
                        "stack set `{}` gives every target {resources} resources, over CloudFormation's {CFN_MAX_RESOURCES} per stack",
                        set.key
                    ),
                )
                .at(at.clone())
                .help("a stack instance is one stack: move rooms out of the stack set (applications create rooms and attach the logging configurations they find in SSM), or split the baseline into several stack sets"),
            );
        }
        let bytes = super::to_yaml(&template).len();
        if bytes > CFN_MAX_TEMPLATE_BODY_BYTES {
            out.push(
                Diagnostic::new(
                    Rule::StackSetTooLarge,
                    format!(
                        "the member template of stack set `{}` is {bytes} bytes, over the {CFN_MAX_TEMPLATE_BODY_BYTES} bytes of an inline TemplateBody",
                        set.key
                    ),
                )
                .at(at)
                .help("chatlog inlines the member as TemplateBody; beyond 51,200 bytes CloudFormation needs TemplateURL (a copy in S3, up to 1 MB), which chatlog does not manage: move rooms out of the stack set or split it"),
            );
        }
    }
    out
}
