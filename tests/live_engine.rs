//! The live engine over several deployments, through the binary, against the project's IVS Chat
//! server and moto with the real SDK clients: deployments worked on at once, reports in spec
//! order whatever finished first, a failing deployment stopping alone, and the progress shown
//! (lines in logs, JSON lines).
// Test code: clippy.toml's test allowances (unwrap, expect, panic, indexing) apply to all of it.
#![cfg(test)]

mod common;
mod live_support;

use std::path::{Path, PathBuf};

use chatlog_testkit::ivschat::FaultRule;
use common::fresh_dir;
use live_support::World;
use serde_json::Value;

/// The deployments, in the model's order (by account, then region): the first has the most
/// rooms, so worked on one after another it would finish before the others start.
const REGIONS: [(&str, usize); 3] = [("ap-northeast-1", 6), ("eu-west-1", 1), ("us-west-2", 1)];
const LOG_GROUP: &str = "/aws/vendedlogs/ivschat/engine";

fn world() -> World {
    let world = World::delivering_to_moto();
    world.runtime.block_on(async {
        for (region, _) in REGIONS {
            aws_sdk_cloudwatchlogs::Client::new(&world.moto.sdk_config(&world.account, region))
                .create_log_group()
                .log_group_name(LOG_GROUP)
                .send()
                .await
                .unwrap();
        }
    });
    world
}

fn write_spec(world: &World, dir: &Path) -> PathBuf {
    let mut spec = format!(
        "version: 1\nname: engine\ndefaults: {{account: \"{}\", region: us-west-2}}\ndestinations:\n",
        world.account
    );
    for (region, _) in REGIONS {
        spec.push_str(&format!(
            "  tail-{region}: {{region: {region}, cloudwatch_logs: {{log_group: {LOG_GROUP}}}}}\n"
        ));
    }
    spec.push_str("logging_configurations:\n");
    for (region, _) in REGIONS {
        spec.push_str(&format!(
            "  tail-{region}: {{destination: tail-{region}}}\n"
        ));
    }
    spec.push_str("rooms:\n");
    for (region, rooms) in REGIONS {
        for n in 0..rooms {
            spec.push_str(&format!(
                "  room-{region}-{n}: {{region: {region}, logging: [tail-{region}]}}\n"
            ));
        }
    }
    let path = dir.join("spec.yaml");
    std::fs::write(&path, spec).unwrap();
    path
}

fn rooms_in(world: &World, region: &str) -> usize {
    world.runtime.block_on(async {
        aws_sdk_ivschat::Client::new(&world.server.sdk_config(&world.account, region))
            .list_rooms()
            .send()
            .await
            .unwrap()
            .rooms()
            .len()
    })
}

/// Where in `text` the first line containing `needle` is.
fn position(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("`{needle}` not in:\n{text}"))
}

#[test]
fn deployments_are_applied_at_once_and_reported_in_spec_order() {
    let world = world();
    let dir = fresh_dir("engine-order");
    let spec = write_spec(&world, &dir);
    let (code, out, err) = world.run(&["apply", "--auto-approve"], &spec);
    assert_eq!(code, 0, "{out}\n{err}");

    // Progress: a line per finished change as it happened (standard error is not a terminal).
    // The small deployments finished while the first one was still making rooms: they ran at
    // the same time, each paced at its own region's quota.
    let lines: Vec<&str> = err.lines().collect();
    let last_of_first = lines
        .iter()
        .rposition(|l| l.contains("created AWS::IVSChat::Room room-ap-northeast-1-"))
        .unwrap();
    for (region, _) in &REGIONS[1..] {
        let theirs = position(&err, &format!("created AWS::IVSChat::Room room-{region}-0"));
        assert!(
            theirs < last_of_first,
            "{region} waited for ap-northeast-1:\n{err}"
        );
    }
    for line in err
        .lines()
        .filter(|l| l.contains("created AWS::IVSChat::Room"))
    {
        // `12:04:05 created AWS::IVSChat::Room NAME in ACCOUNT/REGION (0.4 s)`
        let (clock, rest) = line.split_once(' ').unwrap();
        assert_eq!(clock.len(), 8, "{line}");
        assert!(rest.ends_with(" s)"), "{line}");
    }

    // The report: deployments in the model's order, whatever finished first.
    let headers: Vec<usize> = REGIONS
        .iter()
        .map(|(region, _)| position(&out, &format!("{}/{region}:", world.account)))
        .collect();
    assert!(headers.windows(2).all(|w| w[0] < w[1]), "{out}");
    assert!(out.contains("Verified: read back 3 deployments"), "{out}");
    for (region, rooms) in REGIONS {
        assert_eq!(rooms_in(&world, region), rooms, "{region}");
    }

    // The same spec against the same account plans the same text every time.
    let (_, first, _) = world.run(&["plan"], &spec);
    let (_, second, _) = world.run(&["plan", "--parallelism", "1"], &spec);
    assert_eq!(first, second);
}

#[test]
fn a_failing_deployment_stops_alone_and_the_report_says_what_each_did() {
    let world = world();
    let dir = fresh_dir("engine-isolation");
    let spec = write_spec(&world, &dir);
    world
        .server
        .control()
        .inject(FaultRule::on("CreateRoom", 400, 1).in_region("eu-west-1"));
    let (code, out, err) = world.run(&["apply", "--auto-approve"], &spec);
    assert_eq!(code, 2, "{out}\n{err}");
    assert!(
        err.contains(&format!("apply failed in {}/eu-west-1", world.account)),
        "{err}"
    );
    let eu = position(&out, &format!("{}/eu-west-1:", world.account));
    let next = position(&out, &format!("{}/us-west-2:", world.account));
    let eu_report: Vec<&str> = out.lines().skip(eu).take(next - eu).collect();
    let eu_report = eu_report.join("\n");
    assert!(
        eu_report.contains("Failed (1)") && eu_report.contains("room-eu-west-1-0"),
        "{out}"
    );
    // The others finished: every room made, nothing left to do there.
    assert_eq!(rooms_in(&world, "ap-northeast-1"), 6);
    assert_eq!(rooms_in(&world, "us-west-2"), 1);
    assert_eq!(rooms_in(&world, "eu-west-1"), 0);

    let (code, out, err) = world.run(&["apply", "--auto-approve"], &spec);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains("Applied (1)") && out.contains("room-eu-west-1-0"),
        "{out}"
    );
}

#[test]
fn apply_json_is_one_event_per_line() {
    let world = world();
    let dir = fresh_dir("engine-json");
    let spec = write_spec(&world, &dir);
    let (code, out, err) = world.run(&["apply", "--auto-approve", "--format", "json"], &spec);
    assert_eq!(code, 0, "{out}\n{err}");
    let events: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let kinds: Vec<&str> = events
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    for kind in [
        "read_started",
        "read_done",
        "planned",
        "plan",
        "change_started",
        "change_done",
        "verified",
        "outcome",
    ] {
        assert!(kinds.contains(&kind), "{kind} missing from {kinds:?}");
    }
    let done = events
        .iter()
        .filter(|e| e["event"] == "change_done")
        .count();
    // Per deployment the log resource policy, a configuration and its rooms.
    assert_eq!(done, 3 + 3 + 8, "{kinds:?}");
    let outcome = events.last().unwrap();
    assert_eq!(outcome["event"], "outcome");
    assert_eq!(outcome["deployments"].as_array().unwrap().len(), 3);
    assert!(
        events
            .iter()
            .filter(|e| e["event"] == "verified")
            .all(|e| e["differs"].as_array().unwrap().is_empty())
    );
}
