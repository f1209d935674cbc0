//! The text report: rustc-style diagnostics drawn by annotate-snippets (rustc's own renderer):
//! the offending source underlined, and related places in the spec drawn as labels.

use std::cell::RefCell;
use std::fmt::Write as _;

use annotate_snippets::{AnnotationKind, Element, Level, Origin, Renderer, Snippet};

use crate::diagnostic::{Diagnostic, Location, Severity};
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
    let files = lines_of(sources);
    for d in diagnostics {
        render_one(&mut out, d, &files, style);
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

/// Each source file's path and lines, for the snippets of every diagnostic of one report.
fn lines_of(sources: &Sources) -> Vec<(&str, FileLines<'_>)> {
    sources
        .files()
        .map(|f| (f.path.as_str(), FileLines::new(&f.text)))
        .collect()
}

fn render_one(out: &mut String, d: &Diagnostic, files: &[(&str, FileLines<'_>)], style: &Style) {
    let message = printable(&d.message);
    let level = match d.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
    };
    // An accepted finding keeps its severity and rule but is marked.
    let level = if d.suppression.is_some() {
        level.with_name(format!("{} (suppressed)", d.severity.as_str()))
    } else {
        level
    };
    let mut elements: Vec<Element<'_>> = Vec::new();
    let mut notes = Vec::new();
    if let Some(primary) = &d.location {
        let text = |file: &str| files.iter().find(|(path, _)| *path == file).map(|(_, t)| t);
        // The primary place first (its snippet gets the `-->` line), then every related place
        // in its file, then those in other files: each drawn as a label where its text is known.
        // A place that is not on its file's text (a line or column past its end) is named as
        // given, never drawn at a nearby column that the header would then name instead.
        let drawable = |l: &Location| text(&l.file).is_some_and(|t| fits(t, l));
        let primary_drawn = drawable(primary);
        let primary_marks = if primary_drawn {
            vec![Mark {
                location: primary,
                label: None,
            }]
        } else {
            Vec::new()
        };
        let mut by_file: Vec<(&str, Vec<Mark<'_>>)> = vec![(primary.file.as_str(), primary_marks)];
        for related in &d.related {
            let mark = Mark {
                location: &related.location,
                label: Some(&related.message),
            };
            if !drawable(&related.location) {
                notes.push(format!(
                    "{} ({}:{}:{})",
                    printable(&related.message),
                    printable(&related.location.file),
                    related.location.line,
                    related.location.column
                ));
            } else if let Some((_, marks)) = by_file
                .iter_mut()
                .find(|(file, _)| *file == related.location.file)
            {
                marks.push(mark);
            } else {
                by_file.push((related.location.file.as_str(), vec![mark]));
            }
        }
        for (i, (file, marks)) in by_file.into_iter().enumerate() {
            let drawn = text(file).map_or_else(Vec::new, |text| snippets(file, text, &marks));
            // The primary place is always named, even where it cannot be drawn.
            if i == 0 && !primary_drawn {
                elements.push(
                    Origin::path(printable(file))
                        .line(primary.line as usize)
                        .char_column(primary.column as usize)
                        .into(),
                );
            }
            elements.extend(drawn);
        }
    }
    for note in notes {
        elements.push(Level::NOTE.message(note).into());
    }
    if let Some(help) = &d.help {
        elements.push(Level::HELP.message(printable(help)).into());
    }
    if let Some(s) = &d.suppression {
        elements.push(
            Level::NOTE
                .with_name("suppressed")
                .message(printable(&s.justification()))
                .into(),
        );
    }
    let report = [level
        .primary_title(message)
        .id(d.rule.id())
        .elements(elements)];
    let renderer = if style.color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    out.push_str(&renderer.render(&report));
    out.push('\n');
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
}

/// Whether a place is on its file's text: its line exists and its column is on that line or
/// just past its last character (where a missing value is reported).
fn fits(source: &FileLines<'_>, location: &Location) -> bool {
    let Some(index) = (location.line as usize).checked_sub(1) else {
        return false;
    };
    source
        .text_from(index)
        .lines()
        .next()
        .is_some_and(|line| (1..=line.chars().count() + 1).contains(&(location.column as usize)))
}

/// A file's text and the starts of its lines, found as far as a lookup has needed them, once
/// for a whole report. Each place and each snippet found its line from the start of the file:
/// splitting off every line before it took 1.4 G instructions for 165 diagnostics in a
/// 5,000-room spec, and counting the line breaks before it, each time, 41 M (issue 17).
struct FileLines<'a> {
    text: &'a str,
    /// Where each line found so far starts: 0, then after each line break.
    starts: RefCell<Vec<usize>>,
}

impl<'a> FileLines<'a> {
    fn new(text: &'a str) -> Self {
        FileLines {
            text,
            starts: RefCell::new(vec![0]),
        }
    }

    /// The text from the start of its line `index` (from 0) on, whose `lines()` are those of
    /// the whole text from that one; empty past its last line.
    fn text_from(&self, index: usize) -> &'a str {
        let mut starts = self.starts.borrow_mut();
        if let Some(more) = (index + 1).checked_sub(starts.len()).filter(|&n| n > 0)
            && let Some(&from) = starts.last()
        {
            let rest = self.text.as_bytes().get(from..).unwrap_or_default();
            let found = memchr::memchr_iter(b'\n', rest).map(|at| from + at + 1);
            starts.extend(found.take(more));
        }
        starts
            .get(index)
            .and_then(|&start| self.text.get(start..))
            .unwrap_or_default()
    }
}

/// A place to draw in a snippet: the diagnostic's own (no label) or a related one.
struct Mark<'a> {
    location: &'a Location,
    label: Option<&'a str>,
}

/// Marks further apart than this many lines get snippets of their own instead of one snippet
/// over every line between them (which, in a 50,000-room spec, could be most of the file).
const JOIN_LINES: u32 = 8;

/// The snippets of one file that draw `marks`: the lines around each group of nearby marks,
/// each character drawn as one ([`visible`]), each mark underlined at its column. The first
/// mark's group comes first.
fn snippets<'a>(file: &str, source: &FileLines<'_>, marks: &[Mark<'a>]) -> Vec<Element<'a>> {
    let mut groups: Vec<Vec<&Mark<'a>>> = Vec::new();
    let mut rest: Vec<&Mark<'a>> = marks.iter().collect();
    while let Some(first) = rest.first().copied() {
        // Grow the first mark's group by every mark within reach of it, transitively.
        let (mut low, mut high) = (first.location.line, first.location.line);
        let mut group = Vec::new();
        loop {
            let (near, far): (Vec<&Mark<'a>>, Vec<&Mark<'a>>) = rest.iter().partition(|m| {
                m.location.line + JOIN_LINES >= low && m.location.line <= high + JOIN_LINES
            });
            if near.is_empty() {
                break;
            }
            for m in &near {
                low = low.min(m.location.line);
                high = high.max(m.location.line);
            }
            group.extend(near);
            rest = far;
        }
        groups.push(group);
    }
    groups
        .into_iter()
        .filter_map(|group| snippet(file, source, &group))
        .collect()
}

fn snippet<'a>(file: &str, source: &FileLines<'_>, marks: &[&Mark<'a>]) -> Option<Element<'a>> {
    let low = marks.iter().map(|m| m.location.line).min()?.max(1);
    let high = marks.iter().map(|m| m.location.line).max()?;
    let mut window = String::new();
    // Each line's number, and where each of its characters starts in `window` (plus its end).
    let mut lines: Vec<(u32, Vec<usize>)> = Vec::new();
    for (line, raw) in (low..=high).zip(source.text_from(low as usize - 1).lines()) {
        let mut starts = Vec::with_capacity(raw.len() + 1);
        for c in raw.chars() {
            starts.push(window.len());
            window.push(visible(c));
        }
        starts.push(window.len());
        lines.push((line, starts));
        window.push('\n');
    }
    let mut annotations = Vec::new();
    for (i, mark) in marks.iter().enumerate() {
        let Some((_, starts)) = lines.iter().find(|(l, _)| *l == mark.location.line) else {
            continue;
        };
        let last = starts.len().saturating_sub(1);
        let from = (mark.location.column as usize).saturating_sub(1).min(last);
        let to = (from + (mark.location.len as usize).max(1))
            .min(last)
            .max(from);
        let (Some(&from), Some(&to)) = (starts.get(from), starts.get(to)) else {
            continue;
        };
        let kind = if i == 0 && mark.label.is_none() {
            AnnotationKind::Primary
        } else {
            AnnotationKind::Context
        };
        let annotation = kind.span(from..to);
        annotations.push(match mark.label {
            Some(label) => annotation.label(printable(label)),
            None => annotation,
        });
    }
    if annotations.is_empty() {
        return None;
    }
    Some(
        Snippet::source(window)
            .path(printable(file))
            .line_start(low as usize)
            .fold(true)
            .annotations(annotations)
            .into(),
    )
}

/// A source character as one visible character, so that columns (and the `-->` line, which
/// annotate-snippets counts in the text it draws) stay those of the file: a control character
/// becomes its Unicode control picture (`␛` for ESC, as rustc draws it) and a tab one space.
fn visible(c: char) -> char {
    match c {
        '\t' => ' ',
        '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + u32::from(c)).unwrap_or('\u{FFFD}'),
        '\u{7f}' => '\u{2421}',
        c if c.is_control() => '\u{FFFD}',
        c => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Rule;
    use crate::spec::source::SourceFile;

    fn at(file: &str, line: u32, column: u32, len: u32) -> Option<Location> {
        Some(Location {
            file: file.to_owned(),
            line,
            column,
            len,
            pointer: None,
        })
    }

    fn text_of(d: Diagnostic, files: &[(&str, &str)]) -> String {
        let mut sources = Sources::default();
        for (path, text) in files {
            sources.push(SourceFile::deferred((*path).to_owned(), (*text).to_owned()));
        }
        let mut out = String::new();
        render_one(&mut out, &d, &lines_of(&sources), &Style { color: false });
        out
    }

    #[test]
    fn related_places_are_labels_near_by_and_snippets_of_their_own_far_away_or_elsewhere() {
        let spec: String = (1..=30).map(|i| format!("line{i:02}: x\n")).collect();
        let d = Diagnostic::new(Rule::UnknownReference, "the finding")
            .at(at("a.yaml", 20, 1, 6))
            .related("near", at("a.yaml", 14, 1, 6))
            .related("far", at("a.yaml", 3, 1, 6))
            .related("other file", at("b.yaml", 2, 3, 2))
            .related("unread file", at("c.json", 7, 1, 1))
            .help("the fix");
        let text = text_of(d, &[("a.yaml", &spec), ("b.yaml", "k: v\nab: cd\n")]);
        let expected = "\
error[CL030]: the finding
  --> a.yaml:20:1
   |
14 | line14: x
   | ------ near
...
20 | line20: x
   | ^^^^^^
   |
  ::: a.yaml:3:1
   |
 3 | line03: x
   | ------ far
   |
  ::: b.yaml:2:3
   |
 2 | ab: cd
   |   -- other file
   |
   = note: unread file (c.json:7:1)
   = help: the fix
";
        assert_eq!(text, expected, "\n{text}");
    }

    #[test]
    fn control_characters_are_drawn_as_one_character_each_and_columns_hold() {
        let d = Diagnostic::new(Rule::UnknownReference, "bad \u{1b}[31m")
            .at(at("a.yaml", 1, 8, 3))
            .related("w", at("a.yaml", 1, 12, 1));
        let text = text_of(d, &[("a.yaml", "a\u{1b}b\tc: xyz w\u{9b}\n")]);
        assert!(!text.contains(['\u{1b}', '\u{9b}']), "{text:?}");
        let expected = "\
error[CL030]: bad \\u{1b}[31m
 --> a.yaml:1:8
  |
1 | a\u{241b}b c: xyz w\u{fffd}
  |        ^^^ - w
";
        assert!(text.starts_with(expected), "\n{text}");
    }

    #[test]
    fn a_place_past_the_end_of_its_file_is_still_named() {
        let d = Diagnostic::new(Rule::UnknownReference, "gone").at(at("a.yaml", 9, 2, 1));
        let text = text_of(d, &[("a.yaml", "one line\n")]);
        assert!(text.contains("\n--> a.yaml:9:2\n"), "{text}");
    }

    #[test]
    fn a_detail_follows_the_drawing() {
        let mut d = Diagnostic::new(Rule::UnknownReference, "differs").help("render again");
        d.detail = Some("--- a\n+++ b\n-old\n+new\n".to_owned());
        let text = text_of(d, &[]);
        let expected =
            "error[CL030]: differs\n |\n = help: render again\n--- a\n+++ b\n-old\n+new\n";
        assert_eq!(text, expected);
    }

    /// Arbitrary text (control characters, tabs, wide and multi-byte characters, empty and
    /// long lines) and arbitrary places, in and past the text: the drawing never fails, never
    /// lets a control character through, and always names the finding's place as given.
    #[test]
    fn any_text_and_any_place_are_drawn_safely() {
        let pieces = [
            "a",
            "key: value",
            "\t",
            "\u{1b}[31m",
            "\u{7}",
            "\u{9b}",
            "\u{7f}",
            "é",
            "漢字",
            "🙂",
            " ",
            "",
            "\r",
            "\u{202e}",
            &"x".repeat(200),
        ];
        let mut dice = crate::dice::Dice(0x2545_F491_4F6C_DD1D);
        let mut next = |n: usize| dice.below(n);
        for _ in 0..2_000 {
            let lines = next(12);
            let text: String = (0..lines)
                .map(|_| {
                    let line: String = (0..next(6)).map(|_| pieces[next(pieces.len())]).collect();
                    line + "\n"
                })
                .collect();
            let place = |next: &mut dyn FnMut(usize) -> usize| {
                let line = u32::try_from(next(lines + 3)).unwrap();
                let column = u32::try_from(next(40)).unwrap();
                let len = u32::try_from(next(12)).unwrap();
                (line, column, len)
            };
            let (line, column, len) = place(&mut next);
            let mut d =
                Diagnostic::new(Rule::UnknownReference, "m").at(at("a.yaml", line, column, len));
            for _ in 0..next(4) {
                let (l, c, n) = place(&mut next);
                d = d.related(
                    "r\u{1b}",
                    at(if next(3) == 0 { "b.yaml" } else { "a.yaml" }, l, c, n),
                );
            }
            let drawn = text_of(d, &[("a.yaml", &text), ("b.yaml", &text)]);
            assert!(
                !drawn.chars().any(|c| c.is_control() && c != '\n'),
                "{text:?} at {line}:{column}+{len}:\n{drawn}"
            );
            assert!(
                drawn.contains(&format!("--> a.yaml:{line}:{column}\n")),
                "{text:?} at {line}:{column}+{len}:\n{drawn}"
            );
        }
    }

    /// `text_from(i).lines()` is `text.lines().skip(i)` on long texts (lines of 0 to 96
    /// characters, some ending in `\r\n`, some not ending), for every line index to past the
    /// end, asked in order (the starts found as they are needed) and then backwards (the
    /// starts found before).
    #[test]
    fn text_from_is_lines_skipped_on_long_texts() {
        for last_break in [true, false] {
            let mut text = String::new();
            for n in 0..400_usize {
                text.push_str(&"x".repeat(n * 37 % 97));
                text.push_str(if n % 5 == 0 { "\r\n" } else { "\n" });
            }
            if !last_break {
                text.push_str("tail");
            }
            assert!(text.len() > 16_384);
            let lines = super::FileLines::new(&text);
            let indexes = 0..=text.lines().count() + 1;
            for index in indexes.clone().chain(indexes.rev()) {
                assert!(
                    lines.text_from(index).lines().eq(text.lines().skip(index)),
                    "line {index}"
                );
            }
        }
    }

    /// `text_from(i).lines()` is `text.lines().skip(i)`, on every text of up to 7 of
    /// `a`, `\n` and `\r` (so every `\r\n` and a last line with and without its break), and
    /// for every line index up to past the end.
    #[test]
    fn text_from_is_lines_skipped() {
        let texts = crate::dice::every_string(&["a", "\n", "\r"], 7);
        assert_eq!(texts.len(), (0..=7).map(|n| 3_usize.pow(n)).sum::<usize>());
        for text in &texts {
            let lines = super::FileLines::new(text);
            for index in 0..=text.len() + 1 {
                assert!(
                    lines.text_from(index).lines().eq(text.lines().skip(index)),
                    "{text:?}, line {index}"
                );
            }
        }
    }
}
