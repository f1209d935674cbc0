//! CloudFormation target: snapshots of every example and fixture, cfn-lint and checkov on every
//! template, YAML and JSON agree, determinism, splitting at CloudFormation's limits.
// Test code: clippy.toml's test allowances (unwrap, expect, panic, indexing) apply to all of it.
#![cfg(test)]

mod render_support;

use std::process::Command;

use chatlog::render::{Target, TemplateFormat};
use render_support::common;
use render_support::*;
use serde_json::Value;

const CFN: &[Target] = &[Target::CloudFormation];

fn parse_yaml(text: &str) -> Value {
    serde_saphyr::from_str_with_options(
        text,
        serde_saphyr::options! { strict_booleans: true, leading_zero_numbers_as_strings: true },
    )
    .unwrap()
}

#[test]
fn snapshots_of_every_case() {
    each_case(|kind, path| {
        let text = snapshot_text(&path.display().to_string(), path, CFN);
        insta::assert_snapshot!(format!("cloudformation-{kind}"), text);
    });
}

#[test]
fn examples_above_cloudformation_limits_are_refused_with_the_limit_and_the_alternative() {
    // multi-destination.yaml asks for 50 messages per second, which the API allows and
    // CloudFormation does not.
    let v = validate_file(&common::root().join("examples/multi-destination.yaml"));
    let r = render_validation(&v, CFN, TemplateFormat::Yaml);
    let d = r
        .diagnostics
        .iter()
        .find(|d| d.rule.id() == "CL060")
        .unwrap();
    assert!(
        d.message.contains("50") && d.message.contains("at most 10"),
        "{}",
        d.message
    );
    assert!(d.help.as_deref().unwrap().contains("chatlog apply"));
    let loc = d.location.as_ref().unwrap();
    assert_eq!(
        (loc.file.as_str(), loc.line),
        ("examples/multi-destination.yaml", 43)
    );
    assert!(r.files.is_empty());
    // The policies target has no such limit.
    let p = render_validation(&v, &[Target::Policies], TemplateFormat::Yaml);
    assert!(!p.has_errors() && !p.files.is_empty());
}

#[test]
fn empty_room_tag_values_point_at_where_the_tag_is_set() {
    let v = validate_file(&common::root().join("tests/data/render/empty-room-tag.yaml"));
    let r = render_validation(&v, CFN, TemplateFormat::Yaml);
    let at: Vec<(String, u32)> = r
        .diagnostics
        .iter()
        .filter(|d| d.rule.id() == "CL061")
        .map(|d| {
            let l = d.location.as_ref().unwrap();
            (l.pointer.clone().unwrap(), l.line)
        })
        .collect();
    assert_eq!(
        at,
        vec![
            ("/rooms/lobby/tags/note".to_owned(), 20),
            ("/defaults/tags/owner".to_owned(), 7)
        ]
    );
}

#[test]
fn output_is_byte_identical_across_runs_and_formats_agree() {
    let mut compared = 0;
    for (name, path) in cases() {
        let v = validate_file(&path);
        let a = render_validation(&v, CFN, TemplateFormat::Yaml);
        if a.has_errors() {
            continue;
        }
        let again = validate_file(&path);
        let b = render_validation(&again, CFN, TemplateFormat::Yaml);
        assert_eq!(a.files, b.files, "{name}: not deterministic");
        let json = render_validation(&v, CFN, TemplateFormat::Json);
        assert_eq!(a.files.len(), json.files.len());
        for (y, j) in a.files.iter().zip(&json.files) {
            assert_eq!(y.path.replace(".yaml", ".json"), j.path);
            let from_yaml = parse_yaml(&y.contents);
            let from_json: Value = serde_json::from_str(&j.contents).unwrap();
            assert_eq!(
                from_yaml, from_json,
                "{name}: {} and its JSON differ",
                y.path
            );
            compared += 1;
        }
    }
    // Cases with findings render nothing and are skipped; the rest must not all be.
    assert!(compared > 0, "no template was compared");
}

/// Every spec string reaches the template as the same string: the YAML parses back to values
/// equal to the spec's (through `Fn::Join` where the value holds `${`).
#[test]
fn adversarial_tags_come_out_as_data() {
    let v = validate_file(&common::root().join("tests/data/render/adversarial.yaml"));
    let model = v.model.as_ref().unwrap();
    let r = render_validation(&v, CFN, TemplateFormat::Yaml);
    let t = parse_yaml(&r.files[0].contents);
    let room = &model.deployments[0].rooms[0];
    let tags = &t["Resources"][&room.logical_id]["Properties"]["Tags"];
    let resolved: Vec<(String, String)> = tags
        .as_array()
        .unwrap()
        .iter()
        .map(|tag| (resolve(&tag["Key"]), resolve(&tag["Value"])))
        .collect();
    let expected: Vec<(String, String)> = room
        .tags
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    assert_eq!(resolved, expected);
    assert_eq!(room.tags.get("long").map(|v| v.chars().count()), Some(256));
    assert_eq!(
        t["Resources"][&room.logical_id]["Properties"]["Name"],
        "true"
    );
    // Nothing but chatlog's own intrinsics: Ref, Fn::GetAtt, Fn::Join, Fn::If, Fn::Equals.
    fn keys(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                for (k, v) in m {
                    if k.starts_with("Fn::") || k == "Ref" {
                        out.push(k.clone());
                    }
                    keys(v, out);
                }
            }
            Value::Array(a) => a.iter().for_each(|v| keys(v, out)),
            _ => {}
        }
    }
    let mut found = Vec::new();
    keys(&t, &mut found);
    found.sort();
    found.dedup();
    assert_eq!(found, ["Fn::GetAtt", "Fn::Join", "Ref"]);
}

fn resolve(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Object(m) => {
            let parts = &m["Fn::Join"];
            assert_eq!(parts[0], "");
            parts[1]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p.as_str().unwrap())
                .collect()
        }
        other => panic!("unexpected {other}"),
    }
}

#[test]
fn logging_configurations_depend_on_the_policy_that_lets_log_delivery_write() {
    let v = validate_file(&common::root().join("tests/data/render/all-kinds.yaml"));
    let model = v.model.as_ref().unwrap();
    let r = render_validation(&v, CFN, TemplateFormat::Yaml);
    let file = r
        .files
        .iter()
        .find(|f| f.path.ends_with("us-east-1.yaml"))
        .unwrap();
    let t = parse_yaml(&file.contents);
    let res = &t["Resources"];
    let dep = model
        .deployments
        .iter()
        .find(|d| d.region == "us-east-1")
        .unwrap();
    let lc = |key: &str| &res[&dep.logging_configuration(key).unwrap().logical_id];
    let own = dep.destination("own-archive").unwrap();
    assert_eq!(
        lc("own-archive")["DependsOn"],
        serde_json::json!([format!("{}Policy", own.logical_id)])
    );
    assert_eq!(
        res[format!("{}Policy", own.logical_id)]["Type"],
        "AWS::S3::BucketPolicy"
    );
    assert_eq!(
        lc("legacy")["DependsOn"],
        serde_json::json!(["LogDeliveryAccountPolicy"])
    );
    assert_eq!(
        lc("analytics")["DependsOn"],
        serde_json::json!(["LogDeliveryServiceLinkedRoleReady"])
    );
    // A managed log group carries its policy; the Ref orders the configuration after it.
    let tail = dep.destination("tail").unwrap();
    assert_eq!(
        lc("tail")["Properties"]["DestinationConfiguration"]["CloudWatchLogs"]["LogGroupName"]["Ref"],
        tail.logical_id.as_str()
    );
    assert!(res[&tail.logical_id]["Properties"]["ResourcePolicyDocument"]["Statement"].is_array());
    // The existing bucket gets no BucketPolicy (it would replace its owner's), and says why.
    let archive = dep.destination("archive").unwrap();
    assert!(res.get(format!("{}Policy", archive.logical_id)).is_none());
    assert!(res.get(&archive.logical_id).is_none());
    let notes = t["Metadata"]["chatlog"]["ExistingDestinations"]
        .as_array()
        .unwrap();
    assert!(notes.iter().any(|n| n["Bucket"] == "acme-shared-archive"
        && n["Note"].as_str().unwrap().contains("chatlog policy merge")));
    // The service-linked role is opt-in.
    assert_eq!(
        t["Parameters"]["CreateLogDeliveryServiceLinkedRole"]["Default"],
        "false"
    );
    assert_eq!(
        res["LogDeliveryServiceLinkedRole"]["Condition"],
        "ShouldCreateLogDeliveryServiceLinkedRole"
    );
}

/// Over 200 outputs (one per room) a deployment splits into a base stack and room stacks that
/// import the base's exports; every part stays within the limits.
#[test]
fn large_deployments_split_into_stacks_within_limits() {
    let text = big_spec(450, 1, 200);
    let v = validate_text("big.yaml", &text);
    let r = render_validation(&v, CFN, TemplateFormat::Yaml);
    let paths: Vec<&str> = r.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "cloudformation/111122223333-us-east-1-rooms-001.yaml",
            "cloudformation/111122223333-us-east-1-rooms-002.yaml",
            "cloudformation/111122223333-us-east-1-rooms-003.yaml",
            "cloudformation/111122223333-us-east-1.yaml",
        ]
    );
    let mut rooms = 0;
    for f in &r.files {
        assert!(f.contents.len() <= 1_000_000);
        let t = parse_yaml(&f.contents);
        let resources = t["Resources"].as_object().unwrap().len();
        let outputs = t["Outputs"].as_object().map_or(0, |o| o.len());
        assert!(
            resources <= 500 && outputs <= 200,
            "{}: {resources} resources, {outputs} outputs",
            f.path
        );
        assert_eq!(
            t["Metadata"]["chatlog"]["DeployOrder"]["Templates"][0],
            "cloudformation/111122223333-us-east-1.yaml"
        );
        rooms += t["Resources"]
            .as_object()
            .unwrap()
            .values()
            .filter(|r| r["Type"] == "AWS::IVSChat::Room")
            .count();
    }
    assert_eq!(rooms, 450);
    // Big tags: the 1 MB limit splits further than the 200-output limit does.
    let text = big_spec(600, 1, 20_000 / 80);
    let v = validate_text("big-tags.yaml", &text);
    let r = render_validation(&v, CFN, TemplateFormat::Yaml);
    assert!(r.files.iter().all(|f| f.contents.len() <= 1_000_000));
}

/// cfn-lint 0 errors and 0 warnings on every template of every case, YAML and JSON, and on a
/// split deployment.
#[test]
fn cfn_lint_passes_every_template() {
    let dir = scratch("cfn-lint");
    let mut n = 0;
    for (name, path) in cases() {
        let v = validate_file(&path);
        for format in [TemplateFormat::Yaml, TemplateFormat::Json] {
            let r = render_validation(&v, CFN, format);
            n += r.files.len();
            lay_out(&dir.join(&name), &r.files);
        }
    }
    let v = validate_text("big.yaml", &big_spec(450, 2, 10));
    let r = render_validation(&v, CFN, TemplateFormat::Yaml);
    n += r.files.len();
    lay_out(&dir.join("split"), &r.files);
    assert!(n >= 10, "only {n} templates");
    let out = Command::new(common::venv_tool("cfn-lint"))
        .arg("--")
        .arg(dir.join("**/cloudformation/*.yaml"))
        .arg(dir.join("**/cloudformation/*.json"))
        // Stack sets: the member template and the administrator's.
        .arg(dir.join("**/cloudformation/stack-sets/*/*.yaml"))
        .arg(dir.join("**/cloudformation/stack-sets/*/*.json"))
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && report.trim().is_empty(),
        "cfn-lint:\n{report}{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// checkov: no failed check; the checks chatlog skips are skipped in the template with a reason.
#[test]
fn checkov_finds_no_failed_check() {
    let dir = scratch("checkov");
    for (name, path) in cases() {
        let v = validate_file(&path);
        let r = render_validation(&v, CFN, TemplateFormat::Yaml);
        lay_out(&dir.join(&name), &r.files);
    }
    let out = Command::new(common::venv_tool("checkov"))
        .args([
            "--framework",
            "cloudformation",
            "--skip-download",
            "-o",
            "json",
            "-d",
        ])
        .arg(&dir)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let report: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    let reports = match report {
        Value::Array(a) => a,
        one => vec![one],
    };
    let mut passed = 0;
    for r in &reports {
        let failed = r["results"]["failed_checks"].as_array().unwrap();
        assert!(
            failed.is_empty(),
            "checkov failed: {}",
            serde_json::to_string_pretty(failed).unwrap()
        );
        passed += r["summary"]["passed"].as_u64().unwrap();
        for s in r["results"]["skipped_checks"].as_array().unwrap() {
            let reason = s["check_result"]["suppress_comment"].as_str().unwrap_or("");
            assert!(reason.len() > 20, "skip without a reason: {s}");
        }
    }
    assert!(
        passed > 10,
        "checkov checked almost nothing ({passed} passed)"
    );
    assert!(out.status.success());
}
