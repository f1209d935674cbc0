//! The lean build (`--no-default-features`: no AWS SDK) compiles, keeps every offline command,
//! refuses the live ones with a clear error, and renders byte for byte what the full build
//! renders. The lean binary is built here, into target/lean (a folder of its own, so this
//! cargo does not wait for the one running the tests; incremental after the first run, which
//! costs about a minute without the SDK).
// Test code: clippy.toml's test allowances (unwrap, expect, panic, indexing) apply to all of it.
#![cfg(test)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use common::{chatlog, examples, files_under, fresh_dir, root};

fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// Builds the lean binary once per test process.
fn lean() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let target_dir = root().join("target/lean");
        let out = cargo()
            .args([
                "build",
                "--no-default-features",
                "--locked",
                "--offline",
                "--bin",
                "chatlog",
                "--target-dir",
            ])
            .arg(&target_dir)
            .current_dir(root())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "the lean build fails:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        target_dir.join("debug/chatlog")
    })
}

fn run(binary: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(binary)
        .args(args)
        .current_dir(root())
        .env_remove("NO_COLOR")
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn the_lean_build_has_no_aws_sdk() {
    let out = cargo()
        .args([
            "tree",
            "--no-default-features",
            "--edges",
            "normal,build",
            "--prefix",
            "none",
            "--locked",
            "--offline",
            "--package",
            "chatlog",
        ])
        .current_dir(root())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tree = String::from_utf8(out.stdout).unwrap();
    assert!(tree.contains("clap "), "{tree}");
    for heavy in ["aws-config", "aws-sdk-", "aws-smithy", "tokio ", "aws-lc"] {
        assert!(!tree.contains(heavy), "the lean build pulls `{heavy}`");
    }
    let (code, version, _) = run(lean(), &["--version"]);
    assert_eq!(code, 0);
    assert!(
        version.contains("aws commands: not in this build"),
        "{version}"
    );
}

#[test]
fn the_lean_build_renders_byte_for_byte_what_the_full_build_renders() {
    let dir = fresh_dir("lean-render");
    let mut compared = 0;
    for example in examples() {
        let spec = example.to_str().unwrap();
        let stem = example.file_stem().unwrap().to_string_lossy().into_owned();
        // Every target in both template formats; the policies alone too, which the examples
        // with rates CloudFormation and Terraform refuse still render.
        for (target, format) in [("all", "yaml"), ("all", "json"), ("policies", "yaml")] {
            let full_out = dir.join(format!("full-{stem}-{target}-{format}"));
            let lean_out = dir.join(format!("lean-{stem}-{target}-{format}"));
            let args = [
                "render", spec, "--target", target, "--format", format, "--out",
            ];
            let full = chatlog().args(args).arg(&full_out).output().unwrap();
            let lean_args: Vec<&str> = args
                .iter()
                .copied()
                .chain([lean_out.to_str().unwrap()])
                .collect();
            let (code, _, err) = run(lean(), &lean_args);
            assert_eq!(full.status.code(), Some(code), "{spec}: {err}");
            if code != 0 {
                continue;
            }
            let files = files_under(&full_out);
            assert!(!files.is_empty());
            let relative = |base: &Path, files: Vec<PathBuf>| -> Vec<PathBuf> {
                files
                    .into_iter()
                    .map(|f| f.strip_prefix(base).unwrap().to_path_buf())
                    .collect()
            };
            assert_eq!(
                relative(&full_out, files.clone()),
                relative(&lean_out, files_under(&lean_out)),
                "{spec}: the same files"
            );
            for f in &files {
                let rel = f.strip_prefix(&full_out).unwrap();
                assert!(
                    std::fs::read(f).unwrap() == std::fs::read(lean_out.join(rel)).unwrap(),
                    "{spec}: {} differs",
                    rel.display()
                );
                compared += 1;
            }
        }
    }
    assert!(compared > 10, "{compared} files compared");
}

#[test]
fn the_lean_build_keeps_the_offline_commands_and_refuses_the_live_ones() {
    let spec = "examples/quickstart.yaml";
    for args in [
        vec!["validate", spec],
        vec!["graph", spec],
        vec!["schema"],
        vec!["completions", "bash"],
        vec!["man"],
    ] {
        let (code, out, err) = run(lean(), &args);
        assert_eq!(code, 0, "{args:?}: {err}");
        assert!(!out.is_empty(), "{args:?}");
    }
    for live in ["plan", "apply", "drift"] {
        let (code, out, err) = run(lean(), &[live, spec]);
        assert_eq!(code, 2, "{live}");
        assert!(out.is_empty());
        assert!(
            err.contains("built without the AWS commands"),
            "{live}: {err}"
        );
    }
    let (code, _, err) = run(lean(), &["inventory"]);
    assert_eq!(code, 2);
    assert!(err.contains("built without the AWS commands"), "{err}");
}
