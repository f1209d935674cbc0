//! One error type for every AWS call: the operation (as the IAM action that allows it), the
//! resource, the AWS error code and message. Built from SDK errors, which never carry credentials.

use std::fmt;

use aws_sdk_ivschat::config::http::HttpResponse;
use aws_sdk_ivschat::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwsError {
    /// The IAM action, e.g. `ivschat:ListRooms`.
    pub action: String,
    /// What the call was about: an ARN, a name, or the region for list calls.
    pub resource: String,
    /// The AWS error code (`AccessDeniedException`, `ThrottlingException`, ...), when AWS answered.
    pub code: Option<String>,
    pub status: Option<u16>,
    pub message: String,
    /// Whether the request may have taken effect although it failed: no answer came (a timeout,
    /// a cut connection, an answer that could not be read) or the answer was a server error.
    /// A create that fails so must be looked for before it is sent again.
    pub outcome_unknown: bool,
}

impl AwsError {
    pub fn from_sdk<E>(action: &str, resource: &str, err: SdkError<E, HttpResponse>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let status = err.raw_response().map(|r| r.status().as_u16());
        let code = err.code().map(str::to_owned);
        let outcome_unknown = match &err {
            // Never sent.
            SdkError::ConstructionFailure(_) => false,
            // A 4xx answer is a refusal: nothing was done.
            SdkError::ServiceError(_) => status.is_none_or(|s| s >= 500),
            // Timeouts, dispatch failures (the request may have left) and unreadable answers.
            _ => true,
        };
        let message = match (&err, err.message()) {
            (SdkError::ServiceError(_), Some(m)) => m.to_owned(),
            _ => DisplayErrorContext(&err).to_string(),
        };
        AwsError {
            action: action.to_owned(),
            resource: resource.to_owned(),
            code,
            status,
            message,
            outcome_unknown,
        }
    }

    /// An error chatlog finds itself, with no AWS code or status: a value the SDK's builders
    /// refuse, or an answer it cannot use.
    pub fn local(action: &str, resource: &str, message: impl fmt::Display) -> Self {
        AwsError {
            action: action.to_owned(),
            resource: resource.to_owned(),
            code: None,
            status: None,
            message: message.to_string(),
            outcome_unknown: false,
        }
    }

    /// AWS refused the call for its rate: nothing was done, and the same call may be sent again.
    pub fn throttled(&self) -> bool {
        self.status == Some(429)
            || self.code.as_deref().is_some_and(|c| {
                matches!(
                    c,
                    "ThrottlingException" | "Throttling" | "TooManyRequestsException" | "SlowDown"
                )
            })
    }

    pub fn access_denied(&self) -> bool {
        self.status == Some(403)
            || self
                .code
                .as_deref()
                .is_some_and(|c| c.contains("AccessDenied") || c == "UnauthorizedOperation")
    }
}

impl fmt::Display for AwsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let operation = self.action.split(':').nth(1).unwrap_or(&self.action);
        write!(f, "{operation} ({}) failed", self.resource)?;
        match &self.code {
            Some(code) => write!(f, ": {code}: {}", self.message)?,
            None => write!(f, ": {}", self.message)?,
        }
        if self.access_denied() {
            write!(
                f,
                "; the caller needs the IAM permission `{}` on this resource (`chatlog render --target policies` writes a deployer policy with it)",
                self.action
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for AwsError {}
