//! `drift --baseline`, `--write-baseline` and `--cache-dir` through the binary against the
//! project's IVS Chat server (with log delivery's side effects written into moto) and moto.
// Test code: clippy.toml's test allowances (unwrap, expect, panic, indexing) apply to all of it.
#![cfg(test)]

mod common;
mod live_support;

use std::path::{Path, PathBuf};

use common::fresh_dir;
use live_support::{REGION, World};
use serde_json::Value;

fn bucket(world: &World) -> String {
    format!("chat-archive-{}", world.account)
}

/// The spec, with its rooms in the order given and, when `flow`, written in flow style.
fn write_spec(world: &World, dir: &Path, name: &str, flow: bool) -> PathBuf {
    let (account, bucket) = (&world.account, bucket(world));
    let spec = if flow {
        format!(
            "# the same spec, reformatted and reordered\nversion: 1\nname: live-baseline\n\
             rooms: {{quiet: {{logging: [archive]}}, lobby: {{maximum_message_length: 300, logging: [archive]}}}}\n\
             logging_configurations: {{archive: {{destination: archive}}}}\n\
             destinations: {{archive: {{s3: {{bucket: {bucket}}}}}}}\n\
             defaults: {{region: {REGION}, account: \"{account}\"}}\n"
        )
    } else {
        format!(
            "version: 1\nname: live-baseline\ndefaults: {{account: \"{account}\", region: {REGION}}}\n\
             destinations:\n  archive: {{s3: {{bucket: {bucket}}}}}\n\
             logging_configurations:\n  archive: {{destination: archive}}\n\
             rooms:\n  lobby:\n    logging: [archive]\n    maximum_message_length: 300\n  quiet:\n    logging: [archive]\n"
        )
    };
    let path = dir.join(name);
    std::fs::write(&path, spec).unwrap();
    path
}

fn set_lobby_length(world: &World, length: i32) {
    let client = world.ivschat();
    world.runtime.block_on(async {
        let rooms = client.list_rooms().send().await.unwrap();
        let lobby = rooms
            .rooms()
            .iter()
            .find(|r| r.name() == Some("lobby"))
            .unwrap();
        client
            .update_room()
            .identifier(lobby.arn().unwrap())
            .maximum_message_length(length)
            .send()
            .await
            .unwrap();
    });
}

fn drift(world: &World, spec: &Path, extra: &[&str]) -> (i32, Value, String) {
    let mut args = vec!["drift", "--format", "json"];
    args.extend_from_slice(extra);
    let (code, out, err) = world.run(&args, spec);
    assert!(code == 0 || code == 1, "drift errored: {out}\n{err}");
    (code, serde_json::from_str(&out).unwrap(), err)
}

/// Each finding's rule and whether a baseline accepts it, sorted by rule.
fn findings(report: &Value) -> Vec<(String, bool)> {
    let mut out: Vec<(String, bool)> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_owned(),
                d["suppressed"].is_object(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn a_drift_baseline_accepts_known_drift_until_it_changes_or_expires() {
    let world = World::delivering_to_moto();
    world.create_bucket(&bucket(&world));
    let dir = fresh_dir("live-baseline");
    let spec = write_spec(&world, &dir, "spec.yaml", false);
    let (code, out, err) = world.run(&["apply", "--auto-approve"], &spec);
    assert_eq!(code, 0, "{out}\n{err}");
    set_lobby_length(&world, 120);

    let (code, report, _) = drift(&world, &spec, &[]);
    assert_eq!(code, 1);
    assert_eq!(findings(&report), [("CL101".to_owned(), false)]);

    let baseline = dir.join("drift-baseline.yaml");
    let b = baseline.to_str().unwrap();
    let (code, report, err) = drift(&world, &spec, &["--write-baseline", b]);
    assert_eq!(code, 0, "{report}");
    assert!(err.contains("wrote"), "{err}");
    let written = std::fs::read_to_string(&baseline).unwrap();
    assert!(
        written.contains(&format!("deployment: \"{}/{REGION}\"", world.account))
            && written.contains("resource: \"AWS::IVSChat::Room lobby\""),
        "{written}"
    );

    // The same drift, the spec reformatted and reordered: accepted, and the run passes.
    let moved = write_spec(&world, &dir, "moved.yaml", true);
    let (code, report, _) = drift(&world, &moved, &["--baseline", b]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(findings(&report), [("CL101".to_owned(), true)]);
    let (code, text, _) = world.run(&["drift", "--baseline", b], &moved);
    assert_eq!(code, 0);
    assert!(text.contains("error (suppressed)[CL101]"), "{text}");

    // Expired: the finding fails the run again, and so does the entry.
    std::fs::write(
        &baseline,
        written.replace(
            "    accepted_by:",
            "    expires: 2021-06-30\n    accepted_by:",
        ),
    )
    .unwrap();
    let (code, report, _) = drift(&world, &spec, &["--baseline", b]);
    assert_eq!(code, 1);
    assert_eq!(
        findings(&report),
        [("CL101".to_owned(), false), ("CL120".to_owned(), false)]
    );
    std::fs::write(&baseline, &written).unwrap();

    // The drift changes: a new finding, and the entry that accepted the old one is stale.
    set_lobby_length(&world, 130);
    let (code, report, _) = drift(&world, &spec, &["--baseline", b]);
    assert_eq!(code, 1);
    assert_eq!(
        findings(&report),
        [("CL101".to_owned(), false), ("CL121".to_owned(), false)]
    );

    // Repaired: nothing drifts, and the entry is stale.
    let (code, _, _) = world.run(&["apply", "--auto-approve"], &spec);
    assert_eq!(code, 0);
    let (code, report, _) = drift(&world, &spec, &["--baseline", b]);
    assert_eq!(code, 1);
    assert_eq!(findings(&report), [("CL121".to_owned(), false)]);

    // A malformed baseline stops drift before any AWS call.
    std::fs::write(&baseline, "version: 1\nfindings: {}\n").unwrap();
    let control = world.server.control();
    let calls = control.count("ListRooms");
    let (code, out, err) = world.run(&["drift", "--baseline", b], &spec);
    assert_eq!(code, 2, "{out}");
    assert!(
        err.contains(&format!("baseline `{b}`:2:11: `findings` must be a list")),
        "{err}"
    );
    assert_eq!(control.count("ListRooms"), calls);
}

#[test]
fn cache_dir_keeps_the_room_cache_where_ci_can_restore_it() {
    let world = World::delivering_to_moto();
    world.create_bucket(&bucket(&world));
    let dir = fresh_dir("live-cache-dir");
    let spec = write_spec(&world, &dir, "spec.yaml", false);
    let (code, out, err) = world.run(&["apply", "--auto-approve", "--no-cache"], &spec);
    assert_eq!(code, 0, "{out}\n{err}");
    let cache = dir.join("ci-cache");
    let c = cache.to_str().unwrap();
    let control = world.server.control();

    // Cold: one GetRoom per room, and the cache is written into --cache-dir, not
    // CHATLOG_CACHE_DIR (which the world sets).
    let before = control.count("GetRoom");
    let (code, _, _) = drift(&world, &spec, &["--cache-dir", c]);
    assert_eq!(code, 0);
    assert_eq!(control.count("GetRoom") - before, 2);
    let file = cache.join(format!("rooms-{}-{REGION}.json", world.account));
    assert!(file.is_file(), "{}", file.display());
    assert_eq!(
        std::fs::read_dir(world.cache.path()).map_or(0, |d| d.count()),
        0,
        "CHATLOG_CACHE_DIR is not used"
    );

    // Warm (the folder restored, as actions/cache does): the rooms come from --cache-dir, with
    // no GetRoom. Rooms updated in the last 30 s are never written to the cache, so the test
    // writes the entries a run half a minute later would have (with a length the account does
    // not have, to tell the cache's answer from the account's).
    let client = world.ivschat();
    let rooms = world
        .runtime
        .block_on(async { client.list_rooms().send().await.unwrap() });
    let entries: serde_json::Map<String, Value> = rooms
        .rooms()
        .iter()
        .map(|r| {
            let time = r
                .update_time()
                .unwrap()
                .fmt(aws_sdk_ivschat::primitives::DateTimeFormat::DateTime);
            (
                r.arn().unwrap().to_owned(),
                serde_json::json!([time.unwrap(), 77, 10]),
            )
        })
        .collect();
    assert_eq!(entries.len(), 2);
    std::fs::write(&file, serde_json::json!({ "rooms": entries }).to_string()).unwrap();
    let before = control.count("GetRoom");
    let (code, report, _) = drift(&world, &spec, &["--cache-dir", c]);
    assert_eq!(control.count("GetRoom") - before, 0, "{report}");
    assert_eq!(code, 1);
    let text = report.to_string();
    assert!(text.contains("maximum_message_length is 77"), "{text}");

    // --no-cache and --cache-dir contradict each other.
    let (code, _, err) = world.run(&["drift", "--cache-dir", c, "--no-cache"], &spec);
    assert_eq!(code, 2);
    assert!(err.contains("cannot be used with"), "{err}");
}
