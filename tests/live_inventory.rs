//! `inventory` and `import` through the binary, against the project's IVS Chat server and moto
//! (for STS), with the real SDK clients on both sides.
// Test code: clippy.toml's test allowances (unwrap, expect, panic, indexing) apply to all of it.
#![cfg(test)]

mod common;
mod live_support;

use std::path::Path;

use aws_sdk_ivschat::types::{
    CloudWatchLogsDestinationConfiguration, DestinationConfiguration, FallbackResult,
    FirehoseDestinationConfiguration, MessageReviewHandler,
};
use chatlog_testkit::ivschat::{FaultRule, ServerConfig};
use common::{chatlog, fresh_dir};
use live_support::{REGION, SECRET, World, s3};
use serde_json::Value;

fn json_out(cmd: &mut assert_cmd::Command) -> Value {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn inventory_reads_every_page_of_configurations_and_rooms() {
    let world = World::new(ServerConfig {
        logging_configuration_quota: 100,
        ..ServerConfig::default()
    });
    let mut arns = Vec::new();
    for i in 0..55 {
        arns.push(world.create_configuration(&format!("cfg-{i}"), s3(&format!("bucket-{i}"))));
    }
    for i in 0..120 {
        let logging: Vec<String> = arns.iter().skip(i % 55).take(i % 4).cloned().collect();
        world.create_room(&format!("room-{i}"), &logging, None);
    }
    world.server.control().clear_calls();
    let doc = json_out(world.chatlog().args(["inventory", "--format", "json"]));
    let configurations = doc["logging_configurations"].as_array().unwrap();
    let rooms = doc["rooms"].as_array().unwrap();
    assert_eq!(configurations.len(), 55);
    assert_eq!(rooms.len(), 120);
    assert!(
        configurations
            .iter()
            .all(|c| c["account_id"] == world.account.as_str())
    );
    let first = configurations
        .iter()
        .find(|c| c["name"] == "cfg-0")
        .unwrap();
    assert_eq!(
        first["destination_configuration"]["s3"]["bucketName"],
        "bucket-0"
    );
    assert_eq!(first["tags"]["team"], "live");
    assert_eq!(first["state"], "ACTIVE");
    // Pages of 50: 2 calls for 55 configurations, 3 for 120 rooms; no GetRoom for inventory.
    let control = world.server.control();
    assert_eq!(control.count("ListLoggingConfigurations"), 2);
    assert_eq!(control.count("ListRooms"), 3);
    assert_eq!(control.count("GetRoom"), 0);
    assert!(
        control
            .calls()
            .iter()
            .filter(|c| c.operation == "ListRooms")
            .all(|c| c.request["maxResults"] == 50)
    );
    let with_three = rooms
        .iter()
        .filter(|r| {
            r["logging_configuration_identifiers"]
                .as_array()
                .unwrap()
                .len()
                == 3
        })
        .count();
    assert_eq!(with_three, 30);

    // Every other format lists the same resources.
    let out = world
        .chatlog()
        .args(["inventory", "--format", "jsonl"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 175);
    let out = world
        .chatlog()
        .args(["inventory", "--format", "csv"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 176);
    let out = world.chatlog().args(["inventory"]).output().unwrap();
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("Logging configurations (55)") && table.contains("Rooms (120)"),
        "{table}"
    );
}

fn build_account(world: &World) {
    let archive = world.create_configuration("archive", s3("acme-archive"));
    let tail = world.create_configuration(
        "tail",
        DestinationConfiguration::CloudWatchLogs(
            CloudWatchLogsDestinationConfiguration::builder()
                .log_group_name("/aws/vendedlogs/ivschat/tail")
                .build()
                .unwrap(),
        ),
    );
    let stream = world.create_configuration(
        "stream",
        DestinationConfiguration::Firehose(
            FirehoseDestinationConfiguration::builder()
                .delivery_stream_name("chat-stream")
                .build()
                .unwrap(),
        ),
    );
    // Same name twice: IVS names need not be unique.
    let again = world.create_configuration("archive", s3("acme-archive"));
    world.create_room("lobby", &[archive.clone(), tail.clone()], Some((200, 50)));
    world.create_room("lobby", &[stream], Some((500, 10)));
    world.create_room("quiet", &[again], None);
    world.runtime.block_on(async {
        world
            .ivschat()
            .create_room()
            .name("reviewed")
            .message_review_handler(
                MessageReviewHandler::builder()
                    .uri(format!(
                        "arn:aws:lambda:{REGION}:{}:function:review",
                        world.account
                    ))
                    .fallback_result(FallbackResult::Deny)
                    .build(),
            )
            .tags("owner", "a \"quoted\" value: with #, ${x} and %{y}")
            .send()
            .await
            .unwrap();
    });
}

fn import_to(world: &World, path: &Path) {
    let out = world
        .chatlog()
        .args(["import", "--out"])
        .arg(path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn import_then_validate_then_inventory_round_trip() {
    let world = World::new(ServerConfig::default());
    build_account(&world);
    let dir = fresh_dir("import");
    let spec = dir.join("imported.yaml");
    import_to(&world, &spec);

    let out = chatlog().arg("validate").arg(&spec).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains("warning"));

    let text = std::fs::read_to_string(&spec).unwrap();
    let doc: Value = serde_saphyr::from_str(&text).unwrap();
    assert_eq!(doc["defaults"]["account"], world.account.as_str());
    assert_eq!(
        doc["destinations"]["acme-archive"]["s3"]["bucket"],
        "acme-archive"
    );
    assert_eq!(
        doc["destinations"]["chat-stream"]["firehose"]["delivery_stream"],
        "chat-stream"
    );
    assert_eq!(doc["logging_configurations"].as_object().unwrap().len(), 4);
    let rooms = doc["rooms"].as_object().unwrap();
    assert_eq!(rooms.len(), 4);
    // Two rooms named lobby: one keeps the key `lobby`, the other a key with its id and `name`.
    let lobbies = rooms
        .iter()
        .filter(|(key, r)| *key == "lobby" || r["name"] == "lobby")
        .count();
    assert_eq!(lobbies, 2);
    let limited = rooms
        .values()
        .find(|r| r["maximum_message_rate_per_second"] == 50)
        .unwrap();
    assert_eq!(limited["maximum_message_length"], 200);
    assert_eq!(limited["logging"].as_array().unwrap().len(), 2);
    assert_eq!(
        rooms["reviewed"]["message_review_handler"]["fallback_result"],
        "DENY"
    );
    assert_eq!(
        rooms["reviewed"]["tags"]["owner"],
        "a \"quoted\" value: with #, ${x} and %{y}"
    );

    // Importing again gives the same bytes, and refuses to replace the file without --force.
    let again = dir.join("again.yaml");
    import_to(&world, &again);
    assert_eq!(std::fs::read(&again).unwrap(), text.as_bytes());
    let out = world
        .chatlog()
        .args(["import", "--out"])
        .arg(&spec)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--force"));

    // The inventory of the account lists exactly what the spec declares.
    let inventory = json_out(world.chatlog().args(["inventory", "--format", "json"]));
    assert_eq!(inventory["rooms"].as_array().unwrap().len(), rooms.len());
}

#[test]
fn throttling_and_server_errors_are_retried() {
    let world = World::new(ServerConfig::default());
    build_account(&world);
    let control = world.server.control();
    control.clear_calls();
    control.inject(FaultRule::on("ListRooms", 429, 2));
    control.inject(FaultRule::on("ListLoggingConfigurations", 503, 2));
    control.inject(FaultRule::on("GetRoom", 500, 1));
    let dir = fresh_dir("import-faults");
    let spec = dir.join("spec.yaml");
    import_to(&world, &spec);
    let calls = control.calls();
    let statuses = |op: &str| -> Vec<u16> {
        calls
            .iter()
            .filter(|c| c.operation == op)
            .map(|c| c.status)
            .collect()
    };
    assert_eq!(statuses("ListRooms"), [429, 429, 200]);
    assert_eq!(statuses("ListLoggingConfigurations"), [503, 503, 200]);
    assert_eq!(statuses("GetRoom").iter().filter(|s| **s == 500).count(), 1);
    assert_eq!(statuses("GetRoom").iter().filter(|s| **s == 200).count(), 4);
    let out = chatlog().arg("validate").arg(&spec).output().unwrap();
    assert!(out.status.success());
}

#[test]
fn access_denied_is_a_clear_error_naming_the_permission() {
    let world = World::new(ServerConfig::default());
    world
        .server
        .control()
        .inject(FaultRule::on("ListRooms", 403, 1));
    let out = world.chatlog().args(["inventory"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("ListRooms"), "{err}");
    assert!(err.contains("AccessDeniedException"), "{err}");
    assert!(err.contains("`ivschat:ListRooms`"), "{err}");
    assert!(
        !err.contains(SECRET),
        "the secret key must not appear: {err}"
    );
}

#[test]
fn a_spec_reaches_another_account_through_its_role() {
    let world = World::new(ServerConfig::default());
    // The deployment's account, whose role the caller (world.account) assumes.
    let target = chatlog_testkit::moto::fresh_account();
    let role = format!("arn:aws:iam::{target}:role/chatlog-deployer");
    let dir = fresh_dir("assume");
    let spec = dir.join("spec.yaml");
    let text = |accounts: &str| {
        format!(
            "version: 1\ndefaults: {{account: \"{target}\", region: {REGION}}}\n{accounts}destinations:\n  a: {{s3: {{bucket: b-{target}, create: true}}}}\nlogging_configurations:\n  a: {{destination: a}}\nrooms:\n  lobby: {{logging: [a]}}\n"
        )
    };
    // Without the role, the caller's own account is not the deployment's: a clear error.
    std::fs::write(&spec, text("")).unwrap();
    let out = world.chatlog().arg("plan").arg(&spec).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!("are for account {}", world.account)) && err.contains("accounts"),
        "{err}"
    );

    std::fs::write(
        &spec,
        text(&format!(
            "accounts:\n  \"{target}\": {{role_arn: \"{role}\"}}\n"
        )),
    )
    .unwrap();
    let out = world.chatlog().arg("plan").arg(&spec).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains(&format!("{target}/{REGION}")), "{stdout}");
}

#[test]
fn an_imported_spec_planned_against_the_same_account_shows_no_change() {
    // The server writes log delivery's statements into moto, as AWS does.
    let world = World::delivering_to_moto();
    let bucket = format!("imported-{}", world.account);
    world.create_bucket(&bucket);
    world.create_log_group("/aws/vendedlogs/ivschat/imported");
    let archive = world.create_configuration("archive", s3(&bucket));
    let tail = world.create_configuration(
        "tail",
        DestinationConfiguration::CloudWatchLogs(
            CloudWatchLogsDestinationConfiguration::builder()
                .log_group_name("/aws/vendedlogs/ivschat/imported")
                .build()
                .unwrap(),
        ),
    );
    world.create_room("lobby", &[archive.clone(), tail], Some((300, 40)));
    world.create_room("lobby", &[archive], None);
    world.create_room("quiet", &[], Some((1, 1)));

    let dir = fresh_dir("import-plan");
    let spec = dir.join("imported.yaml");
    import_to(&world, &spec);
    let control = world.server.control();
    control.clear_calls();
    let out = world
        .chatlog()
        .args(["plan", "--detailed-exitcode"])
        .arg(&spec)
        .output()
        .unwrap();
    let plan = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{plan}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        plan.contains("0 to create, 0 to update, 0 to delete"),
        "{plan}"
    );
    // Read-only: planning wrote nothing.
    assert!(
        control
            .calls()
            .iter()
            .all(|c| c.operation.starts_with("List") || c.operation.starts_with("Get"))
    );
}
