//! Records the commit chatlog is built from as CHATLOG_COMMIT, for `chatlog --version`.
//!
//! In order: the CHATLOG_COMMIT environment variable (a packager that knows better), the git
//! repository the build runs in, the `.cargo_vcs_info.json` cargo writes into a published crate,
//! the `COMMIT` file `git archive` fills in (export-subst, see .gitattributes), else `unknown`.
//! None of these fails the build: a version without a commit is better than no binary.

use std::path::Path;
use std::process::Command;

fn main() {
    println!("cargo::rerun-if-env-changed=CHATLOG_COMMIT");
    println!("cargo::rerun-if-changed=COMMIT");
    println!("cargo::rerun-if-changed=build/commit.rs");
    let commit = std::env::var("CHATLOG_COMMIT")
        .ok()
        .filter(|c| !c.trim().is_empty())
        .or_else(from_git)
        .or_else(from_cargo_vcs_info)
        .or_else(from_archive)
        .unwrap_or_else(|| "unknown".to_owned());
    println!("cargo::rustc-env=CHATLOG_COMMIT={}", commit.trim());
}

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    (out.status.success() && !text.trim().is_empty()).then(|| text.trim().to_owned())
}

fn from_git() -> Option<String> {
    // Only this project's own repository: a tarball unpacked inside another one (a home folder
    // kept in git) must not take that repository's commit.
    let top = git(&["rev-parse", "--show-toplevel"])?;
    let manifest = std::env::var("CARGO_MANIFEST_DIR").ok()?;
    if std::fs::canonicalize(&top).ok()? != std::fs::canonicalize(&manifest).ok()? {
        return None;
    }
    // Rebuild when HEAD moves: its own file (a branch switch) and the files the branch's commit
    // lives in. `--git-path` finds them in a worktree too, where `.git` is a file.
    for file in ["HEAD", "packed-refs"] {
        if let Some(path) = git(&["rev-parse", "--git-path", file]) {
            println!("cargo::rerun-if-changed={path}");
        }
    }
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"])
        && let Some(path) = git(&["rev-parse", "--git-path", &branch])
    {
        println!("cargo::rerun-if-changed={path}");
    }
    git(&["rev-parse", "--short=12", "HEAD"])
}

include!("build/commit.rs");

fn from_cargo_vcs_info() -> Option<String> {
    commit_from_cargo_vcs_info(&std::fs::read_to_string(".cargo_vcs_info.json").ok()?)
}

fn from_archive() -> Option<String> {
    commit_from_archive_file(&std::fs::read_to_string(Path::new("COMMIT")).ok()?)
}
