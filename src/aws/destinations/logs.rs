//! CloudWatch Logs: a log group, its log-group-level policy and tags, the region's
//! account-level resource policies, and the log group operations.

use std::ops::ControlFlow;

use crate::aws::pages::{collect_all, paginate};
use aws_sdk_cloudwatchlogs::operation::describe_log_groups::DescribeLogGroupsOutput;
use aws_sdk_cloudwatchlogs::operation::describe_resource_policies::DescribeResourcePoliciesOutput;
use aws_sdk_cloudwatchlogs::types::PolicyScope;
use serde_json::{Value, json};

use super::{SdkDestinations, already_done, hash_tags, misrouted};
use crate::aws::calls::call;
use crate::aws::error::AwsError;
use crate::live::Tags;
use crate::live::destinations::{LiveLogGroup, LogPolicy, PresentLogGroup};
use crate::plan::DestinationOperation;
use crate::policy::PolicyDocument;
use crate::policy::limits::CWL_ACCOUNT_POLICY_MAX_CHARS;
use crate::policy::merge::merge_bucket_policy;

/// DescribeLogGroups and DescribeResourcePolicies take 1-50 a page.
const LOGS_PAGE: i32 = 50;

impl SdkDestinations {
    pub(super) async fn read_log_group(
        &self,
        name: String,
        managed: bool,
    ) -> Result<LiveLogGroup, AwsError> {
        let Some((arn, retention_days)) = self.find_log_group(&name).await? else {
            return Ok(LiveLogGroup {
                name,
                present: None,
            });
        };
        let tags = if managed {
            self.log_group_tags(&arn).await?
        } else {
            Tags::new()
        };
        let policy = self.log_group_policy(&arn).await?;
        Ok(LiveLogGroup {
            name,
            present: Some(PresentLogGroup {
                arn,
                retention_days,
                tags,
                policy,
            }),
        })
    }

    pub(super) async fn read_account_log_policies(&self) -> Result<Vec<LogPolicy>, AwsError> {
        let policies = self.resource_policies(None).await?;
        Ok(policies
            .iter()
            .filter(|p| {
                p.resource_arn().is_none()
                    && p.policy_scope().is_none_or(|s| *s == PolicyScope::Account)
            })
            .map(log_policy)
            .collect())
    }

    /// The log group of exactly that name: its ARN (without `:*`) and retention.
    async fn find_log_group(&self, name: &str) -> Result<Option<(String, Option<u32>)>, AwsError> {
        let fetch = |token: Option<String>| {
            let request =
                json!({"logGroupNamePrefix": name, "limit": LOGS_PAGE, "nextToken": token});
            let send = self
                .logs
                .describe_log_groups()
                .log_group_name_prefix(name)
                .limit(LOGS_PAGE)
                .set_next_token(token)
                .send();
            self.logs_calls.call(
                call("DescribeLogGroups", "logs:DescribeLogGroups", name, true),
                request,
                send,
                |o| json!({"count": o.log_groups().len(), "nextToken": o.next_token()}),
            )
        };
        paginate(
            fetch,
            |o: &DescribeLogGroupsOutput| o.next_token(),
            |out| {
                // A prefix query: only the exact name counts.
                match out
                    .log_groups()
                    .iter()
                    .find(|g| g.log_group_name() == Some(name))
                {
                    Some(g) => {
                        let arn = g
                            .log_group_arn()
                            .map(str::to_owned)
                            .or_else(|| g.arn().map(|a| a.trim_end_matches(":*").to_owned()))
                            .unwrap_or_default();
                        let retention = g.retention_in_days().and_then(|d| u32::try_from(d).ok());
                        ControlFlow::Break((arn, retention))
                    }
                    None => ControlFlow::Continue(()),
                }
            },
        )
        .await
    }

    async fn log_group_tags(&self, arn: &str) -> Result<Tags, AwsError> {
        let send = self.logs.list_tags_for_resource().resource_arn(arn).send();
        let out = self
            .logs_calls
            .call(
                call("ListTagsForResource", "logs:ListTagsForResource", arn, true),
                json!({"resourceArn": arn}),
                send,
                |_| Value::Null,
            )
            .await?;
        Ok(out
            .tags()
            .map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default())
    }

    /// Resource policies of one scope, all pages. moto 5.2 ignores `resourceArn` and
    /// `policyScope` and answers every account-level policy, without a `resourceArn`: callers
    /// keep only the policies whose scope and ARN say they are what was asked for.
    async fn resource_policies(
        &self,
        scope: Option<&str>,
    ) -> Result<Vec<aws_sdk_cloudwatchlogs::types::ResourcePolicy>, AwsError> {
        let resource = scope.unwrap_or(&self.region);
        let fetch = |token: Option<String>| {
            let request = json!({"resourceArn": scope, "policyScope": scope.map(|_| "RESOURCE"), "limit": LOGS_PAGE, "nextToken": token});
            let mut builder = self
                .logs
                .describe_resource_policies()
                .limit(LOGS_PAGE)
                .set_next_token(token);
            if let Some(arn) = scope {
                builder = builder
                    .resource_arn(arn)
                    .policy_scope(PolicyScope::Resource);
            }
            self.logs_calls.call(
                call(
                    "DescribeResourcePolicies",
                    "logs:DescribeResourcePolicies",
                    resource,
                    true,
                ),
                request,
                builder.send(),
                |o| json!({"count": o.resource_policies().len(), "nextToken": o.next_token()}),
            )
        };
        collect_all(
            fetch,
            |o: &DescribeResourcePoliciesOutput| o.next_token(),
            |out, all| all.extend(out.resource_policies().iter().cloned()),
        )
        .await
    }

    async fn log_group_policy(&self, arn: &str) -> Result<Option<LogPolicy>, AwsError> {
        let policies = self.resource_policies(Some(arn)).await?;
        Ok(policies
            .iter()
            .find(|p| {
                p.resource_arn()
                    .is_some_and(|r| r.trim_end_matches(":*") == arn)
            })
            .map(log_policy))
    }

    async fn put_resource_policy(
        &self,
        name: &str,
        arn: Option<&str>,
        document: &str,
        expected_revision_id: Option<&str>,
    ) -> Result<(), AwsError> {
        let request = json!({
            "policyName": name,
            "resourceArn": arn,
            "expectedRevisionId": expected_revision_id,
            "policyDocument": serde_json::from_str::<Value>(document).unwrap_or(Value::Null),
        });
        let send = self
            .logs
            .put_resource_policy()
            .policy_name(name)
            .set_resource_arn(arn.map(str::to_owned))
            .set_expected_revision_id(expected_revision_id.map(str::to_owned))
            .policy_document(document)
            .send();
        self.logs_calls
            .write(
                call(
                    "PutResourcePolicy",
                    "logs:PutResourcePolicy",
                    arn.unwrap_or(name),
                    false,
                ),
                request,
                send,
            )
            .await
    }

    async fn merge_account_log_policy(
        &self,
        name: &str,
        statements: &PolicyDocument,
    ) -> Result<(), AwsError> {
        let current = self
            .read_account_log_policies()
            .await?
            .into_iter()
            .find(|p| p.name == name);
        let merged = merge_bucket_policy(
            current
                .as_ref()
                .map(|p| p.document.as_str())
                .unwrap_or_default(),
            statements,
        )
        .map_err(|e| AwsError::local("logs:PutResourcePolicy", name, e))?;
        if !merged.changed {
            return Ok(());
        }
        let compact = serde_json::from_str::<Value>(&merged.text)
            .map(|v| v.to_string())
            .map_err(|e| AwsError::local("logs:PutResourcePolicy", name, e))?;
        // Account-level policies stay within 5,120 characters (aws-facts.md §1(d)).
        if compact.chars().count() > CWL_ACCOUNT_POLICY_MAX_CHARS {
            return Err(AwsError::local(
                "logs:PutResourcePolicy",
                name,
                format!(
                    "the merged policy would be {} characters, over the {CWL_ACCOUNT_POLICY_MAX_CHARS} an account-level policy may have",
                    compact.chars().count()
                ),
            ));
        }
        self.put_resource_policy(name, None, &compact, None).await
    }

    pub(super) async fn execute_logs(
        &self,
        operation: DestinationOperation,
    ) -> Result<(), AwsError> {
        match operation {
            DestinationOperation::CreateLogGroup { log_group, tags } => {
                let send = self
                    .logs
                    .create_log_group()
                    .log_group_name(&log_group)
                    .set_tags(Some(hash_tags(&tags)))
                    .send();
                let request = json!({"logGroupName": log_group, "tags": tags});
                let created = self
                    .logs_calls
                    .write(
                        call("CreateLogGroup", "logs:CreateLogGroup", &log_group, false),
                        request,
                        send,
                    )
                    .await;
                // A retry after a lost answer finds the group made: done. Its tags are the
                // ones sent, which the verification after apply reads back.
                already_done(created, "ResourceAlreadyExistsException")
            }
            DestinationOperation::PutRetentionPolicy { log_group, days } => {
                let send = self
                    .logs
                    .put_retention_policy()
                    .log_group_name(&log_group)
                    .retention_in_days(i32::try_from(days).unwrap_or(i32::MAX))
                    .send();
                let request = json!({"logGroupName": log_group, "retentionInDays": days});
                self.logs_calls
                    .write(
                        call(
                            "PutRetentionPolicy",
                            "logs:PutRetentionPolicy",
                            &log_group,
                            false,
                        ),
                        request,
                        send,
                    )
                    .await
            }
            DestinationOperation::DeleteRetentionPolicy { log_group } => {
                let send = self
                    .logs
                    .delete_retention_policy()
                    .log_group_name(&log_group)
                    .send();
                let request = json!({"logGroupName": log_group});
                self.logs_calls
                    .write(
                        call(
                            "DeleteRetentionPolicy",
                            "logs:DeleteRetentionPolicy",
                            &log_group,
                            false,
                        ),
                        request,
                        send,
                    )
                    .await
            }
            DestinationOperation::TagLogGroup { arn, tags } => {
                let send = self
                    .logs
                    .tag_resource()
                    .resource_arn(&arn)
                    .set_tags(Some(hash_tags(&tags)))
                    .send();
                let request = json!({"resourceArn": arn, "tags": tags});
                self.logs_calls
                    .write(
                        call("TagResource", "logs:TagResource", &arn, false),
                        request,
                        send,
                    )
                    .await
            }
            DestinationOperation::UntagLogGroup { arn, keys } => {
                let request = json!({"resourceArn": arn, "tagKeys": keys});
                let send = self
                    .logs
                    .untag_resource()
                    .resource_arn(&arn)
                    .set_tag_keys(Some(keys))
                    .send();
                self.logs_calls
                    .write(
                        call("UntagResource", "logs:UntagResource", &arn, false),
                        request,
                        send,
                    )
                    .await
            }
            DestinationOperation::PutLogGroupPolicy {
                name,
                arn,
                policy,
                expected_revision_id,
            } => {
                self.put_resource_policy(
                    &name,
                    Some(&arn),
                    &policy.to_compact(),
                    expected_revision_id.as_deref(),
                )
                .await
            }
            DestinationOperation::MergeAccountLogPolicy { name, statements } => {
                self.merge_account_log_policy(&name, &statements).await
            }
            other => Err(misrouted(&other)),
        }
    }
}

fn log_policy(p: &aws_sdk_cloudwatchlogs::types::ResourcePolicy) -> LogPolicy {
    LogPolicy {
        name: p.policy_name().unwrap_or_default().to_owned(),
        document: p.policy_document().unwrap_or_default().to_owned(),
        revision_id: p.revision_id().map(str::to_owned),
    }
}
