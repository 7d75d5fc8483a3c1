//! One run per folder: an exclusive advisory lock on a file in it (`flock`, which the kernel
//! releases when the process ends however it ends, so a killed run never leaves a stale lock),
//! holding the locking process's id for the message a second run gets.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The lock file's name in a run folder; it exists while a run holds the folder.
pub const LOCK_FILE: &str = ".wordvec.lock";

/// A held folder. Dropping it removes the lock file, and the folders acquiring it created if
/// nothing else was written into them (a run that failed before writing leaves nothing behind).
#[derive(Debug)]
pub struct FolderLock {
    path: PathBuf,
    /// The folders `acquire` created, deepest first.
    created: Vec<PathBuf>,
    /// Open for as long as the folder is held: the lock is the open file's.
    file: File,
}

impl FolderLock {
    /// Takes `dir` (created if missing) for this process, or fails at once naming the process
    /// that holds it.
    pub fn acquire(dir: &Path) -> Result<Self> {
        let created = missing_folders(dir);
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let path = dir.join(LOCK_FILE);
        let open = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path);
        let file = open.map_err(|e| Error::io(&path, e))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let holder = std::fs::read_to_string(&path).unwrap_or_default();
                return Err(Error::Locked {
                    dir: dir.to_path_buf(),
                    holder: holder.trim().to_string(),
                });
            }
            Err(TryLockError::Error(e)) => return Err(Error::io(&path, e)),
        }
        let mut lock = FolderLock {
            path,
            created,
            file,
        };
        let pid = std::process::id();
        let written = lock
            .file
            .set_len(0)
            .and_then(|()| write!(lock.file, "{pid}"));
        written.map_err(|e| Error::io(&lock.path, e))?;
        Ok(lock)
    }
}

impl Drop for FolderLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
        // `remove_dir` removes only empty folders: those the run wrote into stay.
        for dir in &self.created {
            let _ = std::fs::remove_dir(dir);
        }
    }
}

/// The folders on the way to `dir` that do not exist yet, deepest first.
fn missing_folders(dir: &Path) -> Vec<PathBuf> {
    dir.ancestors()
        .take_while(|d| !d.as_os_str().is_empty() && !d.exists())
        .map(Path::to_path_buf)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_folder_is_refused_and_free_again_once_released() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("runs/a");
        let first = FolderLock::acquire(&dir).unwrap();
        let e = FolderLock::acquire(&dir).unwrap_err().to_string();
        assert!(e.contains("runs/a"), "{e}");
        assert!(e.contains(&std::process::id().to_string()), "{e}");
        drop(first);
        // Released, and the folders it made (still empty) gone with its file.
        assert!(!tmp.path().join("runs").exists());
        let again = FolderLock::acquire(&dir).unwrap();
        std::fs::write(dir.join("vectors.txt"), "1 1\na 0\n").unwrap();
        drop(again);
        assert!(dir.join("vectors.txt").exists() && !dir.join(LOCK_FILE).exists());
    }
}
