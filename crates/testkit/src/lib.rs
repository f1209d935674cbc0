//! Test kit for chatlog: what its tests and benchmarks run against instead of AWS.
//!
//! - [`MotoServer`]: moto in server mode (S3, CloudWatch Logs, IAM, STS, Firehose) on
//!   127.0.0.1, from the venv `scripts/test` builds; [`MotoServer::shared`] for one per process.
//! - [`fresh_account`] and [`sdk_config`]: each test uses its own account id as its access key;
//!   moto derives the account from it, so tests sharing a server stay isolated.

pub mod moto;

pub use moto::{MotoServer, fresh_account, s3_client, sdk_config};
