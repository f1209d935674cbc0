//! Shared by the render tests: the cases (every example and every render fixture), rendering
//! them through the library, and laying out files for the external checkers.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use chatlog::render::{self, File, Rendered, Target, TemplateFormat};
use chatlog::spec::load::Input;
use chatlog::validate::{Validation, validate};

#[path = "../common/mod.rs"]
pub mod common;

/// Runs `check` on every case under insta's `glob!` (which runs every file and fails at the end,
/// so one mismatch does not hide the others): the examples, as `("example", path)`, and the
/// render fixtures, as `("fixture", path)`. Snapshots taken inside are named
/// `<what>-<kind>@<file>`, e.g. `cloudformation-example@quickstart.yaml`.
pub fn each_case(check: impl Fn(&str, &Path)) {
    // glob! hands over canonical paths; reports name files as users see them.
    let named = |dir: &str, path: &Path| common::root().join(dir).join(path.file_name().unwrap());
    common::snapshots().bind(|| {
        insta::glob!("../../examples", "*.{yaml,yml,json}", |path| {
            check("example", &named("examples", path))
        });
        insta::glob!("../data/render", "*.yaml", |path| {
            check("fixture", &named("tests/data/render", path))
        });
    });
}

/// Every example and every fixture under tests/data/render, sorted, as (case name, path).
pub fn cases() -> Vec<(String, PathBuf)> {
    let mut out: Vec<(String, PathBuf)> = common::examples()
        .into_iter()
        .map(|p| (format!("example-{}", stem(&p)), p))
        .collect();
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(common::root().join("tests/data/render"))
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().and_then(|e| e.to_str()) == Some("yaml"))
        .collect();
    fixtures.sort();
    out.extend(
        fixtures
            .into_iter()
            .map(|p| (format!("fixture-{}", stem(&p)), p)),
    );
    out
}

fn stem(p: &Path) -> String {
    p.file_stem().unwrap().to_str().unwrap().to_owned()
}

/// Validates spec text; the model must be there.
pub fn validate_text(name: &str, text: &str) -> Validation {
    let v = validate(vec![Input {
        name: name.to_owned(),
        bytes: text.as_bytes().to_vec(),
    }]);
    assert!(!v.has_errors(), "{name} is invalid: {:#?}", v.diagnostics);
    v
}

pub fn validate_file(path: &Path) -> Validation {
    let rel = path.strip_prefix(common::root()).unwrap_or(path);
    validate_text(
        &rel.display().to_string(),
        &std::fs::read_to_string(path).unwrap(),
    )
}

pub fn render_validation(v: &Validation, targets: &[Target], format: TemplateFormat) -> Rendered {
    render::render(v.model.as_ref().unwrap(), &v.sources, targets, format).unwrap()
}

/// All files, each under a `--- path` header: one snapshot per case and target.
pub fn files_text(files: &[File]) -> String {
    let mut out = String::new();
    for f in files {
        out.push_str("--- ");
        out.push_str(&f.path);
        out.push('\n');
        out.push_str(&f.contents);
    }
    out
}

/// What the case at `path` renders to for `targets`, as a snapshot holds it: the files, or when
/// a target refuses the case, its diagnostics (and then there must be no files).
pub fn snapshot_text(name: &str, path: &Path, targets: &[Target]) -> String {
    let v = validate_file(path);
    let rendered = render_validation(&v, targets, TemplateFormat::Yaml);
    if rendered.has_errors() {
        assert!(rendered.files.is_empty(), "{name}: files despite errors");
        diagnostics_text(&v, &rendered)
    } else {
        files_text(&rendered.files)
    }
}

/// The diagnostics as the text report prints them (no color).
pub fn diagnostics_text(v: &Validation, rendered: &Rendered) -> String {
    let mut diagnostics = v.diagnostics.clone();
    diagnostics.extend(rendered.diagnostics.iter().cloned());
    chatlog::diagnostic::sort(&mut diagnostics);
    chatlog::report::render(
        chatlog::report::Format::Text,
        &diagnostics,
        &v.sources,
        &v.summary,
        false,
    )
}

/// A fresh directory under the test target dir.
pub fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes files under `dir` (test helper; the product writes through render::write).
pub fn lay_out(dir: &Path, files: &[File]) {
    for f in files {
        let path = dir.join(&f.path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, &f.contents).unwrap();
    }
}

/// A spec with `rooms` rooms over `deployments` regions of one account, each room logging to its
/// region's bucket, tagged so templates get big.
pub fn big_spec(rooms: usize, deployments: usize, tag_bytes: usize) -> String {
    const REGIONS: [&str; 7] = [
        "us-east-1",
        "us-west-2",
        "eu-west-1",
        "eu-central-1",
        "ap-northeast-1",
        "ap-northeast-2",
        "ap-south-1",
    ];
    let mut s =
        String::from("version: 1\ndefaults:\n  account: \"111122223333\"\n  region: us-east-1\n");
    s.push_str(&format!(
        "  tags:\n    payload: \"{}\"\n",
        "p".repeat(tag_bytes)
    ));
    let regions: Vec<&str> = (0..deployments)
        .map(|i| REGIONS[i % REGIONS.len()])
        .collect();
    let mut s2 = String::from("destinations:\n");
    let mut s3 = String::from("logging_configurations:\n");
    for (i, r) in regions.iter().enumerate() {
        s2.push_str(&format!(
            "  archive-{i}:\n    region: {r}\n    s3:\n      bucket: acme-chat-bench-{i}-{r}\n      create: true\n"
        ));
        s3.push_str(&format!("  archive-{i}:\n    destination: archive-{i}\n"));
    }
    s.push_str(&s2);
    s.push_str(&s3);
    s.push_str("rooms:\n");
    for n in 0..rooms {
        let i = n % regions.len();
        s.push_str(&format!(
            "  room-{n}:\n    region: {}\n    logging: [archive-{i}]\n    maximum_message_rate_per_second: 10\n",
            regions[i]
        ));
    }
    s
}
