//! `chatlog graph` and `graph/graph.md`: snapshots of both formats for every example and a
//! hostile-names spec; every picture parsed by the real parsers (mermaid's own, under node, and
//! Graphviz's `dot`), with each label read back from what the parser understood; drift marks;
//! determinism; the deployment filter; exit codes; `--out` ownership; render and check.
// Test code: clippy.toml's test allowances (unwrap, expect, panic, indexing) apply to all of it.
#![cfg(test)]

mod common;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use chatlog::graph::{
    self, DeploymentFilter, DriftKind, Element, Graph, Mark, Marks, NodeKind, dot, mermaid,
};
use chatlog::model::{DestinationKind, Model};
use chatlog::spec::load::Input;
use common::{chatlog, fresh_dir, root};
use serde_json::Value;

/// Every example and every spec under tests/data/graph, as (case name, path relative to root).
fn cases() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = common::examples()
        .into_iter()
        .map(|p| (format!("example-{}", stem(&p)), relative(&p)))
        .collect();
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(root().join("tests/data/graph"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    fixtures.sort();
    out.extend(
        fixtures
            .iter()
            .map(|p| (format!("fixture-{}", stem(p)), relative(p))),
    );
    assert!(out.len() >= 5, "{out:?}");
    out
}

fn stem(p: &Path) -> String {
    p.file_stem().unwrap().to_str().unwrap().to_owned()
}

fn relative(p: &Path) -> String {
    p.strip_prefix(root()).unwrap().display().to_string()
}

fn model(path: &str) -> Model {
    let v = chatlog::validate::validate(vec![Input {
        name: path.to_owned(),
        bytes: std::fs::read(root().join(path)).unwrap(),
    }]);
    assert!(!v.has_errors(), "{path}: {:#?}", v.diagnostics);
    v.model.unwrap()
}

/// The model of the spec at `path`, kept for the test's process: a picture borrows its model.
fn kept_model(path: &str) -> &'static Model {
    Box::leak(Box::new(model(path)))
}

fn picture(path: &str) -> Graph<'static> {
    graph::build(kept_model(path), None, &Marks::new()).unwrap()
}

/// Synthetic drift (live drift does not exist yet): one mark of each kind the model can carry,
/// with text that would break either language if it were pasted.
fn synthetic_marks(model: &Model) -> Marks {
    let mut marks = Marks::new();
    let hostile = "\"quoted\" #quot; <b>&amp;</b> `x` \\N ; %% end";
    let Some(dep) = model.deployments.first() else {
        return marks;
    };
    if let Some(d) = dep.destinations.first() {
        marks.insert(
            Element::Destination(d.key.clone()),
            vec![Mark::new(
                DriftKind::MissingStatement,
                format!("AWSLogDeliveryWrite {hostile}"),
            )],
        );
    }
    if let Some(d) = model
        .deployments
        .iter()
        .flat_map(|d| &d.destinations)
        .find(|d| matches!(d.kind, DestinationKind::Firehose { .. }))
    {
        marks.insert(
            Element::Destination(d.key.clone()),
            vec![
                Mark::new(DriftKind::MissingTag, "LogDeliveryEnabled=true"),
                Mark::new(DriftKind::Changed, ""),
            ],
        );
    }
    if let Some((room, configuration)) = dep
        .rooms
        .iter()
        .find_map(|r| Some((r, dep.logging_of(r).next()?)))
    {
        marks.insert(
            Element::Attachment {
                room: room.key.clone(),
                configuration: configuration.key.clone(),
            },
            vec![Mark::new(DriftKind::Detached, hostile)],
        );
        marks.insert(
            Element::Room(room.key.clone()),
            vec![Mark::new(DriftKind::Missing, "")],
        );
    }
    if let Some(c) = dep.logging_configurations.first() {
        marks.insert(
            Element::Delivery {
                configuration: c.key.clone(),
            },
            vec![Mark::new(DriftKind::Changed, "points elsewhere")],
        );
    }
    assert!(!marks.is_empty());
    marks
}

/// The picture with synthetic marks (unmarked only when the spec has no resources).
fn marked_picture(path: &str) -> Graph<'static> {
    let m = kept_model(path);
    let g = graph::build(m, None, &synthetic_marks(m)).unwrap();
    assert_eq!(g.is_marked(), !m.deployments.is_empty());
    g
}

// ---------------------------------------------------------------- snapshots

#[test]
fn snapshots_of_both_formats_for_every_case() {
    // glob! runs every case and reports every mismatch; snapshots are `<what>-<kind>@<file>`.
    let both = |kind: &str, dir: &str, path: &Path| {
        let g = picture(&format!(
            "{dir}/{}",
            path.file_name().unwrap().to_string_lossy()
        ));
        insta::assert_snapshot!(format!("graph-mermaid-{kind}"), mermaid::write(&g));
        insta::assert_snapshot!(format!("graph-dot-{kind}"), dot::write(&g));
    };
    common::snapshots().bind(|| {
        insta::glob!("../examples", "*.{yaml,yml,json}", |path| {
            both("example", "examples", path)
        });
        insta::glob!("data/graph", "*.yaml", |path| both(
            "fixture",
            "tests/data/graph",
            path
        ));
    });
    let g = marked_picture("examples/multi-destination.yaml");
    common::snapshots().bind(|| {
        insta::assert_snapshot!(
            "graph-mermaid-marked-example@multi-destination.yaml",
            mermaid::write(&g)
        );
        insta::assert_snapshot!(
            "graph-dot-marked-example@multi-destination.yaml",
            dot::write(&g)
        );
    });
}

// ---------------------------------------------------------------- mermaid, parsed by mermaid

/// Runs tests/js/parse-mermaid.mjs on every (name, text) at once (loading mermaid takes seconds).
fn parse_mermaid(diagrams: &[(String, String)]) -> Vec<Value> {
    let js = root().join("tests/js");
    assert!(
        js.join("node_modules/mermaid/package.json").is_file(),
        "tests/js/node_modules is missing: run scripts/test, which installs the Mermaid parser"
    );
    let input: Vec<Value> = diagrams
        .iter()
        .map(|(name, text)| serde_json::json!({"name": name, "text": text}))
        .collect();
    let mut child = Command::new("node")
        .arg(js.join("parse-mermaid.mjs"))
        .current_dir(&js)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node runs (scripts/test needs Node.js)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(serde_json::to_string(&input).unwrap().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "parse-mermaid.mjs failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let results: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(results.len(), diagrams.len());
    results
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect()
}

fn expected_lines(lines: &[String], marks: &[Mark]) -> Vec<String> {
    let mut out = lines.to_vec();
    out.extend(marks.iter().map(Mark::line));
    out
}

/// What mermaid understood must be exactly the graph: every node with its shape, class and
/// label lines, every cluster with its title and members, every edge in order with its marks.
fn check_mermaid(parsed: &Value, g: &Graph<'_>) -> Result<(), String> {
    if parsed["ok"] != true {
        return Err(format!("does not parse: {}", parsed["error"]));
    }
    if parsed["type"] != "flowchart-v2" {
        return Err(format!("type {}", parsed["type"]));
    }
    // The front matter was read as configuration, not skipped or taken for text.
    if parsed["config"]["flowchart"]["wrappingWidth"] != 400 {
        return Err(format!("front matter config {}", parsed["config"]));
    }
    let vertices = parsed["vertices"].as_array().unwrap();
    let mut count = 0;
    for node in g.clusters.iter().flat_map(|c| &c.nodes) {
        count += 1;
        let v = vertices
            .iter()
            .find(|v| v["id"] == node.id.as_ref())
            .ok_or_else(|| format!("no vertex {}", node.id))?;
        let want = expected_lines(&node.lines.to_lines(), &node.marks);
        if strings(&v["lines"]) != want {
            return Err(format!("{}: lines {} != {want:?}", node.id, v["lines"]));
        }
        let (shape, class) = match node.kind {
            NodeKind::Room => ("stadium", "room"),
            NodeKind::LoggingConfiguration => ("square", "configuration"),
            NodeKind::Destination { managed: true } => ("cylinder", "managed"),
            NodeKind::Destination { managed: false } => ("cylinder", "existing"),
            NodeKind::Bot => ("hexagon", "bot"),
            NodeKind::Target => ("lean_right", "target"),
        };
        let class = if node.marks.is_empty() {
            class
        } else {
            "drift"
        };
        if v["shape"] != shape || strings(&v["classes"]) != [class] {
            return Err(format!("{}: {} {}", node.id, v["shape"], v["classes"]));
        }
    }
    if g.is_marked() {
        count += 1; // the legend
    }
    if vertices.len() != count {
        return Err(format!("{} vertices, {count} nodes", vertices.len()));
    }
    let subgraphs = parsed["subgraphs"].as_array().unwrap();
    for c in &g.clusters {
        let s = subgraphs
            .iter()
            .find(|s| s["id"] == c.id.as_str())
            .ok_or_else(|| format!("no subgraph {}", c.id))?;
        if strings(&s["lines"]) != [c.label.clone()] {
            return Err(format!("{}: title {}", c.id, s["lines"]));
        }
        let mut members: Vec<String> = c.nodes.iter().map(|n| n.id.to_string()).collect();
        members.sort();
        if strings(&s["nodes"]) != members {
            return Err(format!("{}: members {}", c.id, s["nodes"]));
        }
    }
    let edges = parsed["edges"].as_array().unwrap();
    if edges.len() != g.edges.len() {
        return Err(format!("{} edges, want {}", edges.len(), g.edges.len()));
    }
    for (e, want) in edges.iter().zip(&g.edges) {
        if e["start"] != want.from.as_ref() || e["end"] != want.to.as_ref() {
            return Err(format!("edge {e} != {} -> {}", want.from, want.to));
        }
        let lines = expected_lines(&[], &want.marks);
        if strings(&e["lines"]) != lines {
            return Err(format!("edge lines {} != {lines:?}", e["lines"]));
        }
        let styled = strings(&e["style"]).iter().any(|s| s.contains("#c62828"));
        if styled == want.marks.is_empty() {
            return Err(format!(
                "edge style {} for marks {:?}",
                e["style"], want.marks
            ));
        }
    }
    let classes = strings(&parsed["classes"]);
    for class in ["configuration", "drift", "existing", "managed", "room"] {
        if !classes.iter().any(|c| c == class) {
            return Err(format!("classDef {class} missing"));
        }
    }
    Ok(())
}

#[test]
fn every_mermaid_picture_parses_and_reads_back_exactly() {
    let mut diagrams = Vec::new();
    let mut graphs = Vec::new();
    for (name, path) in cases() {
        for (variant, g) in [("plain", picture(&path)), ("marked", marked_picture(&path))] {
            diagrams.push((format!("{name}/{variant}"), mermaid::write(&g)));
            graphs.push(g);
        }
    }
    // graph.md's block is the same picture, fenced.
    let g = picture("examples/quickstart.yaml");
    let md = graph::markdown(&g);
    let block = md
        .split_once("```mermaid\n")
        .unwrap()
        .1
        .strip_suffix("```\n")
        .unwrap();
    diagrams.push(("graph.md".to_owned(), block.to_owned()));
    graphs.push(g);

    // Cases that must fail, so a checker that accepts everything cannot pass this test: an
    // unescaped quote (the parser rejects it), an entity code left raw (it parses, but the label
    // no longer reads back), and a lost `end`.
    let marked = marked_picture("examples/multi-destination.yaml");
    let text = mermaid::write(&marked);
    let broken = [
        ("broken/raw-quote", text.replace("#34;", "\"")),
        ("broken/raw-entity", text.replace("#35;quot#59;", "#quot;")),
        ("broken/no-end", text.replacen("\n  end\n", "\n", 1)),
    ];
    for (name, t) in &broken {
        diagrams.push(((*name).to_owned(), t.clone()));
    }

    let results = parse_mermaid(&diagrams);
    for ((name, text), (parsed, g)) in diagrams.iter().zip(results.iter().zip(&graphs)) {
        if let Err(e) = check_mermaid(parsed, g) {
            panic!("{name}: {e}\n{text}");
        }
    }
    // The broken cases below only mean something if the text had these escapes to break.
    assert!(text.contains("#34;") && text.contains("#35;quot#59;"));
    let broken_results = &results[graphs.len()..];
    assert_eq!(broken_results[0]["ok"], false, "{}", broken_results[0]);
    let raw_entity = check_mermaid(&broken_results[1], &marked).unwrap_err();
    assert!(raw_entity.contains("lines"), "{raw_entity}");
    assert!(check_mermaid(&broken_results[2], &marked).is_err());
}

// ---------------------------------------------------------------- dot, parsed by Graphviz

fn dot_tool() -> &'static str {
    let found = Command::new("dot").arg("-V").output();
    assert!(
        found.is_ok_and(|o| o.status.success()),
        "Graphviz's dot is missing: run scripts/test, which installs it (Debian: graphviz)"
    );
    "dot"
}

/// Runs `dot -T<format>` on `text`; (success, stdout, stderr).
fn run_dot(text: &str, format: &str) -> (bool, String, String) {
    let mut child = Command::new(dot_tool())
        .arg(format!("-T{format}"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The text lines Graphviz draws for an object (from its `_ldraw_` operations).
fn drawn(object: &Value) -> Vec<String> {
    object["_ldraw_"]
        .as_array()
        .map(|ops| {
            ops.iter()
                .filter(|op| op["op"] == "T")
                .map(|op| op["text"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn check_dot(text: &str, g: &Graph<'_>) -> Result<(), String> {
    let (ok, svg, err) = run_dot(text, "svg");
    if !ok || !svg.contains("<svg") {
        return Err(format!("dot -Tsvg failed: {err}"));
    }
    if !err.trim().is_empty() {
        return Err(format!("dot warned: {err}"));
    }
    let (ok, json, err) = run_dot(text, "json");
    if !ok {
        return Err(format!("dot -Tjson failed: {err}"));
    }
    let json: Value = serde_json::from_str(&json).unwrap();
    // An empty graph has no "objects" at all.
    let objects = json["objects"].as_array().cloned().unwrap_or_default();
    let find = |name: &str| objects.iter().find(|o| o["name"] == name);
    for c in &g.clusters {
        let o = find(&format!("cluster_{}", c.id)).ok_or_else(|| format!("no {}", c.id))?;
        if drawn(o) != [c.label.clone()] {
            return Err(format!("{}: drawn {:?}", c.id, drawn(o)));
        }
    }
    let mut nodes = 0;
    for node in g.clusters.iter().flat_map(|c| &c.nodes) {
        nodes += 1;
        let o = find(&node.id).ok_or_else(|| format!("no node {}", node.id))?;
        let want = expected_lines(&node.lines.to_lines(), &node.marks);
        if drawn(o) != want {
            return Err(format!("{}: drawn {:?} != {want:?}", node.id, drawn(o)));
        }
    }
    let graphviz_nodes = objects.iter().filter(|o| o.get("nodes").is_none()).count();
    let legend = usize::from(g.is_marked());
    if graphviz_nodes != nodes + legend {
        return Err(format!(
            "{graphviz_nodes} nodes drawn, {nodes} in the graph"
        ));
    }
    let name_of = |gvid: &Value| {
        objects
            .iter()
            .find(|o| o["_gvid"] == *gvid)
            .map(|o| o["name"].as_str().unwrap().to_owned())
            .unwrap()
    };
    let edges = json["edges"].as_array().cloned().unwrap_or_default();
    if edges.len() != g.edges.len() {
        return Err(format!("{} edges, want {}", edges.len(), g.edges.len()));
    }
    // Graphviz may list edges in another order than the file; compare them as sorted lists.
    let mut got: Vec<(String, String, Vec<String>)> = edges
        .iter()
        .map(|e| (name_of(&e["tail"]), name_of(&e["head"]), drawn(e)))
        .collect();
    let mut want: Vec<(String, String, Vec<String>)> = g
        .edges
        .iter()
        .map(|e| {
            let (from, to) = (e.from.to_string(), e.to.to_string());
            (from, to, expected_lines(&[], &e.marks))
        })
        .collect();
    got.sort();
    want.sort();
    if got != want {
        return Err(format!("edges drawn {got:?} != {want:?}"));
    }
    Ok(())
}

#[test]
fn every_dot_picture_parses_and_draws_every_label_exactly() {
    for (name, path) in cases() {
        for (variant, g) in [("plain", picture(&path)), ("marked", marked_picture(&path))] {
            let text = dot::write(&g);
            if let Err(e) = check_dot(&text, &g) {
                panic!("{name}/{variant}: {e}\n{text}");
            }
        }
    }
    // Must fail: an unescaped quote is a syntax error, and an unescaped `&` in `&amp;` is drawn
    // as `&` instead of the text.
    let g = marked_picture("examples/multi-destination.yaml");
    let text = dot::write(&g);
    assert!(text.contains("\\\"quoted\\\"") && text.contains("&amp;amp;"));
    let (ok, _, err) = run_dot(&text.replace("\\\"quoted\\\"", "\"quoted\""), "svg");
    assert!(!ok && err.contains("syntax error"), "{err}");
    let raw = check_dot(&text.replace("&amp;amp;", "&amp;"), &g).unwrap_err();
    assert!(raw.contains("drawn"), "{raw}");
}

// ---------------------------------------------------------------- the command

fn cli_graph(args: &[&str]) -> (i32, String, String) {
    let out = chatlog().arg("graph").args(args).output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn the_command_prints_the_library_picture_deterministically() {
    for (name, path) in cases() {
        let g = picture(&path);
        for (format, want) in [("mermaid", mermaid::write(&g)), ("dot", dot::write(&g))] {
            let (code, first, err) = cli_graph(&[&path, "--format", format]);
            assert_eq!(code, 0, "{name} {format}: {err}");
            assert_eq!(first, want, "{name} {format}");
            let (_, second, _) = cli_graph(&[&path, "--format", format]);
            assert_eq!(first, second, "{name} {format}: two runs differ");
        }
    }
    let (_, default, _) = cli_graph(&["examples/quickstart.yaml"]);
    assert!(default.lines().any(|l| l == "flowchart LR"), "{default}");
}

#[test]
fn the_deployment_filter_draws_one_deployment_and_names_the_others_when_unknown() {
    let path = "examples/multi-account.yaml";
    let m = model(path);
    assert!(m.deployments.len() >= 2);
    for dep in &m.deployments {
        let only = format!("{}/{}", dep.account, dep.region);
        let (code, text, err) = cli_graph(&[path, "--deployment", &only, "--format", "dot"]);
        assert_eq!(code, 0, "{err}");
        let filter: DeploymentFilter = only.parse().unwrap();
        let g = graph::build(&m, Some(&filter), &Marks::new()).unwrap();
        assert_eq!(g.clusters.len(), 1);
        assert_eq!(text, dot::write(&g));
        assert_eq!(text.matches("subgraph \"cluster_").count(), 1);
        check_dot(&text, &g).unwrap();
    }
    let (code, text, err) = cli_graph(&[path, "--deployment", "999999999999/us-west-2"]);
    assert_eq!(code, 2);
    assert!(text.is_empty());
    let known: Vec<String> = m
        .deployments
        .iter()
        .map(|d| format!("{}/{}", d.account, d.region))
        .collect();
    assert!(
        err.contains("no deployment `999999999999/us-west-2`")
            && err.contains(&format!("its deployments: {}", known.join(", "))),
        "{err}"
    );
    let (code, _, err) = cli_graph(&[path, "--deployment", "us-west-2"]);
    assert_eq!(code, 2);
    assert!(err.contains("is not ACCOUNT/REGION"), "{err}");
}

#[test]
fn exit_codes_invalid_spec_1_usage_and_io_2() {
    let (code, out, err) = cli_graph(&["tests/fixtures/invalid/CL015-message-length.yaml"]);
    assert_eq!(code, 1);
    assert!(out.is_empty(), "nothing drawn for an invalid spec: {out}");
    assert!(err.contains("error[CL015]"), "{err}");
    let (code, _, err) = cli_graph(&["no/such/spec.yaml"]);
    assert_eq!(code, 2);
    assert!(err.contains("no such file"), "{err}");
    let (code, _, _) = cli_graph(&["examples/quickstart.yaml", "--format", "svg"]);
    assert_eq!(code, 2);
    // Warnings alone still draw (multi-account has none; a spec with an unused destination does).
    let dir = fresh_dir("graph-warn");
    let spec = dir.join("warn.yaml");
    std::fs::write(
        &spec,
        "version: 1\ndefaults: { account: \"111122223333\", region: us-west-2 }\ndestinations:\n  unused: { s3: { bucket: acme-unused } }\n",
    )
    .unwrap();
    let (code, out, err) = cli_graph(&[spec.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("CL051") && out.contains("acme-unused"),
        "{err}\n{out}"
    );
}

#[test]
fn out_writes_a_file_and_only_replaces_graphs_chatlog_wrote() {
    let dir = fresh_dir("graph-out");
    let file = dir.join("chat.mmd");
    let target = file.to_str().unwrap();
    let (code, printed, _) = cli_graph(&["examples/quickstart.yaml"]);
    assert_eq!(code, 0);
    let (code, out, err) = cli_graph(&["examples/quickstart.yaml", "--out", target]);
    assert_eq!(code, 0, "{err}");
    assert!(out.is_empty());
    assert_eq!(std::fs::read_to_string(&file).unwrap(), printed);
    // Ours: replaced, also by the other format.
    let (code, _, err) = cli_graph(&[
        "examples/multi-destination.yaml",
        "--format",
        "dot",
        "--out",
        target,
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        std::fs::read_to_string(&file)
            .unwrap()
            .contains("digraph chatlog")
    );
    // Someone else's diagram: refused, untouched.
    let theirs = "flowchart LR\n  hand --> drawn\n";
    std::fs::write(&file, theirs).unwrap();
    let (code, _, err) = cli_graph(&["examples/quickstart.yaml", "--out", target]);
    assert_eq!(code, 2);
    assert!(err.contains("was not written by chatlog"), "{err}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), theirs);
    // An empty file holds nothing to lose.
    std::fs::write(&file, "").unwrap();
    let (code, _, _) = cli_graph(&["examples/quickstart.yaml", "--out", target]);
    assert_eq!(code, 0);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), printed);
    // A directory is not a file.
    let (code, _, err) = cli_graph(&["examples/quickstart.yaml", "--out", dir.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("not a regular file"), "{err}");
    // No stray temporary files.
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["chat.mmd"]);
}

// ---------------------------------------------------------------- render and check

#[test]
fn render_all_writes_graph_md_and_check_compares_it() {
    let out = fresh_dir("graph-render");
    chatlog()
        .args(["render", "examples/quickstart.yaml", "--out"])
        .arg(&out)
        .assert()
        .code(0);
    let md = std::fs::read_to_string(out.join("graph/graph.md")).unwrap();
    assert_eq!(md, graph::markdown(&picture("examples/quickstart.yaml")));
    assert!(out.join("graph/.chatlog").is_file());
    common::snapshots().bind(|| insta::assert_snapshot!("graph-md-example@quickstart.yaml", md));

    let check = |dir: &Path| {
        let o = chatlog()
            .args([
                "check",
                "examples/quickstart.yaml",
                "--target",
                "all",
                "--against",
            ])
            .arg(dir)
            .output()
            .unwrap();
        (
            o.status.code().unwrap(),
            String::from_utf8(o.stdout).unwrap(),
        )
    };
    assert_eq!(check(&out).0, 0);
    std::fs::write(
        out.join("graph/graph.md"),
        md.replace("room lobby", "room hall"),
    )
    .unwrap();
    std::fs::write(out.join("graph/old.md"), "stale").unwrap();
    let (code, text) = check(&out);
    assert_eq!(code, 1);
    assert!(
        text.contains("error[CL091]") && text.contains("graph/graph.md"),
        "{text}"
    );
    assert!(
        text.contains("error[CL092]") && text.contains("graph/old.md"),
        "{text}"
    );
    // Rendering again restores it and drops the stale file.
    chatlog()
        .args(["render", "examples/quickstart.yaml", "--out"])
        .arg(&out)
        .assert()
        .code(0);
    assert_eq!(check(&out).0, 0);
    assert!(!out.join("graph/old.md").exists());
}

#[test]
fn render_target_graph_writes_only_the_graph_even_where_templates_cannot_render() {
    // multi-destination has a room above CloudFormation's and Terraform's rate cap: `all` writes
    // nothing, but the graph alone renders.
    let out = fresh_dir("graph-only");
    chatlog()
        .args([
            "render",
            "examples/multi-destination.yaml",
            "--target",
            "graph",
            "--out",
        ])
        .arg(&out)
        .assert()
        .code(0);
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["graph"]);
    assert_eq!(
        std::fs::read_to_string(out.join("graph/graph.md")).unwrap(),
        graph::markdown(&picture("examples/multi-destination.yaml"))
    );
    // A graph/ folder chatlog did not write is never replaced.
    let foreign = fresh_dir("graph-foreign");
    std::fs::create_dir_all(foreign.join("graph")).unwrap();
    std::fs::write(foreign.join("graph/notes.md"), "mine").unwrap();
    chatlog()
        .args(["render", "examples/quickstart.yaml", "--out"])
        .arg(&foreign)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("was not written by chatlog"));
    assert_eq!(
        std::fs::read_to_string(foreign.join("graph/notes.md")).unwrap(),
        "mine"
    );
}

#[test]
fn the_readme_example_is_what_the_command_prints() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let section = readme.split_once("\n### graph\n").unwrap().1;
    let block = section
        .split_once("```mermaid\n")
        .unwrap()
        .1
        .split_once("```\n")
        .unwrap()
        .0;
    let (_, printed, _) = cli_graph(&["examples/quickstart.yaml"]);
    assert_eq!(block, printed);
}
