//! Every renderer of what a person or a machine reads from chatlog, one module per kind of
//! output: diagnostics in their five formats, the plan and what stops it (preflight), the
//! inventory, apply's results and the engine's events as lines. Renderers take the library's
//! values and return strings; printing is the binary's job.

#[cfg(feature = "aws")]
pub mod apply;
pub mod diagnostics;
#[cfg(feature = "aws")]
pub mod events;
pub mod inventory;
pub mod plan;
pub mod preflight;

pub use diagnostics::{Format, Summary, render};
