//! SARIF 2.1.0, for code-scanning upload. Every result names its rule; the tool's rule list
//! carries each rule's title and source.

use serde_json::{Value, json};

use crate::diagnostic::{Diagnostic, Location, Rule, Severity};

pub fn render(diagnostics: &[Diagnostic]) -> String {
    // Only the rules that fired: the log stays small and does not change as the catalog grows.
    let fired: Vec<Rule> = diagnostics
        .iter()
        .map(|d| d.rule)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let rules: Vec<Value> = fired.iter().map(|r| rule_descriptor(*r)).collect();
    let results: Vec<Value> = diagnostics.iter().map(|d| result(d, &fired)).collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "chatlog",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_default();
    text.push('\n');
    text
}

fn rule_descriptor(rule: Rule) -> Value {
    json!({
        "id": rule.id(),
        "shortDescription": { "text": rule.title() },
        "fullDescription": { "text": format!("{} (source: {})", rule.title(), rule.source()) },
        "defaultConfiguration": { "level": level(rule.severity()) },
    })
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn result(d: &Diagnostic, rules: &[Rule]) -> Value {
    let index = rules.iter().position(|r| *r == d.rule).unwrap_or(0);
    let text = match &d.help {
        Some(help) => format!("{}\nhelp: {help}", d.message),
        None => d.message.clone(),
    };
    let mut result = json!({
        "ruleId": d.rule.id(),
        "ruleIndex": index,
        "level": level(d.severity),
        "message": { "text": text },
    });
    // SARIF's own place for an accepted finding: an external suppression (the baseline file)
    // with the reason as its justification; viewers list it apart from open results.
    if let (Some(s), Some(map)) = (&d.suppression, result.as_object_mut()) {
        map.insert(
            "suppressions".into(),
            json!([{
                "kind": "external",
                "status": "accepted",
                "justification": s.justification(),
            }]),
        );
    }
    if let (Some(location), Some(map)) = (&d.location, result.as_object_mut()) {
        map.insert("locations".into(), json!([physical(location, None)]));
        if !d.related.is_empty() {
            let related: Vec<Value> = d
                .related
                .iter()
                .enumerate()
                .map(|(i, r)| physical(&r.location, Some((i, &r.message))))
                .collect();
            map.insert("relatedLocations".into(), Value::Array(related));
        }
    }
    result
}

fn physical(location: &Location, related: Option<(usize, &String)>) -> Value {
    let mut region =
        json!({ "startLine": location.line.max(1), "startColumn": location.column.max(1) });
    if location.len > 0
        && let Some(map) = region.as_object_mut()
    {
        map.insert(
            "endColumn".into(),
            json!(location.column.max(1) + location.len),
        );
    }
    let mut value = json!({
        "physicalLocation": {
            "artifactLocation": { "uri": uri(&location.file) },
            "region": region,
        }
    });
    if let (Some((id, message)), Some(map)) = (related, value.as_object_mut()) {
        map.insert("id".into(), json!(id));
        map.insert("message".into(), json!({ "text": message }));
    }
    value
}

/// A relative URI reference for a path: forward slashes, and everything outside the unreserved
/// set percent-encoded, so a file called `a b#c.yaml` stays one path.
fn uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::uri;

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(uri("examples/a b#c.yaml"), "examples/a%20b%23c.yaml");
        assert_eq!(uri("dir\\spec.yaml"), "dir/spec.yaml");
        assert_eq!(uri("é.yaml"), "%C3%A9.yaml");
    }
}
