//! Reading rendered files back with real parsers and collecting the strings they hold, to check
//! that spec strings come back unaltered. Shared by the fuzz targets and by
//! tests/adversarial.rs (which includes this file with `#[path]`), so both check the same way.
//! Failures panic with the file and the reason: this is test code.

use std::collections::{BTreeMap, BTreeSet};

use hcl::eval::{Context, Evaluate};
use hcl::{BlockLabel, Body, Expression, ObjectKey, Structure};
use serde_json::Value;

pub type Tags = BTreeMap<String, String>;

/// Every string a set of files holds (values and keys, `Fn::Join` pieces joined, HCL escapes
/// undone), and every tag map on a resource.
#[derive(Debug, Default)]
pub struct Readback {
    pub strings: BTreeSet<String>,
    pub tag_maps: Vec<Tags>,
}

impl Readback {
    /// Exactly `s`, as a whole string value or key.
    pub fn has(&self, s: &str) -> bool {
        self.strings.contains(s)
    }
    /// `s` inside some string (names inside ARNs).
    pub fn mentions(&self, s: &str) -> bool {
        self.strings.iter().any(|x| x.contains(s))
    }
}

fn yaml_options(yaml_1_1: bool) -> serde_saphyr::Options {
    if yaml_1_1 {
        // How a YAML 1.1 reader (CloudFormation's) types plain scalars: yes/no/on/off are
        // booleans, 0755 is octal.
        serde_saphyr::options! { legacy_octal_numbers: true, strict_booleans: false }
    } else {
        serde_saphyr::options! { strict_booleans: true }
    }
}

/// A YAML template, read as YAML 1.2 and as YAML 1.1: both readings must agree (chatlog quotes
/// whatever a 1.1 reader would take for something other than a string).
pub fn yaml_template(path: &str, text: &str) -> Value {
    let read = |yaml_1_1| -> Value {
        match serde_saphyr::from_str_with_options(text, yaml_options(yaml_1_1)) {
            Ok(v) => v,
            Err(e) => panic!("{path} is not YAML: {e}\n{text}"),
        }
    };
    let v = read(false);
    assert!(
        v == read(true),
        "{path} reads differently under YAML 1.1 than under 1.2:\n{text}"
    );
    v
}

pub fn json(path: &str, text: &str) -> Value {
    match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => panic!("{path} is not JSON: {e}\n{text}"),
    }
}

const INTRINSICS: &[&str] = &[
    "Ref",
    "Fn::GetAtt",
    "Fn::Join",
    "Fn::If",
    "Fn::Equals",
    "Fn::ImportValue",
    "Fn::Sub",
];

/// A CloudFormation template: only chatlog's own intrinsics, `Fn::Sub` only over stack
/// parameters, no `${` in a plain string (cfn-lint takes it for a forgotten `Fn::Sub`); collects
/// strings and the tags of every resource.
pub fn cloudformation(path: &str, template: &Value, out: &mut Readback) {
    intrinsics(template, false, path);
    strings(template, out);
    let Some(resources) = template.get("Resources").and_then(Value::as_object) else {
        panic!("{path}: a template without Resources");
    };
    for r in resources.values() {
        if let Some(tags) = r.pointer("/Properties/Tags").and_then(Value::as_array) {
            let mut map = Tags::new();
            for t in tags {
                let (Some(k), Some(v)) = (
                    t.get("Key").and_then(joined),
                    t.get("Value").and_then(joined),
                ) else {
                    panic!("{path}: a tag that is not literal: {t}");
                };
                assert!(map.insert(k, v).is_none(), "{path}: a tag key twice");
            }
            out.tag_maps.push(map);
        }
    }
}

fn intrinsics(v: &Value, in_sub: bool, path: &str) {
    match v {
        Value::Object(m) => {
            for (k, inner) in m {
                if (k.starts_with("Fn::") || k == "Ref") && m.len() == 1 {
                    assert!(
                        INTRINSICS.contains(&k.as_str()),
                        "{path}: intrinsic `{k}` that chatlog never writes"
                    );
                }
                intrinsics(inner, k == "Fn::Sub", path);
            }
        }
        Value::Array(a) => a.iter().for_each(|i| intrinsics(i, false, path)),
        Value::String(s) if in_sub => {
            let mut rest = s.as_str();
            while let Some(at) = rest.find("${") {
                let after = rest.get(at + 2..).unwrap_or_default();
                let end = after.find('}').unwrap_or(after.len());
                let var = after.get(..end).unwrap_or_default();
                assert!(
                    var == "AWS::StackName" || var == "BaseStackName",
                    "{path}: Fn::Sub over `{var}`"
                );
                rest = after.get(end..).unwrap_or_default();
            }
        }
        Value::String(s) => assert!(!s.contains("${"), "{path}: `${{` in a plain string {s:?}"),
        _ => {}
    }
}

/// A literal string value: a string, or `Fn::Join` with an empty delimiter over strings.
fn joined(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Object(m) if m.len() == 1 => {
            let parts = m.get("Fn::Join")?.as_array()?;
            if !parts.first()?.as_str()?.is_empty() {
                return None;
            }
            parts
                .get(1)?
                .as_array()?
                .iter()
                .map(|p| p.as_str().map(str::to_owned))
                .collect()
        }
        _ => None,
    }
}

/// Every string value and key of a JSON value, `Fn::Join` pieces also joined.
pub fn strings(v: &Value, out: &mut Readback) {
    if let Some(s) = joined(v) {
        out.strings.insert(s);
    }
    match v {
        Value::Object(m) => {
            for (k, inner) in m {
                out.strings.insert(k.clone());
                strings(inner, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|i| strings(i, out)),
        _ => {}
    }
}

/// A .tf file: it parses; every string evaluates with no variables and no functions (so nothing
/// became an interpolation or a directive), escapes undone; collects strings and `tags` maps.
pub fn terraform(path: &str, text: &str, out: &mut Readback) {
    let body: Body = match hcl::parse(text) {
        Ok(b) => b,
        Err(e) => panic!("{path} does not parse as HCL: {e}\n{text}"),
    };
    hcl_body(&body, path, out);
}

fn hcl_body(body: &Body, path: &str, out: &mut Readback) {
    for s in body.iter() {
        match s {
            Structure::Attribute(a) => {
                if a.key.as_str() == "tags" {
                    out.tag_maps.push(hcl_tags(&a.expr, path));
                }
                hcl_expr(&a.expr, path, out);
            }
            Structure::Block(b) => {
                for l in &b.labels {
                    match l {
                        BlockLabel::String(s) => out.strings.insert(s.clone()),
                        BlockLabel::Identifier(i) => out.strings.insert(i.to_string()),
                    };
                }
                hcl_body(&b.body, path, out);
            }
        }
    }
}

fn hcl_string(e: &Expression, path: &str) -> Option<String> {
    match e {
        Expression::String(s) => Some(s.clone()),
        Expression::TemplateExpr(_) => match e.evaluate(&Context::new()) {
            Ok(hcl::Value::String(s)) => Some(s),
            other => panic!("{path}: a string that is not plain data: {e:?} -> {other:?}"),
        },
        _ => None,
    }
}

fn hcl_key(k: &ObjectKey, path: &str) -> String {
    match k {
        ObjectKey::Identifier(i) => i.to_string(),
        ObjectKey::Expression(e) => hcl_string(e, path)
            .unwrap_or_else(|| panic!("{path}: an object key that is not a string: {e:?}")),
        other => panic!("{path}: an unexpected object key {other:?}"),
    }
}

fn hcl_tags(e: &Expression, path: &str) -> Tags {
    let Expression::Object(o) = e else {
        panic!("{path}: tags that are not an object: {e:?}");
    };
    o.iter()
        .map(|(k, v)| {
            let value = hcl_string(v, path)
                .unwrap_or_else(|| panic!("{path}: a tag value that is not a string: {v:?}"));
            (hcl_key(k, path), value)
        })
        .collect()
}

fn hcl_expr(e: &Expression, path: &str, out: &mut Readback) {
    if let Some(s) = hcl_string(e, path) {
        out.strings.insert(s);
        return;
    }
    match e {
        Expression::Array(items) => items.iter().for_each(|i| hcl_expr(i, path, out)),
        Expression::Object(o) => {
            for (k, v) in o.iter() {
                out.strings.insert(hcl_key(k, path));
                hcl_expr(v, path, out);
            }
        }
        Expression::FuncCall(f) => f.args.iter().for_each(|a| hcl_expr(a, path, out)),
        Expression::Parenthesis(p) => hcl_expr(p, path, out),
        Expression::Conditional(c) => {
            hcl_expr(&c.cond_expr, path, out);
            hcl_expr(&c.true_expr, path, out);
            hcl_expr(&c.false_expr, path, out);
        }
        Expression::Null
        | Expression::Bool(_)
        | Expression::Number(_)
        | Expression::Variable(_)
        | Expression::Traversal(_) => {}
        other => panic!("{path}: an expression chatlog never writes: {other:?}"),
    }
}
