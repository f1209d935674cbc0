//! Lex V2 bots in the spec: resolution into the model, the Lex V1 carry-over, and the semantic
//! rules that the per-rule fixtures (tests/validate.rs) show only once each.
// Test code: clippy.toml's test allowances (unwrap, expect, panic, indexing) apply to all of it.
#![cfg(test)]

use chatlog::diagnostic::Rule;
use chatlog::model::{BotAlias, DestinationKind};
use chatlog::spec::load::Input;
use chatlog::validate::{Validation, validate};

const HEAD: &str = "version: 1\ndefaults: {account: \"111122223333\", region: us-west-2}\n";

fn run(body: &str) -> Validation {
    validate(vec![Input {
        name: "spec.yaml".to_owned(),
        bytes: format!("{HEAD}{body}").into_bytes(),
    }])
}

/// The rules of the diagnostics, with the line each points at.
fn rules(v: &Validation) -> Vec<(Rule, u32)> {
    v.diagnostics
        .iter()
        .map(|d| (d.rule, d.location.as_ref().map_or(0, |l| l.line)))
        .collect()
}

const V1: &str = r#"
bots:
  support:
    bot_id: ABCDEFGHIJ
    alias_id: TSTALIASID
    conversationLogs:
      iamRoleArn: arn:aws:iam::111122223333:role/service/lex-support
      logSettings:
        - {destination: CLOUDWATCH_LOGS, logType: TEXT, resourceArn: "arn:aws:logs:us-west-2:111122223333:log-group:/lex/support:*"}
        - {destination: S3, logType: AUDIO, resourceArn: "arn:aws:s3:::acme-lex-audio", resourcePrefix: lex/v1}
"#;

#[test]
fn v1_settings_become_v2_settings_on_implied_destinations() {
    let v = run(V1);
    assert_eq!(rules(&v), [(Rule::LexV1Translated, 8)]);
    let model = v.model.unwrap();
    let dep = &model.deployments[0];
    let bot = &dep.bots[0];
    assert!(bot.from_v1);
    assert_eq!(
        bot.role_arn,
        "arn:aws:iam::111122223333:role/service/lex-support"
    );
    assert_eq!(bot.role_name(), "lex-support");
    assert_eq!(
        bot.alias,
        BotAlias::Existing {
            id: "TSTALIASID".to_owned()
        }
    );
    let text = bot.text_logs.as_ref().unwrap();
    let audio = bot.audio_logs.as_ref().unwrap();
    assert_eq!(
        (text.destination.as_str(), text.log_prefix.as_str()),
        ("support.text", "")
    );
    assert_eq!(
        (audio.destination.as_str(), audio.log_prefix.as_str()),
        ("support.audio", "lex/v1")
    );
    // The implied destinations exist already: nothing creates them.
    let group = dep.destination("support.text").unwrap();
    assert!(!group.managed);
    assert_eq!(
        group.kind,
        DestinationKind::CloudWatchLogs {
            log_group: "/lex/support".to_owned(),
            retention_days: None
        }
    );
    assert_eq!(
        group.arn,
        "arn:aws:logs:us-west-2:111122223333:log-group:/lex/support"
    );
    assert!(!dep.destination("support.audio").unwrap().managed);
    let message = &v.diagnostics[0].message;
    assert!(
        message.contains("log group `/lex/support`") && message.contains("bucket `acme-lex-audio`"),
        "{message}"
    );
}

#[test]
fn v1_settings_reuse_a_destination_the_spec_declares() {
    let v = run(&format!(
        "destinations:\n  transcripts: {{cloudwatch_logs: {{log_group: /lex/support, create: true}}}}\n{V1}"
    ));
    assert_eq!(rules(&v), [(Rule::LexV1Translated, 10)]);
    let model = v.model.unwrap();
    let dep = &model.deployments[0];
    assert_eq!(
        dep.bots[0].text_logs.as_ref().unwrap().destination,
        "transcripts"
    );
    assert!(dep.destination("support.text").is_none());
    assert!(
        v.diagnostics[0]
            .message
            .contains("destination `transcripts` (log group `/lex/support`)")
    );
}

#[test]
fn two_bots_that_logged_to_one_group_share_one_implied_destination() {
    let second = V1.replace("bots:\n", "").replace("  support:", "  sales:");
    let v = run(&format!("{V1}{second}"));
    let model = v.model.unwrap();
    let dep = &model.deployments[0];
    let keys: Vec<&str> = dep.destinations.iter().map(|d| d.key.as_str()).collect();
    assert_eq!(keys, ["sales.audio", "sales.text"]);
    assert!(
        dep.bots
            .iter()
            .all(|b| b.text_logs.as_ref().unwrap().destination == "sales.text")
    );
}

#[test]
fn a_v1_log_group_in_another_region_is_refused() {
    let v = run(&V1.replace("logs:us-west-2:111122223333", "logs:eu-west-1:111122223333"));
    let found = rules(&v);
    assert!(found.contains(&(Rule::BotPlacement, 11)), "{found:?}");
    assert!(v.model.is_none());
}

#[test]
fn v1_entries_that_cannot_be_carried_over() {
    // TEXT to S3: the kind rule.
    let v = run(&V1.replace(
        "{destination: CLOUDWATCH_LOGS, logType: TEXT",
        "{destination: S3, logType: TEXT",
    ));
    assert_eq!(rules(&v), [(Rule::BotLogKind, 11)]);
    // An entry that says CLOUDWATCH_LOGS but names a bucket.
    let v = run(&V1.replace(
        "\"arn:aws:logs:us-west-2:111122223333:log-group:/lex/support:*\"",
        "\"arn:aws:s3:::acme-lex-text\"",
    ));
    assert_eq!(rules(&v), [(Rule::LexV1Settings, 11)]);
    // A KMS key on text logs.
    let v = run(&V1.replace(
        "log-group:/lex/support:*\"}",
        "log-group:/lex/support:*\", kmsKeyArn: \"arn:aws:kms:us-west-2:111122223333:key/k1\"}",
    ));
    assert_eq!(rules(&v), [(Rule::LexV1Settings, 11)]);
    // V1 and V2 settings together.
    let v = run(&format!(
        "destinations:\n  t: {{cloudwatch_logs: {{log_group: /x}}}}\n{}",
        V1.replace(
            "    conversationLogs:",
            "    text_logs: {destination: t}\n    conversationLogs:"
        )
    ));
    assert_eq!(rules(&v), [(Rule::LexV1Settings, 11)]);
    // A role_arn other than the V1 role.
    let v = run(&V1.replace(
        "    conversationLogs:",
        "    role_arn: arn:aws:iam::111122223333:role/other\n    conversationLogs:",
    ));
    assert_eq!(
        rules(&v),
        [(Rule::LexV1Translated, 9), (Rule::LexV1Settings, 10)]
    );
    assert_eq!(v.diagnostics[1].related.len(), 1);
    // The same role in both places is fine.
    let v = run(&V1.replace(
        "    conversationLogs:",
        "    role_arn: arn:aws:iam::111122223333:role/service/lex-support\n    conversationLogs:",
    ));
    assert_eq!(rules(&v), [(Rule::LexV1Translated, 9)]);
}

const V2: &str = r#"
destinations:
  transcripts: {cloudwatch_logs: {log_group: /lex/support, create: true, retention_days: 30}}
  audio: {s3: {bucket: acme-lex-audio, create: true}}
bots:
  support:
    bot_id: ABCDEFGHIJ
    alias: {name: live, bot_version: "3", description: chat support}
    role_arn: arn:aws:iam::111122223333:role/lex-support
    text_logs: {destination: transcripts, log_prefix: support/, selective_logging: true}
    audio_logs: {destination: audio, kms_key_arn: "arn:aws:kms:us-west-2:111122223333:alias/lex"}
"#;

#[test]
fn v2_settings_resolve_and_count_as_using_their_destinations() {
    let v = run(V2);
    assert!(v.diagnostics.is_empty(), "{:?}", v.diagnostics);
    let model = v.model.unwrap();
    let bot = &model.deployments[0].bots[0];
    assert!(!bot.from_v1);
    assert_eq!(
        bot.alias,
        BotAlias::Owned {
            name: "live".to_owned(),
            bot_version: Some("3".to_owned()),
            description: Some("chat support".to_owned())
        }
    );
    let text = bot.text_logs.as_ref().unwrap();
    assert_eq!(text.log_prefix, "support/");
    assert_eq!(text.selective_logging, Some(true));
    assert_eq!(
        bot.audio_logs.as_ref().unwrap().kms_key_arn.as_deref(),
        Some("arn:aws:kms:us-west-2:111122223333:alias/lex")
    );
    assert!(bot.logical_id.starts_with("BotSupport"));
}

#[test]
fn bot_rules_point_at_what_breaks_them() {
    // No role at all.
    let v = run(&V2.replace(
        "    role_arn: arn:aws:iam::111122223333:role/lex-support\n",
        "",
    ));
    assert_eq!(rules(&v), [(Rule::Schema, 8)]);
    assert_eq!(
        v.diagnostics[0].message,
        "missing required key `role_arn` in bot `support`"
    );
    // A role in another account.
    let v = run(&V2.replace("iam::111122223333:role", "iam::444455556666:role"));
    assert_eq!(rules(&v), [(Rule::BotPlacement, 11)]);
    // Audio logs to a log group.
    let v = run(&V2.replace(
        "audio_logs: {destination: audio",
        "audio_logs: {destination: transcripts",
    ));
    let found = rules(&v);
    assert!(found.contains(&(Rule::BotLogKind, 13)), "{found:?}");
    // A destination in another account.
    let v = run(&V2.replace(
        "create: true, retention_days: 30}}",
        "create: true, retention_days: 30}, account: \"444455556666\"}",
    ));
    assert_eq!(rules(&v), [(Rule::BotPlacement, 12)]);
    assert!(
        v.diagnostics[0]
            .message
            .contains("in account `444455556666`")
    );
    // No alias.
    let v = run(&V2.replace(
        "    alias: {name: live, bot_version: \"3\", description: chat support}\n",
        "",
    ));
    assert_eq!(rules(&v), [(Rule::BotAlias, 8)]);
    // An unknown destination, with a suggestion.
    let v = run(&V2.replace(
        "text_logs: {destination: transcripts",
        "text_logs: {destination: transcript",
    ));
    let d = v
        .diagnostics
        .iter()
        .find(|d| d.rule == Rule::UnknownReference)
        .unwrap();
    assert!(d.help.as_deref().unwrap().contains("transcripts"));
}

#[test]
fn an_audit_bucket_that_is_also_a_destination_is_refused() {
    let v = run(&format!(
        "{V2}audit:\n  trail: chat-audit\n  s3: {{bucket: acme-lex-audio}}\n"
    ));
    assert_eq!(rules(&v), [(Rule::SameDestinationTwice, 16)]);
    let v = run(&format!(
        "{V2}audit:\n  trail: chat-audit\n  s3: {{bucket: acme-audit, create: true}}\n  prefix: chat\n"
    ));
    let audit = v.model.unwrap().audit.unwrap();
    assert_eq!(
        audit.trail_arn(),
        "arn:aws:cloudtrail:us-west-2:111122223333:trail/chat-audit"
    );
    assert!(audit.managed && audit.multi_region);
    assert_eq!(audit.prefix.as_deref(), Some("chat"));
}
