//! Lex V2 bots: the alias's conversation-log settings and the inline policy on the bot's role,
//! desired (`policy::lex`) against live. Pure.
//!
//! What chatlog may change here, and why it is safe: the alias is the one the spec names (by id,
//! or by name for an alias the spec owns), and only its conversation-log settings change;
//! UpdateBotAlias replaces the whole alias, so `aws::lex` reads it right before writing and sends
//! everything else back as read. The role policy is chatlog's by its name
//! (`chatlog-lex-conversation-logs-<key>`); the role and its other policies are never touched.
//! chatlog does not create aliases (the CloudFormation target does) and never deletes one.
// Only the live engine (feature `aws`) plans bots; the lean build keeps the module.
#![cfg_attr(not(feature = "aws"), allow(dead_code))]

use serde::Serialize;
use serde_json::{Map, Value};

use crate::model::{Bot, BotAlias, Deployment};
use crate::policy::lex::{alias_arn, conversation_log_settings, role_policy, role_policy_name};

use super::{Action, AttributeDiff, Change, Operation};

pub const BOT_ALIAS: &str = "AWS::Lex::BotAlias";
pub const ROLE_POLICY: &str = "AWS::IAM::RolePolicy";

/// What the account has for one bot of the spec.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LiveBot {
    /// The spec key.
    pub key: String,
    /// `None`: no such alias (by id, or by name for an alias the spec owns).
    pub alias: Option<LiveAlias>,
    /// The role's inline policy named `role_policy_name`, parsed; `None` when it has none.
    pub role_policy: Option<Value>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct LiveAlias {
    pub id: String,
    pub name: String,
    /// `conversationLogSettings` as DescribeBotAlias returns it, in the API's JSON names (an
    /// empty object when the alias has none).
    pub conversation_log_settings: Value,
}

/// The calls a bot's changes need.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "operation")]
pub enum LexOperation {
    /// UpdateBotAlias with these settings and everything else as DescribeBotAlias returns it,
    /// read just before the write.
    UpdateBotAliasConversationLogs {
        bot_id: String,
        alias_id: String,
        settings: Value,
    },
    PutRolePolicy {
        role_name: String,
        policy_name: String,
        document: Value,
    },
}

/// Settings as the service treats them: a log setting that is not enabled logs nothing, a
/// missing `selectiveLoggingEnabled` is false, and an empty list is no list, so that what
/// DescribeBotAlias returns compares equal to what the spec asks for when they mean the same.
pub fn normalize_settings(settings: &Value) -> Value {
    let mut out = Map::new();
    for list in ["textLogSettings", "audioLogSettings"] {
        let kept: Vec<Value> = settings
            .get(list)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|s| s.get("enabled") == Some(&Value::Bool(true)))
            .map(|s| {
                let mut s = s.clone();
                if let Some(o) = s.as_object_mut()
                    && !o.contains_key("selectiveLoggingEnabled")
                {
                    o.insert("selectiveLoggingEnabled".into(), Value::Bool(false));
                }
                s
            })
            .collect();
        if !kept.is_empty() {
            out.insert(list.to_owned(), Value::Array(kept));
        }
    }
    Value::Object(out)
}

fn change(dep: &Deployment, bot: &Bot, resource_type: &'static str, arn: String) -> Change {
    Change {
        arn: Some(arn),
        origin: Some(bot.origin.clone()),
        ..Change::unchanged(dep, resource_type, &bot.key)
    }
}

/// The changes for every bot of a deployment: its role policy, then its alias.
pub fn plan_bots(dep: &Deployment, live: &[LiveBot]) -> Vec<Change> {
    let mut out = Vec::new();
    for bot in &dep.bots {
        let found = live.iter().find(|l| l.key == bot.key);
        out.extend(plan_role_policy(dep, bot, found));
        out.push(plan_alias(dep, bot, found));
    }
    out
}

fn plan_role_policy(dep: &Deployment, bot: &Bot, live: Option<&LiveBot>) -> Option<Change> {
    let desired = role_policy(dep, bot)?.to_value();
    let mut c = change(dep, bot, ROLE_POLICY, bot.role_arn.clone());
    // `ROLE/POLICY`: a `/` keeps it apart from every spec key (drift marks go by key).
    c.key = format!("{}/{}", bot.role_name(), role_policy_name(bot));
    let current = live.and_then(|l| l.role_policy.clone());
    if current.as_ref() == Some(&desired) {
        return Some(c);
    }
    c.action = if current.is_some() {
        Action::Update
    } else {
        Action::Create
    };
    c.diffs.push(AttributeDiff {
        attribute: "PolicyDocument".to_owned(),
        before: current.unwrap_or(Value::Null),
        after: desired.clone(),
    });
    c.operations
        .push(Operation::Lex(LexOperation::PutRolePolicy {
            role_name: bot.role_name().to_owned(),
            policy_name: role_policy_name(bot),
            document: desired,
        }));
    Some(c)
}

fn plan_alias(dep: &Deployment, bot: &Bot, live: Option<&LiveBot>) -> Change {
    let desired = conversation_log_settings(dep, bot);
    let mut c = change(dep, bot, BOT_ALIAS, alias_arn(dep, bot));
    // `BOT/ALIAS` as the bot's key and alias: a `/` keeps it apart from every spec key.
    c.key = match &bot.alias {
        BotAlias::Existing { id } => format!("{}/{id}", bot.key),
        BotAlias::Owned { name, .. } => format!("{}/{name}", bot.key),
    };
    let Some(alias) = live.and_then(|l| l.alias.as_ref()) else {
        c.action = Action::Create;
        c.diffs
            .push(AttributeDiff::created("ConversationLogSettings", desired));
        c.blocked = Some(match &bot.alias {
            BotAlias::Existing { id } => format!(
                "alias {id} of bot {} does not exist: chatlog sets the conversation logs of an alias, it does not create one",
                bot.bot_id
            ),
            BotAlias::Owned { name, .. } => format!(
                "alias {name} of bot {} does not exist: deploy the CloudFormation template, which creates it with its conversation logs (chatlog apply does not create aliases)",
                bot.bot_id
            ),
        });
        return c;
    };
    c.arn = Some(alias_arn(dep, bot).replace("/*", &format!("/{}", alias.id)));
    let before = normalize_settings(&alias.conversation_log_settings);
    if before == normalize_settings(&desired) {
        return c;
    }
    c.action = Action::Update;
    c.diffs.push(AttributeDiff {
        attribute: "ConversationLogSettings".to_owned(),
        before: alias.conversation_log_settings.clone(),
        after: desired.clone(),
    });
    c.operations.push(Operation::Lex(
        LexOperation::UpdateBotAliasConversationLogs {
            bot_id: bot.bot_id.clone(),
            alias_id: alias.id.clone(),
            settings: desired,
        },
    ));
    c
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const SPEC: &str = r#"
version: 1
defaults: {account: "111122223333", region: us-east-1}
destinations:
  t: {cloudwatch_logs: {log_group: /lex/t}}
bots:
  support:
    bot_id: ABCDEFGHIJ
    alias_id: TSTALIASID
    role_arn: arn:aws:iam::111122223333:role/lex
    text_logs: {destination: t, log_prefix: p/}
"#;

    fn deployment() -> Deployment {
        crate::plan::test_support::deployment(SPEC)
    }

    fn live(settings: Value, policy: Option<Value>) -> LiveBot {
        LiveBot {
            key: "support".to_owned(),
            alias: Some(LiveAlias {
                id: "TSTALIASID".to_owned(),
                name: "TestBotAlias".to_owned(),
                conversation_log_settings: settings,
            }),
            role_policy: policy,
        }
    }

    #[test]
    fn an_alias_without_logs_gets_the_settings_and_the_role_its_policy() {
        let dep = deployment();
        let changes = plan_bots(&dep, &[live(json!({}), None)]);
        let kinds: Vec<(&str, Action)> = changes
            .iter()
            .map(|c| (c.resource_type, c.action))
            .collect();
        assert_eq!(
            kinds,
            [(ROLE_POLICY, Action::Create), (BOT_ALIAS, Action::Update)]
        );
        let Operation::Lex(LexOperation::UpdateBotAliasConversationLogs { settings, .. }) =
            &changes[1].operations[0]
        else {
            panic!("{:?}", changes[1].operations)
        };
        assert_eq!(
            settings["textLogSettings"][0]["destination"]["cloudWatch"]["logPrefix"],
            "p/"
        );
        assert_eq!(
            changes[1].arn.as_deref(),
            Some("arn:aws:lex:us-east-1:111122223333:bot-alias/ABCDEFGHIJ/TSTALIASID")
        );
    }

    #[test]
    fn what_the_service_returns_for_the_same_settings_is_no_change() {
        let dep = deployment();
        let bot = &dep.bots[0];
        let mut returned = conversation_log_settings(&dep, bot);
        // The service adds selectiveLoggingEnabled: false and a disabled audio setting.
        returned["textLogSettings"][0]["selectiveLoggingEnabled"] = json!(false);
        returned["audioLogSettings"] = json!([{"enabled": false, "destination": {"s3Bucket": {"s3BucketArn": "arn:aws:s3:::x", "logPrefix": ""}}}]);
        let policy = role_policy(&dep, bot).unwrap().to_value();
        let changes = plan_bots(&dep, &[live(returned, Some(policy))]);
        assert!(
            changes.iter().all(|c| c.action == Action::NoChange),
            "{changes:?}"
        );
        // Another prefix is a change.
        let mut other = conversation_log_settings(&dep, bot);
        other["textLogSettings"][0]["destination"]["cloudWatch"]["logPrefix"] = json!("q/");
        let changes = plan_bots(&dep, &[live(other, None)]);
        assert_eq!(changes[1].action, Action::Update);
        assert_eq!(changes[1].diffs[0].attribute, "ConversationLogSettings");
    }

    #[test]
    fn a_missing_alias_is_never_created() {
        let dep = deployment();
        let changes = plan_bots(
            &dep,
            &[LiveBot {
                key: "support".to_owned(),
                alias: None,
                role_policy: None,
            }],
        );
        assert_eq!(changes[1].action, Action::Create);
        assert!(changes[1].operations.is_empty());
        assert!(
            changes[1]
                .blocked
                .as_deref()
                .unwrap()
                .contains("does not create")
        );
    }
}
