//! `policy verify --baseline` and `--write-baseline`, through the binary (no AWS): accepted
//! findings are shown but do not fail the run in every format; fingerprints survive reordered
//! and reformatted policies and specs; expired and stale entries are findings; malformed
//! baselines are refused with their line and column; a baseline is never overwritten unasked.
//! `drift --baseline` is tested against the local servers in tests/live_baseline.rs.
// Test code: clippy.toml's test allowances (unwrap, expect, panic, indexing) apply to all of it.
#![cfg(test)]

mod common;

use std::path::Path;

use common::{chatlog, fresh_dir, root};
use serde_json::Value;

const SPEC: &str = "tests/data/verify/spec.yaml";
const BUCKET: &str = "acme-shared-archive";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// `policy verify` of one bucket policy against `spec`, with `extra` arguments.
fn verify(spec: &Path, policy: &Path, extra: &[&str]) -> Run {
    let out = chatlog()
        .args(["policy", "verify", "--spec"])
        .arg(spec)
        .arg("--bucket-policy")
        .arg(format!("{BUCKET}={}", policy.display()))
        .args(extra)
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap(),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn fixture(name: &str) -> std::path::PathBuf {
    root().join("tests/data/verify/bucket").join(name)
}

fn spec() -> std::path::PathBuf {
    root().join(SPEC)
}

fn diagnostics(json: &str) -> Vec<Value> {
    let doc: Value = serde_json::from_str(json).unwrap();
    doc["diagnostics"].as_array().unwrap().clone()
}

fn rules(json: &str) -> Vec<String> {
    diagnostics(json)
        .iter()
        .map(|d| d["rule"].as_str().unwrap().to_owned())
        .collect()
}

/// Writes a baseline of `policy`'s findings into `dir` and returns its path.
fn write_baseline(dir: &Path, policy: &Path) -> std::path::PathBuf {
    let path = dir.join("baseline.yaml");
    let r = verify(
        &spec(),
        policy,
        &[
            "--write-baseline",
            path.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("wrote"), "{}", r.stderr);
    path
}

/// Replaces `field: "..."` lines of every entry (the written baseline quotes every value).
fn set_field(baseline: &Path, field: &str, value: &str) {
    let text = std::fs::read_to_string(baseline).unwrap();
    let mut out = String::new();
    for line in text.lines() {
        if line.trim_start().starts_with(&format!("{field}:")) {
            let indent = &line[..line.len() - line.trim_start().len()];
            out.push_str(&format!("{indent}{field}: {value}\n"));
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    std::fs::write(baseline, out).unwrap();
}

#[test]
fn accepted_findings_are_shown_in_every_format_but_do_not_fail_the_run() {
    let dir = fresh_dir("baseline-formats");
    let policy = fixture("broader.json");
    let before = verify(&spec(), &policy, &["--format", "json"]);
    assert_eq!(before.code, 1, "{}", before.stdout);
    let found = rules(&before.stdout);
    assert!(!found.is_empty());

    let baseline = write_baseline(&dir, &policy);
    set_field(
        &baseline,
        "reason",
        "\"the storage team owns this policy until Q1\"",
    );
    set_field(&baseline, "accepted_by", "\"alice@example.com\"");
    let b = baseline.to_str().unwrap();

    let json = verify(&spec(), &policy, &["--baseline", b, "--format", "json"]);
    assert_eq!(json.code, 0, "{}\n{}", json.stdout, json.stderr);
    let doc: Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(doc["valid"], true);
    // The same findings, each marked with the entry that accepts it.
    assert_eq!(rules(&json.stdout), found);
    for d in doc["diagnostics"].as_array().unwrap() {
        assert_eq!(
            d["suppressed"]["reason"], "the storage team owns this policy until Q1",
            "{d}"
        );
        assert_eq!(d["suppressed"]["accepted_by"], "alice@example.com");
        assert_eq!(d["suppressed"]["baseline"], b);
    }

    let text = verify(&spec(), &policy, &["--baseline", b]);
    assert_eq!(text.code, 0);
    assert_eq!(
        text.stdout.matches("(suppressed)").count(),
        found.len(),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout
            .contains("= suppressed: the storage team owns this policy until Q1 (accepted by alice@example.com"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout
            .contains(&format!("{} suppressed by the baseline", found.len())),
        "{}",
        text.stdout
    );

    let sarif = verify(&spec(), &policy, &["--baseline", b, "--format", "sarif"]);
    assert_eq!(sarif.code, 0);
    let log: Value = serde_json::from_str(&sarif.stdout).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), found.len());
    for r in results {
        let s = &r["suppressions"][0];
        assert_eq!(s["kind"], "external");
        assert_eq!(s["status"], "accepted");
        assert!(
            s["justification"]
                .as_str()
                .unwrap()
                .starts_with("the storage team owns this policy until Q1"),
            "{s}"
        );
    }
    // Suppressions are valid SARIF 2.1.0 (the schema the report tests validate against).
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/data/sarif-schema-2.1.0.json")).unwrap(),
    )
    .unwrap();
    let suppression = &schema["definitions"]["suppression"];
    assert!(suppression["properties"]["justification"].is_object());
    assert!(
        suppression["properties"]["kind"]["enum"]
            .as_array()
            .unwrap()
            .contains(&Value::from("external"))
    );

    let junit = verify(&spec(), &policy, &["--baseline", b, "--format", "junit"]);
    assert_eq!(junit.code, 0);
    assert!(
        junit.stdout.contains("failures=\"0\"") && !junit.stdout.contains("<failure"),
        "{}",
        junit.stdout
    );
    assert_eq!(junit.stdout.matches("<skipped").count(), found.len());

    let github = verify(&spec(), &policy, &["--baseline", b, "--format", "github"]);
    assert_eq!(github.code, 0);
    assert!(!github.stdout.contains("::error"), "{}", github.stdout);
    assert_eq!(github.stdout.matches("::notice ").count(), found.len());
}

/// `policy` without Sids (so findings name statements by number), optionally with its
/// statements reversed and every object's keys reversed, printed with another indentation.
fn sidless(policy: &Path, reorder: bool) -> String {
    fn reverse_keys(v: &Value) -> Value {
        match v {
            Value::Object(map) => {
                let mut entries: Vec<(&String, &Value)> = map.iter().collect();
                entries.reverse();
                Value::Object(
                    entries
                        .into_iter()
                        .map(|(k, v)| (k.clone(), reverse_keys(v)))
                        .collect(),
                )
            }
            Value::Array(items) => Value::Array(items.iter().map(reverse_keys).collect()),
            other => other.clone(),
        }
    }
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(policy).unwrap()).unwrap();
    let statements = doc["Statement"].as_array_mut().unwrap();
    for s in statements.iter_mut() {
        s.as_object_mut().unwrap().remove("Sid");
    }
    if reorder {
        statements.reverse();
        serde_json::to_string(&reverse_keys(&doc)).unwrap()
    } else {
        serde_json::to_string_pretty(&doc).unwrap()
    }
}

#[test]
fn fingerprints_survive_reordered_and_reformatted_policies_and_specs() {
    let dir = fresh_dir("baseline-reorder");
    let original = dir.join("policy.json");
    std::fs::write(&original, sidless(&fixture("broader.json"), false)).unwrap();
    let baseline = write_baseline(&dir, &original);
    let b = baseline.to_str().unwrap();

    let moved = dir.join("moved.json");
    std::fs::write(&moved, sidless(&fixture("broader.json"), true)).unwrap();
    // The spec reformatted: flow style, keys in another order, comments.
    let spec_text = std::fs::read_to_string(spec()).unwrap();
    let other_spec = dir.join("spec.yaml");
    std::fs::write(
        &other_spec,
        "# reformatted\nversion: 1\nrooms: {lobby: {logging: [archive, tail, debug]}}\n\
         logging_configurations: {debug: {destination: debug}, tail: {destination: tail}, archive: {destination: archive}}\n\
         destinations:\n  debug: {cloudwatch_logs: {log_group: /ivs/chat/debug}}\n  tail: {cloudwatch_logs: {log_group: /aws/vendedlogs/ivschat/tail}}\n  archive: {s3: {bucket: acme-shared-archive}}\n\
         defaults: {region: us-east-1, account: \"111122223333\"}\n",
    )
    .unwrap();
    assert_ne!(spec_text, std::fs::read_to_string(&other_spec).unwrap());

    let plain = verify(&other_spec, &moved, &["--format", "json"]);
    let first = verify(&spec(), &original, &["--format", "json"]);
    assert_eq!(plain.code, 1);
    // The findings name the statements by their (changed) numbers and lines: only the
    // fingerprint can tell they are the same.
    let messages = |r: &Run| -> Vec<String> {
        diagnostics(&r.stdout)
            .iter()
            .map(|d| format!("{} {}", d["message"], d["location"]["line"]))
            .collect()
    };
    assert_ne!(messages(&plain), messages(&first));

    let run = verify(&other_spec, &moved, &["--baseline", b, "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let found = diagnostics(&run.stdout);
    assert_eq!(found.len(), diagnostics(&first.stdout).len());
    assert!(
        found.iter().all(|d| d["suppressed"].is_object()),
        "{}",
        run.stdout
    );
}

#[test]
fn an_expired_entry_is_a_finding_and_no_longer_accepts_its_finding() {
    let dir = fresh_dir("baseline-expired");
    let policy = fixture("negation.json");
    let baseline = write_baseline(&dir, &policy);
    let b = baseline.to_str().unwrap();
    let total = diagnostics(&verify(&spec(), &policy, &["--format", "json"]).stdout).len();

    // Still in force on its last day and before: an entry far in the future holds.
    std::fs::write(
        &baseline,
        std::fs::read_to_string(&baseline).unwrap().replace(
            "    accepted_by:",
            "    expires: 2999-12-31\n    accepted_by:",
        ),
    )
    .unwrap();
    let holding = verify(&spec(), &policy, &["--baseline", b, "--format", "json"]);
    assert_eq!(holding.code, 0, "{}", holding.stdout);

    set_field(&baseline, "expires", "2020-01-31");
    let run = verify(&spec(), &policy, &["--baseline", b, "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let found = diagnostics(&run.stdout);
    let expired: Vec<&Value> = found.iter().filter(|d| d["rule"] == "CL120").collect();
    assert_eq!(expired.len(), total, "{}", run.stdout);
    assert!(
        expired[0]["message"]
            .as_str()
            .unwrap()
            .contains("expired on 2020-01-31"),
        "{}",
        run.stdout
    );
    // Each CL120 points at its entry in the baseline file.
    assert_eq!(expired[0]["location"]["file"], b);
    let text = std::fs::read_to_string(&baseline).unwrap();
    let first_entry = text
        .lines()
        .position(|l| l.starts_with("  - rule:"))
        .unwrap()
        + 1;
    assert_eq!(expired[0]["location"]["line"], first_entry);
    assert!(
        found
            .iter()
            .filter(|d| d["rule"] != "CL120")
            .all(|d| d["suppressed"].is_null()),
        "{}",
        run.stdout
    );
}

#[test]
fn a_stale_entry_is_a_finding_once_its_finding_is_fixed_or_changed() {
    let dir = fresh_dir("baseline-stale");
    let baseline = write_baseline(&dir, &fixture("missing.json"));
    let b = baseline.to_str().unwrap();
    let entries = std::fs::read_to_string(&baseline)
        .unwrap()
        .matches("  - rule:")
        .count();
    assert!(entries >= 1);

    // Fixed: the policy is clean now, and every entry matches nothing.
    let fixed = verify(
        &spec(),
        &fixture("clean.json"),
        &["--baseline", b, "--format", "json"],
    );
    assert_eq!(fixed.code, 1, "{}", fixed.stdout);
    assert_eq!(
        rules(&fixed.stdout),
        vec!["CL121"; entries],
        "{}",
        fixed.stdout
    );

    // Changed: other findings, which the entries do not accept.
    let changed = verify(
        &spec(),
        &fixture("narrower.json"),
        &["--baseline", b, "--format", "json"],
    );
    assert_eq!(changed.code, 1);
    let found = diagnostics(&changed.stdout);
    assert!(found.iter().any(|d| d["rule"] == "CL121"));
    assert!(
        found
            .iter()
            .any(|d| d["rule"] == "CL071" && d["suppressed"].is_null())
    );
}

#[test]
fn a_malformed_baseline_is_refused_with_its_line_and_column() {
    let dir = fresh_dir("baseline-malformed");
    let policy = fixture("missing.json");
    let good = std::fs::read_to_string(write_baseline(&dir, &policy)).unwrap();
    let entry_line = good
        .lines()
        .position(|l| l.starts_with("  - rule:"))
        .unwrap()
        + 1;
    let cases: Vec<(String, String, String)> = vec![
        (
            "unknown key".into(),
            good.replacen("    reason:", "    reasn: \"x\"\n    reason:", 1),
            format!(
                ":{}:5: unknown key `reasn` in a baseline entry; did you mean `reason`?",
                entry_line + 5
            ),
        ),
        (
            "bad date".into(),
            good.replacen(
                "    accepted_by:",
                "    expires: 2027-02-30\n    accepted_by:",
                1,
            ),
            format!(
                ":{}:14: expires `2027-02-30` is not a date as YYYY-MM-DD",
                entry_line + 6
            ),
        ),
        (
            "unknown rule".into(),
            good.replacen("rule: \"CL070\"", "rule: \"CL999\"", 1),
            format!(":{entry_line}:11: `CL999` is not a chatlog rule id"),
        ),
        (
            "no reason".into(),
            good.lines()
                .filter(|l| !l.trim_start().starts_with("reason:"))
                .collect::<Vec<_>>()
                .join("\n"),
            format!(":{entry_line}:5: the entry has no `reason`"),
        ),
        (
            "syntax".into(),
            good.replacen("findings:", "findings: [", 1),
            "not valid YAML".into(),
        ),
        (
            "version".into(),
            good.replacen("version: 1", "version: 2", 1),
            ":4:10: this chatlog reads baseline version 1".into(),
        ),
    ];
    for (name, text, expected) in cases {
        assert_ne!(text, good, "{name}: the case changes the file");
        let path = dir.join(format!("{}.yaml", name.replace(' ', "-")));
        std::fs::write(&path, text).unwrap();
        let r = verify(&spec(), &policy, &["--baseline", path.to_str().unwrap()]);
        assert_eq!(r.code, 2, "{name}: {}\n{}", r.stdout, r.stderr);
        assert!(
            r.stdout.is_empty(),
            "{name}: nothing is reported: {}",
            r.stdout
        );
        assert!(
            r.stderr
                .contains(&format!("error: baseline `{}`", path.display()))
                && r.stderr.contains(&expected),
            "{name}: expected `{expected}` in:\n{}",
            r.stderr
        );
    }
    // The good file passes, so each case failed for its own reason.
    let ok = dir.join("good.yaml");
    std::fs::write(&ok, &good).unwrap();
    assert_eq!(
        verify(&spec(), &policy, &["--baseline", ok.to_str().unwrap()]).code,
        0
    );
}

#[test]
fn write_baseline_never_replaces_a_file_unasked_and_keeps_accepted_reasons() {
    let dir = fresh_dir("baseline-write");
    let policy = fixture("negation.json");
    let target = dir.join("baseline.yaml");
    std::fs::write(&target, "theirs\n").unwrap();
    let t = target.to_str().unwrap();
    let refused = verify(&spec(), &policy, &["--write-baseline", t]);
    assert_eq!(refused.code, 2);
    assert!(
        refused.stderr.contains("pass --force"),
        "{}",
        refused.stderr
    );
    assert!(refused.stdout.is_empty());
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "theirs\n");
    // --force without --write-baseline is a usage error.
    assert_eq!(verify(&spec(), &policy, &["--force"]).code, 2);

    let forced = verify(&spec(), &policy, &["--write-baseline", t, "--force"]);
    assert_eq!(forced.code, 0, "{}", forced.stderr);
    assert!(
        std::fs::read_to_string(&target)
            .unwrap()
            .contains("version: 1")
    );

    // Rewriting from an existing baseline keeps the reasons people gave.
    set_field(&target, "reason", "\"kept on purpose\"");
    let next = dir.join("next.yaml");
    let again = verify(
        &spec(),
        &policy,
        &["--baseline", t, "--write-baseline", next.to_str().unwrap()],
    );
    assert_eq!(again.code, 0, "{}", again.stderr);
    let written = std::fs::read_to_string(&next).unwrap();
    assert!(written.contains("reason: \"kept on purpose\""), "{written}");
    assert!(
        !written.contains("recorded by --write-baseline"),
        "{written}"
    );
    let leftovers: Vec<_> = std::fs::read_dir(&*dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("chatlog-tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
