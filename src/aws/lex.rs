//! Lex V2 bot aliases and their roles' inline policies, behind `LexApi`: reading what a bot has
//! (DescribeBotAlias or ListBotAliases, GetRolePolicy) and the two writes `plan::lex` asks for.
//! UpdateBotAlias replaces the whole alias (aws-facts.md §1(g)), so the write reads the alias
//! first and sends every other setting back as it was: only the conversation logs change.

use std::collections::HashMap;
use std::future::Future;
use std::ops::ControlFlow;

use aws_sdk_lexmodelsv2::error::BuildError;
use aws_sdk_lexmodelsv2::operation::list_bot_aliases::ListBotAliasesOutput;

use aws_sdk_lexmodelsv2::types::{
    AudioLogDestination, AudioLogSetting, CloudWatchLogGroupLogDestination,
    ConversationLogSettings, S3BucketLogDestination, TextLogDestination, TextLogSetting,
};
use serde_json::{Map, Value, json};

use super::calls::{Calls, call};
use super::connect::Session;
use super::error::AwsError;
use super::pages::paginate;
use crate::model::{BotAlias, Deployment};
use crate::plan::lex::{LexOperation, LiveAlias, LiveBot};
use crate::policy::lex::role_policy_name;

pub trait LexApi: Clone + Send + Sync + 'static {
    /// The alias with this id, or `None` when the bot has no such alias.
    fn alias_by_id(
        &self,
        bot_id: String,
        alias_id: String,
    ) -> impl Future<Output = Result<Option<LiveAlias>, AwsError>> + Send;
    /// The alias with this name (ListBotAliases, all pages), or `None`.
    fn alias_by_name(
        &self,
        bot_id: String,
        name: String,
    ) -> impl Future<Output = Result<Option<LiveAlias>, AwsError>> + Send;
    /// A role's inline policy, parsed; `None` when the role has no policy of that name.
    fn role_policy(
        &self,
        role_name: String,
        policy_name: String,
    ) -> impl Future<Output = Result<Option<Value>, AwsError>> + Send;
    fn execute(&self, operation: LexOperation)
    -> impl Future<Output = Result<(), AwsError>> + Send;
}

/// What the account has for every bot of a deployment.
pub async fn read_bots<L: LexApi>(lex: &L, dep: &Deployment) -> Result<Vec<LiveBot>, AwsError> {
    let mut out = Vec::new();
    for bot in &dep.bots {
        let alias = match &bot.alias {
            BotAlias::Existing { id } => lex.alias_by_id(bot.bot_id.clone(), id.clone()).await?,
            BotAlias::Owned { name, .. } => {
                lex.alias_by_name(bot.bot_id.clone(), name.clone()).await?
            }
        };
        let role_policy = lex
            .role_policy(bot.role_name().to_owned(), role_policy_name(bot))
            .await?;
        out.push(LiveBot {
            key: bot.key.clone(),
            alias,
            role_policy,
        });
    }
    Ok(out)
}

#[derive(Clone, Debug)]
pub struct SdkLex {
    lex: aws_sdk_lexmodelsv2::Client,
    iam: aws_sdk_iam::Client,
    lex_calls: Calls,
    iam_calls: Calls,
}

impl SdkLex {
    pub fn new(session: &Session, account: &str) -> Self {
        SdkLex {
            lex: session.lexv2(),
            iam: session.iam(),
            lex_calls: Calls::new(session, account, "lex.amazonaws.com", false),
            // IAM is global; CloudTrail files its events under us-east-1.
            iam_calls: Calls::new(session, account, "iam.amazonaws.com", false)
                .in_region("us-east-1"),
        }
    }
}

fn is_not_found(e: &AwsError) -> bool {
    e.status == Some(404)
        || e.code
            .as_deref()
            .is_some_and(|c| c == "ResourceNotFoundException" || c == "NoSuchEntity")
}

/// The SDK's settings in the API's JSON names, as `policy::lex` builds the desired ones.
pub fn settings_to_json(s: Option<&ConversationLogSettings>) -> Value {
    let mut out = Map::new();
    let Some(s) = s else {
        return Value::Object(out);
    };
    let text: Vec<Value> = s
        .text_log_settings()
        .iter()
        .map(|t| {
            let mut m = Map::new();
            m.insert("enabled".into(), json!(t.enabled()));
            if let Some(cw) = t.destination().and_then(|d| d.cloud_watch()) {
                m.insert(
                    "destination".into(),
                    json!({"cloudWatch": {"cloudWatchLogGroupArn": cw.cloud_watch_log_group_arn(), "logPrefix": cw.log_prefix()}}),
                );
            }
            if let Some(sel) = t.selective_logging_enabled() {
                m.insert("selectiveLoggingEnabled".into(), json!(sel));
            }
            Value::Object(m)
        })
        .collect();
    if !text.is_empty() {
        out.insert("textLogSettings".into(), Value::Array(text));
    }
    let audio: Vec<Value> = s
        .audio_log_settings()
        .iter()
        .map(|a| {
            let mut m = Map::new();
            m.insert("enabled".into(), json!(a.enabled()));
            if let Some(b) = a.destination().and_then(|d| d.s3_bucket()) {
                let mut bucket = Map::new();
                bucket.insert("s3BucketArn".into(), json!(b.s3_bucket_arn()));
                bucket.insert("logPrefix".into(), json!(b.log_prefix()));
                if let Some(k) = b.kms_key_arn() {
                    bucket.insert("kmsKeyArn".into(), json!(k));
                }
                m.insert("destination".into(), json!({"s3Bucket": bucket}));
            }
            if let Some(sel) = a.selective_logging_enabled() {
                m.insert("selectiveLoggingEnabled".into(), json!(sel));
            }
            Value::Object(m)
        })
        .collect();
    if !audio.is_empty() {
        out.insert("audioLogSettings".into(), Value::Array(audio));
    }
    Value::Object(out)
}

fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(v, |v, k| v.get(k))?.as_str()
}

/// The settings `plan::lex` wants (the API's JSON names) as the SDK's types.
pub fn settings_from_json(v: &Value) -> Result<ConversationLogSettings, BuildError> {
    let mut b = ConversationLogSettings::builder();
    for t in v
        .get("textLogSettings")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let cw = CloudWatchLogGroupLogDestination::builder()
            .cloud_watch_log_group_arn(
                str_at(t, &["destination", "cloudWatch", "cloudWatchLogGroupArn"])
                    .unwrap_or_default(),
            )
            .log_prefix(str_at(t, &["destination", "cloudWatch", "logPrefix"]).unwrap_or_default())
            .build()?;
        b = b.text_log_settings(
            TextLogSetting::builder()
                .enabled(t.get("enabled").and_then(Value::as_bool).unwrap_or(true))
                .destination(TextLogDestination::builder().cloud_watch(cw).build())
                .set_selective_logging_enabled(
                    t.get("selectiveLoggingEnabled").and_then(Value::as_bool),
                )
                .build(),
        );
    }
    for a in v
        .get("audioLogSettings")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let s3 = S3BucketLogDestination::builder()
            .s3_bucket_arn(
                str_at(a, &["destination", "s3Bucket", "s3BucketArn"]).unwrap_or_default(),
            )
            .log_prefix(str_at(a, &["destination", "s3Bucket", "logPrefix"]).unwrap_or_default())
            .set_kms_key_arn(
                str_at(a, &["destination", "s3Bucket", "kmsKeyArn"]).map(str::to_owned),
            )
            .build()?;
        b = b.audio_log_settings(
            AudioLogSetting::builder()
                .enabled(a.get("enabled").and_then(Value::as_bool).unwrap_or(true))
                .destination(AudioLogDestination::builder().s3_bucket(s3).build())
                .set_selective_logging_enabled(
                    a.get("selectiveLoggingEnabled").and_then(Value::as_bool),
                )
                .build(),
        );
    }
    Ok(b.build())
}

/// Why a role policy IAM returned cannot be read.
#[derive(Debug, thiserror::Error)]
enum PolicyDocumentError {
    #[error("its URL-decoded bytes are not UTF-8: {0}")]
    NotUtf8(#[from] std::string::FromUtf8Error),
    #[error("it is not JSON: {0}")]
    NotJson(#[from] serde_json::Error),
}

/// IAM returns policy documents URL-encoded (RFC 3986); a server that does not is read as is.
fn policy_document(text: &str) -> Result<Value, PolicyDocumentError> {
    if let Ok(v) = serde_json::from_str(text) {
        return Ok(v);
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b, hex) {
            (b'%', Some(decoded)) => {
                out.push(decoded);
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    let decoded = String::from_utf8(out)?;
    Ok(serde_json::from_str(&decoded)?)
}

impl SdkLex {
    async fn describe(&self, bot_id: &str, alias_id: &str) -> Result<Option<Describe>, AwsError> {
        let resource = format!("{bot_id}/{alias_id}");
        let result = self
            .lex_calls
            .call(
                call("DescribeBotAlias", "lex:DescribeBotAlias", &resource, true),
                json!({"botId": bot_id, "botAliasId": alias_id}),
                self.lex
                    .describe_bot_alias()
                    .bot_id(bot_id)
                    .bot_alias_id(alias_id)
                    .send(),
                |o| json!({"botAliasId": o.bot_alias_id(), "botAliasName": o.bot_alias_name()}),
            )
            .await;
        match result {
            Ok(out) => Ok(Some(out)),
            Err(e) if is_not_found(&e) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

type Describe = aws_sdk_lexmodelsv2::operation::describe_bot_alias::DescribeBotAliasOutput;

fn live_alias(d: &Describe) -> LiveAlias {
    LiveAlias {
        id: d.bot_alias_id().unwrap_or_default().to_owned(),
        name: d.bot_alias_name().unwrap_or_default().to_owned(),
        conversation_log_settings: settings_to_json(d.conversation_log_settings()),
    }
}

impl LexApi for SdkLex {
    async fn alias_by_id(
        &self,
        bot_id: String,
        alias_id: String,
    ) -> Result<Option<LiveAlias>, AwsError> {
        Ok(self
            .describe(&bot_id, &alias_id)
            .await?
            .as_ref()
            .map(live_alias))
    }

    async fn alias_by_name(
        &self,
        bot_id: String,
        name: String,
    ) -> Result<Option<LiveAlias>, AwsError> {
        let fetch = |token: Option<String>| {
            self.lex_calls.call(
                call("ListBotAliases", "lex:ListBotAliases", &bot_id, true),
                json!({"botId": bot_id, "nextToken": token}),
                self.lex
                    .list_bot_aliases()
                    .bot_id(&bot_id)
                    .set_next_token(token)
                    .send(),
                |o| json!({"botAliasSummaries": o.bot_alias_summaries().len()}),
            )
        };
        let found = paginate(
            fetch,
            |o: &ListBotAliasesOutput| o.next_token(),
            |out| match out
                .bot_alias_summaries()
                .iter()
                .find(|s| s.bot_alias_name() == Some(name.as_str()))
                .and_then(|s| s.bot_alias_id().map(str::to_owned))
            {
                Some(id) => ControlFlow::Break(id),
                None => ControlFlow::Continue(()),
            },
        )
        .await;
        match found {
            Ok(Some(id)) => self.alias_by_id(bot_id, id).await,
            Ok(None) => Ok(None),
            // The bot itself is gone: it has no aliases.
            Err(e) if is_not_found(&e) => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn role_policy(
        &self,
        role_name: String,
        policy_name: String,
    ) -> Result<Option<Value>, AwsError> {
        let result = self
            .iam_calls
            .call(
                call("GetRolePolicy", "iam:GetRolePolicy", &role_name, true),
                json!({"roleName": role_name, "policyName": policy_name}),
                self.iam
                    .get_role_policy()
                    .role_name(&role_name)
                    .policy_name(&policy_name)
                    .send(),
                |_| Value::Null,
            )
            .await;
        match result {
            Ok(out) => policy_document(out.policy_document())
                .map(Some)
                .map_err(|e| {
                    AwsError::local(
                        "iam:GetRolePolicy",
                        &role_name,
                        format!("the policy document does not parse: {e}"),
                    )
                }),
            Err(e) if is_not_found(&e) => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn execute(&self, operation: LexOperation) -> Result<(), AwsError> {
        match operation {
            LexOperation::PutRolePolicy {
                role_name,
                policy_name,
                document,
            } => {
                let text = document.to_string();
                self.iam_calls
                    .write(
                        call("PutRolePolicy", "iam:PutRolePolicy", &role_name, false),
                        json!({"roleName": role_name, "policyName": policy_name, "policyDocument": document}),
                        self.iam
                            .put_role_policy()
                            .role_name(&role_name)
                            .policy_name(&policy_name)
                            .policy_document(text)
                            .send(),
                    )
                    .await
            }
            LexOperation::UpdateBotAliasConversationLogs {
                bot_id,
                alias_id,
                settings,
            } => {
                let resource = format!("{bot_id}/{alias_id}");
                let invalid = |message: &dyn std::fmt::Display| {
                    AwsError::local("lex:UpdateBotAlias", &resource, message)
                };
                // Read, modify, write: everything but the logs goes back as it is now.
                let current = self
                    .describe(&bot_id, &alias_id)
                    .await?
                    .ok_or_else(|| invalid(&"the alias no longer exists"))?;
                let logs = settings_from_json(&settings).map_err(|e| invalid(&e))?;
                let locales: Option<HashMap<_, _>> = current.bot_alias_locale_settings().cloned();
                self.lex_calls
                    .call(
                        call("UpdateBotAlias", "lex:UpdateBotAlias", &resource, false),
                        json!({"botId": bot_id, "botAliasId": alias_id, "conversationLogSettings": settings}),
                        self.lex
                            .update_bot_alias()
                            .bot_id(&bot_id)
                            .bot_alias_id(&alias_id)
                            .set_bot_alias_name(current.bot_alias_name().map(str::to_owned))
                            .set_description(current.description().map(str::to_owned))
                            .set_bot_version(current.bot_version().map(str::to_owned))
                            .set_bot_alias_locale_settings(locales)
                            .set_sentiment_analysis_settings(
                                current.sentiment_analysis_settings().cloned(),
                            )
                            .conversation_log_settings(logs)
                            .send(),
                        |o| json!({"botAliasStatus": o.bot_alias_status().map(|s| s.as_str())}),
                    )
                    .await?;
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_survive_the_sdk_types_both_ways() {
        let v = json!({
            "textLogSettings": [{"enabled": true, "destination": {"cloudWatch": {"cloudWatchLogGroupArn": "arn:aws:logs:us-east-1:111122223333:log-group:/lex/t", "logPrefix": "p/"}}, "selectiveLoggingEnabled": true}],
            "audioLogSettings": [{"enabled": true, "destination": {"s3Bucket": {"s3BucketArn": "arn:aws:s3:::b", "logPrefix": "a/", "kmsKeyArn": "arn:aws:kms:us-east-1:111122223333:key/k"}}}]
        });
        let sdk = settings_from_json(&v).unwrap();
        assert_eq!(settings_to_json(Some(&sdk)), v);
        assert_eq!(settings_to_json(None), json!({}));
    }

    #[test]
    fn policy_documents_are_read_url_encoded_or_not() {
        let doc = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/a %{x}/*"}]});
        let encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3APutObject%22%2C%22Resource%22%3A%22arn%3Aaws%3As3%3A%3A%3Ab%2Fa%20%25%7Bx%7D%2F%2A%22%7D%5D%7D";
        assert_eq!(policy_document(encoded).unwrap(), doc);
        assert_eq!(policy_document(&doc.to_string()).unwrap(), doc);
        assert!(policy_document("%7Bnot json").is_err());
    }
}
