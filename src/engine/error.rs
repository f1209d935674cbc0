//! Why the engine could not read or plan a deployment: an AWS call that failed (with its
//! operation, resource and AWS error code), or credentials that reach the wrong account.

use crate::aws::AwsError;

use super::DeploymentId;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    /// An AWS call failed; its message names the operation, the resource and AWS's error code,
    /// and the permission the caller lacks when AWS denied it.
    #[error(transparent)]
    Aws(#[from] AwsError),
    /// The credentials resolved for the deployment reach another account.
    #[error("the credentials for {deployment} are for account {actual}")]
    WrongAccount {
        deployment: DeploymentId,
        expected: String,
        actual: String,
    },
}

impl EngineError {
    /// What to do about it, when the message alone does not say.
    pub fn help(&self) -> Option<String> {
        match self {
            EngineError::Aws(_) => None,
            EngineError::WrongAccount { expected, .. } => Some(format!(
                "name a profile or role for account {expected} under `accounts` in the spec, or pass --profile"
            )),
        }
    }
}
