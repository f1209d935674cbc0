//! `chatlog check`: committed rendered files against the spec, through the binary.
// Test code: clippy.toml's test allowances (unwrap, expect, panic, indexing) apply to all of it.
#![cfg(test)]

mod common;

use common::chatlog;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn rendered_dir(spec: &str) -> common::Fresh {
    let dir = common::fresh_dir("check");
    chatlog()
        .args(["render", spec, "--out"])
        .arg(&dir)
        .assert()
        .code(0);
    dir
}

/// Every file under `dir` with its bytes, to prove check writes nothing.
fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    common::files_under(dir)
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect()
}

fn check(spec: &str, dir: &Path, format: &str) -> (i32, String) {
    let out = chatlog()
        .args(["check", spec, "--format", format, "--against"])
        .arg(dir)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
    )
}

#[test]
fn freshly_rendered_files_are_in_sync_for_every_example() {
    let mut in_sync = 0;
    for example in common::examples() {
        let spec = example.to_str().unwrap();
        let guard = common::fresh_dir("check-ex");
        // A folder render creates itself, inside one that is removed when the test ends.
        let dir = guard.join(example.file_stem().unwrap());
        let rendered = chatlog()
            .args(["render", spec, "--out"])
            .arg(&dir)
            .output()
            .unwrap();
        if rendered.status.code() == Some(1) {
            // Rates above what CloudFormation accepts: no files, and check says so.
            std::fs::create_dir_all(&dir).unwrap();
            let (code, text) = check(spec, &dir, "text");
            assert_eq!(code, 1);
            assert!(text.contains("CL060"), "{text}");
            continue;
        }
        let before = tree(&dir);
        let (code, text) = check(spec, &dir, "text");
        assert_eq!(code, 0, "{spec}: {text}");
        assert_eq!(tree(&dir), before, "check never writes");
        in_sync += 1;
    }
    assert!(in_sync >= 1);
}

#[test]
fn each_kind_of_drift_is_a_finding_with_its_file() {
    let dir = rendered_dir("examples/quickstart.yaml");
    let template = std::fs::read_dir(dir.join("cloudformation"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "yaml"))
        .unwrap();
    let text = std::fs::read_to_string(&template)
        .unwrap()
        .replace("MaximumMessageLength: 500", "MaximumMessageLength: 400");
    std::fs::write(&template, text).unwrap();
    std::fs::write(dir.join("policies/stray.json"), "{}").unwrap();
    let outputs = std::fs::read_dir(dir.join("terraform"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.is_dir())
        .unwrap()
        .join("outputs.tf");
    std::fs::remove_file(&outputs).unwrap();
    std::fs::write(
        dir.join("unrelated.txt"),
        "the user's own file, outside chatlog's folders",
    )
    .unwrap();

    let (code, text) = check("examples/quickstart.yaml", &dir, "text");
    assert_eq!(code, 1);
    assert!(
        text.contains("error[CL091]")
            && text.contains("-      MaximumMessageLength: 400\n+      MaximumMessageLength: 500"),
        "{text}"
    );
    assert!(
        text.contains("error[CL092]") && text.contains("policies/stray.json"),
        "{text}"
    );
    assert!(
        text.contains("error[CL090]") && text.contains("outputs.tf` is missing"),
        "{text}"
    );
    assert!(
        !text.contains("unrelated.txt") && !text.contains(".chatlog`"),
        "{text}"
    );

    let (_, sarif) = check("examples/quickstart.yaml", &dir, "sarif");
    let log: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    let changed = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "CL091")
        .unwrap();
    let location = &changed["locations"][0]["physicalLocation"];
    assert!(
        location["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .ends_with(".yaml")
    );
    assert!(
        location["region"]["startLine"].as_u64().unwrap() > 1,
        "points at the first changed line"
    );
}

#[test]
fn an_invalid_spec_is_a_finding_and_a_missing_dir_an_error() {
    let dir = rendered_dir("examples/quickstart.yaml");
    let (code, text) = check(
        "tests/fixtures/invalid/CL015-message-length.yaml",
        &dir,
        "text",
    );
    assert_eq!(code, 1);
    assert!(text.contains("CL015"));
    chatlog()
        .args([
            "check",
            "examples/quickstart.yaml",
            "--against",
            "no/such/dir",
        ])
        .assert()
        .code(2);
}

/// The folder reader `check` uses: chatlog's folders only, the marker skipped, a symbolic link
/// or a file that is not UTF-8 read as "not text", and a file gone between listing and reading
/// an error that names it, not a silent pass.
#[test]
fn committed_files_are_listed_then_read_one_at_a_time() {
    use chatlog::drift::files::{Committed, compare};
    use chatlog::files::OwnedFolders;
    use chatlog::render::{File, Target};

    let dir = common::fresh_dir("check-folders");
    std::fs::create_dir_all(dir.join("policies/nested")).unwrap();
    std::fs::write(dir.join("policies/.chatlog"), "marker").unwrap();
    std::fs::write(dir.join("policies/a.json"), "{}\n").unwrap();
    std::fs::write(dir.join("policies/nested/b.json"), [0xff, 0xfe]).unwrap();
    std::os::unix::fs::symlink(dir.join("policies/a.json"), dir.join("policies/link.json"))
        .unwrap();
    std::fs::create_dir_all(dir.join("elsewhere")).unwrap();
    std::fs::write(dir.join("elsewhere/c.json"), "{}\n").unwrap();

    let folders = OwnedFolders::list(&dir, &[Target::Policies, Target::Graph]).unwrap();
    assert_eq!(
        folders.paths(),
        [
            "policies/a.json",
            "policies/link.json",
            "policies/nested/b.json"
        ]
    );
    assert_eq!(
        folders.read("policies/a.json").unwrap().as_deref(),
        Some("{}\n")
    );
    assert_eq!(folders.read("policies/link.json").unwrap(), None);
    assert_eq!(folders.read("policies/nested/b.json").unwrap(), None);

    let rendered = [
        File {
            path: "policies/a.json".into(),
            contents: "{}\n".into(),
        },
        File {
            path: "policies/nested/b.json".into(),
            contents: "{}\n".into(),
        },
    ];
    let rules: Vec<String> = compare(&rendered, &folders, "out")
        .unwrap()
        .iter()
        .map(|d| format!("{} {}", d.rule.id(), d.location.as_ref().unwrap().file))
        .collect();
    assert_eq!(
        rules,
        [
            "CL091 out/policies/nested/b.json",
            "CL092 out/policies/link.json"
        ]
    );

    std::fs::remove_file(dir.join("policies/a.json")).unwrap();
    let error = compare(&rendered, &folders, "out").unwrap_err().to_string();
    assert!(
        error.starts_with("cannot read `") && error.contains("policies/a.json`: "),
        "{error}"
    );
}
