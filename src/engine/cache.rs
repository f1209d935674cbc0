//! The room cache on disk: one file per account and region in a folder the caller names.

use std::path::{Path, PathBuf};

use crate::live::cache::RoomCache;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoomCacheDir(pub PathBuf);

impl RoomCacheDir {
    fn file(&self, account: &str, region: &str) -> PathBuf {
        self.0.join(format!("rooms-{account}-{region}.json"))
    }

    /// What the last read saw; an empty cache when there is none or it cannot be read.
    pub fn load(&self, account: &str, region: &str) -> RoomCache {
        std::fs::read_to_string(self.file(account, region))
            .map(|text| RoomCache::from_json(&text))
            .unwrap_or_default()
    }

    /// Best effort and atomic: a cache that cannot be written only costs GetRoom calls next
    /// time, and concurrent writers (deployments, processes) never leave half a file.
    pub fn save(&self, account: &str, region: &str, cache: &RoomCache) {
        let file = self.file(account, region);
        if std::fs::create_dir_all(&self.0).is_err() {
            return;
        }
        write_atomically(&file, &cache.to_json());
    }
}

fn write_atomically(file: &Path, text: &str) {
    let temp = file.with_extension(format!("tmp-{}", std::process::id()));
    let written = std::fs::write(&temp, text).is_ok();
    if !written || std::fs::rename(&temp, file).is_err() {
        let _ = std::fs::remove_file(&temp);
    }
}
