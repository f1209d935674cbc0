//! Policy documents: typed IAM statements, the log-delivery statements each destination needs,
//! the deployer's least-privilege policy, size limits, merging into foreign policies, and
//! verifying existing ones. Pure: no I/O. Every target (CloudFormation, the policies folder, Terraform) serializes the
//! same values.

pub(crate) mod audit;
pub(crate) mod deployer;
pub(crate) mod document;
pub mod lex;
pub(crate) mod limits;
pub(crate) mod log_delivery;
pub mod merge;
pub(crate) mod normalize;
pub mod plan;
pub mod verify;

pub use document::{Conditions, Effect, PolicyDocument, Principal, Statement, Strings};
