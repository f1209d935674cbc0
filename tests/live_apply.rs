//! plan, apply and drift through the binary against the project's IVS Chat server (with its
//! log-delivery side effects written into moto) and moto, with the real SDK clients.
// Test code: clippy.toml's test allowances (unwrap, expect, panic, indexing) apply to all of it.
#![cfg(test)]

mod common;
mod live_support;

use std::path::{Path, PathBuf};

use chatlog_testkit::ivschat::FaultRule;
use common::fresh_dir;
use live_support::{REGION, World};
use serde_json::Value;

const WRITES: [&str; 7] = [
    "CreateLoggingConfiguration",
    "UpdateLoggingConfiguration",
    "DeleteLoggingConfiguration",
    "CreateRoom",
    "UpdateRoom",
    "DeleteRoom",
    "TagResource",
];

fn writes(world: &World) -> usize {
    let control = world.server.control();
    WRITES.iter().map(|op| control.count(op)).sum::<usize>() + control.count("UntagResource")
}

/// A world whose account has the bucket and log group the spec names as existing.
fn world_with_destinations() -> World {
    let world = World::delivering_to_moto();
    world.create_bucket(&bucket(&world));
    world.create_log_group("/aws/vendedlogs/ivschat/tail");
    world
}

fn bucket(world: &World) -> String {
    format!("chat-archive-{}", world.account)
}

fn write_spec(world: &World, dir: &Path, rooms: &str) -> PathBuf {
    let spec = format!(
        r#"version: 1
name: live-test
defaults: {{account: "{account}", region: {REGION}, tags: {{team: live}}}}
destinations:
  archive: {{s3: {{bucket: {bucket}}}}}
  tail: {{cloudwatch_logs: {{log_group: /aws/vendedlogs/ivschat/tail}}}}
logging_configurations:
  archive: {{destination: archive}}
  tail: {{destination: tail}}
rooms:
{rooms}"#,
        account = world.account,
        bucket = bucket(world),
    );
    let path = dir.join("spec.yaml");
    std::fs::write(&path, spec).unwrap();
    path
}

const ROOMS: &str = "  lobby: {logging: [archive, tail], maximum_message_rate_per_second: 20}\n  quiet: {logging: [archive]}\n";

/// How many lines of `text` mention an IVS Chat resource type with `verb`.
fn ivs_lines(text: &str, verb: &str, resource: &str) -> usize {
    text.lines()
        .filter(|l| l.contains(verb) && l.contains(&format!("AWS::IVSChat::{resource}")))
        .count()
}

fn apply(world: &World, spec: &Path, extra: &[&str]) -> String {
    let mut args = vec!["apply", "--auto-approve"];
    args.extend_from_slice(extra);
    let (code, out, err) = world.run(&args, spec);
    assert_eq!(code, 0, "apply failed:\n{out}\n{err}");
    out
}

fn drift(world: &World, spec: &Path) -> (i32, String) {
    let (code, out, err) = world.run(&["drift", "--format", "json"], spec);
    assert!(code == 0 || code == 1, "drift errored: {out}\n{err}");
    (code, out)
}

fn rule_ids(drift_json: &str) -> Vec<String> {
    let doc: Value = serde_json::from_str(drift_json).unwrap();
    doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["rule"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn apply_from_nothing_then_drift_is_clean_and_a_second_apply_writes_nothing() {
    let world = world_with_destinations();
    let dir = fresh_dir("apply");
    let spec = write_spec(&world, &dir, ROOMS);
    let audit = dir.join("audit.jsonl");

    let (code, plan, _) = world.run(&["plan", "--detailed-exitcode"], &spec);
    assert_eq!(code, 1, "{plan}");
    // Two configurations and two rooms (the existing destinations' policies come on top).
    assert_eq!(
        ivs_lines(&plan, "+ create", "LoggingConfiguration"),
        2,
        "{plan}"
    );
    assert_eq!(ivs_lines(&plan, "+ create", "Room"), 2, "{plan}");
    assert!(plan.contains("0 to update, 0 to delete"), "{plan}");
    assert_eq!(writes(&world), 0, "plan must not write");
    world.server.control().clear_calls();

    let out = apply(&world, &spec, &["--audit-log", audit.to_str().unwrap()]);
    let applied = out.split("Applied (").nth(1).unwrap_or_default();
    assert_eq!(
        ivs_lines(applied, "create", "LoggingConfiguration"),
        2,
        "{out}"
    );
    assert_eq!(ivs_lines(applied, "create", "Room"), 2, "{out}");
    let control = world.server.control();
    assert_eq!(control.count("CreateLoggingConfiguration"), 2);
    assert_eq!(control.count("CreateRoom"), 2);
    // Read back after apply: the new rooms as CreateRoom answered them, no GetRoom.
    assert!(out.contains("Verified: read back 1 deployment"), "{out}");
    assert_eq!(control.count("GetRoom"), 0);
    // Every configuration was waited for until ACTIVE before the rooms were created.
    let calls = control.calls();
    let first_room = calls
        .iter()
        .position(|c| c.operation == "CreateRoom")
        .unwrap();
    let gets_before = calls[..first_room]
        .iter()
        .filter(|c| c.operation == "GetLoggingConfiguration")
        .count();
    assert!(gets_before >= 2);

    // The audit log: one CloudTrail-shaped line per call, reads and writes.
    let lines: Vec<Value> = std::fs::read_to_string(&audit)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let ivschat_lines = lines
        .iter()
        .filter(|l| l["eventSource"] == "ivschat.amazonaws.com")
        .count();
    assert_eq!(ivschat_lines, calls.len(), "one record per IVS Chat call");
    for line in &lines {
        for field in [
            "eventTime",
            "eventSource",
            "eventName",
            "awsRegion",
            "requestParameters",
            "responseElements",
            "errorCode",
            "errorMessage",
            "requestID",
            "readOnly",
        ] {
            assert!(line.get(field).is_some(), "{field} missing in {line}");
        }
        let source = line["eventSource"].as_str().unwrap();
        assert!(
            [
                "ivschat.amazonaws.com",
                "s3.amazonaws.com",
                "logs.amazonaws.com"
            ]
            .contains(&source),
            "{line}"
        );
        assert_eq!(line["awsRegion"], REGION);
    }
    let created: Vec<&Value> = lines
        .iter()
        .filter(|l| l["eventName"] == "CreateRoom")
        .collect();
    assert_eq!(created.len(), 2);
    assert_eq!(created[0]["readOnly"], false);
    assert!(
        created[0]["responseElements"]["arn"]
            .as_str()
            .unwrap()
            .contains(":room/")
    );
    assert!(created[0]["requestParameters"]["tags"]["chatlog:spec"] == "live-test");

    let (code, report) = drift(&world, &spec);
    assert_eq!(code, 0, "{report}");

    control.clear_calls();
    let out = apply(&world, &spec, &[]);
    assert!(out.contains("Nothing to apply"), "{out}");
    assert_eq!(writes(&world), 0);
    let (code, _, _) = world.run(&["plan", "--detailed-exitcode"], &spec);
    assert_eq!(code, 0);
}

#[test]
fn changes_behind_chatlogs_back_are_found_by_drift_and_repaired_by_apply() {
    let world = world_with_destinations();
    let dir = fresh_dir("drift");
    let spec = write_spec(&world, &dir, ROOMS);
    apply(&world, &spec, &[]);

    let client = world.ivschat();
    world.runtime.block_on(async {
        let rooms = client.list_rooms().send().await.unwrap();
        for r in rooms.rooms() {
            let arn = r.arn().unwrap();
            if r.name() == Some("lobby") {
                // A rate changed.
                client
                    .update_room()
                    .identifier(arn)
                    .maximum_message_rate_per_second(5)
                    .send()
                    .await
                    .unwrap();
            } else {
                // A configuration detached, and a tag removed.
                client
                    .update_room()
                    .identifier(arn)
                    .set_logging_configuration_identifiers(Some(vec![]))
                    .send()
                    .await
                    .unwrap();
                client
                    .untag_resource()
                    .resource_arn(arn)
                    .tag_keys("team")
                    .send()
                    .await
                    .unwrap();
            }
        }
    });

    let (code, report) = drift(&world, &spec);
    assert_eq!(code, 1, "{report}");
    assert_eq!(rule_ids(&report), ["CL101", "CL101"], "{report}");
    assert!(
        report.contains("maximum_message_rate_per_second is 5"),
        "{report}"
    );
    assert!(report.contains("logging_configurations"), "{report}");
    assert!(report.contains("tags"), "{report}");
    // Findings point at the spec line of the room.
    let doc: Value = serde_json::from_str(&report).unwrap();
    assert!(doc["diagnostics"][0]["location"]["line"].as_u64().unwrap() >= 11);

    let (code, sarif, _) = world.run(&["drift", "--format", "sarif"], &spec);
    assert_eq!(code, 1);
    let sarif: Value = serde_json::from_str(&sarif).unwrap();
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 2);

    // The picture marks the changed room and the detached attachment, and mermaid parses it.
    let (code, picture, _) = world.run(&["drift", "--format", "mermaid"], &spec);
    assert_eq!(code, 1);
    let parsed = parse_mermaid(&picture);
    assert_eq!(parsed["ok"], true, "{parsed}\n{picture}");
    let labels: Vec<String> = parsed["vertices"]
        .as_array()
        .unwrap()
        .iter()
        .chain(parsed["edges"].as_array().unwrap())
        .flat_map(|v| v["lines"].as_array().unwrap().clone())
        .map(|l| l.as_str().unwrap().to_owned())
        .collect();
    assert!(
        labels
            .iter()
            .any(|l| l.contains("DRIFT changed: maximum_message_rate_per_second")),
        "{labels:?}"
    );
    assert!(
        labels.iter().any(|l| l.contains("DRIFT detached")),
        "{labels:?}"
    );

    apply(&world, &spec, &[]);
    let (code, report) = drift(&world, &spec);
    assert_eq!(code, 0, "{report}");
    let (code, picture, _) = world.run(&["drift", "--format", "mermaid"], &spec);
    assert_eq!(code, 0);
    assert!(!picture.contains("DRIFT"), "{picture}");
}

/// Parses one diagram with mermaid's own parser (tests/js, installed by scripts/test).
fn parse_mermaid(text: &str) -> Value {
    use std::io::Write;
    let js = common::root().join("tests/js");
    let mut child = std::process::Command::new("node")
        .arg(js.join("parse-mermaid.mjs"))
        .current_dir(&js)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("node runs (scripts/test installs it)");
    let input = serde_json::json!([{"name": "drift", "text": text}]);
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let parsed: Value = serde_json::from_slice(&out.stdout).unwrap();
    parsed[0].clone()
}

#[test]
fn a_failure_mid_apply_says_what_was_done_and_a_rerun_converges() {
    let world = world_with_destinations();
    let dir = fresh_dir("partial");
    let spec = write_spec(&world, &dir, ROOMS);
    let control = world.server.control();
    // Retried and survived: throttling and server errors.
    control.inject(FaultRule::on("CreateLoggingConfiguration", 429, 2));
    control.inject(FaultRule::on("GetLoggingConfiguration", 503, 1));
    // Not retryable: the apply stops after the configurations.
    control.inject(FaultRule::on("CreateRoom", 400, 1));
    let (code, out, err) = world.run(&["apply", "--auto-approve"], &spec);
    assert_eq!(code, 2, "{out}\n{err}");
    assert!(
        out.contains("Failed (1)") && out.contains("CreateRoom"),
        "{out}"
    );
    // The other room is made at the same time as the failing one: done, or not started when
    // the failure came first. Every change is accounted for once.
    let count = |title: &str| -> usize {
        let at = out.find(&format!("{title} (")).unwrap() + title.len() + 2;
        out[at..].split(')').next().unwrap().parse().unwrap()
    };
    assert!(count("Done") >= 4, "{out}");
    assert_eq!(count("Done") + count("Not done"), 5, "{out}");
    assert!(
        err.contains(&format!("apply failed in {}/{REGION}", world.account)),
        "{err}"
    );

    let done_first = count("Done");
    let out = apply(&world, &spec, &[]);
    // The rerun makes what the first run did not: the failed room, and the other if it had not
    // started.
    assert!(
        out.contains(&format!("Applied ({})", 6 - done_first)),
        "{out}"
    );
    let (code, report) = drift(&world, &spec);
    assert_eq!(code, 0, "{report}");
    // Nothing was created twice.
    assert_eq!(control.count("CreateLoggingConfiguration") - 2, 2);
    let rooms = world
        .runtime
        .block_on(world.ivschat().list_rooms().send())
        .unwrap();
    assert_eq!(rooms.rooms().len(), 2);
}

#[test]
fn server_errors_beyond_the_retries_stop_apply_and_a_rerun_converges() {
    let world = world_with_destinations();
    let dir = fresh_dir("faults");
    let spec = write_spec(&world, &dir, ROOMS);
    let control = world.server.control();
    // More 503s than attempts for both rooms (made concurrently), after the configurations:
    // apply gives up in the middle.
    control.inject(FaultRule::on("CreateRoom", 503, 6));
    let out = world
        .chatlog()
        .env("AWS_MAX_ATTEMPTS", "3")
        .args(["apply", "--auto-approve"])
        .arg(&spec)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    let out = String::from_utf8_lossy(&out.stdout);
    assert!(err.contains("apply failed in"), "{err}");
    assert!(
        out.contains("ServiceUnavailable") || out.contains("503"),
        "{out}"
    );
    assert_eq!(
        control.count("CreateRoom"),
        6,
        "three attempts per room, then stop"
    );
    assert!(
        out.contains("Done (4)") && out.contains("Failed (2)") && out.contains("Not done (0)"),
        "{out}"
    );

    let out = apply(&world, &spec, &[]);
    assert!(out.contains("Applied (2)"), "{out}");
    let (code, report) = drift(&world, &spec);
    assert_eq!(code, 0, "{report}");
}

#[test]
fn prune_deletes_only_what_the_spec_created() {
    let world = world_with_destinations();
    let dir = fresh_dir("prune");
    let spec = write_spec(
        &world,
        &dir,
        &format!("{ROOMS}  old: {{logging: [tail]}}\n"),
    );
    apply(&world, &spec, &[]);
    // Someone else's room and configuration, untagged, with a name the spec no longer has.
    let theirs = world.create_configuration("manual", live_support::s3(&bucket(&world)));
    world.create_room("old", &[theirs], None);

    let spec = write_spec(&world, &dir, ROOMS);
    let (code, plan, _) = world.run(&["plan"], &spec);
    assert_eq!(code, 0);
    assert!(plan.contains("apply --prune deletes it"), "{plan}");
    let out = apply(&world, &spec, &[]);
    assert!(
        out.contains("Nothing to apply"),
        "without --prune nothing is deleted: {out}"
    );

    let control = world.server.control();
    control.clear_calls();
    apply(&world, &spec, &["--prune"]);
    assert_eq!(control.count("DeleteRoom"), 1);
    assert_eq!(control.count("DeleteLoggingConfiguration"), 0);
    let deleted = control
        .calls()
        .into_iter()
        .find(|c| c.operation == "DeleteRoom")
        .unwrap();
    let rooms = world
        .runtime
        .block_on(world.ivschat().list_rooms().send())
        .unwrap();
    let names: Vec<&str> = rooms.rooms().iter().filter_map(|r| r.name()).collect();
    assert_eq!(rooms.rooms().len(), 3, "{names:?}");
    assert!(
        rooms
            .rooms()
            .iter()
            .all(|r| Some(deleted.request["identifier"].as_str().unwrap()) != r.arn())
    );
    // The untagged `old` room is still there.
    assert!(names.contains(&"old"));
}

#[test]
fn apply_refuses_without_a_terminal_or_auto_approve_and_writes_nothing() {
    let world = world_with_destinations();
    let dir = fresh_dir("refuse");
    let spec = write_spec(&world, &dir, ROOMS);
    let (code, _, err) = world.run(&["apply"], &spec);
    assert_eq!(code, 2);
    assert!(err.contains("--auto-approve"), "{err}");
    assert!(world.server.control().calls().is_empty());
}
