//! The data file: the whole state (store and users) as one JSON snapshot
//! `{"version":1,"users":[…],"store":{…}}`, loaded at start-up and saved atomically (temp file in
//! the same directory, fsync, rename), so a crash or a failed write never leaves a half-written
//! file. When to save is the [`crate::saver`]'s business: shortly after changes, not after each.

use crate::{store::Store, users::Users};
use serde::{Deserialize, Serialize};
use std::{
    fs::{self, File},
    io::{self, Write},
    path::{Path, PathBuf},
    sync::atomic::{AtomicU64, Ordering},
};

/// The snapshot format version this emulator reads and writes.
pub const VERSION: u32 = 1;

/// The snapshot as written.
#[derive(Serialize)]
struct SnapshotRef<'a> {
    version: u32,
    users: &'a Users,
    store: &'a Store,
}

/// The snapshot as read.
#[derive(Deserialize)]
struct Snapshot {
    version: u32,
    users: Users,
    store: Store,
}

/// Only the version, to explain a snapshot that does not parse as this version's format.
#[derive(Deserialize)]
struct Header {
    version: Option<serde_json::Value>,
}

/// Loads a data file; `Ok(None)` when it does not exist. Errors name the file and say what is
/// wrong (unreadable, not JSON, missing or bad field, unsupported version).
pub fn load(path: &Path) -> Result<Option<(Store, Users)>, String> {
    let bytes = match fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read data file {}: {e}", path.display())),
    };
    let unsupported = |v: &dyn std::fmt::Display| {
        format!(
            "data file {} has snapshot version {v}; this emulator reads version {VERSION}",
            path.display()
        )
    };
    match serde_json::from_slice::<Snapshot>(&bytes) {
        Ok(s) if s.version == VERSION => Ok(Some((s.store, s.users))),
        Ok(s) => Err(unsupported(&s.version)),
        Err(e) => match serde_json::from_slice::<Header>(&bytes) {
            Ok(Header { version: Some(v) }) if v != serde_json::json!(VERSION) => {
                Err(unsupported(&v))
            }
            _ => Err(format!("data file {} is not a valid snapshot: {e}", path.display())),
        },
    }
}

/// Writes the state to `path` atomically: a temp file in the same directory is written, synced
/// and renamed over `path`. On failure `path` keeps its previous content and the temp file is
/// removed.
pub fn save(path: &Path, store: &Store, users: &Users) -> Result<(), String> {
    let bytes = encode(store, users)
        .map_err(|e| format!("cannot encode the state for {}: {e}", path.display()))?;
    write(path, &bytes)
}

/// The snapshot's bytes. Callers encode under the store's lock and [`write()`] after releasing it,
/// so changes wait for the encoding only, never for the disk.
pub fn encode(store: &Store, users: &Users) -> Result<Vec<u8>, String> {
    let mut bytes = serde_json::to_vec(&SnapshotRef { version: VERSION, users, store })
        .map_err(|e| e.to_string())?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Writes encoded snapshot bytes to `path` atomically, as [`save`] does.
pub fn write(path: &Path, bytes: &[u8]) -> Result<(), String> {
    write_atomic(path, |f| f.write_all(bytes))
        .map_err(|e| format!("cannot write data file {}: {e}", path.display()))
}

/// A temp file name next to `path`, unique within this process.
fn temp_path(path: &Path) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let name = path.file_name().map_or_else(|| "data".into(), |n| n.to_string_lossy());
    path.with_file_name(format!(".{name}.tmp-{}-{n}", std::process::id()))
}

/// Writes a temp file with `write`, syncs it and renames it over `path`; removes it on failure.
fn write_atomic(path: &Path, write: impl FnOnce(&mut File) -> io::Result<()>) -> io::Result<()> {
    let tmp = temp_path(path);
    let result = (|| {
        let mut f = File::create(&tmp)?;
        write(&mut f)?;
        f.sync_all()?;
        drop(f);
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
        return result;
    }
    // Make the rename itself durable (best effort: not every platform can sync a directory).
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh directory for one test, removed when dropped.
    struct TempDir(PathBuf);
    impl TempDir {
        fn new(tag: &str) -> Self {
            let p = std::env::temp_dir().join(format!("acr-persist-{tag}-{}", std::process::id()));
            let _ = fs::remove_dir_all(&p);
            fs::create_dir_all(&p).unwrap();
            Self(p)
        }
        fn entries(&self) -> Vec<String> {
            let mut v: Vec<String> = fs::read_dir(&self.0)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            v.sort();
            v
        }
    }
    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn round_trip() {
        let dir = TempDir::new("round-trip");
        let path = dir.0.join("state.json");
        assert_eq!(load(&path), Ok(None));
        let (store, users) = crate::seed::demo();
        save(&path, &store, &users).unwrap();
        assert_eq!(load(&path).unwrap(), Some((store.clone(), users.clone())));
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.starts_with(r#"{"version":1,"users":["#) && text.ends_with("}\n"));
        // Overwriting replaces the whole state; no temp file is left behind.
        save(&path, &Store::default(), &users).unwrap();
        assert_eq!(load(&path).unwrap(), Some((Store::default(), users)));
        assert_eq!(dir.entries(), ["state.json"]);
    }

    #[test]
    fn a_failed_write_never_leaves_a_partial_target() {
        let dir = TempDir::new("failed-write");
        let path = dir.0.join("state.json");
        let users = crate::seed::demo_users();
        save(&path, &Store::default(), &users).unwrap();
        let before = fs::read(&path).unwrap();
        let err = write_atomic(&path, |f| {
            f.write_all(b"{\"version\":1,\"us")?;
            Err(io::Error::other("disk full"))
        })
        .unwrap_err();
        assert_eq!(err.to_string(), "disk full");
        assert_eq!(fs::read(&path).unwrap(), before, "the target is untouched");
        assert_eq!(dir.entries(), ["state.json"], "the temp file is removed");
        // A target that cannot be replaced (a directory) fails cleanly too.
        let blocked = dir.0.join("blocked");
        fs::create_dir(&blocked).unwrap();
        fs::write(blocked.join("x"), "keep").unwrap();
        let e = save(&blocked, &Store::default(), &users).unwrap_err();
        assert!(e.contains("cannot write data file") && e.contains("blocked"), "{e}");
        assert_eq!(dir.entries(), ["blocked", "state.json"]);
        // A missing directory is reported with the path.
        let e = save(&dir.0.join("no/such/dir.json"), &Store::default(), &users).unwrap_err();
        assert!(e.contains("no/such/dir.json"), "{e}");
    }

    #[test]
    fn bad_files_are_refused_with_the_reason() {
        let dir = TempDir::new("bad-files");
        let path = dir.0.join("state.json");
        let write = |s: &str| fs::write(&path, s).unwrap();
        write(r#"{"version":2,"users":[],"store":{"repositories":{}}}"#);
        let e = load(&path).unwrap_err();
        assert!(e.contains("version 2") && e.contains("reads version 1"), "{e}");
        write(r#"{"version":"two","whatever":true}"#);
        assert!(load(&path).unwrap_err().contains("version \"two\""));
        write(r#"{"version":1,"users":[]}"#);
        let e = load(&path).unwrap_err();
        assert!(e.contains("not a valid snapshot") && e.contains("store"), "{e}");
        write(r#"{"version":1,"users":[],"store":{"repositories":{"Bad":{}}}}"#);
        assert!(load(&path).unwrap_err().contains("'Bad' is not a valid repository name"));
        write("{\"version\":1,");
        let e = load(&path).unwrap_err();
        assert!(e.contains(&path.display().to_string()) && e.contains("EOF"), "{e}");
        let e = load(&dir.0).unwrap_err();
        assert!(e.starts_with("cannot read data file"), "{e}");
    }
}
