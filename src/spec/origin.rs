//! Where each part of a spec was written, for diagnostics: a file and a JSON pointer.

use serde::{Deserialize, Deserializer};

use super::source::FileId;
use super::tree;

/// Where something was written: a file and the JSON pointer of the node.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Origin {
    pub file: FileId,
    pub pointer: String,
}

impl Origin {
    pub fn child(&self, segment: &str) -> Origin {
        let mut pointer = String::with_capacity(self.pointer.len() + 1 + segment.len());
        pointer.push_str(&self.pointer);
        tree::push_segment(&mut pointer, segment);
        Origin {
            file: self.file,
            pointer,
        }
    }
}

/// The file an entry is placed in as it is read; the merge, which knows the file, sets it.
pub const FILE_AS_READ: FileId = 0;

/// A named entry of a spec section with the place it was written.
#[derive(Clone, Debug)]
pub struct Entry<T> {
    pub origin: Origin,
    pub value: T,
}

/// Read from a file, an entry is placed at the root of [`FILE_AS_READ`] for now: which file it is
/// in and which key holds it are known when the files are merged, and `load::merge` places
/// every entry before anything reads its origin (a room's key is known sooner, see
/// `types::rooms_at_their_keys`). Reading the section's entries straight into
/// this shape spares the merge a copy of them: at 5,000 rooms it wrote 1.1 MB of fresh pages and
/// took a millisecond (issue 17).
impl<'de, T: Deserialize<'de>> Deserialize<'de> for Entry<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize(deserializer).map(|value| Entry {
            origin: Origin {
                file: FILE_AS_READ,
                pointer: String::new(),
            },
            value,
        })
    }
}

/// A value set in `defaults`, with the place that set it.
pub type Located<T> = (T, Origin);
