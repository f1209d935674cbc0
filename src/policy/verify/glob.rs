//! IAM's wildcards (`*` any run of characters, `?` one character) in `Action`, `Resource` and the
//! `Like` condition operators, and the three questions verify asks of them. Patterns are short
//! (ARNs), so a table over both strings is cheap.

#[derive(Clone, Copy, PartialEq, Eq)]
enum Token {
    Any,
    One,
    Char(char),
}

fn tokens(pattern: &str) -> Vec<Token> {
    pattern
        .chars()
        .map(|c| match c {
            '*' => Token::Any,
            '?' => Token::One,
            c => Token::Char(c),
        })
        .collect()
}

/// Whether `text`, read literally, matches `pattern`.
pub fn matches(pattern: &str, text: &str) -> bool {
    if !is_pattern(pattern) {
        return pattern == text;
    }
    if !heads_agree(pattern, text) {
        return false;
    }
    let literal: Vec<Token> = text.chars().map(Token::Char).collect();
    covers_tokens(&tokens(pattern), &literal)
}

/// Whether two patterns agree on their literal beginnings, as far as both have one: a cheap
/// "no" for most pairs of ARNs, before any table is built. Bytes are compared: a difference
/// in bytes both heads have is a difference in a character both have.
fn heads_agree(a: &str, b: &str) -> bool {
    for (x, y) in a.bytes().zip(b.bytes()) {
        if matches!(x, b'*' | b'?') || matches!(y, b'*' | b'?') {
            return true;
        }
        if x != y {
            return false;
        }
    }
    true
}

/// Whether every string `inner` matches is also matched by `outer` (`arn:aws:s3:::b/*` covers
/// `arn:aws:s3:::b/AWSLogs/1/*`). Sound, not complete: a `?` in `outer` never covers a `*`.
pub fn covers(outer: &str, inner: &str) -> bool {
    if !is_pattern(outer) {
        return outer == inner;
    }
    if !heads_agree(outer, inner) {
        return false;
    }
    covers_tokens(&tokens(outer), &tokens(inner))
}

fn covers_tokens(outer: &[Token], inner: &[Token]) -> bool {
    let (n, m) = (outer.len(), inner.len());
    // done[i][j]: outer[i..] covers inner[j..]; filled from the ends.
    let mut done = vec![vec![false; m + 1]; n + 1];
    for i in (0..=n).rev() {
        for j in (0..=m).rev() {
            let value = match outer.get(i) {
                None => j == m,
                Some(Token::Any) => at(&done, i + 1, j) || (j < m && at(&done, i, j + 1)),
                Some(Token::One) => {
                    matches!(inner.get(j), Some(Token::Char(_) | Token::One))
                        && at(&done, i + 1, j + 1)
                }
                Some(Token::Char(c)) => {
                    inner.get(j) == Some(&Token::Char(*c)) && at(&done, i + 1, j + 1)
                }
            };
            set(&mut done, i, j, value);
        }
    }
    at(&done, 0, 0)
}

/// Whether some string matches both patterns (a Deny on `arn:aws:s3:::b/*.exe` meets log
/// delivery's `arn:aws:s3:::b/AWSLogs/1/*`).
pub fn intersects(a: &str, b: &str) -> bool {
    if !heads_agree(a, b) {
        return false;
    }
    let (a, b) = (tokens(a), tokens(b));
    let (n, m) = (a.len(), b.len());
    // both[i][j]: a[i..] and b[j..] share a string. Every step advances i or j (a `*` on both
    // sides consuming one character leads back to the same state, so it is left out).
    let mut both = vec![vec![false; m + 1]; n + 1];
    for i in (0..=n).rev() {
        for j in (0..=m).rev() {
            let (x, y) = (a.get(i), b.get(j));
            let mut value = x.is_none() && y.is_none();
            if x == Some(&Token::Any) {
                value |= at(&both, i + 1, j);
            }
            if y == Some(&Token::Any) {
                value |= at(&both, i, j + 1);
            }
            if let (Some(x), Some(y)) = (x, y) {
                let compatible = match (x, y) {
                    (Token::Char(p), Token::Char(q)) => p == q,
                    _ => true,
                };
                let next_i = if *x == Token::Any { i } else { i + 1 };
                let next_j = if *y == Token::Any { j } else { j + 1 };
                if compatible && (next_i, next_j) != (i, j) {
                    value |= at(&both, next_i, next_j);
                }
            }
            set(&mut both, i, j, value);
        }
    }
    at(&both, 0, 0)
}

/// Whether a pattern has a wildcard at all.
pub fn is_pattern(s: &str) -> bool {
    s.bytes().any(|b| matches!(b, b'*' | b'?'))
}

fn at(table: &[Vec<bool>], i: usize, j: usize) -> bool {
    table
        .get(i)
        .and_then(|row| row.get(j))
        .copied()
        .unwrap_or(false)
}

fn set(table: &mut [Vec<bool>], i: usize, j: usize, value: bool) {
    if let Some(cell) = table.get_mut(i).and_then(|row| row.get_mut(j)) {
        *cell = value;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_matching() {
        assert!(matches("s3:*", "s3:putobject"));
        assert!(matches("*", "anything"));
        assert!(matches("s3:put?bject", "s3:putobject"));
        assert!(!matches("s3:get*", "s3:putobject"));
        assert!(matches("a*b*c", "aXXbYYc"));
        assert!(!matches("a*b*c", "aXXbYY"));
        // The text is literal: its `*` is a character.
        assert!(matches("b/*", "b/*"));
        assert!(!matches("b/x", "b/*"));
    }

    #[test]
    fn coverage_of_one_pattern_by_another() {
        let need = "arn:aws:s3:::b/AWSLogs/111122223333/*";
        assert!(covers(need, need));
        assert!(covers("arn:aws:s3:::b/*", need));
        assert!(covers("*", need));
        assert!(covers("arn:aws:s3:::b/AWSLogs/*/*", need));
        assert!(!covers("arn:aws:s3:::b/AWSLogs/111122223333/x*", need));
        assert!(!covers("arn:aws:s3:::c/*", need));
        // `?` is one character; it cannot stand for the `*` of the narrower pattern.
        assert!(!covers("arn:aws:s3:::b/AWSLogs/111122223333/?", need));
        assert!(
            !covers(need, "arn:aws:s3:::b/*"),
            "narrower never covers wider"
        );
    }

    #[test]
    fn intersection_of_two_patterns() {
        let need = "arn:aws:s3:::b/AWSLogs/111122223333/*";
        assert!(intersects("arn:aws:s3:::b/*.exe", need));
        assert!(intersects(need, "arn:aws:s3:::b/AWSLogs/111122223333/x/y"));
        assert!(intersects("*", "x"));
        assert!(intersects("a*", "*b"));
        assert!(!intersects("arn:aws:s3:::b/private/*", need));
        assert!(!intersects("arn:aws:s3:::b", need));
        assert!(!intersects("a?", "a"));
        assert!(intersects("a?c", "a*"));
    }
}
