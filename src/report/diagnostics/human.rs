//! The text report: rustc-style diagnostics with the offending source line underlined.

use std::fmt::Write as _;

use crate::diagnostic::{Diagnostic, Severity};
use crate::spec::source::Sources;

use super::Summary;
use crate::sanitize::printable;

pub struct Style {
    pub color: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
    fn severity(&self, severity: Severity, text: &str) -> String {
        match severity {
            Severity::Error => self.paint("1;31", text),
            Severity::Warning => self.paint("1;33", text),
        }
    }
}

pub fn render(
    diagnostics: &[Diagnostic],
    sources: &Sources,
    summary: &Summary,
    style: &Style,
) -> String {
    let mut out = String::new();
    for d in diagnostics {
        render_one(&mut out, d, sources, style);
        out.push('\n');
    }
    let errors = diagnostics.iter().filter(|d| d.fails()).count();
    let suppressed = diagnostics
        .iter()
        .filter(|d| d.suppression.is_some())
        .count();
    let warnings = diagnostics.len() - errors - suppressed;
    let accepted = if suppressed > 0 {
        format!(", {suppressed} suppressed by the baseline")
    } else {
        String::new()
    };
    if errors == 0 {
        let _ = writeln!(
            out,
            "{}: {}, {}, {}, {} in {}{}{accepted}",
            style.paint("1;32", "valid"),
            plural(summary.rooms, "room"),
            plural(summary.logging_configurations, "logging configuration"),
            plural(summary.destinations, "destination"),
            plural(summary.deployments, "deployment"),
            plural(summary.files, "file"),
            if warnings > 0 {
                format!(", {}", plural(warnings, "warning"))
            } else {
                String::new()
            },
        );
    } else {
        let _ = writeln!(
            out,
            "{}: {}{}{accepted}",
            style.severity(Severity::Error, "invalid"),
            plural(errors, "error"),
            if warnings > 0 {
                format!(", {}", plural(warnings, "warning"))
            } else {
                String::new()
            },
        );
    }
    out
}

fn noun(n: usize, word: &str) -> String {
    if n == 1 {
        word.to_owned()
    } else {
        format!("{word}s")
    }
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {}", noun(n, word))
}

fn render_one(out: &mut String, d: &Diagnostic, sources: &Sources, style: &Style) {
    let head = format!("{}[{}]", d.severity.as_str(), d.rule.id());
    // An accepted finding keeps its severity and rule but is marked, and not painted red.
    let head = if d.suppression.is_some() {
        style.paint("2", &format!("{head} (suppressed)"))
    } else {
        style.severity(d.severity, &head)
    };
    let _ = writeln!(
        out,
        "{}: {}",
        head,
        style.paint("1", &printable(&d.message))
    );
    let gutter = d
        .location
        .as_ref()
        .map_or(" ".to_owned(), |l| " ".repeat(l.line.to_string().len()));
    if let Some(loc) = &d.location {
        let line_text = sources
            .files()
            .find(|f| f.path == loc.file)
            .and_then(|f| f.text.lines().nth((loc.line as usize).saturating_sub(1)))
            .map(|l| printable(&l.replace('\t', " ")));
        let _ = writeln!(
            out,
            "{gutter}{} {}:{}:{}",
            style.paint("1;34", "-->"),
            printable(&loc.file),
            loc.line,
            loc.column
        );
        if let Some(text) = line_text {
            let bar = style.paint("1;34", "|");
            let visible = text.chars().count();
            let start = (loc.column as usize).saturating_sub(1).min(visible);
            let width = (loc.len as usize).clamp(1, visible.saturating_sub(start).max(1));
            let _ = writeln!(out, "{gutter} {bar}");
            let _ = writeln!(
                out,
                "{} {bar} {text}",
                style.paint("1;34", &loc.line.to_string())
            );
            let marks = style.severity(d.severity, &"^".repeat(width));
            let _ = writeln!(out, "{gutter} {bar} {}{marks}", " ".repeat(start));
        }
    }
    for related in &d.related {
        let l = &related.location;
        let _ = writeln!(
            out,
            "{gutter} = note: {} ({}:{}:{})",
            printable(&related.message),
            printable(&l.file),
            l.line,
            l.column
        );
    }
    if let Some(detail) = &d.detail {
        for line in detail.lines() {
            let painted = match line.chars().next() {
                Some('+') if !line.starts_with("+++") => style.paint("32", &printable(line)),
                Some('-') if !line.starts_with("---") => style.paint("31", &printable(line)),
                Some('@') => style.paint("36", &printable(line)),
                _ => printable(line),
            };
            let _ = writeln!(out, "{painted}");
        }
    }
    if let Some(help) = &d.help {
        let _ = writeln!(
            out,
            "{gutter} = {}: {}",
            style.paint("1", "help"),
            printable(help)
        );
    }
    if let Some(s) = &d.suppression {
        let _ = writeln!(
            out,
            "{gutter} = {}: {}",
            style.paint("1", "suppressed"),
            printable(&s.justification())
        );
    }
}
