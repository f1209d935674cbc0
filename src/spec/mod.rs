//! The spec format: parsing with positions, the JSON Schema, the typed values, and merging.

mod block_typed;
mod block_yaml;
pub(crate) mod constraints;
pub mod key_list;
pub mod load;
mod origin;
pub mod schema;
pub mod source;
mod strict;
pub mod tree;
pub mod types;
