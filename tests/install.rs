//! What a new user meets first: `--version` (version, commit, whether the AWS commands are in
//! the build), shell completions for every shell clap_complete knows, and man pages, all
//! generated from the clap definitions. Completions are parsed by bash, zsh and fish and man
//! pages rendered by groff and man (scripts/test installs them; a missing tool fails the test).
// Test code: clippy.toml's test allowances (unwrap, expect, panic, indexing) apply to all of it.
#![cfg(test)]

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::{chatlog, fresh_dir, root};

include!("../build/commit.rs");

fn stdout_of(args: &[&str]) -> String {
    let out = chatlog().args(args).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A tool the tests need; missing, the test fails with how to get it.
fn tool(name: &str) -> Command {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "`{name}` is missing: run scripts/test, which installs it (Debian: apt-get install {name})"
    );
    Command::new(name)
}

/// Runs `cmd` with `input` on stdin; returns (success, stdout, stderr).
fn feed(mut cmd: Command, input: &str) -> (bool, String, String) {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn version_names_the_version_the_commit_and_whether_aws_is_in_the_build() {
    let text = stdout_of(&["--version"]);
    assert!(
        text.starts_with(&format!("chatlog {}\n", env!("CARGO_PKG_VERSION"))),
        "{text}"
    );
    let head = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(root())
        .output()
        .unwrap();
    let head = String::from_utf8(head.stdout).unwrap();
    assert_eq!(head.trim().len(), 12, "the tests run in the git checkout");
    assert!(
        text.contains(&format!("\ncommit: {}\n", head.trim())),
        "{text}"
    );
    let expected = if cfg!(feature = "aws") {
        "aws commands: included"
    } else {
        "aws commands: not in this build"
    };
    assert!(text.contains(expected), "{text}");
}

#[test]
fn the_commit_is_found_without_git_in_a_crate_or_an_archive() {
    // What `cargo package` writes into a published crate.
    let vcs = "{\n  \"git\": {\n    \"sha1\": \"0123456789abcdef0123456789abcdef01234567\"\n  },\n  \"path_in_vcs\": \"\"\n}\n";
    assert_eq!(
        commit_from_cargo_vcs_info(vcs).as_deref(),
        Some("0123456789ab")
    );
    assert_eq!(commit_from_cargo_vcs_info("{\"git\": {}}"), None);
    // The COMMIT file as the checkout has it, and as `git archive` fills it in.
    let placeholder = std::fs::read_to_string(root().join("COMMIT")).unwrap();
    assert_eq!(commit_from_archive_file(&placeholder), None);
    let attributes = std::fs::read_to_string(root().join(".gitattributes")).unwrap();
    assert!(
        attributes
            .lines()
            .any(|l| l.trim() == "COMMIT export-subst")
    );
    let dir = fresh_dir("archive");
    let tar = dir.join("source.tar");
    let archived = Command::new("git")
        .args(["archive", "--format=tar", "-o"])
        .arg(&tar)
        .args(["HEAD", "COMMIT"])
        .current_dir(root())
        .status()
        .unwrap();
    assert!(archived.success());
    let unpacked = Command::new("tar")
        .arg("-xf")
        .arg(&tar)
        .arg("-C")
        .arg(&*dir)
        .status()
        .unwrap();
    assert!(unpacked.success());
    let head = Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(root())
        .output()
        .unwrap();
    let head = String::from_utf8(head.stdout).unwrap();
    assert_eq!(
        commit_from_archive_file(&std::fs::read_to_string(dir.join("COMMIT")).unwrap()),
        Some(head.trim()[..12].to_owned())
    );
}

const SHELLS: [&str; 5] = ["bash", "zsh", "fish", "powershell", "elvish"];

#[test]
fn completions_are_generated_for_every_shell_from_the_clap_definitions() {
    for shell in SHELLS {
        let script = stdout_of(&["completions", shell]);
        // Every command and a flag deep in a subcommand: the definitions, not a hand copy.
        for word in [
            "validate",
            "render",
            "drift",
            "completions",
            "man",
            "--baseline",
            "--cache-dir",
        ] {
            assert!(script.contains(word), "{shell}: no `{word}`");
        }
    }
    let out = chatlog().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn bash_zsh_and_fish_parse_their_completions() {
    let bash = stdout_of(&["completions", "bash"]);
    let (ok, _, err) = feed(
        {
            let mut c = tool("bash");
            c.arg("-n");
            c
        },
        &bash,
    );
    assert!(ok, "bash -n: {err}");
    // bash also runs it: the script defines its function and registers it for `chatlog`.
    let (ok, out, err) = feed(
        tool("bash"),
        &format!("{bash}\ndeclare -F _chatlog && complete -p chatlog\n"),
    );
    assert!(
        ok && out.contains("_chatlog") && out.contains("complete"),
        "{out}{err}"
    );

    let zsh = stdout_of(&["completions", "zsh"]);
    let (ok, _, err) = feed(
        {
            let mut c = tool("zsh");
            c.args(["-n", "-f"]);
            c
        },
        &zsh,
    );
    assert!(ok, "zsh -n: {err}");

    let fish = stdout_of(&["completions", "fish"]);
    let (ok, _, err) = feed(
        {
            let mut c = tool("fish");
            c.arg("--no-execute");
            c
        },
        &fish,
    );
    assert!(ok, "fish --no-execute: {err}");
    // A broken script must fail these parsers, or the checks above prove nothing.
    let (ok, _, _) = feed(
        {
            let mut c = tool("bash");
            c.arg("-n");
            c
        },
        &bash.replacen("esac", "", 1),
    );
    assert!(!ok, "bash -n accepts a script without its esac");
}

/// Renders a roff page with groff, warnings on; returns the text.
fn groff(page: &str) -> String {
    let (ok, out, err) = feed(
        {
            let mut c = tool("groff");
            // -P -cbou: plain text, no overstriking, so the test can read it.
            c.args(["-man", "-Tutf8", "-ww", "-P", "-cbou"]);
            c
        },
        page,
    );
    assert!(ok, "groff failed: {err}");
    assert!(err.trim().is_empty(), "groff warns: {err}");
    out
}

#[test]
fn man_pages_render_through_groff_and_man() {
    let main = stdout_of(&["man"]);
    assert!(
        main.starts_with(".ie") || main.contains(".TH chatlog 1"),
        "{main}"
    );
    let text = groff(&main);
    for word in ["NAME", "SYNOPSIS", "SUBCOMMANDS", "drift", "completions"] {
        assert!(text.contains(word), "chatlog(1) lacks `{word}`:\n{text}");
    }
    let verify = stdout_of(&["man", "policy", "verify"]);
    assert!(verify.contains(".TH chatlog-policy-verify 1"), "{verify}");
    let text = groff(&verify);
    assert!(
        text.contains("--baseline") || text.contains("−−baseline"),
        "{text}"
    );

    // And through man itself, as a user reads it.
    let dir = fresh_dir("man");
    let file = dir.join("chatlog-drift.1");
    std::fs::write(&file, stdout_of(&["man", "drift"])).unwrap();
    let out = tool("man")
        .env("MANPAGER", "cat")
        .env("MANWIDTH", "100")
        .args(["-l"])
        .arg(&file)
        .output()
        .unwrap();
    let page = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        page.contains("cache") && page.contains("baseline"),
        "{page}"
    );

    let wrong = chatlog().args(["man", "drif"]).output().unwrap();
    assert_eq!(wrong.status.code(), Some(2));
    let err = String::from_utf8(wrong.stderr).unwrap();
    assert!(
        err.contains("no command `drif`; did you mean `drift`?"),
        "{err}"
    );
}
