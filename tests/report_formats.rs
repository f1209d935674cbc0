//! Every report format, on real diagnostics: snapshots, and each format checked by a real
//! parser (SARIF against the OASIS schema, JUnit by an XML parser).
// Test code: clippy.toml's test allowances (unwrap, expect, panic, indexing) apply to all of it.
#![cfg(test)]

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use chatlog::report::Format;
use chatlog::spec::load::Input;
use chatlog::validate::{Validation, validate};

const FORMATS: [(Format, &str); 5] = [
    (Format::Text, "text"),
    (Format::Json, "json"),
    (Format::Sarif, "sarif"),
    (Format::Junit, "junit"),
    (Format::Github, "github"),
];

fn load(name: &str, text: &str) -> Validation {
    validate(vec![Input {
        name: name.to_owned(),
        bytes: text.as_bytes().to_vec(),
    }])
}

fn fixture(name: &str) -> Validation {
    let path = format!("tests/fixtures/invalid/{name}");
    load(
        &path,
        &std::fs::read_to_string(common::root().join(&path)).unwrap(),
    )
}

/// Diagnostics with user text that is hostile to every format: XML and JSON specials, the
/// workflow-command separators, a path with spaces and commas.
fn hostile() -> Validation {
    let spec = "version: 1\ndefaults: {account: \"111122223333\", region: us-west-2}\nrooms:\n  lobby:\n    logging: [\"<a href='x'>&amp;\\\"::error::,%0A\"]\n";
    load("specs/team a,b:c.yaml", spec)
}

#[test]
fn every_format_matches_its_snapshot() {
    let mut cases = Vec::new();
    for (name, v) in [
        ("mismatch", fixture("CL034-account-mismatch.yaml")),
        ("hostile", hostile()),
        ("clean", load("ok.yaml", "version: 1\n")),
    ] {
        for (format, label) in FORMATS {
            cases.push((format!("report-{label}@{name}"), common::report(&v, format)));
        }
    }
    common::assert_snapshots(cases);
}

#[test]
fn sarif_is_valid_against_the_sarif_2_1_0_schema() {
    let schema: serde_json::Value = serde_json::from_slice(
        &std::fs::read(common::root().join("tests/data/sarif-schema-2.1.0.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let mut checked = 0;
    let mut fixtures: Vec<_> = std::fs::read_dir(common::root().join("tests/fixtures/invalid"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    fixtures.sort();
    let mut cases: Vec<Validation> = fixtures.iter().map(|f| fixture(f)).collect();
    cases.push(hostile());
    for v in &cases {
        let log: serde_json::Value =
            serde_json::from_str(&common::report(v, Format::Sarif)).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&log)
            .map(|e| format!("{} at {}", e, e.instance_path().as_str()))
            .collect();
        assert!(errors.is_empty(), "{errors:?}");
        let results = log["runs"][0]["results"].as_array().unwrap();
        assert_eq!(results.len(), v.diagnostics.len());
        for r in results {
            assert!(
                r["locations"][0]["physicalLocation"]["region"]["startLine"]
                    .as_u64()
                    .unwrap()
                    >= 1,
                "each result has a location: {r}"
            );
            let index = r["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(
                log["runs"][0]["tool"]["driver"]["rules"][index]["id"],
                r["ruleId"]
            );
        }
        checked += 1;
    }
    assert!(checked > 40);
    // A mutation the schema must catch, so this test can fail.
    let mut broken: serde_json::Value =
        serde_json::from_str(&common::report(&hostile(), Format::Sarif)).unwrap();
    broken["version"] = serde_json::json!("2.0.0");
    assert!(!validator.is_valid(&broken));
}

#[test]
fn junit_parses_as_xml() {
    for v in [
        fixture("CL034-account-mismatch.yaml"),
        hostile(),
        load("ok.yaml", "version: 1\n"),
    ] {
        let xml = common::report(&v, Format::Junit);
        let mut child = Command::new("python3")
            .args(["-c", "import sys, xml.etree.ElementTree as ET; r = ET.fromstring(sys.stdin.buffer.read()); print(len(r.findall('.//testcase')), len(r.findall('.//failure')))"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(xml.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "not XML:\n{xml}");
        let counts = String::from_utf8(out.stdout).unwrap();
        let errors = v.diagnostics.iter().filter(|d| d.is_error()).count();
        assert_eq!(
            counts.trim(),
            format!("{} {errors}", v.diagnostics.len().max(1))
        );
    }
}

#[test]
fn github_annotations_are_one_line_each_with_escaped_properties() {
    let v = hostile();
    let text = common::report(&v, Format::Github);
    assert_eq!(text.lines().count(), v.diagnostics.len());
    for line in text.lines() {
        let rest = line
            .strip_prefix("::error ")
            .or_else(|| line.strip_prefix("::warning "))
            .unwrap();
        let (properties, _message) = rest.split_once("::").unwrap();
        assert!(
            properties.starts_with("file=specs/team a%2Cb%3Ac.yaml,line="),
            "{properties}"
        );
        assert_eq!(
            properties.matches(',').count(),
            3,
            "file, line, col, title: {properties}"
        );
    }
}

#[test]
fn validate_takes_every_format_flag() {
    for (_, label) in FORMATS {
        let out = common::chatlog()
            .args([
                "validate",
                "--format",
                label,
                "tests/fixtures/invalid/CL015-message-length.yaml",
            ])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{label}");
        assert!(
            String::from_utf8(out.stdout).unwrap().contains("CL015"),
            "{label}"
        );
    }
}
