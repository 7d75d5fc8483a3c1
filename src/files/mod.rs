//! General file helpers, below everything that reads or writes: writes that complete or leave
//! nothing behind, numbered lines for error messages, and the lock that keeps one run per folder. The formats live in [`crate::io`].

mod atomic;
mod lines;
mod lock;

pub use atomic::atomic_write;
pub use lines::numbered_lines;
pub use lock::{FolderLock, LOCK_FILE};
