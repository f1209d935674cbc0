//! Policy documents: typed IAM statements, the log-delivery statements each destination needs,
//! the deployer's least-privilege policy, size limits, and merging into foreign policies.
//! Pure: no I/O. Every target (CloudFormation, the policies folder, Terraform) serializes the
//! same values.

pub mod deployer;
pub mod document;
pub mod limits;
pub mod log_delivery;
pub mod merge;
pub mod plan;

pub use document::{Conditions, Effect, PolicyDocument, Principal, Statement, Strings};
