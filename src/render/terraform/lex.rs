//! Lex V2 bots in a deployment's module. The AWS provider has no released Lex V2 bot-alias
//! resource (aws_lexv2models_bot_alias is an unfinished scaffold; the pull request that adds
//! conversation_log_settings is open, aws-facts.md §1(f)), so the module holds what the provider
//! can express, the inline policy on the bot's role (aws_iam_role_policy), and hands the alias's
//! settings over as an output.
//!
//! Why not awscc_lex_bot_alias (Cloud Control): it would add a second provider whose schema the
//! tests cannot check (tests/data holds the hashicorp/aws schema only), and an alias that exists
//! would first have to be imported into it, after which Terraform owns the whole alias (its
//! version, locales, code hooks), far more than its conversation logs.

use crate::model::{Bot, BotAlias, Deployment};
use crate::policy::lex::{conversation_log_settings, role_policy, role_policy_name};

use super::hcl::{self, Expr, Ident};
use super::{id, jsonencode, output, resource};

/// One aws_iam_role_policy per bot that logs anything.
pub(super) fn resources(f: &mut hcl::File, dep: &Deployment) {
    for bot in &dep.bots {
        let Some(policy) = role_policy(dep, bot) else {
            continue;
        };
        f.push_commented(
            vec![
                format!(
                    "Lex V2 bot `{}` ({}): what its role `{}` needs to write the conversation logs.",
                    bot.key, bot.bot_id, bot.role_arn
                ),
                "The alias's conversation-log settings are in output lex_conversation_log_settings: the AWS provider has no released Lex V2 bot-alias resource, so apply them with UpdateBotAlias (`chatlog apply`).".to_owned(),
            ],
            resource("aws_iam_role_policy", &Ident::from_key(&bot.key))
                .attr(&id("name"), Expr::str(role_policy_name(bot)))
                .attr(&id("role"), Expr::str(bot.role_name()))
                .attr(&id("policy"), jsonencode(&policy)),
        );
    }
}

fn alias_entry(bot: &Bot) -> (String, Expr) {
    match &bot.alias {
        BotAlias::Existing { id } => ("botAliasId".to_owned(), Expr::str(id.clone())),
        BotAlias::Owned { name, .. } => ("botAliasName".to_owned(), Expr::str(name.clone())),
    }
}

/// `lex_conversation_log_settings`: by bot key, the bot and alias and the settings in
/// UpdateBotAlias's shape (the same value as the policies folder's lex-settings file).
pub(super) fn outputs(f: &mut hcl::File, dep: &Deployment) {
    if dep.bots.is_empty() {
        return;
    }
    let entries = dep
        .bots
        .iter()
        .map(|bot| {
            let settings = conversation_log_settings(dep, bot);
            (
                bot.key.clone(),
                Expr::Object(vec![
                    ("botId".to_owned(), Expr::str(bot.bot_id.clone())),
                    alias_entry(bot),
                    (
                        "conversationLogSettings".to_owned(),
                        Expr::from_json(&settings),
                    ),
                ]),
            )
        })
        .collect();
    f.push_commented(
        vec![
            "No released resource of the AWS provider can hold a Lex V2 alias's conversation logs. Apply these with UpdateBotAlias, which replaces the whole alias: read it first (describe-bot-alias) and send everything else back unchanged; `chatlog apply` does that. An alias listed by name (botAliasName) is one the spec owns: the CloudFormation target creates it.".to_owned(),
        ],
        output(
            "lex_conversation_log_settings",
            "By bot: the Lex V2 alias's conversationLogSettings, as UpdateBotAlias takes them",
            entries,
        ),
    );
}
