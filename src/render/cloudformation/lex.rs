//! Lex V2 bots in a deployment's template: the conversation-log permissions as an inline policy
//! on the bot's existing role (AWS::IAM::RolePolicy), and the alias itself
//! (AWS::Lex::BotAlias with ConversationLogSettings) when the spec owns it. An alias that exists
//! belongs to whoever made it: CloudFormation cannot change it, so the template only points at
//! the settings document to apply (aws-facts.md §1(e), §1(g)).

use serde_json::{Map, Value, json};

use crate::model::{Bot, BotAlias, Deployment};
use crate::policy::lex::{role_policy, role_policy_name};

use super::{Resources, literal, tags};

fn role_policy_id(bot: &Bot) -> String {
    format!("{}RolePolicy", bot.logical_id)
}

fn alias_id_output(bot: &Bot) -> String {
    format!("{}AliasId", bot.logical_id)
}

/// The bots' resources: a role policy per bot that logs anything, and the aliases the spec owns.
pub(super) fn resources(r: &mut impl Resources, dep: &Deployment) {
    for bot in &dep.bots {
        let policy = role_policy(dep, bot);
        if let Some(policy) = &policy {
            r.add(role_policy_id(bot), || {
                json!({
                    "Type": "AWS::IAM::RolePolicy",
                    "Properties": {
                        "PolicyName": role_policy_name(bot),
                        "RoleName": literal(bot.role_name()),
                        "PolicyDocument": policy.to_value(),
                    }
                })
            });
        }
        let BotAlias::Owned {
            name,
            bot_version,
            description,
        } = &bot.alias
        else {
            continue;
        };
        let has_policy = policy.is_some();
        r.add(bot.logical_id.clone(), || {
            let mut props = Map::new();
            props.insert("BotId".into(), json!(bot.bot_id));
            props.insert("BotAliasName".into(), json!(name));
            if let Some(v) = bot_version {
                props.insert("BotVersion".into(), json!(v));
            }
            if let Some(d) = description {
                props.insert("Description".into(), literal(d));
            }
            props.insert("ConversationLogSettings".into(), settings(dep, bot));
            if let Some(t) = tags(&bot.tags) {
                props.insert("BotAliasTags".into(), t);
            }
            // Lex checks that it may write before it accepts the settings: the role's permissions
            // and the log group and bucket chatlog creates come first.
            let mut depends: Vec<String> = Vec::new();
            if has_policy {
                depends.push(role_policy_id(bot));
            }
            for log in [&bot.text_logs, &bot.audio_logs].into_iter().flatten() {
                if let Some(d) = dep.destination(&log.destination)
                    && d.managed
                {
                    depends.push(d.logical_id.clone());
                }
            }
            let mut alias = Map::new();
            alias.insert("Type".into(), json!("AWS::Lex::BotAlias"));
            if !depends.is_empty() {
                alias.insert("DependsOn".into(), json!(depends));
            }
            alias.insert("Properties".into(), Value::Object(props));
            Value::Object(alias)
        });
    }
}

/// AWS::Lex::BotAlias ConversationLogSettings: the API's settings in CloudFormation's names,
/// without selective logging, which the resource type does not have (CL064 refuses it).
fn settings(dep: &Deployment, bot: &Bot) -> Value {
    let mut s = Map::new();
    if let Some(log) = &bot.text_logs
        && let Some(d) = dep.destination(&log.destination)
    {
        s.insert(
            "TextLogSettings".into(),
            json!([{"Enabled": true, "Destination": {"CloudWatch": {"CloudWatchLogGroupArn": d.arn, "LogPrefix": literal(&log.log_prefix)}}}]),
        );
    }
    if let Some(log) = &bot.audio_logs
        && let Some(d) = dep.destination(&log.destination)
    {
        let mut bucket = Map::new();
        bucket.insert("S3BucketArn".into(), json!(d.arn));
        bucket.insert("LogPrefix".into(), literal(&log.log_prefix));
        if let Some(key) = &log.kms_key_arn {
            bucket.insert("KmsKeyArn".into(), json!(key));
        }
        s.insert(
            "AudioLogSettings".into(),
            json!([{"Enabled": true, "Destination": {"S3Bucket": bucket}}]),
        );
    }
    Value::Object(s)
}

/// One output per alias the template creates: its id, which clients call the bot with.
pub(super) fn outputs(dep: &Deployment) -> Map<String, Value> {
    let mut o = Map::new();
    for bot in &dep.bots {
        if matches!(bot.alias, BotAlias::Owned { .. }) {
            o.insert(
                alias_id_output(bot),
                json!({
                    "Description": format!("Alias id of bot `{}`", bot.key),
                    "Value": {"Fn::GetAtt": [bot.logical_id, "BotAliasId"]},
                }),
            );
        }
    }
    o
}

/// For the template's metadata: each alias that exists, and where its settings are.
pub(super) fn existing_aliases(dep: &Deployment, stem: &str) -> Vec<Value> {
    dep.bots
        .iter()
        .filter_map(|bot| match &bot.alias {
            BotAlias::Existing { id } => Some(json!({
                "Bot": bot.key,
                "BotId": bot.bot_id,
                "BotAliasId": id,
                "Note": "This alias exists and is not this stack's, so the template cannot set its conversation logs (it only grants the bot's role the permissions). Apply the settings with UpdateBotAlias (`chatlog apply` does): UpdateBotAlias replaces the whole alias, so read it first (DescribeBotAlias) and send back everything else unchanged.",
                "Settings": format!("policies/{stem}/lex-settings-{}.json", bot.key),
            })),
            BotAlias::Owned { .. } => None,
        })
        .collect()
}
