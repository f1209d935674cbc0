//! IAM: log delivery's service-linked role, found by its path, and creating it.

use std::ops::ControlFlow;

use aws_sdk_iam::operation::list_roles::ListRolesOutput;
use serde_json::json;

use super::{SdkDestinations, misrouted};
use crate::aws::calls::call;
use crate::aws::error::AwsError;
use crate::aws::pages::paginate;
use crate::plan::DestinationOperation;
use crate::policy::log_delivery::DELIVERY_PRINCIPAL;

impl SdkDestinations {
    pub(super) async fn read_log_delivery_role(&self) -> Result<Option<String>, AwsError> {
        let path = service_role_path(DELIVERY_PRINCIPAL);
        let fetch = |marker: Option<String>| {
            let request = json!({"pathPrefix": path, "marker": marker});
            let send = self
                .iam
                .list_roles()
                .path_prefix(&path)
                .set_marker(marker)
                .send();
            self.iam_calls.call(
                call("ListRoles", "iam:ListRoles", &path, true),
                request,
                send,
                |o| json!({"roles": o.roles().iter().map(|r| r.role_name()).collect::<Vec<_>>()}),
            )
        };
        paginate(fetch, next_marker, |out| match out.roles().first() {
            Some(role) => ControlFlow::Break(role.role_name().to_owned()),
            None => ControlFlow::Continue(()),
        })
        .await
    }

    pub(super) async fn execute_iam(
        &self,
        operation: DestinationOperation,
    ) -> Result<(), AwsError> {
        match operation {
            DestinationOperation::CreateServiceLinkedRole { service } => {
                if self.read_log_delivery_role().await?.is_some() {
                    return Ok(());
                }
                let send = self
                    .iam
                    .create_service_linked_role()
                    .aws_service_name(&service)
                    .send();
                let created = self
                    .iam_calls
                    .call(
                        call(
                            "CreateServiceLinkedRole",
                            "iam:CreateServiceLinkedRole",
                            &service,
                            false,
                        ),
                        json!({"awsServiceName": service}),
                        send,
                        |o| json!({"role": o.role().map(|r| r.role_name())}),
                    )
                    .await
                    .map(|_| ());
                // A retry after a lost answer is refused (the role name is taken): the role
                // being there is what was asked for.
                if created.is_err() && self.read_log_delivery_role().await?.is_some() {
                    return Ok(());
                }
                created
            }
            other => Err(misrouted(&other)),
        }
    }
}

/// Where IAM keeps a service's linked roles: `/aws-service-role/<service>/`. The role is found
/// by that path, not by name: AWS names it AWSServiceRoleForLogDelivery (aws-facts.md §1(c)),
/// S3-compatible stand-ins such as moto 5.2 name it otherwise.
fn service_role_path(service: &str) -> String {
    format!("/aws-service-role/{service}/")
}

/// IAM's marker means more pages only while `IsTruncated` says so.
fn next_marker(out: &ListRolesOutput) -> Option<&str> {
    out.marker().filter(|_| out.is_truncated())
}
