//! The policies folder: one JSON document per file, stable key order.
//!
//! ```text
//! policies/deployer.json                         least privilege for whoever deploys/applies
//! policies/deployer-1.json, deployer-2.json ...  the same, split when over 6,144 characters
//! policies/<account>-<region>/s3-<key>.json      bucket policy (created bucket) or the
//!                                                statements to merge (existing bucket)
//! policies/<account>-<region>/logs-<key>.json    log-group policy of a log group chatlog creates
//! policies/<account>-<region>/logs-account-<name>.json   account-level policy for existing groups
//! policies/<account>-<region>/firehose-<key>.json        service-linked role and stream tag
//! policies/<account>-<region>/lex-role-<bot>.json        what a Lex bot's role needs for its logs
//! policies/<account>-<region>/lex-settings-<bot>.json    the alias's conversation-log settings
//! policies/stack-sets/<name>/<region>/s3-<key>.json ...  what a stack set's member writes in
//!                                                every target account, with `{account}`
//! policies/<account>-<region>/cloudtrail-bucket.json     the audit trail's bucket policy (created
//!                                                bucket) or CloudTrail's statements to merge
//! ```

use serde::Serialize;

use crate::model::{Model, partition};
use crate::policy::PolicyDocument;
use crate::policy::deployer::deployer_policies;
use crate::policy::lex;
use crate::policy::limits::{
    CWL_ACCOUNT_POLICY_MAX_CHARS, CWL_LOG_GROUP_POLICY_MAX_BYTES, IAM_ROLE_INLINE_MAX_CHARS,
    S3_BUCKET_POLICY_MAX_BYTES,
};
use crate::policy::log_delivery::{
    DELIVERY_PRINCIPAL, FIREHOSE_TAG, SLR_NAME, slr_arn, slr_trust_policy,
};
use crate::policy::plan;

use super::{File, RenderError, deployment_stem, to_json};

/// What a Firehose destination needs; there is no resource policy (aws-facts §1(c)).
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct FirehoseRequirements {
    delivery_stream_arn: String,
    /// Tags the stream must carry; a tool that owns the stream's tags must declare them.
    required_tags: std::collections::BTreeMap<&'static str, &'static str>,
    service_linked_role: ServiceLinkedRole,
}

#[derive(Serialize)]
struct ServiceLinkedRole {
    #[serde(rename = "AWSServiceName")]
    aws_service_name: &'static str,
    #[serde(rename = "RoleName")]
    role_name: &'static str,
    #[serde(rename = "Arn")]
    arn: String,
    #[serde(rename = "Note")]
    note: &'static str,
    #[serde(rename = "TrustPolicy")]
    trust_policy: serde_json::Value,
}

/// A Lex V2 alias's conversation-log settings in UpdateBotAlias's names (lexv2-models,
/// aws-facts.md §1(g)): the bot, the alias (its id, or the name of one the spec owns) and
/// `conversationLogSettings`, to merge into the alias as DescribeBotAlias returns it.
fn lex_settings(dep: &crate::model::Deployment, bot: &crate::model::Bot) -> serde_json::Value {
    let mut m = serde_json::Map::new();
    m.insert("botId".into(), serde_json::json!(bot.bot_id));
    match &bot.alias {
        crate::model::BotAlias::Existing { id } => {
            m.insert("botAliasId".into(), serde_json::json!(id));
        }
        crate::model::BotAlias::Owned { name, .. } => {
            m.insert("botAliasName".into(), serde_json::json!(name));
        }
    }
    m.insert(
        "conversationLogSettings".into(),
        lex::conversation_log_settings(dep, bot),
    );
    serde_json::Value::Object(m)
}

fn document(path: String, doc: &PolicyDocument, max_bytes: usize) -> Result<File, RenderError> {
    let contents = to_json(&path, doc)?;
    // Limits are on the document as stored; the compact form is what is measured.
    let size = doc.to_compact().len();
    if size > max_bytes {
        return Err(RenderError::TooLarge(path, size, max_bytes));
    }
    Ok(File { path, contents })
}

pub fn render(model: &Model) -> Result<Vec<File>, RenderError> {
    let mut files = Vec::new();
    let deployer = deployer_policies(model);
    let many = deployer.len() > 1;
    for (i, doc) in deployer.iter().enumerate() {
        let path = if many {
            format!("policies/deployer-{}.json", i + 1)
        } else {
            "policies/deployer.json".to_owned()
        };
        files.push(File {
            contents: to_json(&path, doc)?,
            path,
        });
    }
    if let Some(a) = &model.audit {
        files.push(document(
            format!(
                "policies/{}/cloudtrail-bucket.json",
                deployment_stem(&a.account, &a.region)
            ),
            &crate::policy::audit::bucket_policy(a),
            S3_BUCKET_POLICY_MAX_BYTES,
        )?);
    }
    for set in &model.stack_sets {
        files.extend(member_policies(set)?);
    }
    for dep in &model.deployments {
        let dir = format!("policies/{}", deployment_stem(&dep.account, &dep.region));
        let policies = plan::for_deployment(dep);
        for b in &policies.buckets {
            files.push(document(
                format!("{dir}/s3-{}.json", b.destination.key),
                &b.document,
                S3_BUCKET_POLICY_MAX_BYTES,
            )?);
        }
        for g in &policies.log_groups {
            files.push(document(
                format!("{dir}/logs-{}.json", g.destination.key),
                &g.document,
                CWL_LOG_GROUP_POLICY_MAX_BYTES,
            )?);
        }
        for p in &policies.account_policies {
            files.push(document(
                format!("{dir}/logs-account-{}.json", p.name),
                &p.document,
                CWL_ACCOUNT_POLICY_MAX_CHARS,
            )?);
        }
        for bot in &dep.bots {
            if let Some(doc) = lex::role_policy(dep, bot) {
                // An inline role policy counts against the role's 10,240 characters
                // (aws-facts.md §1(d)); one bot's is far below it.
                files.push(document(
                    format!("{dir}/lex-role-{}.json", bot.key),
                    &doc,
                    IAM_ROLE_INLINE_MAX_CHARS,
                )?);
            }
            let path = format!("{dir}/lex-settings-{}.json", bot.key);
            files.push(File {
                contents: to_json(&path, &lex_settings(dep, bot))?,
                path,
            });
        }
        for s in &policies.streams {
            let path = format!("{dir}/firehose-{}.json", s.destination.key);
            let requirements = FirehoseRequirements {
                delivery_stream_arn: s.destination.arn.clone(),
                required_tags: [FIREHOSE_TAG].into_iter().collect(),
                service_linked_role: ServiceLinkedRole {
                    aws_service_name: DELIVERY_PRINCIPAL,
                    role_name: SLR_NAME,
                    arn: slr_arn(partition(&dep.region), &dep.account),
                    note: "AWS creates this role on first Firehose delivery setup (or the template's CreateLogDeliveryServiceLinkedRole parameter does); its permissions (firehose:PutRecord, firehose:PutRecordBatch, firehose:ListTagsForDeliveryStream on streams tagged LogDeliveryEnabled=true) are managed by AWS",
                    trust_policy: slr_trust_policy(),
                },
            };
            files.push(File {
                contents: to_json(&path, &requirements)?,
                path,
            });
        }
    }
    Ok(files)
}

/// `policies/stack-sets/<name>/<region>/`: the policies the member template writes in every
/// target account of a region, with the account as `{account}` (in the template, `Fn::Sub` of
/// AWS::AccountId). The partition is the administrator's, which every target region shares
/// (CL135).
fn member_policies(set: &crate::model::StackSet) -> Result<Vec<File>, RenderError> {
    use crate::model::stack_set::{ACCOUNT, PARTITION, REGION};
    let policies = plan::for_deployment(&set.member);
    let mut files = Vec::new();
    for region in set.regions() {
        let dir = format!("policies/stack-sets/{}/{region}", set.name);
        let there = |file: File| File {
            contents: file
                .contents
                .replace(ACCOUNT, "{account}")
                .replace(REGION, region)
                .replace(PARTITION, partition(&set.administrator.region)),
            path: file.path,
        };
        for b in &policies.buckets {
            files.push(there(document(
                format!("{dir}/s3-{}.json", b.destination.key),
                &b.document,
                S3_BUCKET_POLICY_MAX_BYTES,
            )?));
        }
        for g in &policies.log_groups {
            files.push(there(document(
                format!("{dir}/logs-{}.json", g.destination.key),
                &g.document,
                CWL_LOG_GROUP_POLICY_MAX_BYTES,
            )?));
        }
        for p in &policies.account_policies {
            files.push(there(document(
                format!("{dir}/logs-account-{}.json", p.name),
                &p.document,
                CWL_ACCOUNT_POLICY_MAX_CHARS,
            )?));
        }
    }
    Ok(files)
}
