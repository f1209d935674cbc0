//! The call helper every service's client shares (`Calls`), and what it needs to know about one
//! call (`Call`).

use std::future::Future;
use std::sync::Arc;

use aws_sdk_ivschat::config::http::HttpResponse;
use aws_sdk_ivschat::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_ivschat::operation::RequestId;
use serde_json::Value;

use super::audit::{AuditLog, Record};
use super::error::AwsError;
use super::pace::Pacer;

/// One call: the operation (CloudTrail's `eventName`), the IAM action that allows it (named in
/// access-denied errors), what it is about, and whether it only reads.
pub(super) struct Call<'a> {
    pub(super) operation: &'static str,
    pub(super) action: &'a str,
    pub(super) resource: &'a str,
    pub(super) read_only: bool,
}

/// What every SDK call goes through, whatever the service: pacing (IVS Chat only: its quotas are
/// known and not adjustable), the audit log, and the mapping to `AwsError`.
#[derive(Clone, Debug)]
pub(super) struct Calls {
    /// CloudTrail's `eventSource`, e.g. `ivschat.amazonaws.com`.
    event_source: &'static str,
    pacer: Option<Arc<Pacer>>,
    region: String,
    account: String,
    audit: Option<Arc<AuditLog>>,
}

impl Calls {
    pub(super) fn new(
        session: &super::Session,
        account: &str,
        event_source: &'static str,
        paced: bool,
    ) -> Self {
        Calls {
            event_source,
            pacer: paced.then(|| session.pacer.clone()),
            region: session.region.clone(),
            account: account.to_owned(),
            audit: session.audit.clone(),
        }
    }

    /// The same calls, recorded under another region (IAM is global; CloudTrail files its
    /// events under us-east-1).
    pub(super) fn in_region(mut self, region: &str) -> Self {
        self.region = region.to_owned();
        self
    }

    /// Paces, sends, records in the audit log, and maps the error.
    pub(super) async fn call<T, E, F>(
        &self,
        call: Call<'_>,
        request: Value,
        send: F,
        response: impl FnOnce(&T) -> Value,
    ) -> Result<T, AwsError>
    where
        F: Future<Output = Result<T, SdkError<E, HttpResponse>>>,
        T: RequestId,
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let Call {
            operation,
            action,
            resource,
            read_only,
        } = call;
        if let Some(pacer) = &self.pacer {
            pacer.wait(operation).await;
        }
        let result = send.await;
        let (request_id, response_value, error) = match &result {
            Ok(out) => (out.request_id().map(str::to_owned), response(out), None),
            Err(e) => (
                e.request_id().map(str::to_owned),
                Value::Null,
                Some((e.code().map(str::to_owned), e.message().map(str::to_owned))),
            ),
        };
        if let Some(log) = &self.audit {
            let (error_code, error_message) = error.unwrap_or((None, None));
            log.write(Record {
                event_source: self.event_source,
                event_name: operation,
                region: &self.region,
                account: &self.account,
                read_only,
                request,
                response: response_value,
                error_code,
                error_message,
                request_id,
            });
        }
        result.map_err(|e| AwsError::from_sdk(action, resource, e))
    }

    /// A write whose answer chatlog does not keep (the audit record has no response elements).
    pub(super) async fn write<T, E, F>(
        &self,
        call: Call<'_>,
        request: Value,
        send: F,
    ) -> Result<(), AwsError>
    where
        F: Future<Output = Result<T, SdkError<E, HttpResponse>>>,
        T: RequestId,
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        self.call(call, request, send, |_| Value::Null)
            .await
            .map(|_| ())
    }
}

pub(super) fn call<'a>(
    operation: &'static str,
    action: &'a str,
    resource: &'a str,
    read_only: bool,
) -> Call<'a> {
    Call {
        operation,
        action,
        resource,
        read_only,
    }
}
