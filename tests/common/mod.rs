//! Shared by the integration tests: snapshot settings, paths, and the checker venv.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// insta settings that keep every snapshot in the repository's snapshots/ folder.
pub fn snapshots() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(root().join("snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings
}

/// Checks every `(name, text)` against its snapshot before failing, so one mismatch in a loop
/// does not hide the others: each mismatch prints its diff, and the failure names them all.
pub fn assert_snapshots(cases: impl IntoIterator<Item = (String, String)>) {
    let settings = snapshots();
    let mut differ = Vec::new();
    for (name, text) in cases {
        let checked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            settings.bind(|| insta::assert_snapshot!(name.as_str(), text));
        }));
        if checked.is_err() {
            differ.push(name);
        }
    }
    assert!(differ.is_empty(), "snapshots that differ: {differ:?}");
}

/// A validation's diagnostics as `format` prints them, without color.
pub fn report(v: &chatlog::Validation, format: chatlog::Format) -> String {
    chatlog::report::render(format, &v.diagnostics, &v.sources, &v.summary, false)
}

/// A tool installed into the checker venv by scripts/test. Missing tools fail the test: a
/// checker that silently does not run proves nothing.
pub fn venv_tool(name: &str) -> PathBuf {
    let venv = std::env::var_os("CHATLOG_VENV").map_or_else(|| root().join(".venv"), PathBuf::from);
    let tool = venv.join("bin").join(name);
    assert!(
        tool.exists(),
        "{} is missing: run scripts/test, which installs the checkers",
        tool.display()
    );
    tool
}

/// Every file in examples/ with a spec extension, sorted.
pub fn examples() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(root().join("examples"))
        .expect("examples/ exists")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("yaml" | "yml" | "json")
            )
        })
        .collect();
    out.sort();
    out
}

/// The built binary, run from the repository root. NO_COLOR is removed so that tests prove
/// piped output is plain on its own.
pub fn chatlog() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("chatlog").expect("the chatlog binary is built");
    cmd.current_dir(root()).env_remove("NO_COLOR");
    cmd
}

/// Every file below `dir` (not the folders), sorted.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("the folder is readable") {
            let p = e.expect("the entry is readable").path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// A new, empty directory under the system temp dir, removed when the value is dropped: at the
/// end of the test, and also when it fails (a panic unwinds through the drop).
pub fn fresh_dir(label: &str) -> Fresh {
    Fresh(
        tempfile::Builder::new()
            .prefix(&format!("chatlog-{label}-"))
            .tempdir()
            .expect("temp dir is writable"),
    )
}

/// A [`fresh_dir`]: a path that removes its folder when dropped. Keep it in a variable for as
/// long as the folder is used: `fresh_dir(..).join(..)` would remove the folder at once.
#[must_use = "the folder is removed when this is dropped"]
pub struct Fresh(tempfile::TempDir);

impl std::ops::Deref for Fresh {
    type Target = Path;
    fn deref(&self) -> &Path {
        self.0.path()
    }
}

impl AsRef<Path> for Fresh {
    fn as_ref(&self) -> &Path {
        self.0.path()
    }
}

impl AsRef<std::ffi::OsStr> for Fresh {
    fn as_ref(&self) -> &std::ffi::OsStr {
        self.0.path().as_os_str()
    }
}

/// Deterministic pseudo-random choices (xorshift), so a failure reproduces from its seed.
pub struct Dice(pub u64);

impl Dice {
    pub fn roll(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
    pub fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        let i = self.roll(from.len());
        from.get(i).copied().unwrap_or_default()
    }
}
