//! The invariants the fuzz targets check. A broken invariant panics, which is how libFuzzer
//! learns of it; every message says which invariant and shows the offending text.

use chatlog::diagnostic::Diagnostic;
use chatlog::render::{self, File, Rendered, Target, TemplateFormat};
use chatlog::report::{self, Format};
use chatlog::spec::load::Input;
use chatlog::validate::{Validation, validate};
use serde_json::Value;

use crate::generate::{Expected, Spec};
use crate::readback::{self, Readback};

pub fn validate_bytes(name: &str, bytes: &[u8]) -> Validation {
    validate(vec![Input {
        name: name.to_owned(),
        bytes: bytes.to_vec(),
    }])
}

/// What holds for any input: diagnostics are well-formed and point into the file, the same
/// input gives the same diagnostics, a model exists exactly when there is no error, and every
/// report format renders (the machine-readable ones as valid JSON).
pub fn diagnostics_invariants(name: &str, bytes: &[u8]) -> Validation {
    let v = validate_bytes(name, bytes);
    let again = validate_bytes(name, bytes);
    assert_eq!(
        v.diagnostics, again.diagnostics,
        "validation is not deterministic"
    );
    assert_eq!(
        v.model.is_some(),
        !v.has_errors(),
        "a model must exist exactly when there is no error: {:#?}",
        v.diagnostics
    );
    let lines = line_count(bytes);
    for d in &v.diagnostics {
        well_formed(d, lines);
    }
    for format in [
        Format::Text,
        Format::Json,
        Format::Sarif,
        Format::Junit,
        Format::Github,
    ] {
        let text = report::render(format, &v.diagnostics, &v.sources, &v.summary, false);
        if matches!(format, Format::Json | Format::Sarif) {
            assert!(
                serde_json::from_str::<Value>(&text).is_ok(),
                "the {format:?} report is not JSON:\n{text}"
            );
        }
        if format == Format::Text {
            assert!(
                !text.contains(['\u{1b}', '\0']),
                "raw control characters reach the terminal:\n{text:?}"
            );
        }
    }
    v
}

/// Lines as YAML counts them (and chatlog, which turns a lone CR into an LF): LF, CRLF and a
/// lone CR each end one.
fn line_count(bytes: &[u8]) -> u32 {
    let breaks = bytes
        .iter()
        .zip(bytes.iter().skip(1).map(Some).chain([None]))
        .filter(|(b, next)| **b == b'\n' || (**b == b'\r' && *next != Some(&b'\n')))
        .count();
    u32::try_from(breaks + 1).unwrap_or(u32::MAX)
}

fn well_formed(d: &Diagnostic, lines: u32) {
    assert!(!d.message.is_empty(), "empty message: {d:?}");
    assert!(!d.message.contains('\n'), "multi-line message: {d:?}");
    assert!(
        d.rule.id().starts_with("CL"),
        "diagnostic without a rule id: {d:?}"
    );
    let Some(at) = &d.location else {
        panic!("diagnostic without a location: {d:?}");
    };
    assert!(
        at.line >= 1 && at.column >= 1 && at.line <= lines.saturating_add(1),
        "location outside the file ({lines} lines): {d:?}"
    );
}

/// Renders `spec` for `target` the way `chatlog render` does, checks what holds for every
/// target, and returns the files (none when the spec is refused by a target rule).
pub fn render_spec(spec: &Spec, target: Target, format: TemplateFormat) -> Vec<File> {
    let bytes = spec.to_bytes();
    let name = spec.file_name();
    let v = diagnostics_invariants(name, &bytes);
    // The generator stays within the schema and the semantic rules: such a spec validates.
    assert!(
        !v.has_errors(),
        "a spec within the rules is refused: {:#?}\n{}",
        v.diagnostics,
        String::from_utf8_lossy(&bytes)
    );
    let first = render_once(&v, target, format);
    let second = render_once(&validate_bytes(name, &bytes), target, format);
    assert_eq!(first.files, second.files, "rendering is not deterministic");
    if first.has_errors() {
        assert!(first.files.is_empty(), "files despite target errors");
        let lines = line_count(&bytes);
        for d in first.diagnostics.iter().filter(|d| d.is_error()) {
            well_formed(d, lines);
        }
        return Vec::new();
    }
    for f in &first.files {
        safe_path(&f.path, target);
    }
    first.files
}

fn render_once(v: &Validation, target: Target, format: TemplateFormat) -> Rendered {
    match render::render_validated(v, &[target], format) {
        Ok(r) => r,
        Err(e) => panic!("render failed on a valid spec: {e}"),
    }
}

/// A rendered path is plain relative components under the target's folder.
fn safe_path(path: &str, target: Target) {
    let parts: Vec<&str> = path.split('/').collect();
    assert!(
        parts.len() >= 2
            && parts.first() == Some(&target.folder())
            && parts.iter().all(|p| {
                !p.is_empty()
                    && *p != "."
                    && *p != ".."
                    && p.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
            }),
        "unsafe rendered path `{path}`"
    );
}

/// Every string the spec gave, found again where it must be.
fn strings_carried(found: &Readback, expected: &Expected, what: &str) {
    for s in expected
        .names
        .iter()
        .chain(&expected.resource_names)
        .chain(&expected.uris)
    {
        assert!(
            found.has(s),
            "{what}: spec string {s:?} is not a string value of the rendered files"
        );
    }
    for s in &expected.mentioned {
        assert!(found.mentions(s), "{what}: `{s}` is in no rendered string");
    }
    for t in &expected.tags {
        assert!(
            found.tag_maps.contains(t),
            "{what}: the tags {t:?} are on no resource; rendered tag maps: {:?}",
            found.tag_maps
        );
    }
}

/// CloudFormation: YAML and JSON renderings carry the same template, under YAML 1.1 and 1.2
/// reading alike; intrinsic functions are only chatlog's own; spec strings come back whole
/// (`Fn::Join` of pieces where they hold `${`).
pub fn cloudformation(spec: &Spec) {
    let yaml = render_spec(spec, Target::CloudFormation, TemplateFormat::Yaml);
    let json = render_spec(spec, Target::CloudFormation, TemplateFormat::Json);
    assert_eq!(
        yaml.len(),
        json.len(),
        "YAML and JSON give different file sets"
    );
    if yaml.is_empty() {
        return;
    }
    let mut found = Readback::default();
    for (y, j) in yaml.iter().zip(&json) {
        assert!(
            y.contents.len() <= chatlog::policy::limits::CFN_MAX_TEMPLATE_BYTES,
            "{} is over CloudFormation's template size",
            y.path
        );
        let from_yaml = readback::yaml_template(&y.path, &y.contents);
        let mut from_json = readback::json(&j.path, &j.contents);
        // A split deployment lists its templates by path, each with its format's extension.
        same_extension(&mut from_json);
        assert!(
            from_yaml == from_json,
            "{} reads differently from its JSON twin:\n{}",
            y.path,
            y.contents
        );
        readback::cloudformation(&y.path, &from_yaml, &mut found);
    }
    strings_carried(&found, &spec.expected(), "CloudFormation");
}

/// Terraform: every .tf parses; every string evaluates with no variables and no functions (so
/// nothing from the spec became an interpolation or a directive) and spec strings come back
/// whole, `$${` and `%%{` escapes undone by the HCL parser.
pub fn terraform(spec: &Spec) {
    let files = render_spec(spec, Target::Terraform, TemplateFormat::Yaml);
    let mut found = Readback::default();
    for f in &files {
        assert!(f.path.ends_with(".tf"), "not a .tf file: {}", f.path);
        readback::terraform(&f.path, &f.contents, &mut found);
    }
    if !files.is_empty() {
        strings_carried(&found, &spec.expected(), "Terraform");
    }
}

/// Policies: every file is JSON, and names the bucket, log group or stream of every destination
/// (inside an ARN).
pub fn policies(spec: &Spec) {
    let files = render_spec(spec, Target::Policies, TemplateFormat::Yaml);
    let mut found = Readback::default();
    for f in &files {
        assert!(f.path.ends_with(".json"), "not a .json file: {}", f.path);
        readback::strings(&readback::json(&f.path, &f.contents), &mut found);
    }
    if files.is_empty() {
        return;
    }
    let expected = spec.expected();
    for name in expected.resource_names.iter().chain(&expected.mentioned) {
        assert!(
            found.mentions(name),
            "policies: `{name}` is in no policy string"
        );
    }
}

/// Template paths of the JSON rendering written with the YAML rendering's extension.
fn same_extension(v: &mut Value) {
    match v {
        Value::String(s) if s.starts_with("cloudformation/") && s.ends_with(".json") => {
            let stem = s.trim_end_matches(".json").to_owned();
            *s = stem + ".yaml";
        }
        Value::Array(a) => a.iter_mut().for_each(same_extension),
        Value::Object(m) => m.values_mut().for_each(same_extension),
        _ => {}
    }
}
