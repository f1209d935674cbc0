//! JUnit XML: a test suite per file, a failing test case per diagnostic, so CI systems that
//! read test reports show findings next to tests. The document is quick-junit's (nextest's and
//! ruff's JUnit writer), so its shape and escaping are those every JUnit reader is tested on.

use std::collections::BTreeMap;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use crate::diagnostic::Diagnostic;
use crate::sanitize::one_cell;

pub fn render(diagnostics: &[Diagnostic]) -> String {
    let mut by_file: BTreeMap<&str, Vec<&Diagnostic>> = BTreeMap::new();
    for d in diagnostics {
        by_file
            .entry(d.location.as_ref().map_or("(spec)", |l| l.file.as_str()))
            .or_default()
            .push(d);
    }
    let mut report = Report::new("chatlog");
    if diagnostics.is_empty() {
        // A report without test cases reads as "no tests ran" in most CI systems.
        let mut suite = TestSuite::new("chatlog");
        let mut case = TestCase::new("no findings", TestCaseStatus::success());
        case.set_classname("chatlog");
        suite.add_test_case(case);
        report.add_test_suite(suite);
    }
    for (file, items) in by_file {
        let mut suite = TestSuite::new(xml_text(file));
        suite.add_test_cases(items.into_iter().map(|d| test_case(file, d)));
        report.add_test_suite(suite);
    }
    // Writing into memory has no I/O that could fail.
    report.to_string().unwrap_or_default()
}

fn test_case(file: &str, d: &Diagnostic) -> TestCase {
    // A finding a baseline accepts is skipped, as a warning is: seen, not failed.
    let mut status = if d.fails() {
        TestCaseStatus::non_success(NonSuccessKind::Failure)
    } else {
        TestCaseStatus::skipped()
    };
    let mut body = xml_text(&d.message);
    if let Some(help) = &d.help {
        body.push_str("\nhelp: ");
        body.push_str(&xml_text(help));
    }
    if let Some(s) = &d.suppression {
        body.push_str("\nsuppressed: ");
        body.push_str(&xml_text(&s.justification()));
    }
    status
        .set_message(xml_text(&d.message))
        .set_type(d.rule.id())
        .set_description(body);
    let place = d.location.as_ref().map_or(String::new(), |l| {
        format!("{}:{}:{}", l.file, l.line, l.column)
    });
    let mut case = TestCase::new(xml_text(&format!("{} {place}", d.rule.id())), status);
    case.set_classname(xml_text(file));
    case
}

/// User text as XML 1.0 can carry it: quick-junit drops control characters (tab too), which
/// would silently change a name, so they become visible escapes first. U+FFFE and U+FFFF are
/// not XML characters either.
fn xml_text(text: &str) -> String {
    let text = one_cell(text);
    if !text.contains(['\u{FFFE}', '\u{FFFF}']) {
        return text;
    }
    text.chars()
        .map(|c| match c {
            '\u{FFFE}' | '\u{FFFF}' => c.escape_unicode().to_string(),
            c => c.to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Rule;

    #[test]
    fn characters_xml_cannot_carry_stay_visible() {
        let d = Diagnostic::new(Rule::UnknownReference, "name `a\u{7}b\u{FFFE}c\td\ne`")
            .help("help <&>");
        let xml = render(&[d]);
        for raw in ['\u{7}', '\u{FFFE}', '\t'] {
            assert!(!xml.contains(raw), "{raw:?} in {xml}");
        }
        let escaped = r"name `a\u{7}b\u{fffe}c\td\ne`";
        assert_eq!(xml.matches(escaped).count(), 2, "{xml}");
        assert!(xml.contains("help: help &lt;&amp;&gt;"), "{xml}");
        assert!(
            xml.contains(r#"<testsuite name="(spec)" tests="1""#),
            "{xml}"
        );
    }

    #[test]
    fn no_findings_is_one_passing_case() {
        let xml = render(&[]);
        assert!(xml.contains(r#"<testcase name="no findings" classname="chatlog"/>"#));
        assert!(
            xml.contains(r#"tests="1" skipped="0" failures="0""#),
            "{xml}"
        );
    }
}
