//! Graphviz DOT. Every id and label is a quoted string: `"` and `\` are escaped (a label is a
//! Graphviz escString, where a backslash starts `\n`, `\N`, `\G`...), line breaks are written as
//! `\n`, `&` as `&amp;` (Graphviz decodes entities in plain labels too), and no HTML-like label
//! (`<...>`) is ever used.

use super::{CAPTION, GENERATED_BY, Graph, Mark, Node, NodeKind};

/// The comment prefix of a DOT line.
pub const COMMENT: &str = "//";

const DRIFT_COLOR: &str = "#c62828";

pub fn write(graph: &Graph) -> String {
    let mut out = format!("{COMMENT} {GENERATED_BY}. {CAPTION}.\ndigraph chatlog {{\n");
    out.push_str(
        "  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=12, nodesep=0.3, ranksep=0.9];\n",
    );
    out.push_str("  node [fontname=\"Helvetica\", fontsize=11, margin=\"0.15,0.07\"];\n");
    out.push_str(
        "  edge [color=\"#616161\", arrowsize=0.8, fontname=\"Helvetica\", fontsize=10];\n",
    );
    for cluster in &graph.clusters {
        out.push_str(&format!(
            "  subgraph {} {{\n    label={};\n    style=\"rounded\";\n    color=\"#9e9e9e\";\n",
            quote(&format!("cluster_{}", cluster.id)),
            quote(&cluster.label)
        ));
        for node in &cluster.nodes {
            out.push_str("    ");
            out.push_str(&node_line(node));
            out.push('\n');
        }
        out.push_str("  }\n");
    }
    for edge in &graph.edges {
        let attributes = if edge.marks.is_empty() {
            String::new()
        } else {
            let lines: Vec<String> = edge.marks.iter().map(Mark::line).collect();
            format!(
                " [label={}, color=\"{DRIFT_COLOR}\", fontcolor=\"{DRIFT_COLOR}\", style=dashed, penwidth=2.5]",
                label(&lines)
            )
        };
        out.push_str(&format!(
            "  {} -> {}{attributes};\n",
            quote(&edge.from),
            quote(&edge.to)
        ));
    }
    if graph.is_marked() {
        out.push_str(&format!(
            "  subgraph \"cluster_Legend\" {{\n    label=\"legend\";\n    style=\"rounded\";\n    color=\"#9e9e9e\";\n    \"LegendDrift\" [label={}, shape=box, style=\"filled\", fillcolor=\"#ffebee\", color=\"{DRIFT_COLOR}\", fontcolor=\"#b71c1c\", penwidth=2.5];\n  }}\n",
            quote("drifted: red, with what differs")
        ));
    }
    out.push_str("}\n");
    out
}

fn node_line(node: &Node) -> String {
    let style = match node.kind {
        NodeKind::Room => {
            "shape=box, style=\"rounded,filled\", fillcolor=\"#e3f2fd\", color=\"#1565c0\""
        }
        NodeKind::LoggingConfiguration => {
            "shape=box, style=\"filled\", fillcolor=\"#f5f5f5\", color=\"#616161\""
        }
        NodeKind::Destination { managed: true } => {
            "shape=cylinder, style=\"filled\", fillcolor=\"#e8f5e9\", color=\"#2e7d32\""
        }
        NodeKind::Destination { managed: false } => {
            "shape=cylinder, style=\"dashed,filled\", fillcolor=\"#fff8e1\", color=\"#8d6e63\""
        }
        NodeKind::Bot => {
            "shape=hexagon, style=\"filled\", fillcolor=\"#f3e5f5\", color=\"#6a1b9a\""
        }
        NodeKind::Target => {
            "shape=parallelogram, style=\"filled\", fillcolor=\"#ede7f6\", color=\"#4527a0\""
        }
    };
    let mut lines = node.lines.to_lines();
    lines.extend(node.marks.iter().map(Mark::line));
    let drift = if node.marks.is_empty() {
        String::new()
    } else {
        format!(", color=\"{DRIFT_COLOR}\", fontcolor=\"#b71c1c\", penwidth=2.5")
    };
    format!(
        "{} [label={}, {style}{drift}];",
        quote(&node.id),
        label(&lines)
    )
}

/// Lines joined with Graphviz's centered line break, as one quoted string.
fn label(lines: &[String]) -> String {
    let escaped: Vec<String> = lines.iter().map(|l| escape(l)).collect();
    format!("\"{}\"", escaped.join("\\n"))
}

fn quote(text: &str) -> String {
    format!("\"{}\"", escape(text))
}

/// Text for inside a quoted DOT string that Graphviz shows as written.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '&' => out.push_str("&amp;"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}
