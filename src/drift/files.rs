//! `chatlog check`: the files a render would write, compared with the files committed in a
//! directory. Pure: the committed files come through [`Committed`], which the caller implements
//! (the file system's is [`crate::files::OwnedFolders`]).

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::{Mutex, PoisonError};

use similar::TextDiff;

use crate::diagnostic::{Diagnostic, Location, Rule};
use crate::render::File;

/// The committed files, read one at a time: a check holds one of them in memory, not the whole
/// directory (67 MB of files at 50,000 rooms; issue 17).
pub trait Committed {
    type Error;
    /// Every file under the folders chatlog owns: `/`-separated paths relative to the
    /// directory, sorted.
    fn paths(&self) -> Vec<&str>;
    fn contains(&self, path: &str) -> bool;
    /// The file's text; `None` when it is not UTF-8 text (or not a regular file).
    fn read(&self, path: &str) -> Result<Option<String>, Self::Error>;
}

/// Committed files already in memory: relative, `/`-separated paths under the target folders,
/// and their contents (`None` when a file is not UTF-8 text).
pub type Existing = BTreeMap<String, Option<String>>;

impl Committed for Existing {
    type Error = Infallible;
    fn paths(&self) -> Vec<&str> {
        self.keys().map(String::as_str).collect()
    }
    fn contains(&self, path: &str) -> bool {
        self.contains_key(path)
    }
    fn read(&self, path: &str) -> Result<Option<String>, Infallible> {
        Ok(self.get(path).cloned().flatten())
    }
}

/// One diagnostic per file that differs: missing (CL090), changed (CL091, with a unified diff),
/// or present in a folder chatlog owns but no longer rendered (CL092). Sorted by path. Stops at
/// the first committed file that cannot be read.
pub fn compare<C: Committed>(
    rendered: &[File],
    committed: &C,
    dir: &str,
) -> Result<Vec<Diagnostic>, C::Error> {
    let comparison = Comparison::new(committed, dir);
    for f in rendered {
        comparison.file(f)?;
    }
    Ok(comparison.finish())
}

/// A comparison fed one rendered file at a time, as a render makes them
/// ([`crate::render::render_files`]), so a check never holds every rendered file: at 50,000
/// rooms they are 66 MB (issue 17). [`Comparison::finish`] adds the committed files no rendered
/// file matched.
pub struct Comparison<'a, C: Committed> {
    committed: &'a C,
    dir: &'a str,
    /// Every rendered path seen, and the finding about it, if any. Behind a lock: each
    /// rendering thread compares the files it rendered (see `render::render_files`).
    seen: Mutex<BTreeMap<String, Option<Diagnostic>>>,
}

impl<'a, C: Committed> Comparison<'a, C> {
    pub fn new(committed: &'a C, dir: &'a str) -> Self {
        Comparison {
            committed,
            dir,
            seen: Mutex::new(BTreeMap::new()),
        }
    }

    /// Compares one rendered file with its committed copy.
    pub fn file(&self, rendered: &File) -> Result<(), C::Error> {
        let finding = self.finding(&rendered.path, &rendered.contents)?;
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(rendered.path.clone(), finding);
        Ok(())
    }

    fn finding(&self, path: &str, contents: &str) -> Result<Option<Diagnostic>, C::Error> {
        let shown = join(self.dir, path);
        if !self.committed.contains(path) {
            return Ok(Some(
                Diagnostic::new(Rule::FileMissing, format!("`{shown}` is missing"))
                    .at(Some(file_location(&shown, 1)))
                    .help("run `chatlog render` with the same spec and commit the result"),
            ));
        }
        Ok(match self.committed.read(path)? {
            None => Some(
                Diagnostic::new(
                    Rule::FileChanged,
                    format!("`{shown}` is not the text chatlog renders"),
                )
                .at(Some(file_location(&shown, 1)))
                .help("the file is not UTF-8 text; run `chatlog render` to restore it"),
            ),
            Some(actual) if actual != contents => {
                let (line, diff) = unified(&actual, contents, &shown);
                let mut d = Diagnostic::new(Rule::FileChanged, format!("`{shown}` differs from what the spec renders"))
                    .at(Some(file_location(&shown, line)))
                    .help("edit the spec rather than the rendered file, then run `chatlog render` and commit the result");
                d.detail = Some(diff);
                Some(d)
            }
            Some(_) => None,
        })
    }

    /// The findings: the rendered files' by path, then the committed files nothing rendered.
    pub fn finish(self) -> Vec<Diagnostic> {
        let seen = self
            .seen
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        let mut out: Vec<Diagnostic> = seen.values().flatten().cloned().collect();
        for path in self.committed.paths() {
            if !seen.contains_key(path) {
                let shown = join(self.dir, path);
                out.push(
                    Diagnostic::new(Rule::FileStale, format!("`{shown}` is no longer rendered from the spec"))
                        .at(Some(file_location(&shown, 1)))
                        .help("delete it (the spec no longer has its deployment or resource) or restore what rendered it"),
                );
            }
        }
        out
    }
}

impl<C: Committed + Sync> crate::render::Sink for Comparison<'_, C>
where
    C::Error: Send,
{
    type Error = C::Error;

    /// Hands the text back once it is compared.
    fn put(&self, file: File) -> Result<Option<String>, C::Error> {
        self.file(&file)?;
        Ok(Some(file.contents))
    }

    /// Forgets a rendered file compared before.
    fn retract(&self, path: &str) -> Result<(), C::Error> {
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(path);
        Ok(())
    }
}

fn join(dir: &str, path: &str) -> String {
    let dir = dir.trim_end_matches('/');
    if dir.is_empty() || dir == "." {
        path.to_owned()
    } else {
        format!("{dir}/{path}")
    }
}

fn file_location(path: &str, line: u32) -> Location {
    Location {
        file: path.to_owned(),
        line,
        column: 1,
        len: 0,
        pointer: None,
    }
}

/// The unified diff from the committed file to the rendered one, and the first line that differs
/// in the committed file.
fn unified(actual: &str, expected: &str, shown: &str) -> (u32, String) {
    let diff = TextDiff::from_lines(actual, expected);
    let first = diff
        .ops()
        .iter()
        .find(|op| !matches!(op, similar::DiffOp::Equal { .. }))
        .map_or(0, |op| op.old_range().start);
    let text = diff
        .unified_diff()
        .context_radius(3)
        .header(
            &format!("{shown} (committed)"),
            &format!("{shown} (rendered)"),
        )
        .to_string();
    (u32::try_from(first + 1).unwrap_or(u32::MAX), text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, contents: &str) -> File {
        File {
            path: path.to_owned(),
            contents: contents.to_owned(),
        }
    }

    #[test]
    fn in_sync_is_silent() {
        let rendered = [file("policies/a.json", "{}\n")];
        let existing: Existing = [("policies/a.json".to_owned(), Some("{}\n".to_owned()))].into();
        assert_eq!(compare(&rendered, &existing, "out"), Ok(Vec::new()));
    }

    #[test]
    fn each_kind_of_drift_is_reported_at_its_file() {
        let rendered = [
            file("cloudformation/a.yaml", "a: 1\nb: 2\nc: 3\n"),
            file("policies/new.json", "{}\n"),
        ];
        let existing: Existing = [
            (
                "cloudformation/a.yaml".to_owned(),
                Some("a: 1\nb: 20\nc: 3\n".to_owned()),
            ),
            ("policies/old.json".to_owned(), Some("{}\n".to_owned())),
        ]
        .into();
        let found = compare(&rendered, &existing, "out/").unwrap();
        let kinds: Vec<(Rule, &str, u32)> = found
            .iter()
            .map(|d| {
                (
                    d.rule,
                    d.location.as_ref().unwrap().file.as_str(),
                    d.location.as_ref().unwrap().line,
                )
            })
            .collect();
        assert_eq!(
            kinds,
            [
                (Rule::FileChanged, "out/cloudformation/a.yaml", 2),
                (Rule::FileMissing, "out/policies/new.json", 1),
                (Rule::FileStale, "out/policies/old.json", 1),
            ]
        );
        let diff = found[0].detail.as_deref().unwrap();
        assert!(diff.contains("-b: 20\n+b: 2\n"), "{diff}");
        assert!(diff.starts_with(
            "--- out/cloudformation/a.yaml (committed)\n+++ out/cloudformation/a.yaml (rendered)\n"
        ));
    }

    #[test]
    fn binary_files_are_changed_not_a_crash() {
        let rendered = [file("policies/a.json", "{}\n")];
        let existing: Existing = [("policies/a.json".to_owned(), None)].into();
        assert_eq!(
            compare(&rendered, &existing, "out").unwrap()[0].rule,
            Rule::FileChanged
        );
    }
}
