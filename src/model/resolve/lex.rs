//! Lex V2 bots: which alias, which role, and where the text and audio logs go; Lex V1
//! `conversationLogs` become the same V2 settings (aws-facts.md §1(g)).

use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::diagnostic::{Diagnostic, Rule};
use crate::model::logical_id::logical_id;
use crate::model::{Bot, BotAlias, BotLog, DestinationKind};
use crate::spec::constraints::{self as c, LexV1Resource};
use crate::spec::load::{Entry, Origin};
use crate::spec::source::Anchor;
use crate::spec::types::{self, DestinationKind as SpecKind, LexV1Destination, LexV1LogType};
use crate::suggest;

use super::{ImpliedDestination, Placement, Resolver, Whence};

type Placed<'a> = BTreeMap<String, (Placement<'a>, &'a Entry<types::Destination>)>;

/// One of a bot's two logs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Log {
    Text,
    Audio,
}

impl Log {
    fn name(self) -> &'static str {
        match self {
            Log::Text => "text logs",
            Log::Audio => "audio logs",
        }
    }
    /// Lex writes text logs to a log group and audio logs to a bucket (aws-facts.md §1(g)).
    fn accepts(self, kind: &SpecKind) -> bool {
        matches!(
            (self, kind),
            (Log::Text, SpecKind::CloudWatchLogs(_)) | (Log::Audio, SpecKind::S3(_))
        )
    }
    fn wanted(self) -> &'static str {
        match self {
            Log::Text => "a CloudWatch Logs log group",
            Log::Audio => "an S3 bucket",
        }
    }
}

fn describe_kind(kind: &SpecKind) -> String {
    match kind {
        SpecKind::S3(s3) => format!("the S3 bucket `{}`", s3.bucket),
        SpecKind::CloudWatchLogs(cw) => format!("the log group `{}`", cw.log_group),
        SpecKind::Firehose(fh) => format!("the Firehose stream `{}`", fh.delivery_stream),
    }
}

/// What a bot's logs resolved to.
struct Resolved {
    text: Option<BotLog>,
    audio: Option<BotLog>,
    /// For the V1 carry-over warning: what each log now goes to, in words.
    carried: Vec<String>,
}

impl<'a> Resolver<'a> {
    /// Resolves every bot, and the destinations its Lex V1 settings imply (deduplicated: two
    /// bots that logged to one log group share one implied destination).
    pub(super) fn place_bots(
        &mut self,
        destinations: &Placed<'a>,
    ) -> (Vec<(Placement<'a>, Bot)>, Vec<ImpliedDestination<'a>>) {
        let spec = self.spec;
        let mut bots = Vec::new();
        let mut implied = Vec::new();
        for (key, entry) in &spec.bots {
            let bot = &entry.value;
            let what = format!("bot `{key}`");
            self.check_tags(&what, &entry.origin, &bot.tags);
            let placement = self.place(
                &what,
                &entry.origin,
                bot.account.as_ref(),
                bot.region.as_ref(),
                None,
            );
            let alias = self.bot_alias(&what, entry);
            let role = self.bot_role(&what, entry, placement.as_ref());
            let logs = match &bot.conversation_logs {
                Some(v1) => {
                    let v1_origin = entry.origin.child("conversationLogs");
                    let with_v2: Vec<&str> = [
                        bot.text_logs.as_ref().map(|_| "text_logs"),
                        bot.audio_logs.as_ref().map(|_| "audio_logs"),
                    ]
                    .into_iter()
                    .flatten()
                    .collect();
                    if !with_v2.is_empty() {
                        self.push(
                            Diagnostic::new(
                                Rule::LexV1Settings,
                                format!(
                                    "{what} has both Lex V1 `conversationLogs` and Lex V2 `{}`",
                                    with_v2.join("` and `")
                                ),
                            )
                            .at(self.at(&v1_origin, Anchor::Key))
                            .help("keep one: the V2 settings, or the V1 `conversationLogs` that chatlog carries over"),
                        );
                        None
                    } else {
                        let logs = self.translate_v1(
                            key.as_str(),
                            &what,
                            &v1_origin,
                            v1,
                            placement.as_ref(),
                            destinations,
                            &mut implied,
                        );
                        if let Some(logs) = &logs {
                            let d = translated_warning(self, &what, &v1_origin, logs, v1);
                            self.push(d);
                        }
                        logs
                    }
                }
                None => {
                    let text = bot.text_logs.as_ref().and_then(|t| {
                        self.v2_log(
                            &what,
                            Log::Text,
                            &t.destination,
                            &entry.origin.child("text_logs"),
                            placement.as_ref(),
                            destinations,
                        )
                        .map(|destination| BotLog {
                            destination,
                            log_prefix: t
                                .log_prefix
                                .as_ref()
                                .map(ToString::to_string)
                                .unwrap_or_default(),
                            kms_key_arn: None,
                            selective_logging: t.selective_logging,
                        })
                    });
                    let audio = bot.audio_logs.as_ref().and_then(|a| {
                        self.v2_log(
                            &what,
                            Log::Audio,
                            &a.destination,
                            &entry.origin.child("audio_logs"),
                            placement.as_ref(),
                            destinations,
                        )
                        .map(|destination| BotLog {
                            destination,
                            log_prefix: a
                                .log_prefix
                                .as_ref()
                                .map(ToString::to_string)
                                .unwrap_or_default(),
                            kms_key_arn: a.kms_key_arn.as_ref().map(ToString::to_string),
                            selective_logging: a.selective_logging,
                        })
                    });
                    Some(Resolved {
                        text,
                        audio,
                        carried: Vec::new(),
                    })
                }
            };
            if let (Some(placement), Some(alias), Some(role_arn), Some(logs)) =
                (placement, alias, role, logs)
            {
                bots.push((
                    placement,
                    Bot {
                        key: key.to_string(),
                        logical_id: logical_id("Bot", key.as_str()),
                        bot_id: bot.bot_id.to_string(),
                        alias,
                        role_arn,
                        text_logs: logs.text,
                        audio_logs: logs.audio,
                        from_v1: bot.conversation_logs.is_some(),
                        tags: super::merged_tags(spec, &bot.tags),
                        origin: entry.origin.clone(),
                    },
                ));
            }
        }
        (bots, implied)
    }

    /// Exactly one of `alias_id` (an alias that exists) and `alias` (one the spec owns), CL042.
    fn bot_alias(&mut self, what: &str, entry: &Entry<types::Bot>) -> Option<BotAlias> {
        let bot = &entry.value;
        match (&bot.alias_id, &bot.alias) {
            (Some(id), None) => Some(BotAlias::Existing { id: id.to_string() }),
            (None, Some(a)) => Some(BotAlias::Owned {
                name: a.name.to_string(),
                bot_version: a.bot_version.as_ref().map(ToString::to_string),
                description: a.description.as_ref().map(ToString::to_string),
            }),
            (Some(_), Some(_)) => {
                self.push(
                    Diagnostic::new(
                        Rule::BotAlias,
                        format!("{what} names an existing alias (`alias_id`) and one to create (`alias`)"),
                    )
                    .at(self.at(&entry.origin.child("alias"), Anchor::Key))
                    .help("keep `alias_id` for an alias that exists (chatlog renders the settings to apply to it), or `alias` for one CloudFormation creates"),
                );
                None
            }
            (None, None) => {
                self.push(
                    Diagnostic::new(Rule::BotAlias, format!("{what} names no alias"))
                        .at(self.at(&entry.origin, Anchor::Key))
                        .help("conversation logs are settings of a bot alias: add `alias_id: ALIASID` for an alias that exists, or `alias: { name: NAME }` for one the spec owns"),
                );
                None
            }
        }
    }

    /// The bot's role: `role_arn`, or the V1 `iamRoleArn` (the same role when both are given),
    /// in the bot's account (CL046).
    fn bot_role(
        &mut self,
        what: &str,
        entry: &Entry<types::Bot>,
        placement: Option<&Placement>,
    ) -> Option<String> {
        let bot = &entry.value;
        let v1 = bot.conversation_logs.as_ref().map(|v| &v.iam_role_arn);
        let (role, origin) = match (&bot.role_arn, v1) {
            (Some(role), Some(v1_role)) if role != v1_role => {
                self.push(
                    Diagnostic::new(
                        Rule::LexV1Settings,
                        format!("{what} has role `{role}` but its V1 `iamRoleArn` is `{v1_role}`"),
                    )
                    .at(self.at(
                        &entry.origin.child("conversationLogs").child("iamRoleArn"),
                        Anchor::Value,
                    ))
                    .related(
                        "the bot's role is set here",
                        self.at(&entry.origin.child("role_arn"), Anchor::Value),
                    )
                    .help("a Lex V2 bot writes its logs with one role, the bot's own; name the same role in both places, or drop `role_arn` to use the V1 one"),
                );
                return None;
            }
            (Some(role), _) => (role, entry.origin.child("role_arn")),
            (None, Some(v1_role)) => (
                v1_role,
                entry.origin.child("conversationLogs").child("iamRoleArn"),
            ),
            (None, None) => {
                self.push(
                    Diagnostic::new(Rule::Schema, format!("missing required key `role_arn` in {what}"))
                        .at(self.at(&entry.origin, Anchor::Key))
                        .help("name the bot's IAM role (the `roleArn` it was created with): Lex writes conversation logs with it, and chatlog renders the permissions it needs"),
                );
                return None;
            }
        };
        if let Some(p) = placement {
            let account = c::role_arn_account(role.as_str());
            if account != Some(p.account.as_ref()) {
                self.push(
                    Diagnostic::new(
                        Rule::BotPlacement,
                        match account {
                            Some(other) => format!(
                                "{what} is in account `{}` but its role `{role}` is in account `{other}`",
                                p.account
                            ),
                            None => format!(
                                "{what} is in account `{}` but its role `{role}` names no account",
                                p.account
                            ),
                        },
                    )
                    .at(self.at(&origin, Anchor::Value))
                    .related(
                        format!("{what} gets its account here"),
                        self.at(&p.account_from.origin(), Anchor::Value),
                    )
                    .help("a bot's role is in the bot's account; name that role"),
                );
                return None;
            }
        }
        Some(role.to_string())
    }

    /// A V2 `text_logs` / `audio_logs` destination: known (CL030), of the right kind (CL045),
    /// in the bot's region and account (CL046). Returns the destination's key.
    fn v2_log(
        &mut self,
        what: &str,
        log: Log,
        reference: &str,
        section: &Origin,
        bot: Option<&Placement<'a>>,
        destinations: &Placed<'a>,
    ) -> Option<String> {
        let spec = self.spec;
        let at = section.child("destination");
        let declared = types::EntryKey::try_from(reference.to_owned())
            .ok()
            .and_then(|k| spec.destinations.get(&k));
        let Some(declared) = declared else {
            let names = spec.destinations.keys().map(types::EntryKey::as_str);
            let mut d = Diagnostic::new(
                Rule::UnknownReference,
                format!(
                    "{what} sends {} to unknown destination `{reference}`",
                    log.name()
                ),
            )
            .at(self.at(&at, Anchor::Value));
            d = match suggest::did_you_mean(reference, names) {
                Some(hint) => d.help(hint),
                None => d.help("add it under `destinations`, or name one that exists"),
            };
            self.push(d);
            return None;
        };
        if !log.accepts(&declared.value.kind) {
            self.push(
                Diagnostic::new(
                    Rule::BotLogKind,
                    format!(
                        "{what} sends {} to destination `{reference}`, {}",
                        log.name(),
                        describe_kind(&declared.value.kind)
                    ),
                )
                .at(self.at(&at, Anchor::Value))
                .related(
                    format!("destination `{reference}` is defined here"),
                    self.at(&declared.origin, Anchor::Key),
                )
                .help(format!(
                    "Lex delivers text logs to a CloudWatch Logs log group and audio logs to an S3 bucket; name {} here",
                    log.wanted()
                )),
            );
            return None;
        }
        let (theirs, _) = destinations.get(reference)?;
        let theirs = theirs.clone();
        if let Some(mine) = bot {
            self.check_bot_place(
                what,
                mine,
                &at,
                &format!("destination `{reference}`"),
                &theirs,
            );
        }
        Some(reference.to_owned())
    }

    /// A bot's log group or bucket is in the bot's region and account (CL046, seed 004).
    fn check_bot_place(
        &mut self,
        what: &str,
        mine: &Placement,
        primary: &Origin,
        other_what: &str,
        other: &Placement,
    ) {
        let at = self.at(primary, Anchor::Value);
        let mut differs = Vec::new();
        if mine.region != other.region {
            differs.push(format!(
                "in `{}` but {other_what} is in `{}`",
                mine.region, other.region
            ));
        }
        if mine.account != other.account {
            differs.push(format!(
                "in account `{}` but {other_what} is in account `{}`",
                mine.account, other.account
            ));
        }
        if differs.is_empty() {
            return;
        }
        let d = Diagnostic::new(
            Rule::BotPlacement,
            format!("{what} is {}", differs.join(", and ")),
        )
        .at(at)
        .related(
            format!("{what} gets its region here"),
            self.at(&mine.region_from.origin(), Anchor::Value),
        )
        .related(
            format!("{other_what} gets its region here"),
            self.at(&other.region_from.origin(), Anchor::Value),
        )
        .help("Lex writes conversation logs only to a log group or bucket in the bot's region and account; use one there");
        self.push(d);
    }

    /// Lex V1 `conversationLogs` as V2 settings. Each log setting names its log group or bucket
    /// by ARN: a destination of the spec with that identity, or an existing resource the spec
    /// did not declare (an implied destination). `None` when an entry cannot be carried over.
    #[allow(clippy::too_many_arguments)]
    fn translate_v1(
        &mut self,
        bot_key: &str,
        what: &str,
        v1_origin: &Origin,
        v1: &types::LexV1ConversationLogs,
        bot: Option<&Placement<'a>>,
        destinations: &Placed<'a>,
        implied: &mut Vec<ImpliedDestination<'a>>,
    ) -> Option<Resolved> {
        let mut resolved = Resolved {
            text: None,
            audio: None,
            carried: Vec::new(),
        };
        let mut seen: BTreeMap<&'static str, usize> = BTreeMap::new();
        let mut ok = true;
        for (i, setting) in v1.log_settings.iter().enumerate() {
            let origin = v1_origin.child("logSettings").child(&i.to_string());
            let log = match setting.log_type {
                LexV1LogType::Text => Log::Text,
                LexV1LogType::Audio => Log::Audio,
            };
            if let Some(first) = seen.insert(log.name(), i) {
                self.push(
                    Diagnostic::new(
                        Rule::LexV1Settings,
                        format!("{what} has two V1 log settings for {}", log.name()),
                    )
                    .at(self.at(&origin.child("logType"), Anchor::Value))
                    .related(
                        "the first one",
                        self.at(
                            &v1_origin
                                .child("logSettings")
                                .child(&first.to_string())
                                .child("logType"),
                            Anchor::Value,
                        ),
                    )
                    .help("an alias has at most one TEXT and one AUDIO log setting; remove one"),
                );
                ok = false;
                continue;
            }
            let said = match setting.destination {
                LexV1Destination::CloudWatchLogs => "CLOUDWATCH_LOGS",
                LexV1Destination::S3 => "S3",
            };
            let consistent = matches!(
                (log, setting.destination),
                (Log::Text, LexV1Destination::CloudWatchLogs) | (Log::Audio, LexV1Destination::S3)
            );
            if !consistent {
                self.push(
                    Diagnostic::new(
                        Rule::BotLogKind,
                        format!("{what} sends V1 {} to `{said}`", log.name()),
                    )
                    .at(self.at(&origin.child("destination"), Anchor::Value))
                    .help(format!(
                        "Lex delivers text logs to a CloudWatch Logs log group and audio logs to an S3 bucket; {} go to {}",
                        log.name(),
                        log.wanted()
                    )),
                );
                ok = false;
                continue;
            }
            let resource = match c::parse_lex_v1_resource_arn(setting.resource_arn.as_str()) {
                Ok(r) => r,
                Err(_) => {
                    ok = false;
                    continue; // refused by the schema already (CL047)
                }
            };
            let arn_at = origin.child("resourceArn");
            let matches_kind = matches!(
                (&resource, log),
                (LexV1Resource::LogGroup { .. }, Log::Text)
                    | (LexV1Resource::Bucket { .. }, Log::Audio)
            );
            if !matches_kind {
                self.push(
                    Diagnostic::new(
                        Rule::LexV1Settings,
                        format!(
                            "{what}'s V1 log setting for {} says `{said}` but its resourceArn is not {}",
                            log.name(),
                            log.wanted()
                        ),
                    )
                    .at(self.at(&arn_at, Anchor::Value))
                    .help("give the ARN of the log group (TEXT, CLOUDWATCH_LOGS) or bucket (AUDIO, S3) the alias logged to"),
                );
                ok = false;
                continue;
            }
            if log == Log::Text && setting.kms_key_arn.is_some() {
                self.push(
                    Diagnostic::new(
                        Rule::LexV1Settings,
                        format!("{what}'s V1 text log setting has a KMS key"),
                    )
                    .at(self.at(&origin.child("kmsKeyArn"), Anchor::Value))
                    .help("Lex encrypts only audio logs with a key of yours; to encrypt text logs, encrypt the log group itself"),
                );
                ok = false;
                continue;
            }
            let Some((key, described)) = self.v1_target(
                bot_key,
                what,
                log,
                &resource,
                &arn_at,
                bot,
                destinations,
                implied,
            ) else {
                ok = false;
                continue;
            };
            resolved
                .carried
                .push(format!("{} to {described}", log.name()));
            let entry = BotLog {
                destination: key,
                log_prefix: setting
                    .resource_prefix
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
                kms_key_arn: setting.kms_key_arn.as_ref().map(ToString::to_string),
                selective_logging: None,
            };
            match log {
                Log::Text => resolved.text = Some(entry),
                Log::Audio => resolved.audio = Some(entry),
            }
        }
        ok.then_some(resolved)
    }

    /// The destination a V1 resource ARN names: the spec's own destination with that identity,
    /// else an implied one (created once per resource), in the bot's region and account (CL046).
    #[allow(clippy::too_many_arguments)]
    fn v1_target(
        &mut self,
        bot_key: &str,
        what: &str,
        log: Log,
        resource: &LexV1Resource<'_>,
        arn_at: &Origin,
        bot: Option<&Placement<'a>>,
        destinations: &Placed<'a>,
        implied: &mut Vec<ImpliedDestination<'a>>,
    ) -> Option<(String, String)> {
        let declared = destinations
            .iter()
            .find(|(_, (p, e))| match (&e.value.kind, resource) {
                (
                    SpecKind::CloudWatchLogs(cw),
                    LexV1Resource::LogGroup {
                        region,
                        account,
                        name,
                    },
                ) => cw.log_group.as_str() == *name && p.region == *region && p.account == *account,
                (SpecKind::S3(s3), LexV1Resource::Bucket { name }) => s3.bucket.as_str() == *name,
                _ => false,
            });
        let resource_words = match resource {
            LexV1Resource::LogGroup { name, .. } => format!("log group `{name}`"),
            LexV1Resource::Bucket { name } => format!("bucket `{name}`"),
        };
        let (key, placement, other_what) = if let Some((key, (p, _))) = declared {
            (
                key.clone(),
                p.clone(),
                format!("destination `{key}` ({resource_words})"),
            )
        } else {
            let kind = match resource {
                LexV1Resource::LogGroup { name, .. } => DestinationKind::CloudWatchLogs {
                    log_group: (*name).to_owned(),
                    retention_days: None,
                },
                LexV1Resource::Bucket { name } => DestinationKind::S3 {
                    bucket: (*name).to_owned(),
                },
            };
            // A bucket ARN carries no region or account: the bucket is taken to be the bot's.
            let placement = match resource {
                LexV1Resource::LogGroup {
                    region, account, ..
                } => Placement {
                    account: Cow::Owned((*account).to_owned()),
                    region: Cow::Owned((*region).to_owned()),
                    account_from: Whence::At(Cow::Owned(arn_at.clone())),
                    region_from: Whence::At(Cow::Owned(arn_at.clone())),
                },
                LexV1Resource::Bucket { .. } => bot?.clone(),
            };
            let same = |i: &&ImpliedDestination| {
                i.kind == kind
                    && (matches!(kind, DestinationKind::S3 { .. })
                        || (i.placement.account == placement.account
                            && i.placement.region == placement.region))
            };
            let key = match implied.iter().find(same) {
                Some(existing) => existing.key.clone(),
                None => {
                    let key = format!(
                        "{bot_key}.{}",
                        match log {
                            Log::Text => "text",
                            Log::Audio => "audio",
                        }
                    );
                    implied.push(ImpliedDestination {
                        key: key.clone(),
                        placement: placement.clone(),
                        kind,
                        origin: arn_at.clone(),
                    });
                    key
                }
            };
            (key, placement, resource_words)
        };
        if let Some(mine) = bot {
            self.check_bot_place(what, mine, arn_at, &other_what, &placement);
            if mine.region != placement.region || mine.account != placement.account {
                return None;
            }
        }
        Some((key, other_what))
    }
}

/// CL048: what was carried over, and why chatlog says so.
fn translated_warning(
    r: &Resolver<'_>,
    what: &str,
    v1_origin: &Origin,
    logs: &Resolved,
    v1: &types::LexV1ConversationLogs,
) -> Diagnostic {
    let mut parts = logs.carried.clone();
    if parts.is_empty() {
        parts.push("no logs".to_owned());
    }
    Diagnostic::new(
        Rule::LexV1Translated,
        format!(
            "{what}: Lex V1 `conversationLogs` carried over as Lex V2 settings ({}, role `{}`)",
            parts.join(", "),
            v1.iam_role_arn
        ),
    )
    .at(r.at(v1_origin, Anchor::Key))
    .help("Lex V1 reached end of support on 2025-09-15 and AWS's migration to Lex V2 does not carry conversation-log settings, so chatlog applies these to the V2 alias; write them as `role_arn`, `text_logs` and `audio_logs` to make that explicit")
}
