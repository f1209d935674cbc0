//! `drift --explain` through the binary: a room changed behind chatlog's back is explained by
//! the CloudTrail event that changed it (who, when, from where, which call), read with
//! LookupEvents from a CloudTrail double (moto 5.2.5 has no LookupEvents), across pages; reads
//! and writes to other resources are not, and nothing is looked up without `--explain`.
// Test code: clippy.toml's test allowances (unwrap, expect, panic, indexing) apply to all of it.
#![cfg(test)]

mod common;
mod http_double;
mod live_support;
mod trail_double;

use std::path::Path;

use common::fresh_dir;
use live_support::{REGION, World};
use serde_json::{Value, json};
use trail_double::TrailDouble;

fn record(name: &str, read_only: bool, identifier: &str, who: &str, time: &str) -> Value {
    json!({
        "eventVersion": "1.08",
        "eventID": format!("{name}-{time}-{identifier}"),
        "eventTime": time,
        "eventSource": "ivschat.amazonaws.com",
        "eventName": name,
        "awsRegion": REGION,
        "sourceIPAddress": "203.0.113.7",
        "userAgent": "aws-cli/2",
        "userIdentity": {"type": "AssumedRole", "arn": who},
        "requestParameters": {"identifier": identifier, "maximumMessageLength": 9},
        "readOnly": read_only,
        "eventType": "AwsApiCall",
    })
}

fn run(world: &World, trail: &TrailDouble, args: &[&str], spec: &Path) -> (i32, String, String) {
    live_support::run(
        world
            .chatlog()
            .env("AWS_ENDPOINT_URL_CLOUDTRAIL", trail.endpoint()),
        args,
        spec,
    )
}

#[test]
fn a_drifted_room_is_explained_by_the_call_that_changed_it() {
    let world = World::delivering_to_moto();
    let bucket = format!("explain-archive-{}", world.account);
    world.create_bucket(&bucket);
    let dir = fresh_dir("explain");
    let spec = dir.join("spec.yaml");
    std::fs::write(
        &spec,
        format!(
            "version: 1\nname: explain-test\ndefaults: {{account: \"{}\", region: {REGION}}}\ndestinations:\n  archive: {{s3: {{bucket: {bucket}}}}}\nlogging_configurations:\n  archive: {{destination: archive}}\nrooms:\n  lobby: {{logging: [archive], maximum_message_length: 200}}\n",
            world.account
        ),
    )
    .unwrap();
    let trail = TrailDouble::start();
    let (code, out, err) = run(&world, &trail, &["apply", "--auto-approve"], &spec);
    assert_eq!(code, 0, "{out}{err}");

    // Someone shortens the room's messages.
    let room_arn = world.runtime.block_on(async {
        let ivschat = world.ivschat();
        let rooms = ivschat.list_rooms().send().await.unwrap();
        let arn = rooms.rooms()[0].arn().unwrap().to_owned();
        ivschat
            .update_room()
            .identifier(&arn)
            .maximum_message_length(9)
            .send()
            .await
            .unwrap();
        arn
    });
    let alice = format!("arn:aws:sts::{}:assumed-role/ops/alice", world.account);
    let bob = format!("arn:aws:sts::{}:assumed-role/ops/bob", world.account);
    trail.add(record(
        "UpdateRoom",
        false,
        &room_arn,
        &alice,
        "2026-11-20T10:15:02Z",
    ));
    // Noise: a read of the same room, a write to another, and enough events for two pages.
    trail.add(record(
        "GetRoom",
        true,
        &room_arn,
        &bob,
        "2026-11-20T10:16:00Z",
    ));
    for i in 0..60 {
        trail.add(record(
            "UpdateRoom",
            false,
            &format!("{room_arn}{i}"),
            &bob,
            "2026-11-20T10:17:00Z",
        ));
    }

    let (code, out, _) = run(&world, &trail, &["drift", "--format", "json"], &spec);
    assert_eq!(code, 1, "{out}");
    assert!(trail.lookups().is_empty(), "no lookup without --explain");
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert!(doc["diagnostics"][0]["detail"].is_null());

    let (code, out, err) = run(
        &world,
        &trail,
        &["drift", "--explain", "--format", "json"],
        &spec,
    );
    assert_eq!(code, 1, "{out}{err}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    let room = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule"] == "CL101")
        .unwrap_or_else(|| panic!("{out}"));
    let detail = room["detail"].as_str().unwrap();
    assert_eq!(
        detail,
        format!(
            "CloudTrail, the writes that touched it (newest first):\n  2026-11-20T10:15:02Z ivschat.amazonaws.com UpdateRoom by {alice} from 203.0.113.7"
        )
    );
    // Only IVS Chat was drifted, so only its events were read: both pages of them.
    assert_eq!(
        trail.lookups(),
        ["ivschat.amazonaws.com", "ivschat.amazonaws.com"]
    );

    // The text report shows the explanation under the finding.
    let (_, text, _) = run(&world, &trail, &["drift", "--explain"], &spec);
    assert!(
        text.contains("UpdateRoom by") && text.contains("203.0.113.7"),
        "{text}"
    );
}
