//! Policies target: snapshots of every example and fixture, parliament on every policy
//! document, size limits and splitting, agreement with the CloudFormation templates, merge.
// Test code: clippy.toml's test allowances (unwrap, expect, panic, indexing) apply to all of it.
#![cfg(test)]

mod render_support;

use std::process::Command;

use chatlog::policy::merge::{MergeError, merge_bucket_policy, needed_for_bucket};
use chatlog::render::{Target, TemplateFormat};
use render_support::common;
use render_support::*;
use serde_json::{Value, json};

const POLICIES: &[Target] = &[Target::Policies];

#[test]
fn snapshots_of_every_case() {
    each_case(|kind, path| {
        let v = validate_file(path);
        let r = render_validation(&v, POLICIES, TemplateFormat::Yaml);
        assert!(!r.has_errors(), "{}", path.display());
        insta::assert_snapshot!(format!("policies-{kind}"), files_text(&r.files));
    });
}

/// The permission policies of a rendered policies folder, as (file name, document): every file
/// but the Firehose requirements, which hold only a role trust policy (AWS's own; parliament
/// audits permission policies), and the Lex alias settings, which are no policy.
fn documents(files: &[chatlog::render::File]) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for f in files {
        let v: Value = serde_json::from_str(&f.contents).unwrap();
        let name = f.path.replace('/', "__");
        if !f.path.contains("/firehose-") && !f.path.contains("/lex-settings-") {
            out.push((name, v));
        }
    }
    out
}

fn parliament(dir: &std::path::Path) -> Vec<Value> {
    let out = Command::new(common::venv_tool("parliament"))
        .args(["--minimum_severity", "INFO", "--json", "--directory"])
        .arg(dir)
        .stdin(std::process::Stdio::piped())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let findings: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        out.status.success(),
        findings.is_empty(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    findings
}

/// parliament (default auditors, every severity) on every policy document of every case; a
/// stack set's as one target account gets them.
///
/// One finding is accepted on the deployer policies, and only there: whoever deploys a spec that
/// creates a bucket must be able to write that bucket's policy (the AWS::S3::BucketPolicy
/// handlers need s3:PutBucketPolicy, aws-facts.md §1(e)), and parliament reports
/// RESOURCE_POLICY_PRIVILEGE_ESCALATION because whoever can write a bucket policy can grant
/// themselves object access. That is true and inherent; the deployer gets s3:PutBucketPolicy
/// only on buckets the spec creates, never on existing ones (their owners merge the statements).
#[test]
fn parliament_finds_nothing_in_any_policy_document() {
    let resources = scratch("parliament-resource");
    let deployers = scratch("parliament-deployer");
    let mut n = 0;
    let mut cases = cases();
    cases.push(("big".to_owned(), std::path::PathBuf::new()));
    for (name, path) in cases {
        let v = if name == "big" {
            validate_text("big.yaml", &big_spec(20, 7, 10))
        } else {
            validate_file(&path)
        };
        let r = render_validation(&v, POLICIES, TemplateFormat::Yaml);
        for (file, doc) in documents(&r.files) {
            assert!(
                doc["Statement"].is_array(),
                "{file} is not a policy document"
            );
            let dir = if file.contains("deployer") {
                &deployers
            } else {
                &resources
            };
            let mut text = serde_json::to_string_pretty(&doc).unwrap();
            // A stack set's documents name each target account `{account}`: checked as one
            // target gets them.
            if file.contains("stack-sets") {
                assert!(text.contains("{account}"), "{file}");
                text = text.replace("{account}", "444455556666");
            }
            std::fs::write(dir.join(format!("{name}__{file}")), text).unwrap();
            n += 1;
        }
    }
    assert!(n > 15, "only {n} documents");
    assert_eq!(parliament(&resources), Vec::<Value>::new());
    for f in parliament(&deployers) {
        if f["issue"] == "RESOURCE_MISMATCH" {
            // parliament reads `lex:` actions from the first service with that prefix, Lex V1,
            // whose DeleteBotAlias takes `bot:NAME:ALIAS`; Lex V2's action of the same name takes
            // `bot-alias/BOTID/ALIASID`, which `lex_v2_arns_match_the_iam_authorization_data`
            // checks against the V2 entry of the same data. Nothing else may mismatch.
            for d in f["detail"].as_array().unwrap() {
                assert_eq!(d["action"], "lex:DeleteBotAlias", "{f}");
                assert_eq!(d["required_format"], "arn:*:lex:*:*:bot:*:*", "{f}");
            }
            continue;
        }
        assert_eq!(f["issue"], "RESOURCE_POLICY_PRIVILEGE_ESCALATION", "{f}");
        assert!(
            f["detail"]
                .as_str()
                .unwrap()
                .ends_with("but does allow s3:PutBucketPolicy"),
            "{f}"
        );
    }
}

/// Whether `arn` fits an IAM resource pattern (`arn:${Partition}:lex:...`), each `${...}`
/// standing for one or more characters.
fn fits(pattern: &str, arn: &str) -> bool {
    let Some((literal, rest)) = pattern.split_once("${") else {
        return pattern == arn;
    };
    let Some(tail) = arn.strip_prefix(literal) else {
        return false;
    };
    let (_, after) = rest.split_once('}').unwrap();
    (1..=tail.len()).any(|n| tail.is_char_boundary(n) && fits(after, &tail[n..]))
}

/// The Lex V2 statements of the deployer policy name resources as IAM's service authorization
/// data (parliament's copy, from the venv) defines them for Lex V2: every resource of a
/// statement fits a resource type of every action in it.
#[test]
fn lex_v2_arns_match_the_iam_authorization_data() {
    let lib = common::venv_tool("python")
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("lib");
    let data = std::fs::read_dir(&lib)
        .unwrap()
        .map(|e| {
            e.unwrap()
                .path()
                .join("site-packages/parliament/iam_definition.json")
        })
        .find(|p| p.is_file())
        .unwrap();
    let services: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(data).unwrap()).unwrap();
    let v2 = services
        .iter()
        .find(|s| s["service_name"] == "Amazon Lex V2")
        .unwrap();
    let pattern_of = |resource_type: &str| -> String {
        let name = resource_type.trim_end_matches('*');
        v2["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["resource"] == name)
            .unwrap()["arn"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let v = validate_file(&common::root().join("examples/lex-and-audit.yaml"));
    let r = render_validation(&v, POLICIES, TemplateFormat::Yaml);
    let deployer: Value = serde_json::from_str(
        &r.files
            .iter()
            .find(|f| f.path == "policies/deployer.json")
            .unwrap()
            .contents,
    )
    .unwrap();
    let mut checked = 0;
    for statement in deployer["Statement"].as_array().unwrap() {
        let actions: Vec<&str> = match &statement["Action"] {
            Value::String(a) => vec![a.as_str()],
            a => a
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap())
                .collect(),
        };
        let resources: Vec<&str> = match &statement["Resource"] {
            Value::String(r) => vec![r.as_str()],
            r => r
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r.as_str().unwrap())
                .collect(),
        };
        for action in actions.iter().filter_map(|a| a.strip_prefix("lex:")) {
            let privilege = v2["privileges"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["privilege"] == action)
                .unwrap_or_else(|| panic!("lex:{action} is no Lex V2 action"));
            let patterns: Vec<String> = privilege["resource_types"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["resource_type"].as_str().unwrap())
                .filter(|t| !t.is_empty())
                .map(pattern_of)
                .collect();
            for resource in &resources {
                assert!(
                    patterns.iter().any(|p| fits(p, resource)),
                    "lex:{action} on {resource} fits none of {patterns:?}"
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 8, "only {checked} action/resource pairs checked");
    // The matcher can fail: a Lex V1 alias ARN does not fit the V2 alias type.
    assert!(!fits(
        &pattern_of("bot alias"),
        "arn:aws:lex:us-east-1:111122223333:bot:Faq:Prod"
    ));
}

/// Proves the parliament run above can fail: a policy with a known finding is reported.
#[test]
fn parliament_reports_a_bad_policy() {
    let dir = scratch("parliament-bad");
    std::fs::write(
        dir.join("bad.json"),
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:PutResourcePolicy","Resource":"arn:aws:logs:us-east-1:111122223333:log-group:x"}]}"#,
    )
    .unwrap();
    let out = Command::new(common::venv_tool("parliament"))
        .args(["--minimum_severity", "INFO", "--json", "--directory"])
        .arg(&dir)
        .stdin(std::process::Stdio::piped())
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("RESOURCE_MISMATCH"));
}

/// The S3 log-delivery statements exactly as aws-facts.md §1(c) shows them.
#[test]
fn s3_statements_have_the_reference_shape() {
    let v = validate_file(&common::root().join("examples/quickstart.yaml"));
    let r = render_validation(&v, POLICIES, TemplateFormat::Yaml);
    let f = r
        .files
        .iter()
        .find(|f| f.path.ends_with("/s3-archive.json"))
        .unwrap();
    let doc: Value = serde_json::from_str(&f.contents).unwrap();
    let bucket = "arn:aws:s3:::acme-chat-archive-111122223333";
    let conditions = json!({
        "StringEquals": {"aws:SourceAccount": ["111122223333"]},
        "ArnLike": {"aws:SourceArn": ["arn:aws:logs:us-west-2:111122223333:*"]}
    });
    assert_eq!(doc["Id"], "AWSLogDeliveryWrite20150319");
    assert_eq!(
        doc["Statement"][0],
        json!({"Sid": "AWSLogDeliveryAclCheck", "Effect": "Allow", "Principal": {"Service": "delivery.logs.amazonaws.com"}, "Action": "s3:GetBucketAcl", "Resource": bucket, "Condition": conditions})
    );
    assert_eq!(
        doc["Statement"][1],
        json!({"Sid": "AWSLogDeliveryWrite", "Effect": "Allow", "Principal": {"Service": "delivery.logs.amazonaws.com"}, "Action": "s3:PutObject",
               "Resource": format!("{bucket}/AWSLogs/111122223333/*"),
               "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceAccount": ["111122223333"]},
                             "ArnLike": {"aws:SourceArn": ["arn:aws:logs:us-west-2:111122223333:*"]}}})
    );
    assert_eq!(doc["Statement"][2]["Effect"], "Deny");
    assert_eq!(
        doc["Statement"][2]["Condition"],
        json!({"Bool": {"aws:SecureTransport": "false"}})
    );
}

/// The bucket and log-group policies in the templates are the documents in policies/.
#[test]
fn templates_and_policy_files_carry_the_same_documents() {
    let v = validate_file(&common::root().join("tests/data/render/all-kinds.yaml"));
    let r = render_validation(
        &v,
        &[Target::CloudFormation, Target::Policies],
        TemplateFormat::Json,
    );
    let file = |p: &str| -> Value {
        serde_json::from_str(&r.files.iter().find(|f| f.path == p).unwrap().contents).unwrap()
    };
    let t = file("cloudformation/111122223333-us-east-1.json");
    let model = v.model.as_ref().unwrap();
    let dep = model
        .deployments
        .iter()
        .find(|d| d.region == "us-east-1")
        .unwrap();
    let own = dep.destination("own-archive").unwrap();
    assert_eq!(
        t["Resources"][format!("{}Policy", own.logical_id)]["Properties"]["PolicyDocument"],
        file("policies/111122223333-us-east-1/s3-own-archive.json")
    );
    let tail = dep.destination("tail").unwrap();
    assert_eq!(
        t["Resources"][&tail.logical_id]["Properties"]["ResourcePolicyDocument"],
        file("policies/111122223333-us-east-1/logs-tail.json")
    );
    assert_eq!(
        t["Resources"]["LogDeliveryAccountPolicy"]["Properties"]["PolicyDocument"],
        file("policies/111122223333-us-east-1/logs-account-chatlog-ivschat-log-delivery.json")
    );
    // The existing bucket's statements to merge carry no TLS deny: that is its owner's call.
    let existing = file("policies/111122223333-us-east-1/s3-archive.json");
    assert_eq!(existing["Statement"].as_array().unwrap().len(), 2);
    let fh = file("policies/111122223333-us-east-1/firehose-analytics.json");
    assert_eq!(fh["RequiredTags"], json!({"LogDeliveryEnabled": "true"}));
    assert_eq!(
        fh["ServiceLinkedRole"]["Arn"],
        "arn:aws:iam::111122223333:role/aws-service-role/delivery.logs.amazonaws.com/AWSServiceRoleForLogDelivery"
    );
}

#[test]
fn deployer_policy_is_split_at_6144_characters() {
    let v = validate_text("big.yaml", &big_spec(10, 7, 10));
    let small = render_validation(&v, POLICIES, TemplateFormat::Yaml);
    assert!(
        small
            .files
            .iter()
            .any(|f| f.path == "policies/deployer.json")
    );
    // Many buckets: the bucket statements outgrow one managed policy.
    let mut spec = String::from(
        "version: 1\ndefaults:\n  account: \"111122223333\"\n  region: us-east-1\ndestinations:\n",
    );
    for i in 0..120 {
        spec.push_str(&format!("  b{i}:\n    s3:\n      bucket: acme-chat-a-rather-long-bucket-name-number-{i:04}\n      create: true\n"));
    }
    let v = chatlog::validate::validate(vec![chatlog::spec::load::Input {
        name: "many.yaml".into(),
        bytes: spec.into_bytes(),
    }]);
    assert!(!v.has_errors());
    let r = render_validation(&v, POLICIES, TemplateFormat::Yaml);
    let parts: Vec<&chatlog::render::File> = r
        .files
        .iter()
        .filter(|f| f.path.starts_with("policies/deployer"))
        .collect();
    assert!(
        parts.len() >= 2,
        "{:?}",
        parts.iter().map(|f| &f.path).collect::<Vec<_>>()
    );
    assert_eq!(parts[0].path, "policies/deployer-1.json");
    let mut buckets = std::collections::BTreeSet::new();
    let mut sids = std::collections::BTreeSet::new();
    for p in &parts {
        let doc: Value = serde_json::from_str(&p.contents).unwrap();
        let compact = serde_json::to_string(&doc).unwrap();
        assert!(
            compact.chars().count() <= 6144,
            "{} is {} characters",
            p.path,
            compact.chars().count()
        );
        for s in doc["Statement"].as_array().unwrap() {
            assert!(
                sids.insert(s["Sid"].as_str().unwrap().to_owned()),
                "duplicate Sid"
            );
            if s["Sid"].as_str().unwrap().starts_with("Buckets") {
                for r in s["Resource"].as_array().unwrap() {
                    buckets.insert(r.as_str().unwrap().to_owned());
                }
            }
        }
    }
    assert_eq!(buckets.len(), 120, "every bucket is covered once split");
}

fn existing_log_groups_spec(groups: usize, name_len: usize) -> String {
    let mut spec = String::from(
        "version: 1\ndefaults:\n  account: \"111122223333\"\n  region: us-east-1\ndestinations:\n",
    );
    for i in 0..groups {
        let name = format!("/g/{i:04}/{}", "n".repeat(name_len));
        spec.push_str(&format!(
            "  g{i}:\n    cloudwatch_logs:\n      log_group: {name}\n"
        ));
    }
    spec
}

#[test]
fn account_level_log_policies_stay_under_5120_characters() {
    let v = validate_text("groups.yaml", &existing_log_groups_spec(40, 300));
    let r = render_validation(
        &v,
        &[Target::CloudFormation, Target::Policies],
        TemplateFormat::Yaml,
    );
    let docs: Vec<&chatlog::render::File> = r
        .files
        .iter()
        .filter(|f| f.path.contains("/logs-account-"))
        .collect();
    assert!(
        docs.len() > 1 && docs.len() <= 10,
        "{} policies",
        docs.len()
    );
    let mut covered = 0;
    for d in docs {
        let doc: Value = serde_json::from_str(&d.contents).unwrap();
        assert!(serde_json::to_string(&doc).unwrap().chars().count() <= 5120);
        covered += doc["Statement"][0]["Resource"].as_array().unwrap().len();
    }
    assert_eq!(covered, 40);
}

#[test]
fn more_account_level_policies_than_slots_is_an_error_before_rendering() {
    let v = validate_text("groups.yaml", &existing_log_groups_spec(120, 500));
    let r = render_validation(&v, POLICIES, TemplateFormat::Yaml);
    assert!(r.files.is_empty());
    let d = r
        .diagnostics
        .iter()
        .find(|d| d.rule.id() == "CL062")
        .unwrap();
    assert!(d.message.contains("a region has 10"), "{}", d.message);
    assert!(d.help.as_deref().unwrap().contains("create: true"));
    assert!(
        d.location
            .as_ref()
            .unwrap()
            .pointer
            .as_deref()
            .unwrap()
            .starts_with("/destinations/g")
    );
}

// --- policy merge ---------------------------------------------------------------------------

fn needed() -> chatlog::policy::PolicyDocument {
    let v = validate_file(&common::root().join("examples/multi-destination.yaml"));
    needed_for_bucket(v.model.as_ref().unwrap(), "acme-shared-archive").unwrap()
}

const FOREIGN: &str = r#"{
  "Version": "2012-10-17",
  "Id": "storage-team",
  "Statement": [
    {"Sid": "ReadForAnalytics", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:root"},
     "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::acme-shared-archive/reports/*"},
    {"Effect": "Deny", "Principal": "*", "Action": "s3:DeleteBucket", "Resource": "arn:aws:s3:::acme-shared-archive"}
  ]
}"#;

#[test]
fn merge_keeps_every_other_statement_and_is_idempotent() {
    let once = merge_bucket_policy(FOREIGN, &needed()).unwrap();
    assert!(once.changed);
    let merged: Value = serde_json::from_str(&once.text).unwrap();
    let original: Value = serde_json::from_str(FOREIGN).unwrap();
    assert_eq!(merged["Id"], "storage-team");
    assert_eq!(merged["Statement"][0], original["Statement"][0]);
    assert_eq!(merged["Statement"][1], original["Statement"][1]);
    let sids: Vec<&str> = merged["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["Sid"].as_str())
        .collect();
    assert_eq!(
        sids,
        [
            "ReadForAnalytics",
            "AWSLogDeliveryAclCheck",
            "AWSLogDeliveryWrite"
        ]
    );
    let twice = merge_bucket_policy(&once.text, &needed()).unwrap();
    assert!(!twice.changed);
    assert_eq!(twice.text, once.text);
    common::snapshots().bind(|| insta::assert_snapshot!("policy-merge-foreign", once.text));
}

#[test]
fn merge_extends_statements_log_delivery_already_added_for_other_accounts() {
    let existing = r#"{"Version":"2012-10-17","Statement":[{"Sid":"AWSLogDeliveryWrite","Effect":"Allow","Principal":{"Service":["delivery.logs.amazonaws.com"]},"Action":"s3:PutObject","Resource":"arn:aws:s3:::acme-shared-archive/AWSLogs/444455556666/*","Condition":{"StringEquals":{"s3:x-amz-acl":"bucket-owner-full-control","aws:SourceAccount":"444455556666"},"ArnLike":{"aws:SourceArn":["arn:aws:logs:eu-west-1:444455556666:*"]}}}]}"#;
    let merged: Value =
        serde_json::from_str(&merge_bucket_policy(existing, &needed()).unwrap().text).unwrap();
    let write = merged["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["Sid"] == "AWSLogDeliveryWrite")
        .unwrap();
    assert_eq!(
        write["Resource"],
        json!([
            "arn:aws:s3:::acme-shared-archive/AWSLogs/444455556666/*",
            "arn:aws:s3:::acme-shared-archive/AWSLogs/111122223333/*"
        ])
    );
    assert_eq!(
        write["Condition"]["StringEquals"]["aws:SourceAccount"],
        json!(["444455556666", "111122223333"])
    );
    assert_eq!(
        write["Condition"]["ArnLike"]["aws:SourceArn"],
        json!([
            "arn:aws:logs:eu-west-1:444455556666:*",
            "arn:aws:logs:us-east-1:111122223333:*"
        ])
    );
    assert_eq!(
        merged["Statement"].as_array().unwrap().len(),
        2,
        "AclCheck added, Write extended"
    );
}

#[test]
fn merge_into_no_policy_gives_the_statements() {
    let merged: Value =
        serde_json::from_str(&merge_bucket_policy("", &needed()).unwrap().text).unwrap();
    assert_eq!(merged, needed().to_value());
}

#[test]
fn merge_refuses_what_log_delivery_cannot_append_to() {
    let not_action = r#"{"Version":"2012-10-17","Statement":[{"Sid":"OnlyReads","Effect":"Deny","Principal":"*","NotAction":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#;
    assert_eq!(
        merge_bucket_policy(not_action, &needed()).unwrap_err(),
        MergeError::Negated("`OnlyReads`".into(), "NotAction")
    );
    let not_principal = r#"{"Statement":{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::1:root"},"Action":"s3:*","Resource":"*"}}"#;
    assert_eq!(
        merge_bucket_policy(not_principal, &needed()).unwrap_err(),
        MergeError::Negated("#1".into(), "NotPrincipal")
    );
    let conflict = r#"{"Statement":[{"Sid":"AWSLogDeliveryWrite","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}]}"#;
    assert_eq!(
        merge_bucket_policy(conflict, &needed()).unwrap_err(),
        MergeError::Conflict("AWSLogDeliveryWrite".into())
    );
    assert_eq!(
        merge_bucket_policy(r#"{"Policy": "{}"}"#, &needed()).unwrap_err(),
        MergeError::Wrapped
    );
    assert!(matches!(
        merge_bucket_policy("{", &needed()).unwrap_err(),
        MergeError::NotJson(_)
    ));
    assert_eq!(
        merge_bucket_policy("[]", &needed()).unwrap_err(),
        MergeError::NotAPolicy
    );
    // An existing policy just under 20 KB: it fits, the merged one does not.
    let mut statements: Vec<Value> = Vec::new();
    let big = loop {
        let i = statements.len();
        statements.push(json!({"Sid": format!("S{i}"), "Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{i:012}:root")}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-shared-archive/some/long/prefix/*"}));
        let text =
            serde_json::to_string(&json!({"Version": "2012-10-17", "Statement": statements}))
                .unwrap();
        if text.len() > 20 * 1024 - 300 {
            break text;
        }
    };
    assert!(big.len() < 20 * 1024, "the input itself fits");
    assert!(matches!(
        merge_bucket_policy(&big, &needed()).unwrap_err(),
        MergeError::TooLarge(_, 20480)
    ));
}
