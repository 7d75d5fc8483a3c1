//! A thread's own copy of the output rows that nearly every example writes: hierarchical
//! softmax's top inner nodes (the root is on every path, its children on about half). Shared by
//! several threads, such a row's cache lines move from core to core on almost every step, and
//! the whole step waits for them (on two threads hierarchical softmax took 1.4–1.9× the CPU of
//! one for the same words). Each thread instead steps its own copy and adds what it changed to
//! the shared rows every [`MERGE_EVERY`] centres, taking in what the other threads added: the
//! other threads see its steps on those rows that much later, as Hogwild's other updates are
//! seen a little late. Only merges write the shared copies of these rows, one thread at a time,
//! so none of their steps is lost.

use std::sync::{Mutex, TryLockError};

use crate::kernels::hogwild::HogwildRows;

/// At most this many floats of rows are copied (128 KiB, and as much again for the rows as last
/// merged): 327 rows at dim 100, the nodes of more than seven in ten of a path's steps on
/// enwiki-1m.
pub(super) const HOT_FLOATS: usize = 32 * 1024;

/// Centres between two merges: a few hundred examples.
pub(super) const MERGE_EVERY: u32 = 128;

/// The copied rows `first..first + rows` of a shared output matrix.
pub(super) struct HotRows<'a> {
    first: usize,
    /// This thread's rows, stepped in place of the shared ones.
    copy: HogwildRows<'a>,
    /// The shared rows as this thread last read them: what it changed since is `copy − base`.
    base: Vec<f32>,
    /// Held while a thread merges (every thread's copy of these rows shares it).
    merging: &'a Mutex<()>,
    since: u32,
}

impl<'a> HotRows<'a> {
    /// Copies `shared`'s rows `first..` into `buffer` (as many rows as it holds); `merging` is
    /// the lock of every thread's copy of them.
    pub(super) fn new(
        shared: &HogwildRows<'_>,
        first: usize,
        buffer: &'a mut [f32],
        merging: &'a Mutex<()>,
    ) -> Self {
        let dim = shared.width();
        assert!(first + buffer.len() / dim <= shared.rows());
        let copy = HogwildRows::new(buffer, dim);
        let mut base = vec![0.0; copy.rows() * dim];
        let _merging = lock(merging);
        for (k, b) in base.chunks_exact_mut(dim).enumerate() {
            let row = shared.row(first + k);
            b.copy_from_slice(row);
            copy.row(k).copy_from_slice(row);
        }
        HotRows {
            first,
            copy,
            base,
            merging,
            since: 0,
        }
    }

    /// The buffer [`HotRows::new`] takes for the rows above `below` (hierarchical softmax's
    /// nodes `0..below`, the root last) of width `dim`.
    pub(super) fn buffer(below: usize, dim: usize) -> (usize, Vec<f32>) {
        let rows = (HOT_FLOATS / dim.max(1)).min(below);
        (below - rows, vec![0.0; rows * dim])
    }

    /// This thread's copy of row `row`, if it is one of the copied rows.
    #[inline(always)]
    pub(super) fn row(&self, row: usize) -> Option<&'a mut [f32]> {
        row.checked_sub(self.first)
            .filter(|&k| k < self.copy.rows())
            .map(|k| self.copy.row(k))
    }

    /// Counts a centre; merges with `shared` every [`MERGE_EVERY`], or at the first centre
    /// after that when another thread is merging then.
    #[inline(always)]
    pub(super) fn tick(&mut self, shared: &HogwildRows<'_>) {
        self.since += 1;
        if self.since >= MERGE_EVERY {
            let merging = self.merging;
            let _merging = match merging.try_lock() {
                Ok(guard) => guard,
                Err(TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
                Err(TryLockError::WouldBlock) => return,
            };
            self.merge_locked(shared);
        }
    }

    /// Adds this thread's steps since the last merge to the shared rows, and takes the shared
    /// rows (with the other threads' steps) as its copy.
    pub(super) fn merge(&mut self, shared: &HogwildRows<'_>) {
        let _merging = lock(self.merging);
        self.merge_locked(shared);
    }

    /// [`HotRows::merge`] with the lock held.
    fn merge_locked(&mut self, shared: &HogwildRows<'_>) {
        let dim = self.copy.width();
        for (k, base) in self.base.chunks_exact_mut(dim).enumerate() {
            let rows = shared.row(self.first + k).iter_mut().zip(self.copy.row(k));
            for ((s, c), b) in rows.zip(base) {
                let merged = *s + (*c - *b);
                *s = merged;
                *c = merged;
                *b = merged;
            }
        }
        self.since = 0;
    }
}

/// The merge lock, also where a thread panicked holding it (the rows are plain floats: nothing
/// is left half made that a later merge could trip on).
fn lock(merging: &Mutex<()>) -> std::sync::MutexGuard<'_, ()> {
    merging
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_merge_adds_each_threads_steps_to_the_shared_rows() {
        let mut shared_data = vec![1.0f32; 8];
        let shared = HogwildRows::new(&mut shared_data, 2);
        let mut a_buf = vec![0.0; 4];
        let mut b_buf = vec![0.0; 4];
        let merging = Mutex::new(());
        let mut a = HotRows::new(&shared, 2, &mut a_buf, &merging);
        let mut b = HotRows::new(&shared, 2, &mut b_buf, &merging);
        assert!(a.row(1).is_none());
        a.row(2).unwrap()[0] += 0.5;
        b.row(2).unwrap()[0] -= 0.25;
        b.row(3).unwrap()[1] += 2.0;
        // Until a merge the shared rows keep their values.
        assert_eq!(shared.row(2), &[1.0, 1.0]);
        a.merge(&shared);
        assert_eq!(shared.row(2), &[1.5, 1.0]);
        b.merge(&shared);
        assert_eq!(shared.row(2), &[1.25, 1.0]);
        assert_eq!(shared.row(3), &[1.0, 3.0]);
        // b has taken in a's step; a takes in b's at its next merge.
        assert_eq!(b.row(2).unwrap(), &[1.25, 1.0]);
        a.merge(&shared);
        assert_eq!(a.row(3).unwrap(), &[1.0, 3.0]);
        assert_eq!(shared.row(0), &[1.0, 1.0]);
    }
}
