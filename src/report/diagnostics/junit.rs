//! JUnit XML: a test suite per file, a failing test case per diagnostic, so CI systems that
//! read test reports show findings next to tests.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::diagnostic::Diagnostic;

pub fn render(diagnostics: &[Diagnostic]) -> String {
    let mut by_file: BTreeMap<&str, Vec<&Diagnostic>> = BTreeMap::new();
    for d in diagnostics {
        by_file
            .entry(d.location.as_ref().map_or("(spec)", |l| l.file.as_str()))
            .or_default()
            .push(d);
    }
    let failures = diagnostics.iter().filter(|d| d.fails()).count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"chatlog\" tests=\"{}\" failures=\"{failures}\">",
        diagnostics.len().max(1)
    );
    if diagnostics.is_empty() {
        out.push_str("  <testsuite name=\"chatlog\" tests=\"1\" failures=\"0\">\n");
        out.push_str("    <testcase name=\"no findings\" classname=\"chatlog\"/>\n");
        out.push_str("  </testsuite>\n");
    }
    for (file, items) in by_file {
        let file_failures = items.iter().filter(|d| d.fails()).count();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{file_failures}\">",
            escape(file),
            items.len()
        );
        for d in items {
            let place = d.location.as_ref().map_or(String::new(), |l| {
                format!("{}:{}:{}", l.file, l.line, l.column)
            });
            let name = format!("{} {}", d.rule.id(), place);
            let _ = writeln!(
                out,
                "    <testcase name=\"{}\" classname=\"{}\">",
                escape(&name),
                escape(file)
            );
            // A finding a baseline accepts is skipped, as a warning is: seen, not failed.
            let kind = if d.fails() { "failure" } else { "skipped" };
            let mut body = d.message.clone();
            if let Some(help) = &d.help {
                body.push_str("\nhelp: ");
                body.push_str(help);
            }
            if let Some(s) = &d.suppression {
                body.push_str("\nsuppressed: ");
                body.push_str(&s.justification());
            }
            let _ = writeln!(
                out,
                "      <{kind} message=\"{}\" type=\"{}\">{}</{kind}>",
                escape(&d.message),
                d.rule.id(),
                escape(&body)
            );
            out.push_str("    </testcase>\n");
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

/// Escapes text for XML attributes and content. Characters XML 1.0 cannot carry at all (most
/// control characters) become a visible `\u{..}` escape rather than breaking the document.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\t' | '\r' => out.push_str(&format!("&#{};", u32::from(c))),
            c if c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}' => {
                out.push_str(&c.escape_unicode().to_string())
            }
            c => out.push(c),
        }
    }
    out
}
