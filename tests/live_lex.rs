//! plan, apply and drift for Lex V2 bots through the binary: the alias's conversation logs set by
//! a read-modify-write UpdateBotAlias (against a Lex V2 double that replaces the whole alias, as
//! the service does), the role's inline policy by PutRolePolicy (against moto's IAM), with the
//! project's IVS Chat server and moto for everything else.
// Test code: clippy.toml's test allowances (unwrap, expect, panic, indexing) apply to all of it.
#![cfg(test)]

mod common;
mod http_double;
mod lex_double;
mod live_support;

use std::path::{Path, PathBuf};

use common::fresh_dir;
use lex_double::LexDouble;
use live_support::{REGION, World};
use serde_json::{Value, json};

const BOT: &str = "BOTID00001";
const ALIAS: &str = "ALIAS00001";
const ROLE: &str = "lex-support";

struct Lab {
    world: World,
    lex: LexDouble,
}

impl Lab {
    /// An account with the bot's role, log group and bucket in moto, and an alias with settings
    /// of its own (and no conversation logs) in the Lex double.
    fn new() -> Lab {
        let world = World::delivering_to_moto();
        world.runtime.block_on(async {
            aws_sdk_iam::Client::new(&world.moto_config())
                .create_role()
                .role_name(ROLE)
                .assume_role_policy_document(
                    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lexv2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}).to_string(),
                )
                .send()
                .await
                .unwrap();
        });
        world.create_log_group("/lex/support");
        world.create_bucket(&bucket(&world));
        let lex = LexDouble::start();
        lex.put_alias(
            BOT,
            ALIAS,
            json!({
                "botAliasName": "live",
                "description": "keep me",
                "botVersion": "7",
                "botAliasLocaleSettings": {"en_US": {"enabled": true}},
                "sentimentAnalysisSettings": {"detectSentiment": true}
            }),
        );
        Lab { world, lex }
    }

    fn run(&self, args: &[&str], spec: &Path) -> (i32, String, String) {
        live_support::run(
            self.world
                .chatlog()
                .env("AWS_ENDPOINT_URL_LEX_MODELS_V2", self.lex.endpoint()),
            args,
            spec,
        )
    }

    fn role_policy(&self) -> Option<Value> {
        let config = self.world.moto_config();
        self.world.runtime.block_on(async {
            let out = aws_sdk_iam::Client::new(&config)
                .get_role_policy()
                .role_name(ROLE)
                .policy_name("chatlog-lex-conversation-logs-support")
                .send()
                .await
                .ok()?;
            let text = out.policy_document();
            serde_json::from_str(text)
                .ok()
                .or_else(|| serde_json::from_str(&decode(text)).ok())
        })
    }
}

/// IAM's URL encoding, undone (for a moto that encodes).
fn decode(text: &str) -> String {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(b) = text
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

fn bucket(world: &World) -> String {
    format!("lex-audio-{}", world.account)
}

fn write_spec(lab: &Lab, dir: &Path, alias: &str) -> PathBuf {
    let spec = format!(
        r#"version: 1
name: lex-live-test
defaults: {{account: "{account}", region: {REGION}}}
destinations:
  transcripts: {{cloudwatch_logs: {{log_group: /lex/support}}}}
  audio: {{s3: {{bucket: {bucket}}}}}
bots:
  support:
    bot_id: {BOT}
    {alias}
    role_arn: arn:aws:iam::{account}:role/{ROLE}
    text_logs: {{destination: transcripts, log_prefix: support/}}
    audio_logs: {{destination: audio, log_prefix: audio/support/}}
"#,
        account = lab.world.account,
        bucket = bucket(&lab.world),
    );
    let path = dir.join("spec.yaml");
    std::fs::write(&path, spec).unwrap();
    path
}

fn rules(drift_json: &str) -> Vec<(String, String)> {
    let doc: Value = serde_json::from_str(drift_json).unwrap();
    doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_owned(),
                d["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn apply_sets_an_existing_aliases_logs_and_keeps_everything_else() {
    let lab = Lab::new();
    let dir = fresh_dir("live-lex");
    let spec = write_spec(&lab, &dir, &format!("alias_id: {ALIAS}"));

    let (code, plan, err) = lab.run(&["plan", "--detailed-exitcode"], &spec);
    assert_eq!(code, 1, "{plan}{err}");
    assert!(
        plan.contains("AWS::Lex::BotAlias") && plan.contains("AWS::IAM::RolePolicy"),
        "{plan}"
    );
    let (code, out, err) = lab.run(&["drift", "--format", "json"], &spec);
    assert_eq!(code, 1, "{out}{err}");
    let found = rules(&out);
    assert!(
        found
            .iter()
            .any(|(r, m)| r == "CL101" && m.contains("AWS::Lex::BotAlias")),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|(r, m)| r == "CL100" && m.contains("AWS::IAM::RolePolicy")),
        "{found:?}"
    );

    let (code, out, err) = lab.run(&["apply", "--auto-approve"], &spec);
    assert_eq!(code, 0, "{out}{err}");
    let alias = lab.lex.alias(BOT, ALIAS);
    // Read, modify, write: the double replaces the whole alias, so all of this was sent back.
    assert_eq!(alias["description"], "keep me");
    assert_eq!(alias["botVersion"], "7");
    assert_eq!(alias["botAliasName"], "live");
    assert_eq!(
        alias["botAliasLocaleSettings"],
        json!({"en_US": {"enabled": true}})
    );
    assert_eq!(
        alias["sentimentAnalysisSettings"],
        json!({"detectSentiment": true})
    );
    let logs = &alias["conversationLogSettings"];
    assert_eq!(
        logs["textLogSettings"][0]["destination"]["cloudWatch"],
        json!({"cloudWatchLogGroupArn": format!("arn:aws:logs:{REGION}:{}:log-group:/lex/support", lab.world.account), "logPrefix": "support/"})
    );
    assert_eq!(
        logs["audioLogSettings"][0]["destination"]["s3Bucket"]["s3BucketArn"],
        format!("arn:aws:s3:::{}", bucket(&lab.world))
    );
    let policy = lab.role_policy().expect("the role policy was put");
    assert_eq!(
        policy["Statement"][1]["Resource"],
        format!("arn:aws:s3:::{}/audio/support/*", bucket(&lab.world))
    );

    // Applied: nothing to do, nothing drifted.
    let updates = lab.lex.count("PUT");
    let (code, plan, _) = lab.run(&["plan", "--detailed-exitcode"], &spec);
    assert_eq!(code, 0, "{plan}");
    let (code, out, _) = lab.run(&["drift", "--format", "json"], &spec);
    assert_eq!(code, 0, "{out}");

    // Someone changes the prefix behind chatlog's back: drift says so, apply puts it back and
    // leaves the role policy alone.
    let mut changed = lab.lex.alias(BOT, ALIAS);
    changed["conversationLogSettings"]["textLogSettings"][0]["destination"]["cloudWatch"]["logPrefix"] =
        json!("elsewhere/");
    lab.lex.put_alias(BOT, ALIAS, changed);
    let (code, out, _) = lab.run(&["drift", "--format", "json"], &spec);
    assert_eq!(code, 1);
    let found = rules(&out);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].1.contains("elsewhere/"), "{found:?}");
    let (code, out, err) = lab.run(&["apply", "--auto-approve"], &spec);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(lab.lex.count("PUT"), updates + 1);
    assert_eq!(
        lab.lex.alias(BOT, ALIAS)["conversationLogSettings"]["textLogSettings"][0]["destination"]["cloudWatch"]
            ["logPrefix"],
        "support/"
    );
}

#[test]
fn an_alias_the_spec_owns_is_found_by_name_and_never_created() {
    let lab = Lab::new();
    let dir = fresh_dir("live-lex-owned");
    // `live` exists (by name): its logs are set like an existing alias's.
    let spec = write_spec(&lab, &dir, "alias: {name: live}");
    let (code, out, err) = lab.run(&["apply", "--auto-approve"], &spec);
    assert_eq!(code, 0, "{out}{err}");
    assert!(lab.lex.alias(BOT, ALIAS)["conversationLogSettings"]["textLogSettings"].is_array());
    // `canary` does not: apply does not create it, and drift says who does.
    let spec = write_spec(&lab, &dir, "alias: {name: canary}");
    let (code, plan, _) = lab.run(&["plan"], &spec);
    assert_eq!(code, 0, "{plan}");
    assert!(plan.contains("CloudFormation"), "{plan}");
    let (code, out, _) = lab.run(&["drift", "--format", "json"], &spec);
    assert_eq!(code, 1);
    let doc: Value = serde_json::from_str(&out).unwrap();
    let missing = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule"] == "CL100")
        .unwrap();
    assert!(
        missing["message"]
            .as_str()
            .unwrap()
            .contains("support/canary")
    );
    assert!(missing["help"].as_str().unwrap().contains("CloudFormation"));
    let puts = lab.lex.count("PUT");
    let (code, out, err) = lab.run(&["apply", "--auto-approve"], &spec);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(lab.lex.count("PUT"), puts, "no alias was written");
}
