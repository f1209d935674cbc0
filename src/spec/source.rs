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
    /// The bytes of `text` read so far to answer lookups by reading the path to one pointer
    /// (see [`Sources::locate`]).
    path_bytes: AtomicUsize,
}

impl SourceFile {
    /// A file and the positions of its nodes.
    pub fn new(path: String, text: String, positions: Positions) -> SourceFile {
        SourceFile {
            path,
            text,
            positions: OnceLock::from(positions),
            rereadable: false,
            path_bytes: AtomicUsize::new(0),
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
            path_bytes: AtomicUsize::new(0),
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
            *file.path_bytes.get_mut() = 0;
        }
    }

    pub fn files(&self) -> impl Iterator<Item = &SourceFile> {
        self.files.iter()
    }

    /// The location of the node at `pointer`, or of its nearest ancestor that exists (a missing
    /// key is reported on the mapping that lacks it).
    ///
    /// In a file whose positions are not read yet, a lookup reads only the path to the pointer
    /// ([`tree::positions_along`]), which stops after the pointer's node, until those reads
    /// have read as many bytes as the file holds; then the positions are read whole, once (0.25
    /// s and 35 MB at 50,000 rooms). A path read costs no more a byte than the whole read, so a
    /// spec with many findings pays at most twice what reading the positions whole first would
    /// have cost, and one whose findings are near the top never reads them whole: 30 warnings
    /// on logging configurations, after eight path reads, read the whole positions of 5,000
    /// rooms, 105 M instructions, more than the rest of the render (issue 17).
    pub fn locate(&self, file: FileId, pointer: &str, anchor: Anchor) -> Option<Location> {
        let source = self.files.get(file)?;
        let along = (source.rereadable
            && source.positions.get().is_none()
            && source.path_bytes.load(Ordering::Relaxed) < source.text.len())
        .then(|| tree::positions_along(&source.text, pointer))
        .flatten()
        .map(|(positions, read)| {
            source.path_bytes.fetch_add(read, Ordering::Relaxed);
            positions
        });
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
        // The first lookup reads the path to `a`'s region only, less than the file.
        assert_eq!(
            sources.locate(deferred, "/rooms/a/region", Anchor::Key),
            sources.locate(eager, "/rooms/a/region", Anchor::Key)
        );
        assert!(!cached(&sources, deferred));
        lookup(
            &sources,
            "path reads, then the whole file's positions",
            Anchor::Key,
        );
        assert!(cached(&sources, deferred));
        lookup(&sources, "the whole file's positions", Anchor::Value);
        sources.release_positions();
        // The eagerly read file has no text to read them from again: it keeps them.
        assert!(!cached(&sources, deferred));
        assert!(cached(&sources, eager));
        // Released, the positions are read by path again, with a new budget.
        assert_eq!(
            sources.locate(deferred, "/rooms/a/region", Anchor::Value),
            sources.locate(eager, "/rooms/a/region", Anchor::Value)
        );
        assert!(!cached(&sources, deferred));
        lookup(&sources, "path reads after release", Anchor::Value);
    }

    /// Lookups near the top of a large file never read its positions whole, however many; a
    /// lookup that reads as far as the file's end is the last before they are.
    #[test]
    fn path_reads_last_until_they_have_read_as_much_as_the_file_holds() {
        let mut text = String::from("version: 1\ndefaults:\n  region: us-east-1\nrooms:\n");
        for n in 0..2_000 {
            text.push_str(&format!("  room-{n:04}:\n    logging: [archive]\n"));
        }
        let mut sources = Sources::default();
        let file = sources.push(SourceFile::deferred("s.yaml".into(), text));
        let source = sources.get(file).unwrap();
        for _ in 0..1_000 {
            let found = sources
                .locate(file, "/defaults/region", Anchor::Value)
                .unwrap();
            assert_eq!((found.line, found.column), (3, 11));
        }
        assert!(
            source.positions.get().is_none(),
            "read whole for lookups near the top"
        );
        assert!(source.path_bytes.load(Ordering::Relaxed) < source.text.len());
        let last = sources.locate(file, "/rooms/room-1999/logging/0", Anchor::Value);
        assert_eq!(last.map(|l| l.line), Some(4 + 2 * 1_999 + 2));
        assert!(source.positions.get().is_none(), "the path read came first");
        let first = sources.locate(file, "/rooms/room-0000", Anchor::Key);
        assert_eq!(first.map(|l| l.line), Some(5));
        assert!(source.positions.get().is_some(), "then the whole read");
    }
}
