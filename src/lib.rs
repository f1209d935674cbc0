//! chatlog: chat logging as code for Amazon IVS Chat.
//!
//! The core is pure: [`spec`] reads documents into a merged spec, [`model`] checks it and
//! resolves the desired state, [`render`] and [`policy`] make documents of it. Files and AWS
//! stay at the edges: [`files`] writes what the binary asks for, [`aws`] talks to AWS.
//!
//! The way in, for a program as for the binary:
//! - [`validate()`] reads spec files ([`Input`]) into a [`Validation`]: the [`Diagnostic`]s and,
//!   when the spec is valid, the [`model::Model`];
//! - [`render::render_validated`] turns it into files, [`files`] writes them and
//!   [`drift::files`] compares them with what is committed;
//! - [`report::render`] prints diagnostics in every [`Format`];
//! - with the `aws` feature, [`engine`] reads, plans, applies and checks accounts.
//!
//! Modules are public where the binary, the tests or the benches use them; what only the library
//! itself uses (the HCL writer, the constraint checks, policy statements, the YAML writer) is
//! private to it.

#[cfg(feature = "aws")]
pub mod aws;
pub mod baseline;
mod cores;
pub mod diagnostic;
#[cfg(test)]
mod dice;
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
mod sorted_map;
pub mod spec;
pub mod suggest;
pub mod validate;

pub use diagnostic::{Diagnostic, Location, Rule, Severity};
pub use report::Format;
pub use sorted_map::SortedMap;
pub use spec::load::Input;
pub use validate::{Validation, validate};
