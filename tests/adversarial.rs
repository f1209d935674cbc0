//! The adversarial corpus (tests/adversarial/, its README says what each file attacks) through
//! the CLI: each file is refused with a located diagnostic, or validates and renders files that
//! parse in their language and carry its hostile strings unaltered. Also: huge and deep
//! documents (generated here) are refused by the loader's budgets, render writes nowhere but
//! --out, and an interrupted write leaves no temporary files.
// Test code: clippy.toml's test allowances (unwrap, expect, panic, indexing) apply to all of it.
#![cfg(test)]

mod common;
#[path = "../fuzz/src/readback.rs"]
mod readback;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use chatlog::files::{self as write, WriteError};
use chatlog::render::{File, Target};
use common::{chatlog, files_under, fresh_dir, root};
use readback::Readback;
use serde_json::Value;

enum Expect {
    /// Validates, and `render --target all` writes files.
    Renders,
    /// Refused: this rule at this line and column.
    Refused(&'static str, u32, u32),
}
use Expect::{Refused, Renders};

/// Every file of tests/adversarial/, and the older hostile fixtures this corpus reuses rather
/// than copies (paths relative to tests/).
const CASES: &[(&str, Expect)] = &[
    (
        "adversarial/alias-bomb-merge-keys.yaml",
        Refused("CL001", 9, 41),
    ),
    ("adversarial/anchors-and-aliases.yaml", Renders),
    ("adversarial/bom-crlf.json", Renders),
    ("adversarial/document-markers.yaml", Renders),
    ("adversarial/dotdot-key.yaml", Refused("CL010", 6, 3)),
    ("adversarial/duplicate-key.json", Refused("CL001", 5, 3)),
    (
        "adversarial/duplicate-keys-after-typing.yaml",
        Refused("CL001", 8, 18),
    ),
    ("adversarial/duplicate-tag-key.yaml", Refused("CL001", 9, 7)),
    ("adversarial/free-text-in-values.yaml", Renders),
    (
        "adversarial/fuzz-lone-cr-between-tokens.json",
        Refused("CL019", 57, 26),
    ),
    (
        "adversarial/fuzz-lone-cr-in-a-quoted-value.yaml",
        Refused("CL001", 13, 7),
    ),
    ("adversarial/lone-surrogate.json", Refused("CL001", 1, 93)),
    ("adversarial/names-at-the-edge.yaml", Renders),
    ("adversarial/nul-byte.yaml", Refused("CL001", 7, 17)),
    ("adversarial/overlong-utf8.yaml", Refused("CL001", 6, 38)),
    ("adversarial/path-like-values.yaml", Renders),
    ("adversarial/raw-controls.json", Renders),
    ("adversarial/two-documents.yaml", Refused("CL001", 6, 1)),
    ("adversarial/utf16.yaml", Refused("CL001", 1, 1)),
    (
        "fixtures/invalid/CL001-alias-loop.yaml",
        Refused("CL001", 4, 10),
    ),
    (
        "fixtures/invalid/CL001-duplicate-key.yaml",
        Refused("CL001", 5, 3),
    ),
    ("data/render/adversarial.yaml", Renders),
];

fn case_path(rel: &str) -> PathBuf {
    root().join("tests").join(rel)
}

/// `chatlog validate --format json`: the exit code and the report.
fn validate_json(path: &Path) -> (i32, Value) {
    let out = chatlog()
        .args(["validate", "--format", "json"])
        .arg(path)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{}: no JSON report ({e})", path.display()));
    (out.status.code().unwrap_or(-1), report)
}

#[test]
fn every_file_of_the_corpus_is_listed() {
    let on_disk: BTreeSet<String> = std::fs::read_dir(case_path("adversarial"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "README.md")
        .map(|n| format!("adversarial/{n}"))
        .collect();
    let listed: BTreeSet<String> = CASES
        .iter()
        .map(|(n, _)| (*n).to_owned())
        .filter(|n| n.starts_with("adversarial/"))
        .collect();
    assert_eq!(on_disk, listed);
    let readme = std::fs::read_to_string(case_path("adversarial/README.md")).unwrap();
    for (name, _) in CASES {
        let file = name.rsplit('/').next().unwrap();
        assert!(readme.contains(file), "README.md does not describe {file}");
    }
}

#[test]
fn refused_files_get_a_located_diagnostic_with_help() {
    for (name, expect) in CASES {
        let Refused(rule, line, column) = expect else {
            continue;
        };
        let (code, report) = validate_json(&case_path(name));
        assert_eq!(code, 1, "{name}: {report:#}");
        let found = report["diagnostics"].as_array().unwrap();
        let d = found
            .iter()
            .find(|d| d["rule"] == *rule)
            .unwrap_or_else(|| panic!("{name}: no {rule} in {report:#}"));
        assert_eq!(
            (
                d["location"]["line"].as_u64(),
                d["location"]["column"].as_u64()
            ),
            (Some(u64::from(*line)), Some(u64::from(*column))),
            "{name}: {rule} at the wrong place: {d:#}"
        );
        let message = d["message"].as_str().unwrap();
        assert!(
            !message.contains('\n') && !message.contains("from_str") && !message.contains(" { "),
            "{name}: a message in words, on one line: {message:?}"
        );
        assert!(d["help"].as_str().is_some_and(|h| !h.is_empty()), "{name}");
        // The text report shows the line it points at (line numbers agree with the snippet).
        let text = chatlog()
            .arg("validate")
            .arg(case_path(name))
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&text.stdout);
        assert!(
            text.contains(&format!("\n{line} | ")),
            "{name}: no snippet of line {line}:\n{text}"
        );
    }
}

/// The strings a spec gives, read by a parser of its own (serde_json for .json, serde-saphyr
/// for YAML): tag keys and values, AWS names, destination names, Lambda ARNs.
#[derive(Default)]
struct SpecStrings {
    tags: BTreeSet<String>,
    names: BTreeSet<String>,
    resources: BTreeSet<String>,
    uris: BTreeSet<String>,
}

fn spec_strings(path: &Path) -> SpecStrings {
    let bytes = std::fs::read(path).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    let text = text.trim_start_matches('\u{feff}');
    let value: Value = if path.extension().is_some_and(|e| e == "json") {
        serde_json::from_str(text).unwrap()
    } else {
        serde_saphyr::from_str(text).unwrap()
    };
    let mut s = SpecStrings::default();
    collect_spec(&value, None, &mut s);
    s
}

fn collect_spec(v: &Value, key: Option<&str>, out: &mut SpecStrings) {
    match (key, v) {
        (Some("tags"), Value::Object(m)) => {
            for (k, v) in m {
                out.tags.insert(k.clone());
                out.tags.insert(v.as_str().unwrap().to_owned());
            }
        }
        (Some("name"), Value::String(s)) => {
            out.names.insert(s.clone());
        }
        (Some("bucket" | "log_group" | "delivery_stream"), Value::String(s)) => {
            out.resources.insert(s.clone());
        }
        (Some("uri"), Value::String(s)) => {
            out.uris.insert(s.clone());
        }
        (_, Value::Object(m)) => m.iter().for_each(|(k, v)| collect_spec(v, Some(k), out)),
        (_, Value::Array(a)) => a.iter().for_each(|v| collect_spec(v, None, out)),
        _ => {}
    }
}

#[test]
fn rendering_files_parse_and_carry_every_hostile_string() {
    for (name, expect) in CASES {
        if !matches!(expect, Renders) {
            continue;
        }
        let spec = case_path(name);
        let (code, report) = validate_json(&spec);
        assert_eq!(code, 0, "{name}: {report:#}");
        let out = fresh_dir("adversarial-render");
        let run = chatlog()
            .args(["render", "--target", "all", "--out"])
            .arg(&out)
            .arg(&spec)
            .output()
            .unwrap();
        assert_eq!(
            run.status.code(),
            Some(0),
            "{name}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        let (mut cfn, mut tf, mut policies) = (
            Readback::default(),
            Readback::default(),
            Readback::default(),
        );
        let canonical_out = out.canonicalize().unwrap();
        for f in files_under(&out) {
            assert!(
                f.canonicalize().unwrap().starts_with(&canonical_out),
                "{name}: {} is outside --out",
                f.display()
            );
            let rel = f.strip_prefix(&out).unwrap().to_string_lossy().into_owned();
            if rel.ends_with(write::MARKER) {
                continue;
            }
            let text = std::fs::read_to_string(&f).unwrap();
            if rel.starts_with("cloudformation/") {
                let template = readback::yaml_template(&rel, &text);
                readback::cloudformation(&rel, &template, &mut cfn);
            } else if rel.starts_with("terraform/") {
                readback::terraform(&rel, &text, &mut tf);
            } else if rel.starts_with("policies/") {
                readback::strings(&readback::json(&rel, &text), &mut policies);
            }
        }
        let given = spec_strings(&spec);
        for (what, found) in [("CloudFormation", &cfn), ("Terraform", &tf)] {
            for s in given.tags.iter().chain(&given.names).chain(&given.uris) {
                assert!(found.has(s), "{name}: {what} lost {s:?}");
            }
            for s in &given.resources {
                assert!(found.mentions(s), "{name}: {what} lost {s:?}");
            }
        }
        for s in &given.resources {
            assert!(policies.mentions(s), "{name}: policies lost {s:?}");
        }
        std::fs::remove_dir_all(&out).unwrap();
    }
}

// ---- huge and deep documents, generated here ----

fn spec_file(dir: &Path, name: &str, contents: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

fn first_diagnostic(path: &Path) -> Value {
    let (code, report) = validate_json(path);
    assert_eq!(code, 1, "{report:#}");
    report["diagnostics"][0].clone()
}

/// Over the loader's byte limit: refused before parsing, and the CLI reads no further than one
/// byte past the limit (so a file of any size costs at most that much memory).
#[test]
fn a_file_over_the_size_limit_is_refused_unread() {
    let dir = fresh_dir("adversarial-huge");
    let limit = chatlog::spec::load::MAX_SPEC_BYTES;
    let mut contents = b"version: 1\n".to_vec();
    contents.resize(limit + 1, b'#');
    let d = first_diagnostic(&spec_file(&dir, "huge.yaml", &contents));
    assert_eq!(d["rule"], "CL001");
    assert_eq!(d["message"], "the file is larger than 64 MiB");
    assert_eq!(d["location"]["line"], 1);
    // Exactly at the limit is read and parsed (here: one comment line, so only the version).
    contents.truncate(limit);
    let (code, report) = validate_json(&spec_file(&dir, "huge.yaml", &contents));
    assert_eq!(code, 0, "{report:#}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// More values than the parser's budget: refused at the value that breaks it, in words.
#[test]
fn a_document_over_the_parser_budget_is_refused() {
    let dir = fresh_dir("adversarial-budget");
    let mut text = String::from("version: 1\nrooms:\n");
    // One value per line keeps the diagnostic's snippet short.
    text.extend(std::iter::repeat_n("- 0\n", 5_000_001));
    let d = first_diagnostic(&spec_file(&dir, "many.yaml", text.as_bytes()));
    assert_eq!(d["rule"], "CL001");
    assert_eq!(
        d["message"],
        "the document has more values than the parser allows (aliases expanded)"
    );
    assert!(d["location"]["line"].as_u64().unwrap() > 2);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Mappings nested 100,000 deep (tests/validate.rs has sequences): the depth budget, not a
/// stack overflow.
#[test]
fn deeply_nested_mappings_are_refused() {
    let dir = fresh_dir("adversarial-deep");
    let deep = format!(
        "version: 1\nrooms: {}1{}\n",
        "{a: ".repeat(100_000),
        "}".repeat(100_000)
    );
    let d = first_diagnostic(&spec_file(&dir, "deep.yaml", deep.as_bytes()));
    assert_eq!(d["rule"], "CL001");
    assert_eq!(
        d["message"],
        "the document nests deeper than the parser allows (64 levels)"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A tag value of 20 MB: a schema error naming the limit, with the value cut short.
#[test]
fn a_huge_scalar_is_a_schema_error() {
    let dir = fresh_dir("adversarial-scalar");
    let text = format!(
        "version: 1\ndefaults: {{account: \"111122223333\", region: us-west-2, tags: {{k: \"{}\"}}}}\n",
        "x".repeat(20_000_000)
    );
    let d = first_diagnostic(&spec_file(&dir, "long.yaml", text.as_bytes()));
    assert_eq!(d["rule"], "CL038");
    assert!(
        d["message"].as_str().unwrap().len() < 300,
        "the value is not repeated whole"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

// ---- writing: only under --out, atomically ----

const QUICKSTART: &str = "examples/quickstart.yaml";

fn render_into(out: &Path) -> std::process::Output {
    chatlog()
        .args(["render", QUICKSTART, "--out"])
        .arg(out)
        .output()
        .unwrap()
}

/// A target folder that is a symbolic link is refused: chatlog would otherwise replace a folder
/// somewhere else. Nothing is written, there or under --out.
#[cfg(unix)]
#[test]
fn a_symlinked_target_folder_is_refused() {
    let dir = fresh_dir("adversarial-symlink");
    let elsewhere = dir.join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::fs::write(elsewhere.join("precious.txt"), "theirs").unwrap();
    let out = dir.join("out");
    std::fs::create_dir_all(&out).unwrap();
    std::os::unix::fs::symlink(&elsewhere, out.join("cloudformation")).unwrap();
    let run = render_into(&out);
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("symbolic link"));
    assert_eq!(files_under(&elsewhere), [elsewhere.join("precious.txt")]);
    assert!(!out.join("policies").exists(), "no target is written");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A symbolic link planted inside a folder chatlog owns is removed with the folder, never
/// followed: what it points at survives the next render.
#[cfg(unix)]
#[test]
fn a_symlink_inside_an_owned_folder_is_not_followed() {
    let dir = fresh_dir("adversarial-planted");
    let elsewhere = dir.join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::fs::write(elsewhere.join("precious.txt"), "theirs").unwrap();
    let out = dir.join("out");
    assert_eq!(render_into(&out).status.code(), Some(0));
    std::os::unix::fs::symlink(&elsewhere, out.join("policies/planted")).unwrap();
    assert_eq!(render_into(&out).status.code(), Some(0));
    assert!(!out.join("policies/planted").exists());
    assert_eq!(
        std::fs::read_to_string(elsewhere.join("precious.txt")).unwrap(),
        "theirs"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// --out given through a symbolic link writes into the folder it names (the user chose it), and
/// only there.
#[cfg(unix)]
#[test]
fn an_out_dir_behind_a_symlink_gets_the_files() {
    let dir = fresh_dir("adversarial-outlink");
    let real = dir.join("real");
    std::fs::create_dir_all(&real).unwrap();
    std::os::unix::fs::symlink(&real, dir.join("link")).unwrap();
    assert_eq!(render_into(&dir.join("link")).status.code(), Some(0));
    let entries: BTreeSet<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(entries, BTreeSet::from(["link".into(), "real".into()]));
    assert!(
        real.join("cloudformation/111122223333-us-west-2.yaml")
            .is_file()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A file that chatlog did not write, where chatlog would write one, stays as it was: a folder
/// without the marker is never replaced, and a file in place of a target folder is refused.
#[test]
fn files_chatlog_did_not_write_are_never_overwritten() {
    let dir = fresh_dir("adversarial-theirs");
    let theirs = dir.join("cloudformation/111122223333-us-west-2.yaml");
    std::fs::create_dir_all(theirs.parent().unwrap()).unwrap();
    std::fs::write(&theirs, "theirs").unwrap();
    let run = render_into(&dir);
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("was not written by chatlog"));
    assert_eq!(std::fs::read_to_string(&theirs).unwrap(), "theirs");

    let dir = fresh_dir("adversarial-file-folder");
    std::fs::write(dir.join("policies"), "a file, not a folder").unwrap();
    assert_eq!(render_into(&dir).status.code(), Some(2));
    assert_eq!(
        std::fs::read_to_string(dir.join("policies")).unwrap(),
        "a file, not a folder"
    );
    assert!(!dir.join("cloudformation").exists());
}

/// No rendered path can leave its target folder: the writer refuses `..`, absolute paths,
/// empty and hidden components, backslashes, NUL and drive colons before writing anything.
#[test]
fn the_writer_refuses_every_path_that_could_escape() {
    let dir = fresh_dir("adversarial-paths");
    for bad in [
        "policies/../../escape.json",
        "policies/../cloudformation/x.json",
        "/etc/passwd",
        "policies//x.json",
        "policies/./x.json",
        "policies/.chatlog",
        "policies/a\\..\\..\\x.json",
        "policies/x\0.json",
        "policies/C:x.json",
        "policies",
        "elsewhere/x.json",
    ] {
        let files = [File {
            path: bad.to_owned(),
            contents: "{}".to_owned(),
        }];
        let result = write::write_outputs(&dir, &[Target::Policies], &files);
        assert!(
            matches!(result, Err(WriteError::UnsafePath(_))),
            "{bad:?}: {result:?}"
        );
        assert_eq!(files_under(&dir), Vec::<PathBuf>::new(), "{bad:?}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A write that fails halfway (here: the second file of a folder cannot be created) leaves the
/// previous folder whole and no temporary folder behind: files are staged in a temporary folder
/// next to the target and swapped in by renames.
#[test]
fn a_failed_write_leaves_the_old_folder_and_no_temporary_files() {
    let dir = fresh_dir("adversarial-interrupted");
    let old = [File {
        path: "policies/old.json".to_owned(),
        contents: "{\"old\": true}\n".to_owned(),
    }];
    write::write_outputs(&dir, &[Target::Policies], &old).unwrap();
    let clash = |path: &str| File {
        path: path.to_owned(),
        contents: "{}".to_owned(),
    };
    let new = [
        clash("policies/new.json"),
        clash("policies/new.json"),
        clash("cloudformation/x.yaml"),
    ];
    let result = write::write_outputs(&dir, &[Target::CloudFormation, Target::Policies], &new);
    assert!(matches!(result, Err(WriteError::Io(..))), "{result:?}");
    let left: Vec<String> = files_under(&dir)
        .iter()
        .map(|p| p.strip_prefix(&dir).unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, ["policies/.chatlog", "policies/old.json"]);
    assert!(
        std::fs::read_dir(&dir).unwrap().all(|e| !e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .contains("chatlog-")),
        "no temporary folder is left"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `policy merge --write` replaces its file through a temporary file in the same folder; when the
/// rename fails the temporary file is removed.
#[test]
fn a_failed_atomic_file_write_leaves_no_temporary_file() {
    let dir = fresh_dir("adversarial-atomic");
    let target = dir.join("policy.json");
    std::fs::create_dir_all(target.join("in-the-way")).unwrap();
    let result = write::write_file_atomic(&target, "{}");
    assert!(result.is_err());
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["policy.json"]);
    write::write_file_atomic(&dir.join("other.json"), "{\"a\": 1}").unwrap();
    assert_eq!(
        std::fs::read_to_string(dir.join("other.json")).unwrap(),
        "{\"a\": 1}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

// ---- regressions found by the fuzz targets and this corpus ----

fn validate_text(name: &str, text: &str) -> chatlog::validate::Validation {
    chatlog::validate::validate(vec![chatlog::spec::load::Input {
        name: name.to_owned(),
        bytes: text.as_bytes().to_vec(),
    }])
}

/// Scalar keys that are not strings keep their text: `0x1F` was read as `31`, `1.0` as `1` and
/// `~` as `null`, so a tag key changed on its way to AWS (and `1e2`/`100` met as one key).
#[test]
fn scalar_keys_keep_their_text() {
    let v = validate_text(
        "keys.yaml",
        "version: 1\ndefaults: {account: \"111122223333\", region: us-west-2}\nrooms:\n  lobby:\n    tags: {0x1F: a, 1.0: b, ~: c, true: d, 1e2: e, 100: f, -0: g}\n",
    );
    let model = v.model.expect("valid");
    let keys: Vec<&str> = model.deployments[0].rooms[0]
        .tags
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["-0", "0x1F", "1.0", "100", "1e2", "true", "~"]);
}

/// A user value with a line break (here a tag key) no longer breaks a message over two lines
/// (found by render_cloudformation: CL061 quoted the key raw).
#[test]
fn messages_quoting_user_values_stay_on_one_line() {
    let v = validate_text(
        "newline.yaml",
        "version: 1\ndefaults: {account: \"111122223333\", region: us-west-2}\nrooms:\n  lobby:\n    tags: {\"a\\nb\": \"\"}\n",
    );
    let r = chatlog::render::render_validated(
        &v,
        &[Target::CloudFormation],
        chatlog::render::TemplateFormat::Yaml,
    )
    .unwrap();
    let d = r
        .diagnostics
        .iter()
        .find(|d| d.rule.id() == "CL061")
        .expect("an empty room tag value is refused for CloudFormation");
    assert_eq!(
        d.message,
        "room `lobby` has tag `a\\nb` with an empty value, which CloudFormation refuses on rooms"
    );
}

/// `write_file_new` (import --out, --write-baseline without --force) never replaces a file, and
/// leaves no temporary file beside it either way; `write_file_atomic` replaces.
#[test]
fn a_new_file_is_never_written_over_one_that_is_there() {
    let dir = fresh_dir("adversarial-write-new");
    let path = dir.join("spec.yaml");
    write::write_file_new(&path, "first\n").unwrap();
    let second = write::write_file_new(&path, "second\n");
    assert!(matches!(second, Err(WriteError::Appeared(_))), "{second:?}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "first\n");
    write::write_file_atomic(&path, "third\n").unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "third\n");
    let left: Vec<String> = files_under(&dir)
        .iter()
        .map(|p| p.strip_prefix(&dir).unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, ["spec.yaml"]);
}
