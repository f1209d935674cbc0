//! The library's one edge to the file system: writing rendered files. The pure core (spec,
//! model, render, policy) never touches a file; the binary writes through here.
//!
//! `render --out DIR` owns DIR's target folders (`cloudformation/`, `policies/`): each is built completely in a temporary folder inside DIR and then swapped in
//! with renames, so a reader sees the old set or the new set, never half of each, and files the
//! spec no longer produces disappear. Nothing is written outside DIR: every path is checked to
//! be plain relative components under a target folder.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::render::{File, Target};

mod unchanged;

/// Marks a folder as written by chatlog, so chatlog never replaces a folder it did not write.
pub const MARKER: &str = ".chatlog";
const MARKER_TEXT: &str =
    "Written by `chatlog render`; the whole folder is replaced on each render.\n";

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("`{0}` is not a safe relative path under a target folder")]
    UnsafePath(String),
    #[error("`{0}` exists and was not written by chatlog; move it away or choose another --out")]
    NotOurs(String),
    #[error("`{0}` is a symbolic link or not a directory; chatlog only replaces folders it wrote")]
    NotAFolder(String),
    #[error("`{0}` appeared meanwhile; not replaced")]
    Appeared(String),
    #[error("cannot write `{0}`: {1}")]
    Io(String, std::io::Error),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> WriteError + '_ {
    move |e| WriteError::Io(path.display().to_string(), e)
}

/// The components of `path` below `folder`, or an error when it could escape.
fn components<'a>(path: &'a str, folder: &str) -> Result<Vec<&'a str>, WriteError> {
    let parts: Vec<&str> = path.split('/').collect();
    let safe = parts.len() >= 2
        && parts.first() == Some(&folder)
        && parts.iter().all(|p| {
            !p.is_empty()
                && *p != "."
                && *p != ".."
                && !p.contains(['\\', '\0', ':'])
                && !p.starts_with(".chatlog")
        });
    if !safe {
        return Err(WriteError::UnsafePath(path.to_owned()));
    }
    Ok(parts.into_iter().skip(1).collect())
}

/// Replaces each target's folder under `out` with exactly `files` (those under that folder).
/// Returns the folders written.
pub fn write_outputs(
    out: &Path,
    targets: &[Target],
    files: &[File],
) -> Result<Vec<PathBuf>, WriteError> {
    let staging = Staging::begin(out, targets)?;
    for f in files {
        staging.put(f)?;
    }
    staging.commit()
}

/// The target folders of one render, being built in temporary folders inside `out`: files go
/// in one at a time as they are rendered ([`Staging::put`]), so a render need not hold them all;
/// [`Staging::commit`] swaps the folders in. Dropped without a commit (an error, a refused path),
/// it removes what it staged and `out` keeps what it had.
pub struct Staging {
    folders: Vec<StagedFolder>,
    pid: u32,
    /// Counted from the threads that render (see [`Staging::put`]).
    files: AtomicUsize,
    committed: bool,
}

/// One target's folder being staged.
struct StagedFolder {
    /// The target's folder name.
    name: &'static str,
    /// The temporary folder the files go into.
    tmp: PathBuf,
    /// The folder it replaces.
    last: PathBuf,
    /// What a file written into `tmp` is made as, from the marker just written there; `None`
    /// where that could not be read or nothing is replaced, and then every file is written.
    new_file: Option<unchanged::NewFile>,
}

impl Staging {
    /// Checks that every target folder under `out` may be replaced, before anything is written.
    pub fn begin(out: &Path, targets: &[Target]) -> Result<Staging, WriteError> {
        fs::create_dir_all(out).map_err(io(out))?;
        let mut targets = targets.to_vec();
        targets.sort_unstable();
        targets.dedup();
        // Every folder is checked before anything is written, so a refusal leaves DIR untouched.
        let replaces = targets
            .iter()
            .map(|t| check_replaceable(&out.join(t.folder())))
            .collect::<Result<Vec<bool>, WriteError>>()?;
        let pid = std::process::id();
        for t in &targets {
            remove_leftovers(out, t.folder());
        }
        let mut staging = Staging {
            folders: Vec::new(),
            pid,
            files: AtomicUsize::new(0),
            committed: false,
        };
        for (t, replaces) in targets.iter().zip(replaces) {
            let folder = t.folder();
            let tmp = out.join(format!(".{folder}.chatlog-tmp-{pid}"));
            if tmp.exists() {
                fs::remove_dir_all(&tmp).map_err(io(&tmp))?;
            }
            fs::create_dir(&tmp).map_err(io(&tmp))?;
            let marker = tmp.join(MARKER);
            create_new(&marker, MARKER_TEXT)?;
            // Into an empty place every file is written; no file is looked for.
            let new_file = replaces
                .then(|| unchanged::NewFile::like(&marker))
                .flatten();
            staging.folders.push(StagedFolder {
                name: folder,
                new_file,
                tmp,
                last: out.join(folder),
            });
        }
        Ok(staging)
    }

    /// Writes one file into its target's temporary folder. A path outside every target folder
    /// of this render, or one that could escape it, is refused. Takes `&self`: each rendering
    /// thread writes the files it rendered (see `render::render_files`).
    ///
    /// A file the folder being replaced holds with the same bytes is linked instead of written
    /// (see [`unchanged::link`]): it keeps its inode and modification time.
    pub fn put(&self, f: &File) -> Result<(), WriteError> {
        let (folder, parts) = self.staged(&f.path)?;
        let (name, dirs) = parts
            .split_last()
            .ok_or_else(|| WriteError::UnsafePath(f.path.clone()))?;
        let mut path = folder.tmp.clone();
        if !dirs.is_empty() {
            path.extend(dirs);
            // Takes a folder another rendering thread makes at the same time as made.
            fs::create_dir_all(&path).map_err(io(&path))?;
        }
        path.push(name);
        let linked = folder.new_file.is_some_and(|new_file| {
            let mut last = folder.last.clone();
            last.extend(&parts);
            unchanged::link(&last, &path, f.contents.as_bytes(), new_file)
        });
        if !linked {
            create_new(&path, &f.contents)?;
        }
        self.files.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// How many files were put in so far.
    pub fn files(&self) -> usize {
        self.files.load(Ordering::Relaxed)
    }

    /// The target folder of a file this render may write, and the file's place in it.
    fn staged<'p>(&self, path: &'p str) -> Result<(&StagedFolder, Vec<&'p str>), WriteError> {
        let folder = self
            .folders
            .iter()
            .find(|folder| {
                path.strip_prefix(folder.name)
                    .is_some_and(|rest| rest.starts_with('/'))
            })
            .ok_or_else(|| WriteError::UnsafePath(path.to_owned()))?;
        Ok((folder, components(path, folder.name)?))
    }

    /// Swaps every staged folder in; returns the folders written.
    pub fn commit(mut self) -> Result<Vec<PathBuf>, WriteError> {
        self.committed = true;
        let mut written = Vec::new();
        for folder in &self.folders {
            swap(&folder.tmp, &folder.last, self.pid)?;
            written.push(folder.last.clone());
        }
        Ok(written)
    }
}

impl crate::render::Sink for Staging {
    type Error = WriteError;

    /// Hands the text back once it is written.
    fn put(&self, file: File) -> Result<Option<String>, WriteError> {
        Staging::put(self, &file)?;
        Ok(Some(file.contents))
    }

    /// Removes a file put before from its temporary folder.
    fn retract(&self, path: &str) -> Result<(), WriteError> {
        let (folder, parts) = self.staged(path)?;
        let mut staged = folder.tmp.clone();
        staged.extend(parts);
        fs::remove_file(&staged).map_err(io(&staged))?;
        self.files.fetch_sub(1, Ordering::Relaxed);
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            for folder in &self.folders {
                let _ = fs::remove_dir_all(&folder.tmp);
            }
        }
    }
}

/// A render killed mid-write leaves its staging folder behind (`.<folder>.chatlog-tmp-<pid>`,
/// with chatlog's marker inside); the next render into the same directory removes it. Best
/// effort: a leftover that cannot be removed only costs disk space.
fn remove_leftovers(out: &Path, folder: &str) {
    let prefix = format!(".{folder}.chatlog-tmp-");
    let Ok(entries) = fs::read_dir(out) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let ours = name.to_str().is_some_and(|n| n.starts_with(&prefix));
        let path = entry.path();
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if ours && is_dir && path.join(MARKER).is_file() {
            let _ = fs::remove_dir_all(&path);
        }
    }
}

/// Refuses a target folder chatlog may not replace; answers whether it holds anything (a
/// folder of a render before, whose unchanged files are kept).
fn check_replaceable(dir: &Path) -> Result<bool, WriteError> {
    let meta = match fs::symlink_metadata(dir) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(WriteError::Io(dir.display().to_string(), e)),
    };
    if !meta.is_dir() {
        return Err(WriteError::NotAFolder(dir.display().to_string()));
    }
    let empty = fs::read_dir(dir).map_err(io(dir))?.next().is_none();
    if !empty && !dir.join(MARKER).is_file() {
        return Err(WriteError::NotOurs(dir.display().to_string()));
    }
    Ok(!empty)
}

fn create_new(path: &Path, contents: &str) -> Result<(), WriteError> {
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(io(path))?;
    file.write_all(contents.as_bytes()).map_err(io(path))
}

fn swap(tmp: &Path, final_dir: &Path, pid: u32) -> Result<(), WriteError> {
    let old = final_dir.with_file_name(format!(
        ".{}.chatlog-old-{pid}",
        final_dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("out")
    ));
    let had_old = final_dir.exists();
    if had_old {
        if old.exists() {
            fs::remove_dir_all(&old).map_err(io(&old))?;
        }
        fs::rename(final_dir, &old).map_err(io(final_dir))?;
    }
    if let Err(e) = fs::rename(tmp, final_dir) {
        if had_old {
            let _ = fs::rename(&old, final_dir);
        }
        return Err(WriteError::Io(final_dir.display().to_string(), e));
    }
    if had_old {
        fs::remove_dir_all(&old).map_err(io(&old))?;
    }
    Ok(())
}

/// Writes one file atomically: a temporary file next to it, then a rename over it.
pub fn write_file_atomic(path: &Path, contents: &str) -> Result<(), WriteError> {
    let tmp = written_beside(path, contents)?;
    if let Ok(meta) = fs::metadata(path) {
        let _ = fs::set_permissions(&tmp, meta.permissions());
    }
    fs::rename(&tmp, path).map_err(|e| {
        let _ = fs::remove_file(&tmp);
        WriteError::Io(path.display().to_string(), e)
    })
}

/// Writes one file only where none is: a temporary file next to it, then a hard link into
/// place, which fails rather than replace a file that appeared since the caller looked.
pub fn write_file_new(path: &Path, contents: &str) -> Result<(), WriteError> {
    let tmp = written_beside(path, contents)?;
    let linked = fs::hard_link(&tmp, path);
    let _ = fs::remove_file(&tmp);
    linked.map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            WriteError::Appeared(path.display().to_string())
        } else {
            WriteError::Io(path.display().to_string(), e)
        }
    })
}

/// `contents` in a new temporary file beside `path`, so that moving it into place is one step.
fn written_beside(path: &Path, contents: &str) -> Result<PathBuf, WriteError> {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| WriteError::UnsafePath(path.display().to_string()))?;
    let tmp = path.with_file_name(format!(".{name}.chatlog-tmp-{}", std::process::id()));
    if tmp.exists() {
        fs::remove_file(&tmp).map_err(io(&tmp))?;
    }
    create_new(&tmp, contents)?;
    Ok(tmp)
}

#[derive(Debug, thiserror::Error)]
#[error("cannot read `{0}`: {1}")]
pub struct ReadError(String, std::io::Error);

/// The files in the target folders of a directory, as `chatlog check` compares them: listed up
/// front, read one at a time ([`crate::drift::files::Committed`]). Only chatlog's own folders
/// are read: the rest of the directory is the user's.
#[derive(Debug)]
pub struct OwnedFolders {
    root: PathBuf,
    /// Relative `/`-separated path, and whether it is a regular file (a symbolic link or other
    /// special file is never something chatlog wrote, and reads as not text).
    files: BTreeMap<String, bool>,
}

impl OwnedFolders {
    pub fn list(dir: &Path, targets: &[Target]) -> Result<OwnedFolders, ReadError> {
        let mut files = BTreeMap::new();
        for target in targets {
            let folder = dir.join(target.folder());
            if folder.is_dir() {
                list_folder(&folder, target.folder(), &mut files)?;
            }
        }
        Ok(OwnedFolders {
            root: dir.to_path_buf(),
            files,
        })
    }
}

fn list_folder(
    path: &Path,
    relative: &str,
    out: &mut BTreeMap<String, bool>,
) -> Result<(), ReadError> {
    let cannot = |p: &Path| {
        let shown = p.display().to_string();
        move |e| ReadError(shown, e)
    };
    let mut entries: Vec<_> = fs::read_dir(path)
        .map_err(cannot(path))?
        .filter_map(Result::ok)
        .collect();
    entries.sort_by_key(fs::DirEntry::file_name);
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        // The writer's ownership marker is not a rendered file.
        if !relative.contains('/') && name == MARKER {
            continue;
        }
        let child = format!("{relative}/{name}");
        let kind = entry.file_type().map_err(cannot(&entry.path()))?;
        if kind.is_dir() {
            list_folder(&entry.path(), &child, out)?;
        } else {
            out.insert(child, kind.is_file());
        }
    }
    Ok(())
}

impl crate::drift::files::Committed for OwnedFolders {
    type Error = ReadError;
    fn paths(&self) -> Vec<&str> {
        self.files.keys().map(String::as_str).collect()
    }
    fn contains(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }
    fn read(&self, path: &str) -> Result<Option<String>, ReadError> {
        if self.files.get(path) != Some(&true) {
            return Ok(None);
        }
        let full = self.root.join(path);
        let bytes = fs::read(&full).map_err(|e| ReadError(full.display().to_string(), e))?;
        Ok(String::from_utf8(bytes).ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rendering threads put files at once, into folders none of them has made yet.
    #[test]
    fn threads_put_files_into_the_same_new_folders_at_once() {
        let out = tempfile::tempdir().unwrap();
        let staging = Staging::begin(out.path(), &[Target::Terraform]).unwrap();
        let barrier = std::sync::Barrier::new(8);
        std::thread::scope(|s| {
            for t in 0..8 {
                let (staging, barrier) = (&staging, &barrier);
                s.spawn(move || {
                    barrier.wait();
                    for d in 0..50 {
                        let file = File {
                            path: format!("terraform/m{d}/deep/f{t}.tf"),
                            contents: t.to_string(),
                        };
                        staging.put(&file).unwrap();
                    }
                });
            }
        });
        assert_eq!(staging.files(), 400);
        staging.commit().unwrap();
        for d in 0..50 {
            for t in 0..8 {
                let path = out.path().join(format!("terraform/m{d}/deep/f{t}.tf"));
                assert_eq!(fs::read_to_string(path).unwrap(), t.to_string());
            }
        }
    }
}
