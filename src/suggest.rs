//! "did you mean `x`?" for names that are close to one the spec defines.

/// The candidate closest to `word`, if it is close enough to be a plausible typo.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| {
            // Levenshtein over characters, the measure clap's own suggestions use.
            let distance = strsim::levenshtein(&word.to_lowercase(), &c.to_lowercase());
            (distance, c)
        })
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| c)
}

/// The help line for an unknown name: a suggestion when there is one.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    closest(word, candidates).map(|c| format!("did you mean `{c}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let names = ["archive", "tail", "analytics"];
        assert_eq!(closest("archve", names), Some("archive"));
        assert_eq!(closest("Tail", names), Some("tail"));
        assert_eq!(closest("zzzzzz", names), None);
        assert_eq!(closest("anlytics", names), Some("analytics"));
    }
}
