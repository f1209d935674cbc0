//! The AWS layer: SDK clients from the standard credential chain, paced at the IVS Chat API
//! quotas, with retries, behind narrow traits. Everything above this module works on the types in
//! `crate::live`, never on SDK types.

mod apply;
mod audit;
mod calls;
mod chat;
mod connect;
mod destinations;
mod error;
mod lex;
mod pace;
mod pages;
mod read;
mod stack_sets;
mod trail;

pub use apply::{
    Applied, ApplyFailure, ChangeError, ChangeEvent, Waits, apply_changes, describe_change,
};
pub use audit::{AuditLog, AuditLogError, Record};
pub use chat::{ChatApi, SdkChat};
pub use connect::{Connection, Session};
pub use destinations::{DestinationApi, SdkDestinations, read_destinations};
pub use error::AwsError;
pub use lex::{LexApi, SdkLex, read_bots};
pub use pace::{Pacer, transactions_per_second};
pub use read::{Progress, read_region};
pub use stack_sets::{OperationProgress, OperationWaits, SdkStackSets};
pub use trail::{SdkTrail, TrailApi};
