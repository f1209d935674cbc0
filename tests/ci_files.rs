//! The workflow and action files, which nothing here can run: every one passes actionlint and
//! zizmor (from the checker venv, see tests/requirements.txt), and they agree with the release
//! contract (asset names, targets) that action.yml and `cargo binstall` rely on.
// Test code: clippy.toml's test allowances (unwrap, expect, panic, indexing) apply to all of it.
#![cfg(test)]

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::{root, venv_tool};

/// Every workflow and action file of the repository, including the example users copy.
fn ci_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join(".github/workflows"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.push(root().join("action.yml"));
    files.push(root().join("examples/ci/github-workflow.yml"));
    files.sort();
    assert!(files.iter().any(|f| f.ends_with("release.yml")));
    files
}

#[test]
fn every_workflow_passes_actionlint() {
    let actionlint = venv_tool("actionlint");
    // actionlint checks `run:` scripts with shellcheck when it is on the PATH, and silently
    // skips that when it is not: require it (scripts/test installs it).
    let shellcheck = Command::new("shellcheck").arg("--version").output();
    assert!(
        shellcheck.is_ok_and(|o| o.status.success()),
        "shellcheck is missing: run scripts/test (Debian: apt-get install shellcheck)"
    );
    let workflows: Vec<PathBuf> = ci_files()
        .into_iter()
        .filter(|f| !f.ends_with("action.yml"))
        .collect();
    let out = Command::new(&actionlint)
        .arg("-no-color")
        .args(&workflows)
        .current_dir(root())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "actionlint:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // A broken workflow fails it, so the run above proved something.
    let dir = common::fresh_dir("actionlint");
    let broken = dir.join("broken.yml");
    std::fs::write(
        &broken,
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ matrix.nope }}\n",
    )
    .unwrap();
    let out = Command::new(&actionlint)
        .arg("-no-color")
        .arg(&broken)
        .output()
        .unwrap();
    assert!(!out.status.success());
}

#[test]
fn every_workflow_and_the_action_pass_zizmor() {
    let zizmor = venv_tool("zizmor");
    // Offline: the audits that ask GitHub (impostor commits, known-vulnerable versions) cannot
    // run here; all the others do.
    let out = Command::new(&zizmor)
        .args(["--offline", "--no-progress", "--format", "plain"])
        .args(ci_files())
        .current_dir(root())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "zizmor:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let dir = common::fresh_dir("zizmor");
    let injectable = dir.join("injectable.yml");
    std::fs::write(
        &injectable,
        "on: pull_request_target\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo \"${{ github.event.pull_request.title }}\"\n",
    )
    .unwrap();
    let out = Command::new(&zizmor)
        .args(["--offline", "--no-progress"])
        .arg(&injectable)
        .output()
        .unwrap();
    assert!(!out.status.success(), "zizmor accepts a template injection");
}

#[test]
fn the_release_builds_what_the_action_and_binstall_download() {
    let release = std::fs::read_to_string(root().join(".github/workflows/release.yml")).unwrap();
    let action = std::fs::read_to_string(root().join("action.yml")).unwrap();
    let cargo = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    for target in [
        "x86_64-unknown-linux-musl",
        "aarch64-unknown-linux-musl",
        "x86_64-apple-darwin",
        "aarch64-apple-darwin",
    ] {
        assert!(release.contains(&format!("target: {target}")), "{target}");
        assert!(action.contains(&format!("target={target}")), "{target}");
    }
    // One archive name everywhere: chatlog-<tag>-<target>.tar.gz, with a SHA256SUMS beside it.
    assert!(release.contains("name=\"chatlog-$TAG-$TARGET\""));
    assert!(release.contains("dist/$name.tar.gz"));
    assert!(release.contains("dist/SHA256SUMS"));
    assert!(action.contains("name=\"chatlog-$VERSION-$target\""));
    assert!(action.contains("--pattern \"$name.tar.gz\" --pattern SHA256SUMS"));
    assert!(action.contains("shasum -a 256 --check --strict"));
    assert!(cargo.contains(
        "pkg-url = \"{ repo }/releases/download/v{ version }/{ name }-v{ version }-{ target }.tar.gz\""
    ));
    assert!(cargo.contains("bin-dir = \"{ name }-v{ version }-{ target }/{ bin }{ binary-ext }\""));
    // Every input of the action is documented.
    let inputs = action
        .split("\ninputs:\n")
        .nth(1)
        .unwrap()
        .split("\noutputs:")
        .next()
        .unwrap();
    let names: Vec<&str> = inputs
        .lines()
        .filter(|l| l.starts_with("  ") && !l.starts_with("   ") && l.ends_with(':'))
        .collect();
    assert_eq!(
        names,
        ["  version:", "  repository:", "  args:", "  token:"]
    );
    assert_eq!(inputs.matches("    description:").count(), names.len());
}

#[test]
fn the_actions_scripts_pass_shellcheck() {
    // actionlint reads workflows only; the composite action's steps are checked here.
    let action: serde_json::Value =
        serde_saphyr::from_str(&std::fs::read_to_string(root().join("action.yml")).unwrap())
            .unwrap();
    let steps = action["runs"]["steps"].as_array().unwrap();
    let mut checked = 0;
    for step in steps {
        let Some(script) = step["run"].as_str() else {
            continue;
        };
        assert_eq!(step["shell"], "bash");
        assert!(
            !script.contains("${{"),
            "inputs reach scripts through env, never through template expansion"
        );
        let mut child = Command::new("shellcheck")
            .args(["--shell=bash", "--severity=style", "-"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("shellcheck is installed by scripts/test");
        std::io::Write::write_all(&mut child.stdin.take().unwrap(), script.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "shellcheck on step `{}`:\n{}",
            step["name"],
            String::from_utf8_lossy(&out.stdout)
        );
        checked += 1;
    }
    assert_eq!(checked, 2);
}
