//! Lex V2 conversation logs: the permissions the bot's role needs to write them, and the alias's
//! conversation-log settings in the UpdateBotAlias shape (aws-facts.md §1(g)). Lex writes with
//! the bot's own role (no log-delivery service, no resource-policy statements), so the role's
//! identity policy is all it needs when the log group and bucket are in the bot's account.

use serde_json::{Map, Value, json};

use crate::model::{Bot, BotLog, Deployment, DestinationKind, partition};
use crate::spec::constraints::{KmsKey, parse_kms_key_arn};

use super::document::{Conditions, PolicyDocument, Statement, Strings};

/// The service the bot's role is passed to: the trust principal of a Lex V2 custom role
/// (aws-facts.md §1(g)). INFERENCE: `iam:PassedToService` takes the service principal.
pub const LEX_V2_PRINCIPAL: &str = "lexv2.amazonaws.com";

/// IAM policy names: at most 128 characters (aws-facts.md §1(d)).
const POLICY_NAME_MAX: usize = 128;
const POLICY_NAME_PREFIX: &str = "chatlog-lex-conversation-logs-";

/// The name of the inline policy chatlog puts on a bot's role: one per bot, so two bots that
/// share a role never overwrite each other's. Keys (`[A-Za-z0-9_-]`) are valid in policy names;
/// a key too long for the limit is cut and keeps the logical id's hash, which tells keys apart.
pub fn role_policy_name(bot: &Bot) -> String {
    let full = format!("{POLICY_NAME_PREFIX}{}", bot.key);
    if full.chars().count() <= POLICY_NAME_MAX {
        return full;
    }
    let hash: String = bot
        .logical_id
        .chars()
        .rev()
        .take(8)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let room = POLICY_NAME_MAX - POLICY_NAME_PREFIX.len() - hash.len() - 1;
    let head: String = bot.key.chars().take(room).collect();
    format!("{POLICY_NAME_PREFIX}{head}-{hash}")
}

/// The part of a log prefix that can stand in an IAM resource as written: everything before
/// the first `$`, `*` or `?`. Those would be a policy variable or wildcards; IAM's escapes for
/// them (`${$}`, `${*}`, `${?}`) are not read by the checkers chatlog's output must pass
/// (parliament), so a prefix that holds one is granted from the part before it, which is
/// broader than the prefix but still within it.
pub fn iam_prefix(prefix: &str) -> &str {
    prefix
        .find(['$', '*', '?'])
        .and_then(|at| prefix.get(..at))
        .unwrap_or(prefix)
}

/// The log group and bucket a bot writes to, as ARNs (from its deployment's destinations).
struct Targets<'a> {
    text: Option<(&'a BotLog, &'a str)>,
    audio: Option<(&'a BotLog, &'a str)>,
}

fn targets<'a>(dep: &'a Deployment, bot: &'a Bot) -> Targets<'a> {
    let arn_of = |log: &'a BotLog| dep.destination(&log.destination).map(|d| d.arn.as_str());
    Targets {
        text: bot
            .text_logs
            .as_ref()
            .and_then(|l| arn_of(l).map(|a| (l, a))),
        audio: bot
            .audio_logs
            .as_ref()
            .and_then(|l| arn_of(l).map(|a| (l, a))),
    }
}

/// The bot role's permissions for its logs (aws-facts.md §1(g), from the V1 policy page; the
/// V2 page's action list was unreadable there, and is assumed the same):
/// `logs:CreateLogStream` and `logs:PutLogEvents` on `...:log-group:NAME:*`, `s3:PutObject` on
/// the bucket under the log prefix, and `kms:GenerateDataKey` on the key that encrypts audio.
/// `None` for a bot that logs nothing.
pub fn role_policy(dep: &Deployment, bot: &Bot) -> Option<PolicyDocument> {
    let t = targets(dep, bot);
    let mut statements = Vec::new();
    if let Some((_, group_arn)) = t.text {
        statements.push(Statement::allow(
            "WriteTextLogs",
            Strings::many(["logs:CreateLogStream", "logs:PutLogEvents"]),
            Strings::one(format!("{group_arn}:*")),
        ));
    }
    if let Some((log, bucket_arn)) = t.audio {
        statements.push(Statement::allow(
            "WriteAudioLogs",
            Strings::one("s3:PutObject"),
            Strings::one(format!("{bucket_arn}/{}*", iam_prefix(&log.log_prefix))),
        ));
        if let Some(key) = &log.kms_key_arn {
            statements.push(key_statement(key));
        }
    }
    (!statements.is_empty()).then(|| PolicyDocument::new(statements))
}

/// `kms:GenerateDataKey` on the key. A key operation is authorized on the key, never on an
/// alias ARN (IAM service authorization data: kms:GenerateDataKey takes `key`), so an alias
/// becomes any key of its account and region that is used through that alias
/// (`kms:RequestAlias`, a condition key of the action in the same data).
fn key_statement(arn: &str) -> Statement {
    match parse_kms_key_arn(arn) {
        Ok(parsed) => match parsed.key {
            KmsKey::Key(_) => Statement::allow(
                "EncryptAudioLogs",
                Strings::one("kms:GenerateDataKey"),
                Strings::one(arn),
            ),
            KmsKey::Alias(name) => Statement::allow(
                "EncryptAudioLogs",
                Strings::one("kms:GenerateDataKey"),
                Strings::one(format!(
                    "arn:{}:kms:{}:{}:key/*",
                    parsed.partition, parsed.region, parsed.account
                )),
            )
            .condition(Conditions::new().with(
                "StringEquals",
                "kms:RequestAlias",
                Strings::one(format!("alias/{name}")),
            )),
        },
        // The spec only holds ARNs the rule CL029 accepted.
        Err(_) => Statement::allow(
            "EncryptAudioLogs",
            Strings::one("kms:GenerateDataKey"),
            Strings::one(arn),
        ),
    }
}

/// The alias's `conversationLogSettings` as UpdateBotAlias takes it (lexv2-models,
/// aws-facts.md §1(g)): one text and one audio setting at most, each enabled, with its
/// destination, prefix and selective logging.
pub fn conversation_log_settings(dep: &Deployment, bot: &Bot) -> Value {
    let t = targets(dep, bot);
    let mut settings = Map::new();
    if let Some((log, group_arn)) = t.text {
        let mut s = Map::new();
        s.insert("enabled".into(), json!(true));
        s.insert(
            "destination".into(),
            json!({"cloudWatch": {"cloudWatchLogGroupArn": group_arn, "logPrefix": log.log_prefix}}),
        );
        if let Some(selective) = log.selective_logging {
            s.insert("selectiveLoggingEnabled".into(), json!(selective));
        }
        settings.insert("textLogSettings".into(), json!([s]));
    }
    if let Some((log, bucket_arn)) = t.audio {
        let mut bucket = Map::new();
        bucket.insert("s3BucketArn".into(), json!(bucket_arn));
        bucket.insert("logPrefix".into(), json!(log.log_prefix));
        if let Some(key) = &log.kms_key_arn {
            bucket.insert("kmsKeyArn".into(), json!(key));
        }
        let mut s = Map::new();
        s.insert("enabled".into(), json!(true));
        s.insert("destination".into(), json!({"s3Bucket": bucket}));
        if let Some(selective) = log.selective_logging {
            s.insert("selectiveLoggingEnabled".into(), json!(selective));
        }
        settings.insert("audioLogSettings".into(), json!([s]));
    }
    Value::Object(settings)
}

/// Whether a bot asks for selective logging, which AWS::Lex::BotAlias cannot express
/// (aws-facts.md §1(e)).
pub fn uses_selective_logging(bot: &Bot) -> bool {
    [&bot.text_logs, &bot.audio_logs]
        .into_iter()
        .flatten()
        .any(|l| l.selective_logging == Some(true))
}

/// ARNs of a bot and its aliases as IAM names them (IAM service authorization data for Lex V2,
/// as parliament 1.6.4 ships it: `bot/${BotId}`, `bot-alias/${BotId}/${BotAliasId}`).
pub fn bot_arn(dep: &Deployment, bot: &Bot) -> String {
    format!(
        "arn:{}:lex:{}:{}:bot/{}",
        partition(&dep.region),
        dep.region,
        dep.account,
        bot.bot_id
    )
}

/// The alias's ARN; an alias the spec owns gets its id on creation, so `*` stands for it.
pub fn alias_arn(dep: &Deployment, bot: &Bot) -> String {
    let id = match &bot.alias {
        crate::model::BotAlias::Existing { id } => id.as_str(),
        crate::model::BotAlias::Owned { .. } => "*",
    };
    format!(
        "arn:{}:lex:{}:{}:bot-alias/{}/{id}",
        partition(&dep.region),
        dep.region,
        dep.account,
        bot.bot_id
    )
}

/// Whether a destination is one that only bots write to (no logging configuration does): Lex
/// writes it with the bot's role, so it gets none of log delivery's statements.
pub fn bots_only(dep: &Deployment, key: &str) -> bool {
    let bots = dep.bots.iter().any(|b| {
        [&b.text_logs, &b.audio_logs]
            .into_iter()
            .flatten()
            .any(|l| l.destination == key)
    });
    bots && !dep
        .logging_configurations
        .iter()
        .any(|c| c.destination == key)
}

/// What kind of resource a bot log goes to, in words (for notes).
pub fn describe(dep: &Deployment, log: &BotLog) -> String {
    match dep.destination(&log.destination).map(|d| &d.kind) {
        Some(DestinationKind::CloudWatchLogs { log_group, .. }) => format!("log group {log_group}"),
        Some(DestinationKind::S3 { bucket }) => format!("bucket {bucket}"),
        Some(DestinationKind::Firehose { delivery_stream }) => {
            format!("stream {delivery_stream}")
        }
        None => format!("destination {}", log.destination),
    }
}

#[cfg(test)]
mod tests {
    use super::iam_prefix;

    #[test]
    fn a_prefix_is_granted_up_to_its_first_iam_special_character() {
        assert_eq!(iam_prefix("audio/"), "audio/");
        assert_eq!(iam_prefix("a/b*c"), "a/b");
        assert_eq!(iam_prefix("a?${aws:username}"), "a");
        assert_eq!(iam_prefix("${x}"), "");
    }
}
