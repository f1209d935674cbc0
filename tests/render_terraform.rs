//! Terraform target: snapshots of every example and fixture; every .tf parses as HCL and uses only
//! what the hashicorp/aws 6.66.0 schema has (tests/data/terraform-aws-schema-subset.json);
//! policies are the same documents as src/policy's; checkov passes; hostile values stay data;
//! output is byte-identical across renders.
// Test code: clippy.toml's test allowances (unwrap, expect, panic, indexing) apply to all of it.
#![cfg(test)]

mod render_support;

use std::collections::BTreeMap;
use std::process::Command;

use chatlog::policy::plan;
use chatlog::render::{File, Target, TemplateFormat};
use hcl::eval::{Context, Evaluate};
use hcl::{Body, Expression};
use render_support::{
    cases, common, each_case, lay_out, render_validation, scratch, snapshot_text, validate_file,
    validate_text,
};
use serde_json::Value;

const TF: &[Target] = &[Target::Terraform];

/// (case name, files) for every case that renders for Terraform.
fn rendered_cases() -> Vec<(String, Vec<File>)> {
    cases()
        .into_iter()
        .filter_map(|(name, path)| {
            let v = validate_file(&path);
            let r = render_validation(&v, TF, TemplateFormat::Yaml);
            (!r.has_errors()).then_some((name, r.files))
        })
        .collect()
}

fn tf_files(files: &[File]) -> impl Iterator<Item = &File> {
    files.iter().filter(|f| f.path.ends_with(".tf"))
}

fn eval(expr: &Expression) -> Value {
    let v = expr
        .evaluate(&Context::new())
        .unwrap_or_else(|e| panic!("not plain data: {e}\n{expr:?}"));
    serde_json::to_value(v).unwrap()
}

#[test]
fn snapshots_of_every_case() {
    each_case(|kind, path| {
        let text = snapshot_text(&path.display().to_string(), path, TF);
        insta::assert_snapshot!(format!("terraform-{kind}"), text);
    });
}

#[test]
fn most_cases_render() {
    // The checks below must not pass by having nothing to check.
    let names: Vec<String> = rendered_cases().into_iter().map(|(n, _)| n).collect();
    for expected in [
        "example-quickstart",
        "fixture-all-kinds",
        "fixture-adversarial",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} missing from {names:?}"
        );
    }
}

#[test]
fn rates_up_to_the_apis_100_render_as_the_provider_now_accepts_them() {
    // multi-destination.yaml asks for 50 messages per second: hashicorp/aws validates 1-100
    // since 6.16.0 (PR #44572) and the module requires >= 6.66.0; CloudFormation's cap of 10
    // stands (CL060).
    let v = validate_file(&common::root().join("examples/multi-destination.yaml"));
    let r = render_validation(&v, TF, TemplateFormat::Yaml);
    assert!(!r.has_errors(), "{:?}", r.diagnostics);
    let main: String = r
        .files
        .iter()
        .filter(|f| f.path.ends_with("main.tf"))
        .map(|f| f.contents.clone())
        .collect();
    assert!(
        main.contains("maximum_message_rate_per_second = 50"),
        "{main}"
    );
    let versions: String = r.files.iter().map(|f| f.contents.clone()).collect();
    assert!(
        versions.contains(">= 6.66.0"),
        "the pinned range includes 6.16.0"
    );
    let cfn = render_validation(&v, &[Target::CloudFormation], TemplateFormat::Yaml);
    let d = cfn
        .diagnostics
        .iter()
        .find(|d| d.rule.id() == "CL060")
        .unwrap();
    assert_eq!(d.location.as_ref().unwrap().line, 43);
    assert!(cfn.files.is_empty());
}

#[test]
fn layout_is_a_root_module_per_deployment() {
    let v = validate_file(&common::root().join("tests/data/render/all-kinds.yaml"));
    let r = render_validation(&v, TF, TemplateFormat::Yaml);
    let paths: Vec<&str> = r.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "terraform/111122223333-eu-west-1/main.tf",
            "terraform/111122223333-eu-west-1/outputs.tf",
            "terraform/111122223333-eu-west-1/providers.tf",
            "terraform/111122223333-eu-west-1/versions.tf",
            "terraform/111122223333-us-east-1/main.tf",
            "terraform/111122223333-us-east-1/outputs.tf",
            "terraform/111122223333-us-east-1/providers.tf",
            "terraform/111122223333-us-east-1/variables.tf",
            "terraform/111122223333-us-east-1/versions.tf",
        ]
    );
    for f in r.files.iter().filter(|f| f.path.ends_with("providers.tf")) {
        let body = hcl::parse(&f.contents).unwrap();
        let p = body
            .blocks()
            .find(|b| b.identifier() == "provider")
            .unwrap();
        let ids = p
            .body()
            .attributes()
            .find(|a| a.key() == "allowed_account_ids")
            .unwrap();
        assert_eq!(eval(ids.expr()), serde_json::json!(["111122223333"]));
    }
}

// ---- the provider schema ----

struct Schema(Value);

impl Schema {
    fn load() -> Self {
        let text = std::fs::read_to_string(
            common::root().join("tests/data/terraform-aws-schema-subset.json"),
        )
        .unwrap();
        Schema(serde_json::from_str(&text).unwrap())
    }
}

/// Meta-arguments every resource takes (not in the provider schema).
const META_ATTRIBUTES: &[&str] = &["count", "for_each", "provider", "depends_on"];
const META_BLOCKS: &[&str] = &["lifecycle"];

/// Checks a body against a schema block (`attributes`, `blocks`, `read_only`); returns problems.
fn check_body(at: &str, body: &Body, schema: &Value, meta: bool, problems: &mut Vec<String>) {
    let attributes = schema["attributes"].as_object().unwrap();
    let read_only: Vec<&str> = schema["read_only"]
        .as_array()
        .map(|a| a.iter().map(|v| v.as_str().unwrap()).collect())
        .unwrap_or_default();
    let blocks = schema["blocks"].as_object().unwrap();
    for a in body.attributes() {
        let k = a.key();
        if read_only.contains(&k) {
            problems.push(format!("{at}: sets read-only `{k}`"));
        } else if !(attributes.contains_key(k) || meta && META_ATTRIBUTES.contains(&k)) {
            problems.push(format!("{at}: unknown argument `{k}`"));
        }
    }
    for (name, spec) in attributes {
        if spec["required"] == true && !body.attributes().any(|a| a.key() == name) {
            problems.push(format!("{at}: required argument `{name}` missing"));
        }
    }
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for b in body.blocks() {
        let k = b.identifier();
        *counts.entry(k).or_default() += 1;
        if meta && META_BLOCKS.contains(&k) {
            continue;
        }
        match blocks.get(k) {
            Some(spec) => check_body(
                &format!("{at}.{k}"),
                b.body(),
                &spec["block"],
                false,
                problems,
            ),
            None => problems.push(format!("{at}: unknown block `{k}`")),
        }
    }
    for (name, spec) in blocks {
        let n = counts.get(name.as_str()).copied().unwrap_or(0);
        if spec["nesting"] == "single" && n > 1 {
            problems.push(format!("{at}: single block `{name}` appears {n} times"));
        }
        if spec["required"] == true && n == 0 {
            problems.push(format!("{at}: required block `{name}` missing"));
        }
    }
}

fn check_file(schema: &Schema, path: &str, body: &Body) -> Vec<String> {
    let mut problems = Vec::new();
    for b in body.blocks() {
        let labels: Vec<&str> = b.labels().iter().map(|l| l.as_str()).collect();
        match (b.identifier(), labels.as_slice()) {
            ("resource", [ty, name]) => match schema.0["resource"].get(*ty) {
                Some(s) => check_body(
                    &format!("{path}: {ty}.{name}"),
                    b.body(),
                    s,
                    true,
                    &mut problems,
                ),
                None => problems.push(format!("{path}: resource type `{ty}` not in the schema")),
            },
            ("provider", ["aws"]) => check_body(
                &format!("{path}: provider"),
                b.body(),
                &schema.0["provider"]["aws"],
                false,
                &mut problems,
            ),
            ("terraform" | "output" | "variable", _) => {}
            // Terraform 1.5 import blocks: `to` names a resource of this file, `id` is a string.
            ("import", []) => {
                let attrs: Vec<(&str, &hcl::Expression)> =
                    b.body().attributes().map(|a| (a.key(), a.expr())).collect();
                let keys: Vec<&str> = attrs.iter().map(|(k, _)| *k).collect();
                if keys != ["to", "id"] {
                    problems.push(format!("{path}: import block with attributes {keys:?}"));
                }
                let to = attrs
                    .iter()
                    .find(|(k, _)| *k == "to")
                    .map(|(_, e)| e.to_string());
                let declared = body.blocks().any(|r| {
                    r.identifier() == "resource"
                        && Some(
                            r.labels()
                                .iter()
                                .map(|l| l.as_str())
                                .collect::<Vec<_>>()
                                .join("."),
                        ) == to
                });
                if !declared {
                    problems.push(format!(
                        "{path}: import `to` {to:?} is not a resource of this file"
                    ));
                }
                if !matches!(
                    attrs.iter().find(|(k, _)| *k == "id"),
                    Some((_, hcl::Expression::String(_)))
                ) {
                    problems.push(format!("{path}: import `id` is not a string"));
                }
            }
            (other, _) => problems.push(format!("{path}: unexpected top-level block `{other}`")),
        }
    }
    problems
}

#[test]
fn every_tf_file_parses_and_uses_only_what_the_provider_schema_has() {
    let schema = Schema::load();
    let mut resources = 0;
    for (name, files) in rendered_cases() {
        for f in tf_files(&files) {
            let body = hcl::parse(&f.contents)
                .unwrap_or_else(|e| panic!("{name}: {} does not parse: {e}", f.path));
            resources += body
                .blocks()
                .filter(|b| b.identifier() == "resource")
                .count();
            let problems = check_file(&schema, &f.path, &body);
            assert!(problems.is_empty(), "{name}:\n{}", problems.join("\n"));
        }
    }
    assert!(resources > 20, "only {resources} resources checked");
}

#[test]
fn the_schema_checker_catches_what_it_is_for() {
    let schema = Schema::load();
    let bad = r#"
resource "aws_ivschat_room" "r" {
  arn = "x"
  bogus = 1
  message_review_handler {}
  message_review_handler {}
}
resource "aws_s3_bucket_ownership_controls" "o" {}
resource "aws_nothing" "n" {}
"#;
    let problems = check_file(&schema, "bad.tf", &hcl::parse(bad).unwrap()).join("\n");
    for expected in [
        "sets read-only `arn`",
        "unknown argument `bogus`",
        "single block `message_review_handler` appears 2 times",
        "required argument `bucket` missing",
        "required block `rule` missing",
        "resource type `aws_nothing` not in the schema",
    ] {
        assert!(
            problems.contains(expected),
            "missing `{expected}` in:\n{problems}"
        );
    }
}

// ---- policies: one source of truth ----

/// Every jsonencode() policy in main.tf equals the document src/policy builds for it.
#[test]
fn policies_are_the_documents_of_src_policy() {
    let mut compared = 0;
    for (name, path) in cases() {
        let v = validate_file(&path);
        let r = render_validation(&v, TF, TemplateFormat::Yaml);
        if r.has_errors() {
            continue;
        }
        let model = v.model.as_ref().unwrap();
        for dep in &model.deployments {
            let policies = plan::for_deployment(dep);
            let main = r
                .files
                .iter()
                .find(|f| f.path == format!("terraform/{}-{}/main.tf", dep.account, dep.region))
                .unwrap();
            let body = hcl::parse(&main.contents).unwrap();
            let mut found: Vec<Value> = Vec::new();
            for b in body.blocks().filter(|b| b.identifier() == "resource") {
                let ty = b.labels()[0].as_str();
                let attr = match ty {
                    "aws_s3_bucket_policy" | "aws_iam_role_policy" => "policy",
                    "aws_cloudwatch_log_resource_policy" => "policy_document",
                    _ => continue,
                };
                let expr = b
                    .body()
                    .attributes()
                    .find(|a| a.key() == attr)
                    .unwrap()
                    .expr();
                let Expression::FuncCall(call) = expr else {
                    panic!("{name}: {attr} is not a call")
                };
                assert_eq!(call.name.name.as_str(), "jsonencode");
                found.push(eval(&call.args[0]));
            }
            let mut expected: Vec<Value> = Vec::new();
            expected.extend(
                policies
                    .buckets
                    .iter()
                    .filter(|b| b.destination.managed)
                    .map(|b| b.document.to_value()),
            );
            expected.extend(policies.log_groups.iter().map(|g| g.document.to_value()));
            expected.extend(
                policies
                    .bot_only_buckets
                    .iter()
                    .map(|b| b.document.to_value()),
            );
            expected.extend(
                policies
                    .account_policies
                    .iter()
                    .map(|p| p.document.to_value()),
            );
            expected.extend(
                dep.bots
                    .iter()
                    .filter_map(|b| chatlog::policy::lex::role_policy(dep, b))
                    .map(|d| d.to_value()),
            );
            assert_eq!(found, expected, "{name}");
            compared += found.len();
        }
    }
    assert!(compared >= 5, "only {compared} policies compared");
}

#[test]
fn existing_buckets_get_no_bucket_policy_only_the_statements_to_merge() {
    let v = validate_file(&common::root().join("tests/data/render/all-kinds.yaml"));
    let r = render_validation(&v, TF, TemplateFormat::Yaml);
    let dep = &v.model.as_ref().unwrap().deployments[1];
    assert_eq!(dep.region, "us-east-1");
    let all: String = r.files.iter().map(|f| f.contents.as_str()).collect();
    assert!(!all.contains("resource \"aws_s3_bucket_policy\" \"archive\""));
    assert!(!all.contains("resource \"aws_s3_bucket\" \"archive\""));
    let outputs = r
        .files
        .iter()
        .find(|f| f.path == "terraform/111122223333-us-east-1/outputs.tf")
        .unwrap();
    let body = hcl::parse(&outputs.contents).unwrap();
    let out = body
        .blocks()
        .find(|b| {
            b.identifier() == "output"
                && b.labels()[0].as_str() == "existing_bucket_policy_statements"
        })
        .unwrap();
    let value = out
        .body()
        .attributes()
        .find(|a| a.key() == "value")
        .unwrap()
        .expr();
    let Expression::Object(o) = value else {
        panic!()
    };
    let (_, call) = o.iter().next().unwrap();
    let Expression::FuncCall(call) = call else {
        panic!()
    };
    let policies = plan::for_deployment(dep);
    let doc = policies
        .buckets
        .iter()
        .find(|b| !b.destination.managed)
        .unwrap();
    assert_eq!(eval(&call.args[0]), doc.document.to_value());
    // The Firehose stream's tag is handed over, spelled exactly.
    assert!(outputs.contents.contains("LogDeliveryEnabled = \"true\""));
    let vars = r
        .files
        .iter()
        .find(|f| f.path.ends_with("us-east-1/variables.tf"))
        .unwrap();
    assert!(vars.contents.contains("default     = false"));
}

// ---- hostile values ----

const HOSTILE: &str = r#"
version: 1
defaults:
  account: "111122223333"
  region: us-west-2
  tags:
    "interp": "${var.secret} ${aws_s3_bucket.x.arn}"
    "directive": "%{ if true }yes%{ endif }"
    "escaped": "$${already} %%{also}"
    "quote\"key": "it's \"quoted\" \\ back\\slash"
    "multi": "line one\nline two\r\n\ttabbed"
    "unicode": "日本語 🎉 é\u200b"
    "${key}": "%{key}"
    "true": "false"
    "ctl": "bell\u0007 del\u007f"
destinations:
  archive:
    s3:
      bucket: acme-chat-archive-hostile
      create: true
logging_configurations:
  archive:
    destination: archive
rooms:
  "1lobby":
    logging: [archive]
    tags:
      "EOT": "<<EOT\nnot a heredoc\nEOT"
"#;

#[test]
fn hostile_names_and_tags_come_out_as_data() {
    let v = validate_text("hostile.yaml", HOSTILE);
    let model = v.model.as_ref().unwrap();
    let r = render_validation(&v, TF, TemplateFormat::Yaml);
    assert!(!r.has_errors(), "{:?}", r.diagnostics);
    let main = r
        .files
        .iter()
        .find(|f| f.path.ends_with("/main.tf"))
        .unwrap();
    let body = hcl::parse(&main.contents).unwrap_or_else(|e| panic!("{e}\n{}", main.contents));
    let dep = &model.deployments[0];
    let mut checked = 0;
    for b in body.blocks() {
        let labels: Vec<&str> = b.labels().iter().map(|l| l.as_str()).collect();
        let expected = match labels.as_slice() {
            ["aws_ivschat_room", _] => dep.rooms[0].tags.to_tags(),
            ["aws_s3_bucket", _] => dep.destinations[0].tags.clone(),
            ["aws_ivschat_logging_configuration", _] => dep.logging_configurations[0].tags.clone(),
            _ => continue,
        };
        let tags = b.body().attributes().find(|a| a.key() == "tags").unwrap();
        // Evaluating with no variables and no functions: any interpolation would fail here.
        let got: chatlog::model::Tags = serde_json::from_value(eval(tags.expr())).unwrap();
        assert_eq!(got, expected);
        checked += 1;
    }
    assert_eq!(checked, 3);
    // The room key that is not an identifier gets one, and references agree.
    let room = body
        .blocks()
        .find(|b| b.labels()[0].as_str() == "aws_ivschat_room")
        .unwrap();
    assert!(room.labels()[1].as_str().starts_with("_1lobby_"));
    assert!(main.contents.contains("$${var.secret}") && main.contents.contains("%%{ if true }"));
}

#[test]
fn output_is_byte_identical_across_renders() {
    for (name, path) in cases() {
        let a = render_validation(&validate_file(&path), TF, TemplateFormat::Yaml);
        let b = render_validation(&validate_file(&path), TF, TemplateFormat::Yaml);
        assert_eq!(a.files, b.files, "{name}");
    }
}

// ---- checkov ----

#[test]
fn checkov_passes_on_every_rendered_module() {
    let checkov = common::venv_tool("checkov");
    let mut modules = 0;
    for (name, files) in rendered_cases() {
        let dir = scratch(&format!("terraform-checkov-{name}"));
        lay_out(&dir, &files);
        let out = Command::new(&checkov)
            .args([
                "--quiet",
                "--compact",
                "--framework",
                "terraform",
                "--output",
                "json",
                "-d",
            ])
            .arg(dir.join("terraform"))
            .env("BC_SKIP_MAPPING", "TRUE")
            .env("CHECKOV_RUN_SCA_PACKAGE_SCAN_V2", "false")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
            panic!(
                "{name}: checkov printed no JSON ({e}): {stdout}\n{}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
        let reports = match &report {
            Value::Array(a) => a.clone(),
            other => vec![other.clone()],
        };
        let mut failed = Vec::new();
        let mut passed = 0;
        for r in &reports {
            passed += r["summary"]["passed"].as_u64().unwrap_or(0);
            for c in r["results"]["failed_checks"]
                .as_array()
                .into_iter()
                .flatten()
            {
                failed.push(format!(
                    "{} {} {}",
                    c["check_id"], c["resource"], c["file_path"]
                ));
            }
        }
        assert!(
            failed.is_empty(),
            "{name}: checkov failed:\n{}",
            failed.join("\n")
        );
        assert!(passed > 0, "{name}: checkov checked nothing: {stdout}");
        modules += files
            .iter()
            .filter(|f| f.path.ends_with("/main.tf"))
            .count();
    }
    assert!(modules >= 3);
}

// ---- terraform fmt ----

/// Every rendered module is as `terraform fmt` writes it: the real formatter (terraform 1.11.4
/// on these machines, scripts/test insists on it) has nothing to change.
#[test]
fn terraform_fmt_leaves_every_rendered_module_unchanged() {
    let version = Command::new("terraform").arg("version").output();
    let Ok(version) = version else {
        panic!(
            "terraform is not on the PATH: this test needs `terraform fmt` (scripts/test says how to get it)"
        );
    };
    assert!(version.status.success(), "terraform version failed");
    let mut modules = 0;
    for (name, files) in rendered_cases() {
        let dir = scratch(&format!("terraform-fmt-{name}"));
        lay_out(&dir, &files);
        let out = Command::new("terraform")
            .args(["fmt", "-check", "-diff", "-recursive"])
            .arg(dir.join("terraform"))
            .env("TF_CLI_CONFIG_FILE", "/dev/null")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{name}: terraform fmt would change the rendered files:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        modules += files
            .iter()
            .filter(|f| f.path.ends_with("/main.tf"))
            .count();
    }
    assert!(modules >= 3, "{modules} modules checked");
}

#[test]
fn terraform_fmt_check_catches_a_misaligned_file() {
    let dir = scratch("terraform-fmt-negative");
    std::fs::write(
        dir.join("main.tf"),
        "resource \"aws_ivschat_room\" \"r\" {\n  name = \"r\"\n  maximum_message_length = 10\n}\n",
    )
    .unwrap();
    let out = Command::new("terraform")
        .args(["fmt", "-check"])
        .arg(&dir)
        .env("TF_CLI_CONFIG_FILE", "/dev/null")
        .output()
        .expect("terraform is on the PATH");
    assert!(
        !out.status.success(),
        "fmt -check must refuse unaligned `=`"
    );
}
