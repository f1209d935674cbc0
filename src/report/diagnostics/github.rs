//! GitHub Actions workflow commands: one `::error` / `::warning` annotation per diagnostic.

use crate::diagnostic::{Diagnostic, Severity};

pub fn render(diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        // An accepted finding stays visible as a notice, which does not read as a failure.
        let command = match (d.severity, &d.suppression) {
            (_, Some(_)) => "notice",
            (Severity::Error, None) => "error",
            (Severity::Warning, None) => "warning",
        };
        let suffix = if d.suppression.is_some() {
            " (suppressed)"
        } else {
            ""
        };
        let mut properties = vec![format!(
            "title={}",
            property(&format!("chatlog {}{suffix}", d.rule.id()))
        )];
        if let Some(l) = &d.location {
            properties.insert(
                0,
                format!(
                    "file={},line={},col={}",
                    property(&l.file),
                    l.line,
                    l.column
                ),
            );
        }
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        if let Some(s) = &d.suppression {
            message.push_str("\nsuppressed: ");
            message.push_str(&s.justification());
        }
        out.push_str(&format!(
            "::{command} {}::{}\n",
            properties.join(","),
            data(&message)
        ));
    }
    out
}

/// The escaping GitHub applies to a command's message.
fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// The escaping GitHub applies to a command's properties: the message escapes plus `:` and `,`.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separators_in_values_cannot_end_a_property_or_the_command() {
        assert_eq!(property("a,b:c%\n"), "a%2Cb%3Ac%25%0A");
        assert_eq!(data("50%\r\nnext"), "50%25%0D%0Anext");
    }
}
