//! Mermaid flowchart. Every label is a quoted string in which only letters, digits, space and
//! `-_./,=+()` are written as themselves; everything else becomes a Mermaid entity code (`#35;`), so
//! no name can end the string (`"`), start an entity (`#`), end a statement (`;`), open HTML
//! (`<`, `&`), turn the label into Markdown (a leading backtick) or close the Markdown fence of
//! `graph.md` (three backticks).

use std::fmt::Write as _;

use super::{CAPTION, GENERATED_BY, Graph, Node, NodeKind};

/// The comment prefix of the header line, which sits in the front matter (YAML), because front
/// matter must open the diagram and a `%%` comment before it would hide it.
pub const COMMENT: &str = "#";

/// Mermaid wraps labels at 200 pixels by default, which splits bucket and log group names in
/// the middle; 400 keeps typical names on one line.
const FRONT_MATTER_CONFIG: &str = "config:\n  flowchart:\n    wrappingWidth: 400\n";

/// The styles, one per kind of node; `drift` replaces the kind's style on a marked node, because
/// Mermaid gives every class rule `!important` and the cascade between two would be a guess.
const CLASS_DEFS: &[(&str, &str)] = &[
    ("room", "fill:#e3f2fd,stroke:#1565c0,color:#0d47a1"),
    ("configuration", "fill:#f5f5f5,stroke:#616161,color:#212121"),
    ("managed", "fill:#e8f5e9,stroke:#2e7d32,color:#1b5e20"),
    (
        "existing",
        "fill:#fff8e1,stroke:#8d6e63,stroke-dasharray:5 3,color:#3e2723",
    ),
    (
        "drift",
        "fill:#ffebee,stroke:#c62828,stroke-width:3px,color:#b71c1c",
    ),
];

/// The style of Lex bots, written only into pictures that have one, so that every other
/// picture stays as it was.
const BOT_CLASS_DEF: (&str, &str) = ("bot", "fill:#f3e5f5,stroke:#6a1b9a,color:#4a148c");

/// The style of a stack set's targets (OUs or accounts, and regions), only in pictures that have
/// a stack set.
const TARGET_CLASS_DEF: (&str, &str) = ("target", "fill:#ede7f6,stroke:#4527a0,color:#311b92");

const DRIFT_LINK: &str = "stroke:#c62828,stroke-width:3px,color:#b71c1c";

pub fn write(graph: &Graph) -> String {
    let mut out = String::new();
    write_into(graph, &mut out);
    out
}

/// [`write`], appended to `out`.
pub fn write_into(graph: &Graph, out: &mut String) {
    let _ = writeln!(
        out,
        "---\n{COMMENT} {GENERATED_BY}. {CAPTION}.\n{FRONT_MATTER_CONFIG}---\nflowchart LR"
    );
    let mut reserved = false;
    for cluster in &graph.clusters {
        let _ = writeln!(
            out,
            "  subgraph {}[\"{}\"]\n    direction LR",
            cluster.id,
            escape(&cluster.label)
        );
        for node in &cluster.nodes {
            let start = out.len();
            out.push_str("    ");
            write_node(out, node);
            out.push('\n');
            if !reserved {
                reserve_for_all(out, graph, out.len() - start);
                reserved = true;
            }
        }
        out.push_str("  end\n");
    }
    let mut drifted_links = Vec::new();
    for (i, edge) in graph.edges.iter().enumerate() {
        if edge.marks.is_empty() {
            // Pieces, not `writeln!`: a spec has an edge or more for every room (issue 17).
            out.push_str("  ");
            out.push_str(&edge.from);
            out.push_str(" --> ");
            out.push_str(&edge.to);
            out.push('\n');
        } else {
            let text: Vec<String> = edge.marks.iter().map(super::Mark::line).collect();
            let _ = writeln!(
                out,
                "  {} -.->|\"{}\"| {}",
                edge.from,
                label(&text),
                edge.to
            );
            drifted_links.push(i.to_string());
        }
    }
    if graph.is_marked() {
        let _ = writeln!(
            out,
            "  subgraph Legend[\"legend\"]\n    LegendDrift[\"{}\"]:::drift\n  end",
            escape("drifted: red, with what differs")
        );
    }
    for (name, style) in CLASS_DEFS {
        let _ = writeln!(out, "  classDef {name} {style}");
    }
    let has_bots = graph
        .clusters
        .iter()
        .flat_map(|c| &c.nodes)
        .any(|n| n.kind == NodeKind::Bot);
    if has_bots {
        let (name, style) = BOT_CLASS_DEF;
        let _ = writeln!(out, "  classDef {name} {style}");
    }
    let has_targets = graph
        .clusters
        .iter()
        .flat_map(|c| &c.nodes)
        .any(|n| n.kind == NodeKind::Target);
    if has_targets {
        let (name, style) = TARGET_CLASS_DEF;
        let _ = writeln!(out, "  classDef {name} {style}");
    }
    if !drifted_links.is_empty() {
        let _ = writeln!(out, "  linkStyle {} {DRIFT_LINK}", drifted_links.join(","));
    }
}

/// Grows `out` once, when the first node is written (`node` bytes), to hold every node as
/// large as it, every edge as large as the first and 4 KiB besides: a picture has a node and an
/// edge or more for every room, and its text grown by doubling was copied at every step and
/// faulted in afresh at each (9 MB at 50,000 rooms; issue 17).
fn reserve_for_all(out: &mut String, graph: &Graph, node: usize) {
    let nodes: usize = graph.clusters.iter().map(|c| c.nodes.len()).sum();
    let edge = graph
        .edges
        .first()
        .map_or(0, |e| e.from.len() + e.to.len() + "   --> \n".len());
    out.reserve(nodes.saturating_sub(1) * node + graph.edges.len() * edge + 4_096);
}

/// A node's line, written in place: its label's lines were cloned, escaped each into a string
/// of its own, joined and formatted into one more, for every room (issue 17).
fn write_node(out: &mut String, node: &Node) {
    let (open, close, class) = match node.kind {
        NodeKind::Room => ("([", "])", "room"),
        NodeKind::LoggingConfiguration => ("[", "]", "configuration"),
        NodeKind::Destination { managed: true } => ("[(", ")]", "managed"),
        NodeKind::Destination { managed: false } => ("[(", ")]", "existing"),
        NodeKind::Bot => ("{{", "}}", "bot"),
        NodeKind::Target => ("[/", "/]", "target"),
    };
    let class = if node.marks.is_empty() {
        class
    } else {
        "drift"
    };
    out.push_str(&node.id);
    out.push_str(open);
    out.push('"');
    let mut first = true;
    let mut line = |pieces: &[&str]| {
        if !first {
            out.push_str("<br>");
        }
        first = false;
        // Escaped piece by piece, which escapes as the whole line would: each character alone.
        for piece in pieces {
            escape_into(out, piece);
        }
    };
    node.lines.each_line(&mut line);
    for mark in &node.marks {
        line(&[&mark.line()]);
    }
    out.push('"');
    out.push_str(close);
    out.push_str(":::");
    out.push_str(class);
}

/// Lines joined with Mermaid's line break.
fn label(lines: &[String]) -> String {
    lines
        .iter()
        .map(|l| escape(l))
        .collect::<Vec<_>>()
        .join("<br>")
}

/// Text for inside a quoted Mermaid label.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_into(&mut out, text);
    out
}

/// [`escape`] at the end of `out`.
fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        // `:` too: Mermaid's preprocessor drops the last `;` of any line matching
        // `style.*:\S*#.*;` or `classDef.*:\S*#.*;`, which a label could otherwise spell.
        if c.is_ascii_alphanumeric()
            || matches!(c, ' ' | '-' | '_' | '.' | '/' | ',' | '=' | '+' | '(' | ')')
        {
            out.push(c);
        } else {
            out.push('#');
            out.push_str(itoa::Buffer::new().format(u32::from(c)));
            out.push(';');
        }
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::{escape, write_node};
    use crate::graph::{DriftKind, Label, Mark, Node, NodeKind};

    /// A room's label, written from the model's key and name piece by piece, reads as the same
    /// lines put together and escaped whole: on keys and names with characters Mermaid needs
    /// escaped, names equal to their keys, and with a mark after the lines.
    #[test]
    fn a_named_label_is_written_as_its_lines_would_be() {
        let texts = [
            "lobby",
            "chat-lobby",
            "a\"b",
            "x#1;",
            "été",
            "日本",
            "(AWS name y)",
            "",
        ];
        for key in texts {
            for name in texts {
                for marks in [
                    Vec::new(),
                    vec![Mark::new(DriftKind::Missing, "gone <now>")],
                ] {
                    let named = Label::Named {
                        what: "room",
                        key,
                        name,
                    };
                    let node = |lines: Label<'static>| Node {
                        id: Cow::Borrowed("RoomLobby0123ABCD"),
                        kind: NodeKind::Room,
                        lines,
                        marks: marks.clone(),
                    };
                    let lines = Label::Lines(named.to_lines());
                    let (mut ours, mut theirs) = (String::new(), String::new());
                    write_node(&mut ours, &node(named.clone()));
                    write_node(&mut theirs, &node(lines));
                    assert_eq!(ours, theirs, "{key:?} {name:?}");
                }
            }
        }
    }

    /// The characters kept are the ones the first writer kept (`" -_./,=+()".contains`), and
    /// every other is its code point as an entity: on every string of up to 3 of characters
    /// from both sides, each printable ASCII character among them.
    #[test]
    fn labels_are_escaped_as_the_first_writer_escaped_them() {
        fn by_format(text: &str) -> String {
            text.chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || " -_./,=+()".contains(c) {
                        c.to_string()
                    } else {
                        format!("#{};", u32::from(c))
                    }
                })
                .collect()
        }
        let mut alphabet: Vec<char> = (' '..='~').collect();
        alphabet.extend(['\n', '\t', '\u{7f}', 'é', '日', '🎉']);
        let mut checked = 0;
        for a in &alphabet {
            for b in &alphabet {
                for c in ['a', ';', '#', '`', 'ü'] {
                    let text: String = [*a, *b, c].iter().collect();
                    assert_eq!(escape(&text), by_format(&text), "{text:?}");
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, 101 * 101 * 5);
    }
}
