use super::*;
use crate::spec::load::Input;

const SPEC: &str = r#"
version: 1
defaults: { account: "111122223333", region: us-west-2 }
destinations:
  archive: { s3: { bucket: acme-archive } }
  tail: { cloudwatch_logs: { log_group: /ivs/tail, create: true } }
  old: { cloudwatch_logs: { log_group: "/ivs/old#1" } }
  stream: { firehose: { delivery_stream: chat-stream } }
  eu-bucket: { s3: { bucket: acme-eu, create: true }, region: eu-west-1 }
logging_configurations:
  archive: { destination: archive, name: archive-prod }
  tail: { destination: tail }
  old: { destination: old }
  stream: { destination: stream }
  eu: { destination: eu-bucket }
rooms:
  lobby: { logging: [tail, archive] }
  stage: { logging: [stream, old] }
  eu-room: { logging: [eu], region: eu-west-1 }
"#;

fn model(text: &str) -> Model {
    let v = crate::validate::validate(vec![Input {
        name: "spec.yaml".to_owned(),
        bytes: text.as_bytes().to_vec(),
    }]);
    assert!(!v.has_errors(), "{:#?}", v.diagnostics);
    v.model.unwrap()
}

fn node<'a>(graph: &'a Graph<'_>, id_prefix: &str) -> &'a Node<'a> {
    graph
        .clusters
        .iter()
        .flat_map(|c| &c.nodes)
        .find(|n| n.id.starts_with(id_prefix))
        .unwrap_or_else(|| panic!("no node {id_prefix}"))
}

#[test]
fn one_cluster_per_deployment_with_rooms_configurations_destinations_in_order() {
    let m = model(SPEC);
    let g = build(&m, None, &Marks::new()).unwrap();
    let clusters: Vec<&str> = g.clusters.iter().map(|c| c.label.as_str()).collect();
    assert_eq!(
        clusters,
        [
            "account 111122223333 / eu-west-1",
            "account 111122223333 / us-west-2"
        ]
    );
    let us = &g.clusters[1];
    let kinds: Vec<NodeKind> = us.nodes.iter().map(|n| n.kind).collect();
    use NodeKind::*;
    assert_eq!(
        kinds,
        [
            Room,
            Room,
            LoggingConfiguration,
            LoggingConfiguration,
            LoggingConfiguration,
            LoggingConfiguration,
            Destination { managed: false },
            Destination { managed: false },
            Destination { managed: false },
            Destination { managed: true },
        ]
    );
    // Room edges keep the spec's order of logging configurations.
    let lobby = node(&g, "RoomLobby").id.clone();
    let from_lobby: Vec<&str> = g
        .edges
        .iter()
        .filter(|e| e.from == lobby)
        .map(|e| e.to.as_ref())
        .collect();
    assert_eq!(from_lobby.len(), 2);
    assert!(from_lobby[0].starts_with("LoggingConfigurationTail"));
    assert!(from_lobby[1].starts_with("LoggingConfigurationArchive"));
    // 5 room -> configuration edges and 5 configuration -> destination edges.
    assert_eq!(g.edges.len(), 10);
}

#[test]
fn ids_are_logical_ids_and_alphanumeric() {
    let m = model(SPEC);
    let g = build(&m, None, &Marks::new()).unwrap();
    let room = &m.deployments[1].rooms[0];
    assert_eq!(node(&g, "RoomLobby").id, room.logical_id);
    for c in &g.clusters {
        assert!(
            c.id.chars().all(|ch| ch.is_ascii_alphanumeric()),
            "{}",
            c.id
        );
        for n in &c.nodes {
            assert!(
                n.id.chars().all(|ch| ch.is_ascii_alphanumeric()),
                "{}",
                n.id
            );
        }
    }
}

#[test]
fn destinations_say_who_owns_them_and_which_policy_they_carry() {
    let m = model(SPEC);
    let g = build(&m, None, &Marks::new()).unwrap();
    let lines = |prefix: &str| node(&g, prefix).lines.to_lines().join(" | ");
    assert_eq!(
        lines("DestinationArchive"),
        "S3 bucket acme-archive | destination archive, existing (owned elsewhere) | statements to merge into its bucket policy"
    );
    assert_eq!(
        lines("DestinationEuBucket"),
        "S3 bucket acme-eu | destination eu-bucket, managed (chatlog creates it) | bucket policy owned by chatlog"
    );
    assert_eq!(
        lines("DestinationTail"),
        "log group /ivs/tail | destination tail, managed (chatlog creates it) | log group resource policy"
    );
    assert_eq!(
        lines("DestinationOld"),
        "log group /ivs/old#1 | destination old, existing (owned elsewhere) | account log resource policy chatlog-ivschat-log-delivery"
    );
    assert_eq!(
        lines("DestinationStream"),
        "Firehose stream chat-stream | destination stream, existing (owned elsewhere) | service-linked role AWSServiceRoleForLogDelivery + tag LogDeliveryEnabled=true"
    );
    assert_eq!(
        node(&g, "LoggingConfigurationArchive").lines.to_lines(),
        ["logging configuration archive", "(AWS name archive-prod)"]
    );
}

#[test]
fn the_deployment_filter_keeps_one_and_names_the_known_ones_otherwise() {
    let m = model(SPEC);
    let only: DeploymentFilter = "111122223333/eu-west-1".parse().unwrap();
    let g = build(&m, Some(&only), &Marks::new()).unwrap();
    assert_eq!(g.clusters.len(), 1);
    assert_eq!(g.edges.len(), 2);
    let unknown: DeploymentFilter = "111122223333/us-east-1".parse().unwrap();
    let err = build(&m, Some(&unknown), &Marks::new()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the spec has no deployment `111122223333/us-east-1` (its deployments: 111122223333/eu-west-1, 111122223333/us-west-2)"
    );
    for bad in ["111122223333", "/us-west-2", "111122223333/", "a/b/c"] {
        assert_eq!(
            bad.parse::<DeploymentFilter>(),
            Err(GraphError::BadDeployment(bad.to_owned()))
        );
    }
}

fn synthetic_marks() -> Marks {
    let mut marks = Marks::new();
    marks.insert(
        Element::Destination("archive".to_owned()),
        vec![Mark::new(
            DriftKind::MissingStatement,
            "AWSLogDeliveryWrite \"quoted\" & <b>#1;</b>",
        )],
    );
    marks.insert(
        Element::Attachment {
            room: "stage".to_owned(),
            configuration: "old".to_owned(),
        },
        vec![Mark::new(DriftKind::Detached, "not on the live room")],
    );
    marks.insert(
        Element::Destination("stream".to_owned()),
        vec![Mark::new(DriftKind::MissingTag, "LogDeliveryEnabled=true")],
    );
    marks.insert(
        Element::Room("eu-room".to_owned()),
        vec![Mark::new(DriftKind::Missing, "")],
    );
    marks
}

#[test]
fn marks_land_on_their_nodes_and_edges() {
    let m = model(SPEC);
    let g = build(&m, None, &synthetic_marks()).unwrap();
    assert!(g.is_marked());
    assert_eq!(
        node(&g, "DestinationArchive").marks[0].line(),
        "DRIFT missing statement: AWSLogDeliveryWrite \"quoted\" & <b>#1;</b>"
    );
    assert_eq!(node(&g, "RoomEuRoom").marks[0].line(), "DRIFT missing");
    assert!(node(&g, "DestinationTail").marks.is_empty());
    let stage = node(&g, "RoomStage").id.clone();
    let old = node(&g, "LoggingConfigurationOld").id.clone();
    let marked: Vec<&Edge> = g.edges.iter().filter(|e| !e.marks.is_empty()).collect();
    assert_eq!(marked.len(), 1);
    assert_eq!((&marked[0].from, &marked[0].to), (&stage, &old));
    assert_eq!(marked[0].marks[0].kind, DriftKind::Detached);

    let unmarked = build(&m, None, &Marks::new()).unwrap();
    assert!(!unmarked.is_marked());
    assert!(!mermaid::write(&unmarked).contains("Legend"));
    assert!(!dot::write(&unmarked).contains("cluster_Legend"));
}

#[test]
fn marked_output_has_the_drift_style_the_link_style_and_a_legend() {
    let m = model(SPEC);
    let g = build(&m, None, &synthetic_marks()).unwrap();
    let text = mermaid::write(&g);
    let index = g.edges.iter().position(|e| !e.marks.is_empty()).unwrap();
    assert!(
        text.contains(&format!("  linkStyle {index} stroke:#c62828")),
        "{text}"
    );
    assert!(text.contains("LegendDrift["), "{text}");
    let archive = node(&g, "DestinationArchive").id.to_string();
    assert!(
        text.lines()
            .any(|l| l.trim_start().starts_with(&archive) && l.ends_with(":::drift")),
        "{text}"
    );
    let d = dot::write(&g);
    assert!(d.contains("\"cluster_Legend\""), "{d}");
    assert!(d.contains("style=dashed, penwidth=2.5]"), "{d}");
}

#[test]
fn a_mark_on_something_the_spec_lacks_is_an_error_and_filtered_marks_are_dropped() {
    let m = model(SPEC);
    let mut marks = Marks::new();
    marks.insert(
        Element::Attachment {
            room: "lobby".to_owned(),
            configuration: "stream".to_owned(),
        },
        vec![Mark::new(DriftKind::Detached, "")],
    );
    assert_eq!(
        build(&m, None, &marks).unwrap_err().to_string(),
        "a drift mark points at room `lobby` -> logging configuration `stream`, which the spec does not have"
    );
    let only: DeploymentFilter = "111122223333/eu-west-1".parse().unwrap();
    let g = build(&m, Some(&only), &synthetic_marks()).unwrap();
    let marked: Vec<&str> = g
        .clusters
        .iter()
        .flat_map(|c| &c.nodes)
        .filter(|n| !n.marks.is_empty())
        .map(|n| n.id.as_ref())
        .collect();
    assert_eq!(marked.len(), 1);
    assert!(marked[0].starts_with("RoomEuRoom"));
}

const HOSTILE: &[&str] = &[
    "a\"b",
    "#quot;",
    "#35;",
    "x;y",
    "<b>bold</b>&amp;",
    "`code` **md** _i_",
    "```",
    "%%{init: {}}%%",
    "end",
    "back\\slash \\n \\N",
    "line\nbreak",
    "日本語 🎉",
    "a|b]c[d(e)f{g}h",
    "style x:#35; classDef y:#fff;",
];

/// Mermaid's own decoding of entity codes in a label: `#<decimal>;` is the character.
fn mermaid_decode(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find('#') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let end = after.find(';').unwrap();
        let code: u32 = after[..end].parse().unwrap();
        out.push(char::from_u32(code).unwrap());
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

#[test]
fn mermaid_labels_keep_only_plain_characters_and_decode_to_the_original() {
    for s in HOSTILE {
        let e = mermaid::escape(s);
        assert!(
            e.chars()
                .all(|c| c.is_ascii_alphanumeric() || " -_./,=+()#;".contains(c)),
            "{e}"
        );
        assert_eq!(&mermaid_decode(&e), s);
    }
}

/// Graphviz's reading of a quoted escString label, for the escapes this writer produces.
fn dot_decode(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some(other) => out.push(other),
                None => panic!("dangling backslash in {text}"),
            }
        } else {
            out.push(c);
        }
    }
    out.replace("&amp;", "&")
}

#[test]
fn dot_labels_escape_quotes_backslashes_and_entities() {
    for s in HOSTILE {
        let e = dot::escape(s);
        // A `"` only ever appears escaped.
        let unescaped_quote = e
            .char_indices()
            .filter(|(_, c)| *c == '"')
            .any(|(i, _)| e[..i].chars().rev().take_while(|c| *c == '\\').count() % 2 == 0);
        assert!(!unescaped_quote, "{e}");
        assert_eq!(&dot_decode(&e), s);
    }
    assert_eq!(dot::escape("a\u{7}b"), "a\u{FFFD}b");
}

#[test]
fn only_files_chatlog_wrote_are_replaceable() {
    let m = model(SPEC);
    let g = build(&m, None, &Marks::new()).unwrap();
    assert!(written_by_chatlog(&mermaid::write(&g)));
    assert!(written_by_chatlog(&dot::write(&g)));
    assert!(written_by_chatlog(""));
    assert!(!written_by_chatlog("flowchart LR\n  a --> b\n"));
    assert!(!written_by_chatlog("digraph { a -> b }\n"));
    assert!(!written_by_chatlog(&format!(
        "my notes\n# {GENERATED_BY}\n"
    )));
    assert!(!written_by_chatlog(&format!(
        "---\ntitle: x\n# {GENERATED_BY}\n"
    )));
}

#[test]
fn markdown_is_a_caption_and_a_mermaid_block() {
    let m = model(SPEC);
    let g = build(&m, None, &Marks::new()).unwrap();
    let md = markdown(&g);
    let (caption, rest) = md.split_once("\n\n").unwrap();
    assert!(!caption.contains('\n') && caption.starts_with("Rooms -> "));
    assert_eq!(rest, format!("```mermaid\n{}```\n", mermaid::write(&g)));
    assert_eq!(md.matches("```").count(), 2);
}

#[test]
fn output_is_deterministic() {
    let (first, second) = (model(SPEC), model(SPEC));
    let a = build(&first, None, &synthetic_marks()).unwrap();
    let b = build(&second, None, &synthetic_marks()).unwrap();
    assert_eq!(a, b);
    assert_eq!(mermaid::write(&a), mermaid::write(&b));
    assert_eq!(dot::write(&a), dot::write(&b));
}
