//! Test kit for chatlog: what its tests and benchmarks run against instead of AWS.
//!
//! - [`MotoServer`]: moto in server mode (S3, CloudWatch Logs, IAM, STS, Firehose) on
//!   127.0.0.1, from the venv `scripts/test` builds; [`MotoServer::shared`] for one per process.
//! - [`IvsChatServer`]: a local IVS Chat control-plane server speaking the service's wire protocol
//!   (moto has no ivschat), with fault injection and a call record through [`Control`], and the
//!   log-delivery side effects written into moto.
//! - [`fresh_account`] and [`sdk_config`]: each test uses its own account id as its access key;
//!   both servers derive the account from it, so tests sharing a server stay isolated.
//!
//! ```no_run
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! use chatlog_testkit::{IvsChatServer, MotoServer, ServerConfig, fresh_account};
//!
//! let moto = MotoServer::shared()?;
//! let server = IvsChatServer::start(ServerConfig {
//!     moto_endpoint: Some(moto.endpoint().to_owned()),
//!     ..ServerConfig::default()
//! })?;
//! let account = fresh_account();
//! let s3 = chatlog_testkit::s3_client(&moto.sdk_config(&account, "us-west-2"));
//! // let ivschat = aws_sdk_ivschat::Client::new(&server.sdk_config(&account, "us-west-2"));
//! # Ok(()) }
//! ```

pub mod ivschat;
pub mod moto;

pub use ivschat::{Control, FaultRule, FaultTiming, IvsChatServer, RecordedCall, ServerConfig};
pub use moto::{MotoServer, fresh_account, s3_client, sdk_config};
