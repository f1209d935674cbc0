//! CloudFormation StackSets through the SDK (aws-facts.md §1(k)): read a stack set and its
//! instances, create and update it, add and remove instances, wait for operations, detect drift.
//!
//! One operation at a time per stack set: a call refused with OperationInProgressException is
//! sent again once the running operation is over, not reported as a failure.

use std::time::{Duration, Instant};

use aws_sdk_cloudformation::Client;
use aws_sdk_cloudformation::error::ProvideErrorMetadata;
use aws_sdk_cloudformation::operation::list_stack_instance_resource_drifts::ListStackInstanceResourceDriftsOutput;
use aws_sdk_cloudformation::operation::list_stack_instances::ListStackInstancesOutput;
use aws_sdk_cloudformation::operation::list_stack_set_operation_results::ListStackSetOperationResultsOutput;
use aws_sdk_cloudformation::types::{
    AccountFilterType, AutoDeployment, CallAs, Capability, DeploymentTargets, ManagedExecution,
    PermissionModels, RegionConcurrencyType, StackSetOperationPreferences, Tag,
};

use std::sync::Arc;

use serde_json::{Value, json};

use super::audit::{AuditLog, Record};
use super::error::AwsError;
use super::pages::collect_all;
use crate::live::stack_set::{
    InstanceFailure, LiveInstance, LiveStackSet, OperationOutcome, ResourceDrift,
};
use crate::model::StackSet;
use crate::plan::stack_sets::desired_tags;

/// How long to wait for operations (one's own, or one that was running before).
#[derive(Clone, Copy, Debug)]
pub struct OperationWaits {
    /// The first pause between DescribeStackSetOperation calls; it doubles up to `max_poll`.
    pub first_poll: Duration,
    pub max_poll: Duration,
    /// How long one operation may run before chatlog gives up waiting (the operation goes on).
    pub timeout: Duration,
}

impl Default for OperationWaits {
    fn default() -> Self {
        OperationWaits {
            first_poll: Duration::from_secs(2),
            max_poll: Duration::from_secs(30),
            timeout: Duration::from_secs(3600),
        }
    }
}

/// What an operation reports while it runs, for the progress display.
pub trait OperationProgress: Send + Sync {
    fn waiting(&self, stack_set: &str, what: &str, elapsed: Duration);
}

impl OperationProgress for () {
    fn waiting(&self, _: &str, _: &str, _: Duration) {}
}

pub struct SdkStackSets {
    client: Client,
    region: String,
    pub waits: OperationWaits,
    /// `apply --audit-log`: every call that changes a stack set is recorded.
    pub audit: Option<Arc<AuditLog>>,
}

const IN_PROGRESS: &str = "OperationInProgressException";

impl SdkStackSets {
    pub fn new(client: Client, region: &str) -> Self {
        SdkStackSets {
            client,
            region: region.to_owned(),
            waits: OperationWaits::default(),
            audit: None,
        }
    }

    /// Records a call that changes the stack set (its operation id, or its error).
    fn record<T>(
        &self,
        set: &StackSet,
        event: &str,
        request: Value,
        result: &Result<T, AwsError>,
        operation: impl Fn(&T) -> Option<String>,
    ) {
        let Some(audit) = &self.audit else {
            return;
        };
        let (response, error_code, error_message) = match result {
            Ok(out) => (json!({"operationId": operation(out)}), None, None),
            Err(e) => (Value::Null, e.code.clone(), Some(e.message.clone())),
        };
        let mut request = request;
        if let Value::Object(m) = &mut request {
            m.insert("stackSetName".to_owned(), json!(set.name));
            m.insert("callAs".to_owned(), json!(set.call_as()));
        }
        audit.write(Record {
            event_source: "cloudformation.amazonaws.com",
            event_name: event,
            region: &self.region,
            account: &set.administrator.account,
            read_only: false,
            request,
            response,
            error_code,
            error_message,
            request_id: None,
        });
    }

    fn call_as(set: &StackSet) -> CallAs {
        CallAs::from(set.call_as())
    }

    pub async fn describe(&self, set: &StackSet) -> Result<Option<LiveStackSet>, AwsError> {
        let out = self
            .client
            .describe_stack_set()
            .stack_set_name(&set.name)
            .call_as(Self::call_as(set))
            .send()
            .await;
        let out = match out {
            Ok(o) => o,
            Err(e) if e.code() == Some("StackSetNotFoundException") => return Ok(None),
            Err(e) => {
                return Err(AwsError::from_sdk(
                    "cloudformation:DescribeStackSet",
                    &set.name,
                    e,
                ));
            }
        };
        let Some(s) = out.stack_set() else {
            return Ok(None);
        };
        Ok(Some(LiveStackSet {
            name: s.stack_set_name().unwrap_or_default().to_owned(),
            status: s
                .status()
                .map(|x| x.as_str().to_owned())
                .unwrap_or_default(),
            permission_model: s.permission_model().map(|p| p.as_str().to_owned()),
            description: s.description().map(str::to_owned),
            template_body: s.template_body().map(str::to_owned),
            tags: s
                .tags()
                .iter()
                .filter_map(|t| Some((t.key()?.to_owned(), t.value()?.to_owned())))
                .collect(),
            administration_role_arn: s.administration_role_arn().map(str::to_owned),
            execution_role_name: s.execution_role_name().map(str::to_owned),
            auto_deployment: s.auto_deployment().and_then(|a| {
                a.enabled()
                    .map(|e| (e, a.retain_stacks_on_account_removal().unwrap_or(false)))
            }),
        }))
    }

    pub async fn instances(&self, set: &StackSet) -> Result<Vec<LiveInstance>, AwsError> {
        let fetch = |token: Option<String>| {
            let send = self
                .client
                .list_stack_instances()
                .stack_set_name(&set.name)
                .call_as(Self::call_as(set))
                .set_next_token(token)
                .send();
            async move {
                send.await.map_err(|e| {
                    AwsError::from_sdk("cloudformation:ListStackInstances", &set.name, e)
                })
            }
        };
        collect_all(
            fetch,
            |p: &ListStackInstancesOutput| p.next_token(),
            |page, all| {
                for i in page.summaries() {
                    all.push(LiveInstance {
                        account: i.account().unwrap_or_default().to_owned(),
                        region: i.region().unwrap_or_default().to_owned(),
                        organizational_unit: i.organizational_unit_id().map(str::to_owned),
                        status: i
                            .status()
                            .map(|s| s.as_str().to_owned())
                            .unwrap_or_default(),
                        status_reason: i.status_reason().map(str::to_owned),
                        drift_status: i.drift_status().map(|d| d.as_str().to_owned()),
                    });
                }
            },
        )
        .await
    }

    fn tags(set: &StackSet) -> Vec<Tag> {
        desired_tags(set)
            .into_iter()
            .map(|(k, v)| Tag::builder().key(k).value(v).build())
            .collect()
    }

    fn auto_deployment(set: &StackSet) -> Option<AutoDeployment> {
        set.auto_deployment.map(|a| {
            let b = AutoDeployment::builder().enabled(a.enabled);
            if a.enabled {
                b.retain_stacks_on_account_removal(a.retain_stacks_on_account_removal)
                    .build()
            } else {
                b.build()
            }
        })
    }

    fn preferences(set: &StackSet) -> Option<StackSetOperationPreferences> {
        let o = &set.operation;
        if o.is_empty() {
            return None;
        }
        let to_i32 = |v: Option<u32>| v.map(|n| i32::try_from(n).unwrap_or(i32::MAX));
        Some(
            StackSetOperationPreferences::builder()
                .set_max_concurrent_count(to_i32(o.max_concurrent_count))
                .set_max_concurrent_percentage(to_i32(o.max_concurrent_percentage))
                .set_failure_tolerance_count(to_i32(o.failure_tolerance_count))
                .set_failure_tolerance_percentage(to_i32(o.failure_tolerance_percentage))
                .set_region_concurrency_type(
                    o.region_concurrency
                        .map(|r| RegionConcurrencyType::from(r.as_api())),
                )
                .set_region_order((!o.region_order.is_empty()).then(|| o.region_order.clone()))
                .set_concurrency_mode(
                    o.concurrency_mode
                        .map(|c| aws_sdk_cloudformation::types::ConcurrencyMode::from(c.as_api())),
                )
                .build(),
        )
    }

    fn capabilities(set: &StackSet) -> Vec<Capability> {
        crate::render::stack_sets::capabilities(set)
            .into_iter()
            .map(Capability::from)
            .collect()
    }

    /// CreateStackSet. Its ClientRequestToken is derived from the stack set and its template,
    /// so a create sent again after a lost answer is the same request, not a second stack set.
    pub async fn create(
        &self,
        set: &StackSet,
        body: &str,
        description: &str,
    ) -> Result<(), AwsError> {
        let token = request_token(&[&set.spec_name, &set.key, &set.name, body]);
        let result = self
            .client
            .create_stack_set()
            .stack_set_name(&set.name)
            .description(description)
            .template_body(body)
            .permission_model(PermissionModels::from(set.permission_model.as_api()))
            .call_as(Self::call_as(set))
            .set_auto_deployment(Self::auto_deployment(set))
            .set_administration_role_arn(set.administration_role_arn.clone())
            .set_execution_role_name(set.execution_role_name.clone())
            .set_capabilities(Some(Self::capabilities(set)))
            .set_tags(Some(Self::tags(set)))
            .managed_execution(ManagedExecution::builder().active(true).build())
            .client_request_token(&token)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("cloudformation:CreateStackSet", &set.name, e));
        self.record(
            set,
            "CreateStackSet",
            json!({"permissionModel": set.permission_model.as_api(), "clientRequestToken": token, "templateBodyBytes": body.len()}),
            &result,
            |o| o.stack_set_id().map(str::to_owned),
        );
        result.map(|_| ())
    }

    pub async fn update(
        &self,
        set: &StackSet,
        body: &str,
        description: &str,
        progress: &dyn OperationProgress,
    ) -> Result<OperationOutcome, AwsError> {
        let sent = self
            .when_free(set, "UpdateStackSet", progress, || {
                self.client
                    .update_stack_set()
                    .stack_set_name(&set.name)
                    .description(description)
                    .template_body(body)
                    .permission_model(PermissionModels::from(set.permission_model.as_api()))
                    .call_as(Self::call_as(set))
                    .set_auto_deployment(Self::auto_deployment(set))
                    .set_administration_role_arn(set.administration_role_arn.clone())
                    .set_execution_role_name(set.execution_role_name.clone())
                    .set_capabilities(Some(Self::capabilities(set)))
                    .set_tags(Some(Self::tags(set)))
                    .set_operation_preferences(Self::preferences(set))
                    .send()
            })
            .await;
        self.record(
            set,
            "UpdateStackSet",
            json!({"templateBodyBytes": body.len()}),
            &sent,
            |o| o.operation_id().map(str::to_owned),
        );
        let op = sent?.operation_id().unwrap_or_default().to_owned();
        self.wait(set, &op, progress).await
    }

    /// Service-managed targets are DeploymentTargets (OUs, and accounts that filter them);
    /// self-managed ones the top-level Accounts (CreateStackInstances takes one or the other).
    fn targets(ous: &[String], accounts: &[String], filter: Option<&str>) -> DeploymentTargets {
        DeploymentTargets::builder()
            .set_organizational_unit_ids((!ous.is_empty()).then(|| ous.to_vec()))
            .set_accounts((!accounts.is_empty()).then(|| accounts.to_vec()))
            .set_account_filter_type(filter.map(AccountFilterType::from))
            .build()
    }

    pub async fn add_instances(
        &self,
        set: &StackSet,
        ous: &[String],
        accounts: &[String],
        filter: Option<&str>,
        regions: &[String],
        progress: &dyn OperationProgress,
    ) -> Result<OperationOutcome, AwsError> {
        let sent = self
            .when_free(set, "CreateStackInstances", progress, || {
                self.client
                    .create_stack_instances()
                    .stack_set_name(&set.name)
                    .call_as(Self::call_as(set))
                    .set_deployment_targets(
                        (!ous.is_empty()).then(|| Self::targets(ous, accounts, filter)),
                    )
                    .set_accounts(ous.is_empty().then(|| accounts.to_vec()))
                    .set_regions(Some(regions.to_vec()))
                    .set_operation_preferences(Self::preferences(set))
                    .send()
            })
            .await;
        self.record(
            set,
            "CreateStackInstances",
            json!({"organizationalUnitIds": ous, "accounts": accounts, "accountFilterType": filter, "regions": regions}),
            &sent,
            |o| o.operation_id().map(str::to_owned),
        );
        let op = sent?.operation_id().unwrap_or_default().to_owned();
        self.wait(set, &op, progress).await
    }

    pub async fn remove_instances(
        &self,
        set: &StackSet,
        ous: &[String],
        accounts: &[String],
        regions: &[String],
        progress: &dyn OperationProgress,
    ) -> Result<OperationOutcome, AwsError> {
        let sent = self
            .when_free(set, "DeleteStackInstances", progress, || {
                self.client
                    .delete_stack_instances()
                    .stack_set_name(&set.name)
                    .call_as(Self::call_as(set))
                    .set_deployment_targets(
                        (!ous.is_empty()).then(|| Self::targets(ous, accounts, None)),
                    )
                    .set_accounts(ous.is_empty().then(|| accounts.to_vec()))
                    .set_regions(Some(regions.to_vec()))
                    .retain_stacks(false)
                    .set_operation_preferences(Self::preferences(set))
                    .send()
            })
            .await;
        self.record(
            set,
            "DeleteStackInstances",
            json!({"organizationalUnitIds": ous, "accounts": accounts, "regions": regions, "retainStacks": false}),
            &sent,
            |o| o.operation_id().map(str::to_owned),
        );
        let op = sent?.operation_id().unwrap_or_default().to_owned();
        self.wait(set, &op, progress).await
    }

    /// DetectStackSetDrift, waited for; the drift statuses are then in the instances.
    pub async fn detect_drift(
        &self,
        set: &StackSet,
        progress: &dyn OperationProgress,
    ) -> Result<OperationOutcome, AwsError> {
        let op = self
            .when_free(set, "DetectStackSetDrift", progress, || {
                self.client
                    .detect_stack_set_drift()
                    .stack_set_name(&set.name)
                    .call_as(Self::call_as(set))
                    .send()
            })
            .await?
            .operation_id()
            .unwrap_or_default()
            .to_owned();
        self.wait(set, &op, progress).await
    }

    /// The resources of one instance that a drift detection found MODIFIED or DELETED.
    pub async fn resource_drifts(
        &self,
        set: &StackSet,
        account: &str,
        region: &str,
        operation_id: &str,
    ) -> Result<Vec<ResourceDrift>, AwsError> {
        use aws_sdk_cloudformation::types::StackResourceDriftStatus;
        let fetch = |token: Option<String>| {
            let send = self
                .client
                .list_stack_instance_resource_drifts()
                .stack_set_name(&set.name)
                .stack_instance_account(account)
                .stack_instance_region(region)
                .operation_id(operation_id)
                .call_as(Self::call_as(set))
                .stack_instance_resource_drift_statuses(StackResourceDriftStatus::Modified)
                .stack_instance_resource_drift_statuses(StackResourceDriftStatus::Deleted)
                .set_next_token(token)
                .send();
            async move {
                send.await.map_err(|e| {
                    AwsError::from_sdk(
                        "cloudformation:ListStackInstanceResourceDrifts",
                        &set.name,
                        e,
                    )
                })
            }
        };
        collect_all(
            fetch,
            |p: &ListStackInstanceResourceDriftsOutput| p.next_token(),
            |page, out| {
                for d in page.summaries() {
                    out.push(ResourceDrift {
                        logical_id: d.logical_resource_id().unwrap_or_default().to_owned(),
                        resource_type: d.resource_type().unwrap_or_default().to_owned(),
                        status: d
                            .stack_resource_drift_status()
                            .map(|s| s.as_str().to_owned())
                            .unwrap_or_default(),
                        properties: d
                            .property_differences()
                            .iter()
                            .filter_map(|p| p.property_path().map(str::to_owned))
                            .collect(),
                    });
                }
            },
        )
        .await
    }

    /// Sends a call, and sends it again while another operation of the stack set runs.
    async fn when_free<T, E, F, Fut>(
        &self,
        set: &StackSet,
        action: &str,
        progress: &dyn OperationProgress,
        send: F,
    ) -> Result<T, AwsError>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<
                Output = Result<
                    T,
                    aws_sdk_cloudformation::error::SdkError<
                        E,
                        aws_sdk_cloudformation::config::http::HttpResponse,
                    >,
                >,
            >,
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let started = Instant::now();
        let mut pause = self.waits.first_poll;
        loop {
            match send().await {
                Ok(out) => return Ok(out),
                Err(e) if e.code() == Some(IN_PROGRESS) => {
                    if started.elapsed() > self.waits.timeout {
                        return Err(AwsError::from_sdk(
                            &format!("cloudformation:{action}"),
                            &set.name,
                            e,
                        ));
                    }
                    progress.waiting(
                        &set.name,
                        "another operation of the stack set is running",
                        started.elapsed(),
                    );
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(self.waits.max_poll);
                }
                Err(e) => {
                    return Err(AwsError::from_sdk(
                        &format!("cloudformation:{action}"),
                        &set.name,
                        e,
                    ));
                }
            }
        }
    }

    /// Polls DescribeStackSetOperation until the operation ends; a failed one comes back with
    /// the accounts and regions where it failed (ListStackSetOperationResults).
    pub async fn wait(
        &self,
        set: &StackSet,
        operation_id: &str,
        progress: &dyn OperationProgress,
    ) -> Result<OperationOutcome, AwsError> {
        let started = Instant::now();
        let mut pause = self.waits.first_poll;
        loop {
            let out = self
                .client
                .describe_stack_set_operation()
                .stack_set_name(&set.name)
                .operation_id(operation_id)
                .call_as(Self::call_as(set))
                .send()
                .await
                .map_err(|e| {
                    AwsError::from_sdk("cloudformation:DescribeStackSetOperation", &set.name, e)
                })?;
            let op = out.stack_set_operation();
            let status = op
                .and_then(|o| o.status())
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default();
            match status.as_str() {
                "SUCCEEDED" | "FAILED" | "STOPPED" => {
                    let failures = if status == "SUCCEEDED" {
                        Vec::new()
                    } else {
                        self.failures(set, operation_id).await?
                    };
                    return Ok(OperationOutcome {
                        operation_id: operation_id.to_owned(),
                        status,
                        status_reason: op.and_then(|o| o.status_reason()).map(str::to_owned),
                        failures,
                    });
                }
                _ => {
                    if started.elapsed() > self.waits.timeout {
                        return Err(AwsError::local(
                            "cloudformation:DescribeStackSetOperation",
                            &set.name,
                            format!(
                                "operation {operation_id} still {status} after {} s; it goes on in CloudFormation",
                                started.elapsed().as_secs()
                            ),
                        ));
                    }
                    progress.waiting(
                        &set.name,
                        &format!("operation {operation_id} {status}"),
                        started.elapsed(),
                    );
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(self.waits.max_poll);
                }
            }
        }
    }

    async fn failures(
        &self,
        set: &StackSet,
        operation_id: &str,
    ) -> Result<Vec<InstanceFailure>, AwsError> {
        let fetch = |token: Option<String>| {
            let send = self
                .client
                .list_stack_set_operation_results()
                .stack_set_name(&set.name)
                .operation_id(operation_id)
                .call_as(Self::call_as(set))
                .set_next_token(token)
                .send();
            async move {
                send.await.map_err(|e| {
                    AwsError::from_sdk("cloudformation:ListStackSetOperationResults", &set.name, e)
                })
            }
        };
        collect_all(
            fetch,
            |p: &ListStackSetOperationResultsOutput| p.next_token(),
            |page, out| {
                for r in page.summaries() {
                    let status = r
                        .status()
                        .map(|s| s.as_str().to_owned())
                        .unwrap_or_default();
                    if status != "SUCCEEDED" {
                        out.push(InstanceFailure {
                            account: r.account().unwrap_or_default().to_owned(),
                            region: r.region().unwrap_or_default().to_owned(),
                            status,
                            reason: r.status_reason().unwrap_or_default().to_owned(),
                        });
                    }
                }
            },
        )
        .await
    }

    pub fn region(&self) -> &str {
        &self.region
    }
}

/// A ClientRequestToken (`[a-zA-Z0-9][-a-zA-Z0-9]*`, at most 128) that is the same for the same
/// request: FNV-1a over the parts, twice with different seeds.
fn request_token(parts: &[&str]) -> String {
    let hash = |seed: u64| {
        let mut h = seed;
        for p in parts {
            for b in p.bytes().chain([0u8]) {
                h ^= u64::from(b);
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
        }
        h
    };
    format!(
        "chatlog-{:016x}{:016x}",
        hash(0xcbf2_9ce4_8422_2325),
        hash(0x8422_2325_cbf2_9ce4)
    )
}
