//! User values end up in terminal output; control characters in them must not reach the
//! terminal as escape sequences.

/// Replaces control characters (other than tab) with a visible escape.
pub fn printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() && c != '\t' {
            out.push_str(&c.escape_default().to_string());
        } else {
            out.push(c);
        }
    }
    out
}
