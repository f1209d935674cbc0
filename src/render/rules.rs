//! Target rules: what a spec may say for the API but a render target cannot express. Each
//! names the limit, the alternative, and points at the spec line.

use crate::diagnostic::{Diagnostic, Location, Rule};
use crate::model::{BotAlias, Model};
use crate::policy::lex::uses_selective_logging;
use crate::policy::limits::{
    CFN_MAX_MESSAGE_RATE, CFN_MAX_OUTPUTS, CFN_MAX_RESOURCES, CWL_ACCOUNT_POLICY_SLOTS,
};
use crate::policy::plan;
use crate::spec::load::Origin;
use crate::spec::source::{Anchor, Sources};

use super::{Target, cloudformation};

pub fn check(model: &Model, sources: &Sources, targets: &[Target]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let cfn = targets.contains(&Target::CloudFormation);
    if cfn || targets.contains(&Target::Terraform) {
        out.extend(super::stack_sets::check(model, sources));
    }
    for dep in &model.deployments {
        let policies = plan::for_deployment(dep);
        if cfn {
            for room in &dep.rooms {
                if let Some(rate) = room.maximum_message_rate_per_second
                    && rate > CFN_MAX_MESSAGE_RATE
                {
                    let at = room.origin.child("maximum_message_rate_per_second");
                    out.push(
                            Diagnostic::new(
                                Rule::CfnMessageRate,
                                format!("room `{}` allows {rate} messages per second, CloudFormation accepts at most {CFN_MAX_MESSAGE_RATE}", room.key),
                            )
                            .at(sources.locate(at.file, &at.pointer, Anchor::Value))
                            .help(format!("AWS::IVSChat::Room caps MaximumMessageRatePerSecond at {CFN_MAX_MESSAGE_RATE} while the IVS Chat API allows 100; lower it to {CFN_MAX_MESSAGE_RATE}, or create this room with `chatlog apply` instead of CloudFormation")),
                        );
                }
                for (key, value) in &room.tags {
                    if value.is_empty() {
                        out.push(
                            Diagnostic::new(
                                Rule::CfnEmptyRoomTagValue,
                                format!("room `{}` has tag `{key}` with an empty value, which CloudFormation refuses on rooms", room.key),
                            )
                            .at(tag_location(sources, &room.origin, key))
                            .help("AWS::IVSChat::Room requires tag values of at least 1 character while the IVS Chat API accepts empty ones; give the tag a value (it may come from `defaults.tags`), or create this room with `chatlog apply`"),
                        );
                    }
                }
            }
            for bot in &dep.bots {
                if matches!(bot.alias, BotAlias::Owned { .. }) && uses_selective_logging(bot) {
                    let section = if bot
                        .text_logs
                        .as_ref()
                        .is_some_and(|l| l.selective_logging == Some(true))
                    {
                        "text_logs"
                    } else {
                        "audio_logs"
                    };
                    let at = bot.origin.child(section).child("selective_logging");
                    out.push(
                        Diagnostic::new(
                            Rule::CfnSelectiveLogging,
                            format!("bot `{}` asks for selective logging on an alias CloudFormation creates, which AWS::Lex::BotAlias cannot set", bot.key),
                        )
                        .at(sources.locate(at.file, &at.pointer, Anchor::Key))
                        .help("AWS::Lex::BotAlias has no SelectiveLoggingEnabled while the Lex V2 API has it; drop `selective_logging`, or name an alias that exists (`alias_id`), whose settings chatlog renders for UpdateBotAlias"),
                    );
                }
            }
            let (resources, outputs) = cloudformation::base_counts(dep, &policies);
            if resources > CFN_MAX_RESOURCES || outputs > CFN_MAX_OUTPUTS {
                let origin = dep
                    .logging_configurations
                    .first()
                    .map(|c| &c.origin)
                    .or_else(|| dep.destinations.first().map(|d| &d.origin));
                out.push(
                    Diagnostic::new(
                        Rule::CfnBaseStackTooLarge,
                        format!("account `{}` in `{}` needs {resources} resources and {outputs} outputs before any room, over CloudFormation's {CFN_MAX_RESOURCES} and {CFN_MAX_OUTPUTS} per stack", dep.account, dep.region),
                    )
                    .at(origin.and_then(|o| sources.locate(o.file, &o.pointer, Anchor::Key)))
                    .help("split the destinations and logging configurations over several specs, or use `chatlog apply`, which has no stack limits"),
                );
            }
        }
        if policies.account_policies.len() > CWL_ACCOUNT_POLICY_SLOTS {
            let first_over = policies
                .account_policies
                .get(CWL_ACCOUNT_POLICY_SLOTS)
                .and_then(|p| p.destinations.first());
            let groups: usize = policies
                .account_policies
                .iter()
                .map(|p| p.destinations.len())
                .sum();
            out.push(
                Diagnostic::new(
                    Rule::CwlAccountPolicySlots,
                    format!(
                        "{groups} existing log groups in account `{}` in `{}` need {} account-level resource policies, a region has {CWL_ACCOUNT_POLICY_SLOTS}",
                        dep.account,
                        dep.region,
                        policies.account_policies.len()
                    ),
                )
                .at(first_over.and_then(|d| sources.locate(d.origin.file, &d.origin.pointer, Anchor::Key)))
                .help("CloudWatch Logs allows 10 account-level resource policies per region of at most 5,120 characters; let chatlog create these log groups (`create: true`), whose policies are attached to each group, or use fewer and shorter log group names"),
            );
        }
    }
    out
}

/// Where a room's tag is set: in the room's own `tags`, else in `defaults.tags` of whichever
/// file sets it (the model keeps merged tags only).
fn tag_location(sources: &Sources, room: &Origin, key: &str) -> Option<Location> {
    let own = room.child("tags").child(key);
    let exact = |file, pointer: &str| {
        sources
            .locate(file, pointer, Anchor::Value)
            .filter(|l| l.pointer.as_deref() == Some(pointer))
    };
    if let Some(l) = exact(own.file, &own.pointer) {
        return Some(l);
    }
    let defaults = Origin {
        file: 0,
        pointer: String::new(),
    }
    .child("defaults")
    .child("tags")
    .child(key);
    (0..sources.files().count())
        .find_map(|file| exact(file, &defaults.pointer))
        .or_else(|| sources.locate(room.file, &room.pointer, Anchor::Key))
}
