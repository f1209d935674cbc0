//! `chatlog policy verify`, through the binary: each finding kind from a real-looking policy,
//! every normalization case, the AWS CLI export shapes, policies chatlog renders or merges
//! verifying clean, exit codes, and a snapshot of every report format.
// Test code: clippy.toml's test allowances (unwrap, expect, panic, indexing) apply to all of it.
#![cfg(test)]

mod common;

use std::path::{Path, PathBuf};

use common::chatlog;
use serde_json::Value;

const SPEC: &str = "tests/data/verify/spec.yaml";
const BUCKET: &str = "acme-shared-archive";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Run {
    let out = chatlog()
        .args(["policy", "verify"])
        .args(args)
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap(),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn bucket_arg(file: &str) -> String {
    format!("{BUCKET}={file}")
}

/// The JSON report of verifying one fixture against the fixture spec.
fn report(kind: &str, file: &str) -> (i32, Value) {
    let flag = match kind {
        "bucket" => "--bucket-policy",
        _ => "--logs-policy",
    };
    let value = if kind == "bucket" {
        bucket_arg(file)
    } else {
        file.to_owned()
    };
    let r = run(&["--spec", SPEC, flag, &value, "--format", "json"]);
    assert!(r.stderr.is_empty(), "{file}: {}", r.stderr);
    (r.code, serde_json::from_str(&r.stdout).unwrap())
}

fn diagnostics(report: &Value) -> &Vec<Value> {
    report["diagnostics"].as_array().unwrap()
}

/// The text at a diagnostic's line and column in its file.
fn text_at(d: &Value) -> String {
    let location = &d["location"];
    let text =
        std::fs::read_to_string(common::root().join(location["file"].as_str().unwrap())).unwrap();
    let line = text
        .lines()
        .nth(location["line"].as_u64().unwrap() as usize - 1)
        .unwrap();
    line.chars()
        .skip(location["column"].as_u64().unwrap() as usize - 1)
        .collect()
}

#[test]
fn each_finding_kind_from_a_real_looking_policy() {
    // (kind, fixture, rules in report order, text each finding must contain)
    let cases: &[(&str, &str, &[&str], &[&str])] = &[
        (
            "bucket",
            "missing.json",
            &["CL070", "CL070"],
            &[
                "the policy lacks `AWSLogDeliveryAclCheck`: nothing grants log delivery `s3:GetBucketAcl` on `arn:aws:s3:::acme-shared-archive`",
                "the policy lacks `AWSLogDeliveryWrite`: nothing grants log delivery `s3:PutObject` on `arn:aws:s3:::acme-shared-archive/AWSLogs/111122223333/*`",
            ],
        ),
        (
            "bucket",
            "narrower.json",
            &["CL071", "CL071"],
            &[
                "statement `AWSLogDeliveryAclCheck` grants log delivery less than it needs: no `s3:GetBucketAcl`",
                "statement `AWSLogDeliveryWrite` grants log delivery less than it needs: not on `arn:aws:s3:::acme-shared-archive/AWSLogs/111122223333/*`",
            ],
        ),
        (
            "bucket",
            "narrower-condition.json",
            &["CL071"],
            &["its `ArnLike` test on `aws:SourceArn` rules log delivery out"],
        ),
        (
            "bucket",
            "broader.json",
            &["CL072"],
            &[
                "statement `LogDeliveryWrite` grants log delivery more than it needs (destination `archive`): action `s3:PutObjectAcl`; resource `arn:aws:s3:::acme-shared-archive/*` reaches beyond `arn:aws:s3:::acme-shared-archive/AWSLogs/111122223333/*`; condition `aws:SourceArn` `arn:aws:logs:*:111122223333:*` reaches beyond `arn:aws:logs:us-east-1:111122223333:*`; no `s3:x-amz-acl` = `bucket-owner-full-control` condition",
            ],
        ),
        (
            "bucket",
            "look-alike.json",
            &["CL074", "CL074"],
            &[
                "statement `AWSLogDeliveryWrite` looks like AWS's log-delivery statement but grants more than log delivery needs (destination `archive`): principal `*`; action `s3:*`",
                "statement `AWSLogDeliveryRead` looks like AWS's log-delivery statement but is not shaped like one: principal `arn:aws:iam::999988887777:root`; action `s3:GetObject`; no `aws:SourceAccount` or `aws:SourceArn` condition",
            ],
        ),
        (
            "bucket",
            "confused-deputy.json",
            &["CL073", "CL073"],
            &[
                "statement `AWSLogDeliveryAclCheck` lets log delivery in without testing `aws:SourceAccount` or `aws:SourceArn`",
                "statement `AWSLogDeliveryWrite` lets log delivery in without testing `aws:SourceAccount` or `aws:SourceArn`",
            ],
        ),
        (
            "bucket",
            "deny.json",
            &["CL075", "CL075"],
            &[
                "statement `OnlyOurOrganization` may deny log delivery `s3:GetBucketAcl` on `arn:aws:s3:::acme-shared-archive`, for destination `archive` (bucket `acme-shared-archive`); chatlog cannot tell whether `StringNotEquals` on `aws:PrincipalOrgID` holds for log delivery",
                "statement `NoServiceWrites` denies log delivery `s3:PutObject` on `arn:aws:s3:::acme-shared-archive/AWSLogs/111122223333/*`",
            ],
        ),
        (
            "bucket",
            "negation.json",
            &["CL076"],
            &[
                "statement `OnlyAdminsDelete` uses `NotPrincipal`, so AWS cannot add its log-delivery statements to this policy",
            ],
        ),
        (
            "logs",
            "missing.json",
            &["CL070", "CL070"],
            &[
                "destination `debug` (log group `/ivs/chat/debug`): the policy lacks `AWSLogDeliveryWrite20150319`: nothing grants log delivery `logs:CreateLogStream`, `logs:PutLogEvents` on `arn:aws:logs:us-east-1:111122223333:log-group:/ivs/chat/debug:log-stream:*`",
                "destination `tail` (log group `/aws/vendedlogs/ivschat/tail`)",
            ],
        ),
        (
            "logs",
            "narrower.json",
            &["CL071", "CL071"],
            &[
                "destination `debug` (log group `/ivs/chat/debug`): statement `AWSLogDeliveryWrite20150319` grants log delivery less than it needs: no `logs:CreateLogStream`",
                "destination `tail` (log group `/aws/vendedlogs/ivschat/tail`): statement `AWSLogDeliveryWrite20150319` grants log delivery less than it needs: no `logs:CreateLogStream`",
            ],
        ),
        (
            "logs",
            "broader.json",
            &["CL072"],
            &[
                "statement `AllowLogDelivery` grants log delivery more than it needs (destinations `debug`, `tail`): action `logs:*`; resource `arn:aws:logs:us-east-1:111122223333:log-group:*` reaches beyond",
            ],
        ),
    ];
    for (kind, name, rules, texts) in cases {
        let file = format!("tests/data/verify/{kind}/{name}");
        let (code, report) = report(kind, &file);
        assert_eq!(code, 1, "{file}");
        assert_eq!(report["valid"], false);
        let found = diagnostics(&report);
        let ids: Vec<&str> = found.iter().map(|d| d["rule"].as_str().unwrap()).collect();
        assert_eq!(&ids, rules, "{file}: {found:#?}");
        for (d, text) in found.iter().zip(*texts) {
            let message = d["message"].as_str().unwrap();
            assert!(
                message.contains(text),
                "{file}:\n{message}\n  lacks\n{text}"
            );
            assert!(d["help"].as_str().is_some_and(|h| !h.is_empty()));
            // Located in the policy file: at the statement, or at `Statement` for a missing one.
            assert_eq!(d["location"]["file"], file.as_str());
            let pointer = d["location"]["pointer"].as_str().unwrap();
            assert!(pointer.starts_with("/Statement"), "{pointer}");
            let at = text_at(d);
            if d["rule"] == "CL070" {
                assert!(at.starts_with("\"Statement\""), "{file}: {at}");
                // ... and names where the spec defines the destination.
                assert_eq!(d["related"][0]["location"]["file"], SPEC);
            } else {
                assert!(at.starts_with('{'), "{file}: {at}");
            }
        }
    }
}

#[test]
fn the_tls_only_deny_chatlog_renders_is_not_a_finding() {
    let (_, report) = report("bucket", "tests/data/verify/bucket/deny.json");
    let text = serde_json::to_string(&report).unwrap();
    assert!(
        text.contains("NoServiceWrites"),
        "the test can fail: {text}"
    );
    assert!(!text.contains("DenyInsecureTransport"), "{text}");
}

#[test]
fn every_normalization_case_verifies_like_the_canonical_policy() {
    for name in [
        "clean.json",
        // Strings where the canonical one has one-element lists and the other way round.
        "normalize-lists.json",
        // Statements, actions, resources, condition operators, keys and values reordered.
        "normalize-order.json",
        // Blanks around effect, principal, action, resource and condition values.
        "normalize-whitespace.json",
        // Action names and condition keys in other cases.
        "normalize-case.json",
        // The whole policy as `aws s3api get-bucket-policy` prints it.
        "aws-cli.json",
    ] {
        let file = format!("tests/data/verify/bucket/{name}");
        let (code, report) = report("bucket", &file);
        assert_eq!(
            (code, diagnostics(&report).len()),
            (0, 0),
            "{file}: {report:#}"
        );
    }
    for (kind, name) in [
        ("logs", "clean.json"),
        // `aws logs describe-resource-policies` output with two policies, one of them AWS's
        // own `/aws/vendedlogs/*` grant.
        ("logs", "describe-resource-policies.json"),
    ] {
        let file = format!("tests/data/verify/{kind}/{name}");
        let (code, report) = report(kind, &file);
        assert_eq!(
            (code, diagnostics(&report).len()),
            (0, 0),
            "{file}: {report:#}"
        );
    }
    // An account written bare or as its root ARN: the same finding at the same place.
    let findings = |name: &str| {
        let (_, report) = report("bucket", &format!("tests/data/verify/bucket/{name}"));
        diagnostics(&report)
            .iter()
            .map(|d| {
                (
                    d["rule"].as_str().unwrap().to_owned(),
                    d["location"]["line"].as_u64().unwrap(),
                    d["location"]["column"].as_u64().unwrap(),
                )
            })
            .collect::<Vec<_>>()
    };
    let bare = findings("normalize-account-bare.json");
    assert_eq!(bare.len(), 1, "{bare:?}");
    assert_eq!(bare, findings("normalize-account-root-arn.json"));
}

#[test]
fn both_spellings_of_an_account_are_one_principal() {
    let dir = common::fresh_dir("verify-account");
    let mut policy: Value = serde_json::from_str(
        &std::fs::read_to_string(
            common::root().join("tests/data/verify/bucket/normalize-account-bare.json"),
        )
        .unwrap(),
    )
    .unwrap();
    policy["Statement"][3]["Principal"]["AWS"] =
        serde_json::json!(["111122223333", "arn:aws:iam::111122223333:root"]);
    let file = dir.join("both.json");
    std::fs::write(&file, serde_json::to_string_pretty(&policy).unwrap()).unwrap();
    let r = run(&[
        "--spec",
        SPEC,
        "--bucket-policy",
        &format!("{BUCKET}={}", file.display()),
        "--format",
        "json",
    ]);
    let report: Value = serde_json::from_str(&r.stdout).unwrap();
    let message = diagnostics(&report)[0]["message"].as_str().unwrap();
    assert_eq!(message.matches("principal `").count(), 1, "{message}");
}

/// Wraps a fixture the way the AWS CLI prints it, in `dir`.
fn wrapped(dir: &Path, kind: &str, name: &str) -> PathBuf {
    let text =
        std::fs::read_to_string(common::root().join(format!("tests/data/verify/{kind}/{name}")))
            .unwrap();
    let compact = serde_json::to_string(&serde_json::from_str::<Value>(&text).unwrap()).unwrap();
    let value = match kind {
        "bucket" => serde_json::json!({ "Policy": compact }),
        _ => serde_json::json!({ "resourcePolicies": [
            { "policyName": "first", "policyDocument": "{\"Version\":\"2012-10-17\",\"Statement\":[]}" },
            { "policyName": "AWSLogDeliveryWrite20150319", "policyDocument": compact }
        ]}),
    };
    let file = dir.join(format!("{kind}-{name}"));
    std::fs::write(&file, serde_json::to_string_pretty(&value).unwrap() + "\n").unwrap();
    file
}

#[test]
fn findings_in_aws_cli_exports_point_into_the_embedded_document() {
    let dir = common::fresh_dir("verify-wrapped");
    let bucket = wrapped(&dir, "bucket", "look-alike.json");
    let logs = wrapped(&dir, "logs", "narrower.json");
    let r = run(&[
        "--spec",
        SPEC,
        "--bucket-policy",
        &format!("{BUCKET}={}", bucket.display()),
        "--logs-policy",
        logs.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let report: Value = serde_json::from_str(&r.stdout).unwrap();
    let found = diagnostics(&report);
    let ids: Vec<&str> = found.iter().map(|d| d["rule"].as_str().unwrap()).collect();
    assert_eq!(ids, ["CL074", "CL074", "CL071", "CL071"]);
    for d in found {
        let file = d["location"]["file"].as_str().unwrap();
        let text = std::fs::read_to_string(file).unwrap();
        let line = text
            .lines()
            .nth(d["location"]["line"].as_u64().unwrap() as usize - 1)
            .unwrap();
        let at: String = line
            .chars()
            .skip(d["location"]["column"].as_u64().unwrap() as usize - 1)
            .collect();
        // The statement's `{` inside the JSON string, followed by its escaped Sid.
        assert!(at.starts_with("{\\\"Sid\\\":\\\"AWSLogDelivery"), "{at}");
    }
    // Statements of a describe-resource-policies export are named with their policy.
    assert!(found[2]["message"].as_str().unwrap().contains(
        "statement `AWSLogDeliveryWrite20150319` of policy `AWSLogDeliveryWrite20150319`"
    ));
}

fn render_policies(spec: &str) -> common::Fresh {
    let dir = common::fresh_dir("verify-render");
    chatlog()
        .args(["render", spec, "--target", "policies", "--out"])
        .arg(&dir)
        .assert()
        .code(0);
    dir
}

/// Every rendered bucket policy (with its bucket, read from the document) and log-group policy.
fn rendered(dir: &Path) -> (Vec<String>, Vec<String>) {
    let mut buckets = Vec::new();
    let mut logs = Vec::new();
    for p in common::files_under(&dir.join("policies")) {
        let name = p.file_name().unwrap().to_str().unwrap();
        // A stack set's member policies name each target `{account}`: `policy verify` checks
        // one deployment's live policies, and the members are checked as templates instead
        // (tests/stack_sets.rs, cfn-lint, checkov, parliament).
        if p.components().any(|c| c.as_os_str() == "stack-sets") {
            continue;
        }
        if name.starts_with("s3-") {
            let doc: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
            let bucket = doc["Statement"][0]["Resource"]
                .as_str()
                .unwrap()
                .strip_prefix("arn:aws:s3:::")
                .unwrap()
                .to_owned();
            buckets.push(format!("{bucket}={}", p.display()));
        } else if name.starts_with("logs-") {
            logs.push(p.display().to_string());
        }
    }
    buckets.sort();
    logs.sort();
    (buckets, logs)
}

#[test]
fn the_policy_render_writes_for_quickstart_verifies_clean() {
    let dir = render_policies("examples/quickstart.yaml");
    let (buckets, logs) = rendered(&dir);
    assert_eq!(buckets.len(), 1);
    assert!(logs.is_empty());
    let r = run(&[
        "--spec",
        "examples/quickstart.yaml",
        "--bucket-policy",
        &buckets[0],
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.starts_with("valid:"), "{}", r.stdout);
    // ... and stops being clean when the write statement is taken out of it.
    let path = buckets[0].split_once('=').unwrap().1;
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    doc["Statement"].as_array_mut().unwrap().remove(1);
    std::fs::write(path, serde_json::to_string(&doc).unwrap()).unwrap();
    let r = run(&[
        "--spec",
        "examples/quickstart.yaml",
        "--bucket-policy",
        &buckets[0],
    ]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("error[CL070]"), "{}", r.stdout);
}

#[test]
fn every_example_verifies_clean_against_its_rendered_policies() {
    let mut verified = 0;
    for example in common::examples() {
        let spec = example.to_str().unwrap();
        let dir = render_policies(spec);
        let (buckets, logs) = rendered(&dir);
        let mut args = vec!["--spec".to_owned(), spec.to_owned()];
        for b in &buckets {
            args.extend(["--bucket-policy".to_owned(), b.clone()]);
        }
        for l in &logs {
            args.extend(["--logs-policy".to_owned(), l.clone()]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let r = run(&args);
        assert_eq!(r.code, 0, "{spec}: {}{}", r.stdout, r.stderr);
        verified += buckets.len() + logs.len();
    }
    assert!(verified >= 5, "{verified}");
}

#[test]
fn what_policy_merge_writes_verifies_clean() {
    let dir = common::fresh_dir("verify-merge");
    for name in ["missing.json", "clean.json", "narrower-condition.json"] {
        let into = dir.join(name);
        std::fs::copy(
            common::root().join("tests/data/verify/bucket").join(name),
            &into,
        )
        .unwrap();
        chatlog()
            .args([
                "policy", "merge", "--spec", SPEC, "--bucket", BUCKET, "--write", "--into",
            ])
            .arg(&into)
            .assert()
            .code(0);
        // For narrower-condition.json, merge adds the right `aws:SourceArn` next to the
        // wrong-region one, and the statement then grants what log delivery needs.
        let r = run(&[
            "--spec",
            SPEC,
            "--bucket-policy",
            &format!("{BUCKET}={}", into.display()),
        ]);
        assert_eq!(r.code, 0, "{name}: {}", r.stdout);
    }
}

#[test]
fn exit_codes() {
    let clean = bucket_arg("tests/data/verify/bucket/clean.json");
    assert_eq!(run(&["--spec", SPEC, "--bucket-policy", &clean]).code, 0);
    let missing = bucket_arg("tests/data/verify/bucket/missing.json");
    assert_eq!(run(&["--spec", SPEC, "--bucket-policy", &missing]).code, 1);
    // An invalid spec is a finding, reported like `validate` does.
    let r = run(&[
        "--spec",
        "tests/fixtures/invalid/CL015-message-length.yaml",
        "--bucket-policy",
        &clean,
    ]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("CL015"), "{}", r.stdout);

    // Errors: exit 2 with file, line and column where there is one.
    let errors: &[(&[&str], &str)] = &[
        (
            &[
                "--bucket-policy",
                "acme-shared-archive=tests/data/verify/errors/trailing-comma.json",
            ],
            "error: tests/data/verify/errors/trailing-comma.json:5:3: the policy is not valid JSON",
        ),
        (
            &[
                "--bucket-policy",
                "acme-shared-archive=tests/data/verify/errors/bad-action.json",
            ],
            "error: tests/data/verify/errors/bad-action.json:8:17: `Action` must be a string or a list of strings",
        ),
        (
            &[
                "--bucket-policy",
                "acme-shared-archive=tests/data/verify/errors/no-statement.json",
            ],
            "error: tests/data/verify/errors/no-statement.json:1:1: the file is not a policy: it has no `Statement`",
        ),
        (
            &[
                "--bucket-policy",
                "acme-shared-archive=tests/data/verify/logs/clean.json",
                "--bucket-policy",
                "acme-shared-archive=tests/data/verify/bucket/clean.json",
            ],
            "names bucket `acme-shared-archive` twice",
        ),
        (
            &[
                "--bucket-policy",
                "acme-shared-archiv=tests/data/verify/bucket/clean.json",
            ],
            "the spec has no S3 destination with bucket `acme-shared-archiv`; did you mean `acme-shared-archive`?",
        ),
        (
            &[
                "--bucket-policy",
                "acme-shared-archive=tests/data/verify/no-such-file.json",
            ],
            "cannot read `tests/data/verify/no-such-file.json`: no such file",
        ),
        (
            &[
                "--bucket-policy",
                "acme-shared-archive=tests/data/verify/logs/describe-resource-policies.json",
            ],
            "not a bucket policy",
        ),
        // An endless file is refused after a bounded read, not read whole.
        (
            &["--bucket-policy", "acme-shared-archive=/dev/zero"],
            "/dev/zero:1:1: the file is larger than",
        ),
        (
            &["--bucket-policy", "tests/data/verify/bucket/clean.json"],
            "expected NAME=FILE",
        ),
        (&[], "--bucket-policy"),
    ];
    for (args, expected) in errors {
        let mut all = vec!["--spec", SPEC];
        all.extend_from_slice(args);
        let r = run(&all);
        assert_eq!(r.code, 2, "{args:?}: {}{}", r.stdout, r.stderr);
        assert!(r.stderr.contains(expected), "{args:?}: {}", r.stderr);
        assert!(r.stdout.is_empty(), "no report on an error: {}", r.stdout);
    }
    // A log-group policy for a spec without log groups has nothing to check.
    let r = run(&[
        "--spec",
        "examples/quickstart.yaml",
        "--logs-policy",
        "tests/data/verify/logs/clean.json",
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("no CloudWatch Logs log group"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_broken_embedded_policy_is_located_inside_its_string() {
    let r = run(&[
        "--spec",
        SPEC,
        "--bucket-policy",
        "acme-shared-archive=tests/data/verify/errors/embedded-broken.json",
    ]);
    assert_eq!(r.code, 2);
    let head = r.stderr.lines().next().unwrap();
    let (_, rest) = head
        .split_once("tests/data/verify/errors/embedded-broken.json:")
        .unwrap();
    let mut parts = rest.splitn(3, ':');
    let line: usize = parts.next().unwrap().parse().unwrap();
    let column: usize = parts.next().unwrap().parse().unwrap();
    let text = std::fs::read_to_string(
        common::root().join("tests/data/verify/errors/embedded-broken.json"),
    )
    .unwrap();
    let at = text.lines().nth(line - 1).unwrap().chars().nth(column - 1);
    assert_eq!(at, Some(']'), "the trailing comma's `]`: {head}");
}

const FORMATS: [&str; 5] = ["text", "json", "sarif", "junit", "github"];

fn several_findings(format: &str) -> Run {
    run(&[
        "--spec",
        SPEC,
        "--bucket-policy",
        "acme-shared-archive=tests/data/verify/bucket/look-alike.json",
        "--logs-policy",
        "tests/data/verify/logs/narrower.json",
        "--format",
        format,
    ])
}

#[test]
fn every_format_matches_its_snapshot() {
    let mut cases = Vec::new();
    for format in FORMATS {
        let r = several_findings(format);
        assert_eq!(r.code, 1, "{format}: {}", r.stderr);
        cases.push((format!("policy-verify-{format}"), r.stdout));
    }
    common::assert_snapshots(cases);
}

#[test]
fn sarif_is_valid_and_every_result_is_located() {
    let schema: Value = serde_json::from_slice(
        &std::fs::read(common::root().join("tests/data/sarif-schema-2.1.0.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let mut results = 0;
    let mut fired = std::collections::BTreeSet::new();
    for (kind, flag) in [("bucket", "--bucket-policy"), ("logs", "--logs-policy")] {
        let mut names: Vec<String> =
            std::fs::read_dir(common::root().join("tests/data/verify").join(kind))
                .unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect();
        names.sort();
        for name in names {
            let file = format!("tests/data/verify/{kind}/{name}");
            let value = if kind == "bucket" {
                bucket_arg(&file)
            } else {
                file.clone()
            };
            let r = run(&["--spec", SPEC, flag, &value, "--format", "sarif"]);
            let log: Value = serde_json::from_str(&r.stdout).unwrap();
            let errors: Vec<String> = validator.iter_errors(&log).map(|e| e.to_string()).collect();
            assert!(errors.is_empty(), "{file}: {errors:?}");
            for result in log["runs"][0]["results"].as_array().unwrap() {
                let location = &result["locations"][0]["physicalLocation"];
                assert_eq!(location["artifactLocation"]["uri"], file.as_str());
                assert!(location["region"]["startLine"].as_u64().unwrap() >= 1);
                fired.insert(result["ruleId"].as_str().unwrap().to_owned());
                results += 1;
            }
        }
    }
    assert!(results >= 15, "{results}");
    // Every verify rule in the catalog has a fixture that fires it.
    let verify_rules: Vec<String> = chatlog::diagnostic::Rule::ALL
        .iter()
        .filter(|r| r.title().starts_with("policy verify:"))
        .map(|r| r.id().to_owned())
        .collect();
    assert_eq!(verify_rules.len(), 7);
    for id in verify_rules {
        assert!(fired.contains(&id), "no fixture fires {id}: {fired:?}");
    }
}
