//! Drift: what is, compared with what the spec says should be.

pub mod files;
pub mod live;
pub mod picture;
