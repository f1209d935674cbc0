//! Stack sets (issue 16): the member template names no concrete account or region, the
//! administrator's template and Terraform module inline exactly the member, names are checked at
//! their longest expansion, and a member beyond one stack is refused with the alternative.
// Test code: clippy.toml's test allowances (unwrap, expect, panic, indexing) apply to all of it.
#![cfg(test)]

mod render_support;

use chatlog::render::{Target, TemplateFormat};
use render_support::common;
use render_support::*;
use serde_json::Value;

fn organization() -> chatlog::validate::Validation {
    validate_file(&common::root().join("examples/organization.yaml"))
}

fn file<'a>(r: &'a chatlog::render::Rendered, path: &str) -> &'a str {
    &r.files
        .iter()
        .find(|f| f.path == path)
        .unwrap_or_else(|| panic!("no {path}"))
        .contents
}

fn strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        Value::Object(o) => {
            for (k, x) in o {
                out.push(k.clone());
                strings(x, out);
            }
        }
        _ => {}
    }
}

#[test]
fn no_member_template_names_a_concrete_account_region_or_partition() {
    let v = organization();
    let r = render_validation(&v, &[Target::CloudFormation], TemplateFormat::Json);
    assert!(!r.has_errors(), "{:?}", r.diagnostics);
    let member: Value = serde_json::from_str(file(
        &r,
        "cloudformation/stack-sets/chat-baseline/member.json",
    ))
    .unwrap();
    let mut all = Vec::new();
    strings(&member, &mut all);
    assert!(all.len() > 50, "the walk saw {} strings", all.len());
    for s in &all {
        assert!(
            !s.chars()
                .collect::<Vec<_>>()
                .windows(12)
                .any(|w| w.iter().all(char::is_ascii_digit)),
            "an account id in the member: {s}"
        );
        for region in ["us-east-1", "us-west-2", "eu-west-1"] {
            assert!(!s.contains(region), "a region in the member: {s}");
        }
        assert!(!s.contains("arn:aws:"), "a literal partition: {s}");
    }
    // Each target's own values come from the pseudo parameters.
    let text = member.to_string();
    assert!(text.contains("acme-chat-${AWS::AccountId}-${AWS::Region}"));
    assert!(text.contains(r#"{"Ref":"AWS::AccountId"}"#));
    // Every logging configuration's ARN is published in SSM for applications.
    let params: Vec<&str> = member["Resources"]
        .as_object()
        .unwrap()
        .values()
        .filter(|r| r["Type"] == "AWS::SSM::Parameter")
        .map(|r| r["Properties"]["Name"].as_str().unwrap())
        .collect();
    assert_eq!(
        params,
        [
            "/chatlog/chat-baseline/archive-all/arn",
            "/chatlog/chat-baseline/tail/arn"
        ]
    );
}

#[test]
fn the_administrator_side_inlines_exactly_the_member() {
    let v = organization();
    let r = render_validation(
        &v,
        &[Target::CloudFormation, Target::Terraform],
        TemplateFormat::Yaml,
    );
    let member = file(&r, "cloudformation/stack-sets/chat-baseline/member.yaml");
    let admin: Value = serde_saphyr::from_str(file(
        &r,
        "cloudformation/stack-sets/chat-baseline/stack-set.yaml",
    ))
    .unwrap();
    let props = &admin["Resources"]["StackSet"]["Properties"];
    assert_eq!(props["TemplateBody"].as_str().unwrap(), member);
    assert_eq!(props["PermissionModel"], "SERVICE_MANAGED");
    assert_eq!(
        props["StackInstancesGroup"][0]["Regions"],
        serde_json::json!(["us-west-2", "eu-west-1"])
    );
    let tags: Vec<(&str, &str)> = props["Tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["Key"].as_str().unwrap(), t["Value"].as_str().unwrap()))
        .collect();
    assert!(tags.contains(&("chatlog:spec", "acme-chat-org")));
    assert!(tags.contains(&("chatlog:key", "chat-baseline")));
    // Terraform reads the same text from the file beside its module.
    let tf_dir = "terraform/111122223333-us-east-1-stack-sets";
    assert_eq!(
        file(&r, &format!("{tf_dir}/member-chat-baseline.yaml")),
        member
    );
    let main = file(&r, &format!("{tf_dir}/main.tf"));
    assert!(main.contains(r#"file(format("%s/member-chat-baseline.yaml", path.module))"#));
    // One instance resource per target and region.
    assert_eq!(
        main.matches("resource \"aws_cloudformation_stack_set_instance\"")
            .count(),
        2
    );
}

#[test]
fn a_self_managed_stack_set_gets_an_instance_per_account_and_region() {
    let v = validate_text(
        "self.yaml",
        r#"version: 1
name: org
stack_sets:
  baseline:
    administrator: { account: "111122223333", region: us-east-1 }
    permission_model: self_managed
    administration_role_arn: arn:aws:iam::111122223333:role/AWSCloudFormationStackSetAdministrationRole
    execution_role_name: AWSCloudFormationStackSetExecutionRole
    targets:
      - accounts: ["444455556666", "777788889999"]
        regions: [us-west-2, eu-west-1]
    destinations:
      tail: { cloudwatch_logs: { log_group: /chat/tail, create: true } }
    logging_configurations:
      tail: { destination: tail }
"#,
    );
    let r = render_validation(&v, &[Target::Terraform], TemplateFormat::Yaml);
    let main = file(&r, "terraform/111122223333-us-east-1-stack-sets/main.tf");
    assert_eq!(main.matches("account_id ").count(), 4, "{main}");
    assert!(main.contains("execution_role_name"));
    assert!(main.contains("administration_role_arn"));
}

#[test]
fn names_are_checked_at_their_longest_expansion() {
    // 55 characters as written; 59 in us-west-2, but 64 (over S3's 63) in ap-northeast-1.
    let bucket = format!("{}-{{account}}-{{region}}", "b".repeat(36));
    let text = format!(
        r#"version: 1
name: org
stack_sets:
  baseline:
    administrator: {{ account: "111122223333", region: us-east-1 }}
    permission_model: service_managed
    targets:
      - organizational_units: [ou-ab12-cdef3456]
        regions: [us-west-2, ap-northeast-1]
    destinations:
      archive: {{ s3: {{ bucket: "{bucket}", create: true }} }}
    logging_configurations:
      archive: {{ destination: archive }}
"#
    );
    let v = chatlog::validate::validate(vec![chatlog::spec::load::Input {
        name: "long.yaml".into(),
        bytes: text.into_bytes(),
    }]);
    let d = v
        .diagnostics
        .iter()
        .find(|d| d.rule.id() == "CL012")
        .unwrap_or_else(|| panic!("{:?}", v.diagnostics));
    assert!(d.message.contains("ap-northeast-1"), "{}", d.message);
    assert_eq!(d.location.as_ref().unwrap().line, 11);
}

#[test]
fn a_member_beyond_one_stack_is_refused_with_the_alternative() {
    let mut text = String::from(
        r#"version: 1
name: org
stack_sets:
  baseline:
    administrator: { account: "111122223333", region: us-east-1 }
    permission_model: service_managed
    targets:
      - organizational_units: [ou-ab12-cdef3456]
        regions: [us-west-2]
    destinations:
      tail: { cloudwatch_logs: { log_group: /chat/tail, create: true } }
    logging_configurations:
      tail: { destination: tail }
    rooms:
"#,
    );
    for i in 0..600 {
        text.push_str(&format!("      room-{i}: {{ logging: [tail] }}\n"));
    }
    let v = validate_text("big.yaml", &text);
    let r = render_validation(&v, &[Target::CloudFormation], TemplateFormat::Yaml);
    let found: Vec<&str> = r
        .diagnostics
        .iter()
        .filter(|d| d.rule.id() == "CL137")
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found[0].contains("603 resources"), "{}", found[0]);
    assert!(found[1].contains("51200 bytes"), "{}", found[1]);
    let help = r.diagnostics[0].help.as_deref().unwrap();
    assert!(
        help.contains("SSM") || help.contains("TemplateURL"),
        "{help}"
    );
    assert!(r.files.is_empty(), "no partial output");
}
