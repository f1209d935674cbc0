//! The binary as users and CI run it: exit codes, streams, and files.
// Test code: clippy.toml's test allowances (unwrap, expect, panic, indexing) apply to all of it.
#![cfg(test)]

mod common;

use common::chatlog;

use predicates::prelude::*;

#[test]
fn examples_validate_clean() {
    for example in common::examples() {
        chatlog()
            .arg("validate")
            .arg(&example)
            .assert()
            .code(0)
            .stdout(predicate::str::starts_with("valid: "));
    }
}

#[test]
fn an_invalid_spec_exits_1_with_a_located_diagnostic() {
    chatlog()
        .args([
            "validate",
            "tests/fixtures/invalid/CL015-message-length.yaml",
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("error[CL015]"))
        .stdout(predicate::str::contains(
            "--> tests/fixtures/invalid/CL015-message-length.yaml:5:29",
        ))
        .stdout(predicate::str::contains("\x1b[").not());
}

#[test]
fn json_format_is_one_parseable_document() {
    let out = chatlog()
        .args([
            "validate",
            "--format",
            "json",
            "tests/fixtures/invalid/CL030-unknown-destination.yaml",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["valid"], false);
    let rules: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["CL051", "CL030"]);
}

#[test]
fn warnings_exit_0_unless_denied() {
    let warning_only = "tests/fixtures/invalid/CL051-unused-destination.yaml";
    chatlog()
        .args(["validate", warning_only])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("warning[CL051]"));
    chatlog()
        .args(["validate", "--deny-warnings", warning_only])
        .assert()
        .code(1);
}

#[test]
fn io_and_usage_errors_exit_2() {
    chatlog()
        .args(["validate", "no/such/spec.yaml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "cannot read `no/such/spec.yaml`: no such file",
        ))
        .stdout("");
    chatlog()
        .args(["validate", "examples"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is a directory"));
    chatlog().args(["validate"]).assert().code(2);
    chatlog()
        .args(["validate", "--format", "xml", "examples/quickstart.yaml"])
        .assert()
        .code(2);
    chatlog().args(["frobnicate"]).assert().code(2);
}

#[test]
fn help_documents_exit_codes() {
    chatlog()
        .arg("--help")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("2  usage, I/O or internal error"));
    chatlog()
        .args(["validate", "--help"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("1  findings"));
}

#[test]
fn schema_prints_the_committed_schema() {
    let out = chatlog().arg("schema").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let committed = std::fs::read(common::root().join("schemas/chatlog.schema.json")).unwrap();
    assert_eq!(out.stdout, committed);
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
}

#[test]
fn examples_point_editors_at_the_schema() {
    for example in common::examples()
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
    {
        let text = std::fs::read_to_string(example).unwrap();
        assert!(
            text.starts_with("# yaml-language-server: $schema=../schemas/chatlog.schema.json\n"),
            "{}",
            example.display()
        );
    }
}

#[test]
fn init_writes_a_valid_starter_and_never_overwrites() {
    let dir = common::fresh_dir("cli");
    let path = dir.join("chatlog.yaml");
    chatlog().arg("init").arg(&path).assert().code(0);
    let written = std::fs::read_to_string(&path).unwrap();
    assert!(written.starts_with("# yaml-language-server: $schema=chatlog.schema.json"));
    chatlog().arg("validate").arg(&path).assert().code(0);

    std::fs::write(&path, "mine").unwrap();
    chatlog()
        .arg("init")
        .arg(&path)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already exists"));
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "mine",
        "the user's file is untouched"
    );
}

/// mimalloc is built without its collection at exit (`.cargo/config.toml`): the kernel takes
/// the memory back at exit anyway. Its statistics, printed at exit, count the purges; a build
/// that collects purges its free pages there even after `--version`.
#[cfg(feature = "mimalloc")]
#[test]
fn the_allocator_leaves_its_free_pages_to_the_exit() {
    let out = chatlog()
        .env("MIMALLOC_SHOW_STATS", "1")
        .arg("--version")
        .output()
        .unwrap();
    assert!(out.status.success());
    let stats = String::from_utf8(out.stderr).unwrap();
    let purges = stats
        .lines()
        .find_map(|line| line.trim_start().strip_prefix("purges:"))
        .unwrap_or_else(|| panic!("mimalloc printed no purge count:\n{stats}"));
    assert_eq!(
        purges.trim(),
        "0",
        "mimalloc purged pages at exit: the build lacks MI_SKIP_COLLECT_ON_EXIT \
         (.cargo/config.toml's HOST_CFLAGS and TARGET_CFLAGS)\n{stats}"
    );
}
