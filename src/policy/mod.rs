//! Policy documents: typed IAM statements, the log-delivery statements each destination needs,
//! the deployer's least-privilege policy, size limits, merging into foreign policies, and
//! verifying existing ones. Pure: no I/O. Every target (CloudFormation, the policies folder, Terraform) serializes the
//! same values.

pub mod audit;
pub mod deployer;
pub mod document;
pub mod lex;
pub mod limits;
pub mod log_delivery;
pub mod merge;
pub mod normalize;
pub mod plan;
pub mod verify;

pub use document::{Conditions, Effect, PolicyDocument, Principal, Statement, Strings};
