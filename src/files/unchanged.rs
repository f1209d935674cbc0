//! Keeping the files a render would write again byte for byte. Most of a re-render is files
//! that did not change (a pull request touches a few rooms); writing each again cost the page
//! cache its pages twice, once to write the new file and once to drop the old one when the
//! replaced folder goes (issue 17: a third of a 5,000-room JSON re-render's kernel time). A
//! file that holds exactly what would be written is linked into the staging folder instead, so
//! the swap keeps it: same bytes, same inode, and its modification time says when it last
//! changed. Unix only (owner, group, mode and link count are what decide); elsewhere every
//! file is written.

use std::fs;
#[cfg(unix)]
use std::io::Read as _;
#[cfg(unix)]
use std::os::unix::fs::MetadataExt as _;
use std::path::Path;

/// What writing a file into a staging folder makes: its owner, group and permissions, read from
/// the marker chatlog has just written there. A kept file must match it, so that keeping it
/// gives the file a write would have given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct NewFile {
    uid: u32,
    gid: u32,
    mode: u32,
}

impl NewFile {
    #[cfg(unix)]
    pub(super) fn like(written: &Path) -> Option<NewFile> {
        fs::symlink_metadata(written)
            .ok()
            .map(|meta| NewFile::of(&meta))
    }

    #[cfg(not(unix))]
    pub(super) fn like(_written: &Path) -> Option<NewFile> {
        None
    }

    #[cfg(unix)]
    fn of(meta: &fs::Metadata) -> NewFile {
        NewFile {
            uid: meta.uid(),
            gid: meta.gid(),
            mode: meta.mode(),
        }
    }
}

/// Links `last` (where the folder being replaced holds this file) as `staged`, if it is a
/// regular file that holds exactly `contents`, has no other name (a file linked elsewhere would
/// tie that name to this render's output), and has the owner, group and permissions of
/// `new_file`. Answers whether it did; on `false`, `staged` does not exist and the caller writes
/// the file. The bytes are compared as read through the file opened after its metadata was
/// checked, and the link is checked to be that same file, so a name swapped meanwhile is written
/// rather than kept.
#[cfg(unix)]
pub(super) fn link(last: &Path, staged: &Path, contents: &[u8], new_file: NewFile) -> bool {
    let Ok(meta) = fs::symlink_metadata(last) else {
        return false;
    };
    let fits = meta.file_type().is_file()
        && meta.nlink() == 1
        && meta.len() == contents.len() as u64
        && NewFile::of(&meta) == new_file;
    if !fits {
        return false;
    }
    let Ok(mut file) = fs::File::open(last) else {
        return false;
    };
    let same_file = |m: &fs::Metadata| m.dev() == meta.dev() && m.ino() == meta.ino();
    if !file.metadata().is_ok_and(|m| same_file(&m)) || !holds(&mut file, contents) {
        return false;
    }
    if fs::hard_link(last, staged).is_err() {
        return false;
    }
    if fs::symlink_metadata(staged).is_ok_and(|m| same_file(&m)) {
        return true;
    }
    // Linked, but not the file compared: written instead.
    let _ = fs::remove_file(staged);
    false
}

/// Never called where [`NewFile::like`] answers `None`, as it always does here.
#[cfg(not(unix))]
pub(super) fn link(_last: &Path, _staged: &Path, _contents: &[u8], _new_file: NewFile) -> bool {
    false
}

/// Whether `file`, read from its start to its end, is `contents`. Read through a buffer on the
/// stack, so that comparing a file allocates nothing.
#[cfg(unix)]
fn holds(file: &mut fs::File, contents: &[u8]) -> bool {
    let mut buffer = [0_u8; 64 * 1024];
    for expected in contents.chunks(buffer.len()) {
        let Some(read) = buffer.get_mut(..expected.len()) else {
            return false;
        };
        if file.read_exact(read).is_err() || read != expected {
            return false;
        }
    }
    // Nothing after: a file that grew since its size was read is not the same.
    matches!(file.read(&mut [0_u8; 1]), Ok(0))
}

#[cfg(test)]
#[cfg(unix)]
mod tests {
    use std::os::unix::fs::PermissionsExt as _;

    use super::*;
    use crate::files::Staging;
    use crate::render::{File, Target};

    fn render(out: &Path, files: &[(&str, &str)]) {
        let staging = Staging::begin(out, &[Target::CloudFormation]).unwrap();
        put(&staging, files);
        staging.commit().unwrap();
    }

    fn put(staging: &Staging, files: &[(&str, &str)]) {
        for (name, contents) in files {
            let file = File {
                path: format!("cloudformation/{name}"),
                contents: (*contents).to_owned(),
            };
            staging.put(&file).unwrap();
        }
    }

    /// What `out` holds: only the target folder, no staging or replaced folder left behind.
    fn names_in(out: &Path) -> Vec<std::ffi::OsString> {
        fs::read_dir(out)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect()
    }

    fn inode(path: &Path) -> u64 {
        fs::symlink_metadata(path).unwrap().ino()
    }

    #[test]
    fn an_unchanged_file_keeps_its_inode_and_a_changed_one_is_written() {
        let out = tempfile::tempdir().unwrap();
        let folder = out.path().join("cloudformation");
        render(out.path(), &[("a.json", "same"), ("b/c.json", "once")]);
        let (a, c) = (
            inode(&folder.join("a.json")),
            inode(&folder.join("b/c.json")),
        );

        // `b/c.json` keeps its length and changes its bytes; `d.json` is new.
        render(
            out.path(),
            &[("a.json", "same"), ("b/c.json", "ONCE"), ("d.json", "new")],
        );
        assert_eq!(inode(&folder.join("a.json")), a);
        assert_eq!(fs::read_to_string(folder.join("a.json")).unwrap(), "same");
        assert_ne!(inode(&folder.join("b/c.json")), c);
        assert_eq!(fs::read_to_string(folder.join("b/c.json")).unwrap(), "ONCE");
        assert_eq!(fs::read_to_string(folder.join("d.json")).unwrap(), "new");
        // The replaced folder is gone, and with it the kept file's second name.
        assert_eq!(fs::metadata(folder.join("a.json")).unwrap().nlink(), 1);
        assert_eq!(names_in(out.path()), ["cloudformation"]);
    }

    #[test]
    fn a_file_with_another_name_or_other_permissions_is_written_anew() {
        let out = tempfile::tempdir().unwrap();
        let folder = out.path().join("cloudformation");
        render(out.path(), &[("linked.json", "x"), ("private.json", "y")]);
        let elsewhere = out.path().join("elsewhere.json");
        fs::hard_link(folder.join("linked.json"), &elsewhere).unwrap();
        let private = folder.join("private.json");
        fs::set_permissions(&private, fs::Permissions::from_mode(0o600)).unwrap();
        let fresh_mode = fs::metadata(folder.join(crate::files::MARKER))
            .unwrap()
            .mode();
        assert_ne!(fs::metadata(&private).unwrap().mode(), fresh_mode);
        let private_inode = inode(&private);

        render(out.path(), &[("linked.json", "x"), ("private.json", "y")]);
        assert_ne!(inode(&folder.join("linked.json")), inode(&elsewhere));
        assert_eq!(fs::read_to_string(&elsewhere).unwrap(), "x");
        assert_ne!(inode(&private), private_inode);
        assert_eq!(fs::metadata(&private).unwrap().mode(), fresh_mode);
        assert_eq!(fs::read_to_string(&private).unwrap(), "y");
    }

    #[test]
    fn a_render_that_stops_leaves_the_kept_files_where_they_were() {
        let out = tempfile::tempdir().unwrap();
        let folder = out.path().join("cloudformation");
        render(out.path(), &[("a.json", "same")]);
        let a = inode(&folder.join("a.json"));
        {
            let staging = Staging::begin(out.path(), &[Target::CloudFormation]).unwrap();
            put(&staging, &[("a.json", "same")]);
            assert_eq!(fs::metadata(folder.join("a.json")).unwrap().nlink(), 2);
            // Dropped without a commit, as on an error.
        }
        assert_eq!(inode(&folder.join("a.json")), a);
        assert_eq!(fs::metadata(folder.join("a.json")).unwrap().nlink(), 1);
        assert_eq!(fs::read_to_string(folder.join("a.json")).unwrap(), "same");
        assert_eq!(names_in(out.path()), ["cloudformation"]);
    }

    #[test]
    fn a_symbolic_link_is_replaced_by_a_file() {
        let out = tempfile::tempdir().unwrap();
        let folder = out.path().join("cloudformation");
        render(out.path(), &[("t.json", "body")]);
        let target = out.path().join("target.json");
        fs::write(&target, "body").unwrap();
        fs::remove_file(folder.join("t.json")).unwrap();
        std::os::unix::fs::symlink(&target, folder.join("t.json")).unwrap();

        render(out.path(), &[("t.json", "body")]);
        let meta = fs::symlink_metadata(folder.join("t.json")).unwrap();
        assert!(meta.file_type().is_file());
        assert_ne!(meta.ino(), inode(&target));
        assert_eq!(fs::read_to_string(folder.join("t.json")).unwrap(), "body");
    }

    #[test]
    fn link_refuses_a_missing_longer_or_shorter_file_and_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let last = dir.path().join("last");
        let staged = dir.path().join("staged");
        fs::write(&last, "abcdef").unwrap();
        let new_file = NewFile::like(&last).unwrap();
        for contents in ["abcde", "abcdefg", "abcdeF"] {
            assert!(!link(&last, &staged, contents.as_bytes(), new_file));
            assert!(!staged.exists());
        }
        assert!(!link(&dir.path().join("none"), &staged, b"", new_file));
        assert!(!staged.exists());
        // A file longer than the buffer, equal to its last byte and then not.
        let long = vec![b'z'; 150 * 1024];
        fs::write(&last, &long).unwrap();
        let mut other = long.clone();
        if let Some(b) = other.last_mut() {
            *b = b'y';
        }
        assert!(!link(&last, &staged, &other, new_file));
        assert!(!staged.exists());
        assert!(link(&last, &staged, &long, new_file));
        assert_eq!(inode(&staged), inode(&last));
    }
}
