//! User values end up in terminal output; control characters in them must not reach the
//! terminal as escape sequences.

/// Replaces control characters (other than tab) with a visible escape.
pub fn printable(text: &str) -> String {
    escape_controls(text, |c| c != '\t')
}

/// Replaces every control character, tab included, with a visible escape: for text that must
/// stay on one line and keep its column alignment.
pub fn one_cell(text: &str) -> String {
    escape_controls(text, |_| true)
}

fn escape_controls(text: &str, escape: impl Fn(char) -> bool) -> String {
    if !text.contains(|c: char| c.is_control() && escape(c)) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() && escape(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}
