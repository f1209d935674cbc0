//! The files a spec was read from, and lookups from a JSON pointer to a line and column.

use crate::diagnostic::Location;

use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::tree::{self, NodePos, Positions};

/// Index of a file in [`Sources`].
pub type FileId = usize;

#[derive(Debug)]
pub struct SourceFile {
    pub path: String,
    pub text: String,
    /// Position of every node (and mapping key) by JSON pointer; see [`SourceFile::deferred`].
    positions: OnceLock<Positions>,
    /// The positions can be read again from `text` (the block-subset reader's files).
    rereadable: bool,
    /// Lookups answered so far by reading the path to one pointer ([`PATH_READS`]).
    path_reads: AtomicUsize,
}

/// How many lookups in a file whose positions are not read yet are answered by reading only the
/// path to the pointer ([`tree::positions_along`]: at 50,000 rooms, nothing for an entry near
/// the top, 12 ms for the last room) before the file's positions are read whole (0.25 s and
/// 35 MB at 50,000 rooms): a spec with a few findings never holds them all, and one with many
/// pays for them once, after at most 0.1 s of path reads (issue 17).
const PATH_READS: usize = 8;

impl SourceFile {
    /// A file and the positions of its nodes.
    pub fn new(path: String, text: String, positions: Positions) -> SourceFile {
        SourceFile {
            path,
            text,
            positions: OnceLock::from(positions),
            rereadable: false,
            path_reads: AtomicUsize::new(0),
        }
    }

    /// A file whose positions are read from its text ([`tree::parse_positions`]) when something first
    /// asks for one: a spec without diagnostics never pays for them, which at 50,000 rooms is
    /// half of the parse and 700,000 pointers held in memory (issue 17).
    pub fn deferred(path: String, text: String) -> SourceFile {
        SourceFile {
            path,
            text,
            positions: OnceLock::new(),
            rereadable: true,
            path_reads: AtomicUsize::new(0),
        }
    }

    /// Position of every node (and mapping key) by JSON pointer.
    pub fn positions(&self) -> &Positions {
        self.positions
            .get_or_init(|| tree::parse_positions(&self.text).unwrap_or_default())
    }
}

#[derive(Debug, Default)]
pub struct Sources {
    files: Vec<SourceFile>,
}

/// Which part of a mapping entry a diagnostic should point at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Anchor {
    Key,
    Value,
}

impl Sources {
    pub fn push(&mut self, file: SourceFile) -> FileId {
        self.files.push(file);
        self.files.len() - 1
    }

    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id)
    }

    /// Drops the positions that a later lookup can read again from the file's text. Validation
    /// locates its diagnostics as it makes them, so once it is done the map (35 MB for 50,000
    /// rooms) need not stay for the render (issue 17).
    pub fn release_positions(&mut self) {
        for file in self.files.iter_mut().filter(|f| f.rereadable) {
            file.positions.take();
            *file.path_reads.get_mut() = 0;
        }
    }

    pub fn files(&self) -> impl Iterator<Item = &SourceFile> {
        self.files.iter()
    }

    /// The location of the node at `pointer`, or of its nearest ancestor that exists (a missing
    /// key is reported on the mapping that lacks it).
    pub fn locate(&self, file: FileId, pointer: &str, anchor: Anchor) -> Option<Location> {
        let source = self.files.get(file)?;
        let along = (source.rereadable
            && source.positions.get().is_none()
            && source.path_reads.fetch_add(1, Ordering::Relaxed) < PATH_READS)
            .then(|| tree::positions_along(&source.text, pointer))
            .flatten();
        let positions = along.as_ref().unwrap_or_else(|| source.positions());
        let mut current = pointer;
        loop {
            if let Some(node) = positions.get(current) {
                return Some(location(source, current, node, anchor));
            }
            let cut = current.rfind('/')?;
            current = current.get(..cut)?;
        }
    }

    /// A location at a line and column with no node behind it (syntax errors).
    pub fn at_position(&self, file: FileId, line: u32, column: u32, len: u32) -> Option<Location> {
        let source = self.files.get(file)?;
        Some(Location {
            file: source.path.clone(),
            line,
            column,
            len,
            pointer: None,
        })
    }

    /// The whole first line of a file, for errors about the file as a whole.
    pub fn file_start(&self, file: FileId) -> Option<Location> {
        self.at_position(file, 1, 1, 0)
    }
}

fn location(source: &SourceFile, pointer: &str, node: &NodePos, anchor: Anchor) -> Location {
    let pos = match anchor {
        Anchor::Key => node.key.unwrap_or(node.value),
        Anchor::Value => node.value,
    };
    Location {
        file: source.path.clone(),
        line: pos.line,
        column: pos.column,
        len: pos.len,
        pointer: Some(pointer.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deferred file places every diagnostic where a file read with its positions does.
    #[test]
    fn a_deferred_file_locates_like_one_read_with_its_positions_also_after_release() {
        let text = "version: 1\nrooms:\n  a:\n    region: us-east-1\n    tags: {k: v}\n  b:\n    logging: [x, y]\n";
        let positions = tree::parse(text).map(|t| t.positions).unwrap_or_default();
        assert!(!positions.is_empty());
        let mut sources = Sources::default();
        let eager = sources.push(SourceFile::new("s.yaml".into(), text.into(), positions));
        let deferred = sources.push(SourceFile::deferred("s.yaml".into(), text.into()));
        let pointers = [
            "/rooms/a/region",
            "/rooms/a/tags/k",
            "/rooms/b/logging/1",
            "/rooms/b/missing",
            "/rooms",
            "",
            "/nothing/here",
            "/rooms/a",
        ];
        let cached = |sources: &Sources, file| {
            sources
                .get(file)
                .is_some_and(|f: &SourceFile| f.positions.get().is_some())
        };
        let lookup = |sources: &Sources, round: &str, anchor: Anchor| {
            for (i, pointer) in pointers.iter().enumerate() {
                assert_eq!(
                    sources.locate(deferred, pointer, anchor),
                    sources.locate(eager, pointer, anchor),
                    "{round}, lookup {i}: `{pointer}` ({anchor:?})"
                );
            }
        };
        assert_eq!(pointers.len(), PATH_READS, "one round of path reads");
        lookup(&sources, "path reads", Anchor::Key);
        assert!(!cached(&sources, deferred));
        lookup(&sources, "the whole file's positions", Anchor::Value);
        assert!(cached(&sources, deferred));
        lookup(&sources, "the whole file's positions", Anchor::Key);
        sources.release_positions();
        // The eagerly read file has no text to read them from again: it keeps them.
        assert!(!cached(&sources, deferred));
        assert!(cached(&sources, eager));
        lookup(&sources, "path reads after release", Anchor::Value);
        assert!(!cached(&sources, deferred));
    }
}
