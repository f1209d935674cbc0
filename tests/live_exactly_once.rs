//! Exactly-once, verified applies through the binary, against the project's IVS Chat server
//! (answers lost after the write took effect, connections cut, writes acknowledged and lost) and
//! moto, with the real SDK clients; and import of what chatlog applied, round trip.
// Test code: clippy.toml's test allowances (unwrap, expect, panic, indexing) apply to all of it.
#![cfg(test)]

mod common;
mod live_support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chatlog_testkit::ivschat::FaultRule;
use common::fresh_dir;
use live_support::{REGION, World};
use serde_json::Value;

const OWNER: &str = "exactly-once";

/// Two rooms on two configurations; a bucket chatlog creates and a log group that exists.
fn write_spec(world: &World, dir: &Path) -> PathBuf {
    let spec = format!(
        r#"version: 1
name: {OWNER}
defaults: {{account: "{account}", region: {REGION}, tags: {{team: live}}}}
destinations:
  archive: {{s3: {{bucket: once-{account}, create: true}}}}
  tail: {{cloudwatch_logs: {{log_group: /aws/vendedlogs/ivschat/once}}}}
logging_configurations:
  archive: {{destination: archive}}
  tail: {{destination: tail}}
rooms:
  r03: {{logging: [archive, tail], maximum_message_rate_per_second: 20}}
  r06: {{logging: [tail]}}
"#,
        account = world.account,
    );
    let path = dir.join("spec.yaml");
    std::fs::write(&path, spec).unwrap();
    path
}

fn world() -> World {
    let world = World::delivering_to_moto();
    world.create_log_group("/aws/vendedlogs/ivschat/once");
    world
}

/// Live rooms and configurations of this spec, by their `chatlog:key`: (rooms, configurations),
/// each key with the ARNs that carry it.
type ByKey = BTreeMap<String, Vec<String>>;

fn owned(world: &World) -> (ByKey, ByKey) {
    let client = world.ivschat();
    world.runtime.block_on(async {
        let mut rooms = ByKey::new();
        for r in client
            .list_rooms()
            .max_results(50)
            .send()
            .await
            .unwrap()
            .rooms()
        {
            let tags = r.tags().unwrap();
            if tags.get("chatlog:spec").map(String::as_str) == Some(OWNER) {
                rooms
                    .entry(tags["chatlog:key"].clone())
                    .or_default()
                    .push(r.arn().unwrap().to_owned());
            }
        }
        let mut configurations = ByKey::new();
        for c in client
            .list_logging_configurations()
            .max_results(50)
            .send()
            .await
            .unwrap()
            .logging_configurations()
        {
            let tags = c.tags().unwrap();
            if tags.get("chatlog:spec").map(String::as_str) == Some(OWNER) {
                configurations
                    .entry(tags["chatlog:key"].clone())
                    .or_default()
                    .push(c.arn().unwrap().to_owned());
            }
        }
        (rooms, configurations)
    })
}

fn once_each(by_key: &ByKey, keys: &[&str]) {
    assert_eq!(
        by_key.keys().map(String::as_str).collect::<Vec<_>>(),
        keys,
        "{by_key:?}"
    );
    for (key, arns) in by_key {
        assert_eq!(
            arns.len(),
            1,
            "`{key}` exists {} times: {arns:?}",
            arns.len()
        );
    }
}

fn run(world: &World, args: &[&str], spec: &Path) -> (i32, String, String) {
    world.run(args, spec)
}

fn drift_json(world: &World, spec: &Path) -> (i32, Value) {
    let (code, out, err) = run(world, &["drift", "--format", "json"], spec);
    assert!(code == 0 || code == 1, "drift errored: {out}\n{err}");
    (code, serde_json::from_str(&out).unwrap())
}

#[test]
fn answers_lost_after_the_write_make_each_resource_exactly_once_in_one_run() {
    let world = world();
    let dir = fresh_dir("once-lost");
    let spec = write_spec(&world, &dir);
    let control = world.server.control();
    // Every create loses its answer: a 500 after the effect, or a cut connection.
    control.inject(FaultRule::after_effect(
        "CreateLoggingConfiguration",
        500,
        1,
    ));
    control.inject(FaultRule::hang_up_after_effect(
        "CreateLoggingConfiguration",
        1,
    ));
    control.inject(FaultRule::after_effect("CreateRoom", 500, 1));
    control.inject(FaultRule::hang_up_after_effect("CreateRoom", 1));

    let (code, out, err) = run(&world, &["apply", "--auto-approve"], &spec);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("Verified: read back 1 deployment"), "{out}");
    let (rooms, configurations) = owned(&world);
    once_each(&rooms, &["r03", "r06"]);
    once_each(&configurations, &["archive", "tail"]);
    // Each create was sent once: what the lost answer hid was found, not made again.
    assert_eq!(control.count("CreateRoom"), 2);
    assert_eq!(control.count("CreateLoggingConfiguration"), 2);
    assert!(
        control.count("ListRooms") >= 2,
        "the lost rooms were looked for"
    );

    let (code, report) = drift_json(&world, &spec);
    assert_eq!(code, 0, "{report}");
}

#[test]
fn a_lost_answer_with_nothing_made_is_created_again_once() {
    let world = world();
    let dir = fresh_dir("once-instead");
    let spec = write_spec(&world, &dir);
    let control = world.server.control();
    // A 500 instead of the write: nothing was made, so the create is sent again.
    control.inject(FaultRule::on("CreateRoom", 500, 1));
    let (code, out, err) = run(&world, &["apply", "--auto-approve"], &spec);
    assert_eq!(code, 0, "{out}\n{err}");
    let (rooms, _) = owned(&world);
    once_each(&rooms, &["r03", "r06"]);
    assert_eq!(control.count("CreateRoom"), 3);
}

/// Makes a second room and a second configuration for existing keys, as a create retried after
/// a lost answer does: same names, same ownership tags. The second room uses the second
/// configuration.
fn make_duplicates(world: &World) -> (String, String) {
    let client = world.ivschat();
    world.runtime.block_on(async {
        let tags = |key: &str| {
            std::collections::HashMap::from([
                ("chatlog:spec".to_owned(), OWNER.to_owned()),
                ("chatlog:key".to_owned(), key.to_owned()),
                ("team".to_owned(), "live".to_owned()),
            ])
        };
        let config = client
            .create_logging_configuration()
            .name("tail")
            .destination_configuration(
                aws_sdk_ivschat::types::DestinationConfiguration::CloudWatchLogs(
                    aws_sdk_ivschat::types::CloudWatchLogsDestinationConfiguration::builder()
                        .log_group_name("/aws/vendedlogs/ivschat/once")
                        .build()
                        .unwrap(),
                ),
            )
            .set_tags(Some(tags("tail")))
            .send()
            .await
            .unwrap();
        let config_arn = config.arn().unwrap().to_owned();
        let room = client
            .create_room()
            .name("r03")
            .maximum_message_rate_per_second(20)
            .logging_configuration_identifiers(&config_arn)
            .set_tags(Some(tags("r03")))
            .send()
            .await
            .unwrap();
        (room.arn().unwrap().to_owned(), config_arn)
    })
}

#[test]
fn duplicates_in_the_account_are_their_own_finding_and_apply_removes_them_without_prune() {
    let world = world();
    let dir = fresh_dir("once-duplicates");
    let spec = write_spec(&world, &dir);
    let (code, out, err) = run(&world, &["apply", "--auto-approve"], &spec);
    assert_eq!(code, 0, "{out}\n{err}");
    let (rooms, configurations) = owned(&world);
    let (first_room, first_tail) = (rooms["r03"][0].clone(), configurations["tail"][0].clone());
    let (second_room, second_tail) = make_duplicates(&world);

    // drift: a finding of its own per duplicate, naming both ARNs, never "not in the spec".
    let (code, report) = drift_json(&world, &spec);
    assert_eq!(code, 1, "{report}");
    let findings = report["diagnostics"].as_array().unwrap();
    let rules: Vec<&str> = findings
        .iter()
        .map(|d| d["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["CL113", "CL113"], "{report}");
    let messages: String = findings
        .iter()
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    for arn in [&first_room, &second_room, &first_tail, &second_tail] {
        assert!(messages.contains(arn.as_str()), "{arn} in {messages}");
    }
    // Located at the spec entries of r03 and tail.
    let mut lines: Vec<u64> = findings
        .iter()
        .map(|d| d["location"]["line"].as_u64().unwrap())
        .collect();
    lines.sort_unstable();
    assert_eq!(lines, [9, 11], "{report}");

    let (code, plan, _) = run(&world, &["plan"], &spec);
    assert_eq!(code, 0, "{plan}");
    assert!(
        plan.contains("delete duplicate of AWS::IVSChat::Room r03")
            && plan.contains("delete duplicate of AWS::IVSChat::LoggingConfiguration tail"),
        "{plan}"
    );
    assert!(plan.contains(&format!("kept: {first_room}")), "{plan}");

    // No --prune: the duplicates are the spec's own. The older ones, which rooms use, stay.
    let (code, out, err) = run(&world, &["apply", "--auto-approve"], &spec);
    assert_eq!(code, 0, "{out}\n{err}");
    let (rooms, configurations) = owned(&world);
    once_each(&rooms, &["r03", "r06"]);
    once_each(&configurations, &["archive", "tail"]);
    assert_eq!(rooms["r03"], [first_room]);
    assert_eq!(configurations["tail"], [first_tail]);
    let (code, report) = drift_json(&world, &spec);
    assert_eq!(code, 0, "{report}");
}

#[test]
fn apply_exits_1_when_reading_back_shows_the_account_still_differs() {
    let world = world();
    let dir = fresh_dir("once-verify");
    let spec = write_spec(&world, &dir);
    let (code, out, err) = run(&world, &["apply", "--auto-approve"], &spec);
    assert_eq!(code, 0, "{out}\n{err}");
    let (rooms, _) = owned(&world);
    // The rate changed behind chatlog's back; the repair is acknowledged and lost.
    world.runtime.block_on(async {
        world
            .ivschat()
            .update_room()
            .identifier(&rooms["r03"][0])
            .maximum_message_rate_per_second(5)
            .send()
            .await
            .unwrap();
    });
    world
        .server
        .control()
        .inject(FaultRule::lost_write("UpdateRoom", 1));
    let (code, out, err) = run(&world, &["apply", "--auto-approve"], &spec);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(
        out.contains("Still differs after apply (read back) (1)")
            && out.contains("update AWS::IVSChat::Room r03"),
        "{out}"
    );
    assert!(err.contains("does not match the spec after apply"), "{err}");
    // The next apply repairs it and verifies.
    let (code, out, err) = run(&world, &["apply", "--auto-approve"], &spec);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("Verified"), "{out}");
}

#[test]
fn import_of_what_chatlog_applied_validates_clean_and_plans_no_change() {
    let world = world();
    let dir = fresh_dir("once-import");
    let spec = write_spec(&world, &dir);
    let (code, out, err) = run(&world, &["apply", "--auto-approve"], &spec);
    assert_eq!(code, 0, "{out}\n{err}");

    let imported = dir.join("imported.yaml");
    let out = world
        .chatlog()
        .args(["import", "--out"])
        .arg(&imported)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&imported).unwrap();
    assert!(!text.contains("chatlog:"), "no ownership tags: {text}");
    let doc: Value = serde_saphyr::from_str(&text).unwrap();
    assert_eq!(doc["name"], OWNER, "{text}");
    let keys = |section: &str| -> Vec<String> {
        doc[section].as_object().unwrap().keys().cloned().collect()
    };
    assert_eq!(keys("rooms"), ["r03", "r06"], "{text}");
    assert_eq!(
        keys("logging_configurations"),
        ["archive", "tail"],
        "{text}"
    );
    assert!(
        keys("destinations").iter().all(|k| !k.starts_with('-')),
        "{text}"
    );
    assert!(
        keys("destinations").contains(&"aws-vendedlogs-ivschat-once".to_owned()),
        "{text}"
    );

    let (code, out, err) = run(&world, &["validate", "--deny-warnings"], &imported);
    assert_eq!(code, 0, "{out}\n{err}");
    let (code, plan, err) = run(&world, &["plan", "--detailed-exitcode"], &imported);
    assert_eq!(code, 0, "{plan}\n{err}");
    assert!(
        plan.contains("0 to create, 0 to update, 0 to delete"),
        "{plan}"
    );
}
