//! chatlog: chat logging as code for Amazon IVS Chat.
//!
//! The core is pure: [`spec`] reads documents into a merged spec, [`model`] checks it and
//! resolves the desired state, [`render`] and [`policy`] make documents of it. Files and AWS
//! stay at the edges: [`files`] writes what the binary asks for, [`aws`] talks to AWS.

#[cfg(feature = "aws")]
pub mod aws;
pub mod baseline;
pub mod diagnostic;
pub mod drift;
#[cfg(feature = "aws")]
pub mod engine;
pub mod explain;
pub mod files;
pub mod graph;
pub mod init;
pub mod live;
pub mod model;
pub mod plan;
pub mod policy;
pub mod render;
pub mod report;
pub mod sanitize;
pub mod sorted_map;
pub mod spec;
pub mod suggest;
pub mod validate;
