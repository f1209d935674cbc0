// The commit readers of build.rs, as plain functions of a file's text, so that tests/version.rs
// can run them on the shapes a published crate and a `git archive` tarball carry (included by
// both; no `//!` because it is included, not a module).

/// The first 12 hex digits of `"sha1": "<40 hex>"` in cargo's `.cargo_vcs_info.json`
/// (`{"git": {"sha1": ...}, "path_in_vcs": ""}`): one field, no JSON parser in a build script.
pub fn commit_from_cargo_vcs_info(text: &str) -> Option<String> {
    let at = text.find("\"sha1\"")?;
    let rest = text.get(at + "\"sha1\"".len()..)?;
    let start = rest.find('"')? + 1;
    let sha = rest.get(start..start + 40)?;
    sha.chars()
        .all(|c| c.is_ascii_hexdigit())
        .then(|| sha.get(..12).unwrap_or(sha).to_owned())
}

/// The commit `git archive` wrote into the COMMIT file (export-subst); `None` while the file
/// still holds its `$Format:%H$` placeholder, as it does in a checkout.
pub fn commit_from_archive_file(text: &str) -> Option<String> {
    let sha = text.trim();
    (sha.len() >= 12 && sha.chars().all(|c| c.is_ascii_hexdigit()))
        .then(|| sha.get(..12).unwrap_or(sha).to_owned())
}
