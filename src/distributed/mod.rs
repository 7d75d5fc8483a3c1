//! Data-parallel training over several processes, the scheme of Intel's pWord2Vec (Ji et al.,
//! "Parallelizing Word2Vec in Shared and Distributed Memory"): every process counts its share of
//! the corpus and the counts are merged, so all hold one vocabulary; each trains its share of
//! every epoch with the usual kernels and, every `--sync-words` words it trains, merges the
//! most frequent words' rows with the others' (the frequency-sorted vocabulary puts them first;
//! how rows merge: `sync::rate_scale`) and adds up the words trained, so the learning rate
//! follows the run's whole count; the whole model is merged at each epoch's end. Optimizer
//! state stays with each process: it describes the steps that process took, and merging it
//! would double the traffic of the stateful rules.
//!
//! The processes talk through a [`Collective`]: MPI's (the `mpi` cargo feature, under `mpirun`),
//! or none for a run of one process.

#[cfg(feature = "mpi")]
mod mpi;
mod sync;
mod vocab;

#[cfg(feature = "mpi")]
pub use mpi::Mpi;
pub use sync::{SyncSettings, rate_scale, rows_at_sync};
pub(crate) use sync::{Syncer, Wants};

use std::sync::Arc;

/// The operations the processes of a distributed run take together: each is called by every
/// process, in the same order, and returns the same on every process.
pub trait Collective: Send + Sync {
    /// This process's place among them, 0 first; process 0 writes the run's files.
    fn rank(&self) -> usize;
    /// How many processes train.
    fn processes(&self) -> usize;
    /// This process's place among those on its machine, 0 first: the GPU of the machine's it
    /// takes.
    fn local_rank(&self) -> usize;
    /// Sums `values` element by element over every process, in place.
    fn sum_f32(&self, values: &mut [f32]);
    /// Sums `values` element by element over every process, in place.
    fn sum_u64(&self, values: &mut [u64]);
    /// Every process's `bytes`, in rank order.
    fn all_gather(&self, bytes: &[u8]) -> Vec<Vec<u8>>;
}

/// The processes of a run, shared by whatever takes part in it.
pub type Cluster = Arc<dyn Collective>;

/// A run's processes and how often they meet.
#[derive(Clone)]
pub struct Distributed {
    pub cluster: Cluster,
    pub sync: SyncSettings,
}

impl Distributed {
    /// This process's share of a checkpoint's readers' places, `consumed` holding every
    /// process's in rank order (empty between epochs). Each reader keeps its part of the
    /// corpus and its seeds whichever process takes it up, so any number of processes that
    /// divides the readers goes on as the run would have.
    pub(crate) fn own_share(&self, consumed: &[u64]) -> crate::error::Result<Vec<u64>> {
        let (rank, processes) = (self.cluster.rank(), self.cluster.processes());
        if !consumed.len().is_multiple_of(processes) {
            return Err(crate::error::Error::Config(format!(
                "the checkpoint's {} readers do not split among {processes} processes: resume with a number of processes that divides them (the number that saved it does)",
                consumed.len()
            )));
        }
        let each = consumed.len() / processes;
        Ok(consumed[rank * each..(rank + 1) * each].to_vec())
    }
}

/// Whether this process writes the run's files and shows its progress (process 0, or a run
/// without a cluster).
pub fn leads(cluster: Option<&Cluster>) -> bool {
    cluster.is_none_or(|c| c.rank() == 0)
}

/// The first process whose `fingerprint` differs from this one's, if any (every process asks).
pub(crate) fn first_disagreeing(cluster: &dyn Collective, fingerprint: u64) -> Option<usize> {
    let mine = fingerprint.to_le_bytes();
    let all = cluster.all_gather(&mine);
    all.iter().position(|theirs| theirs[..] != mine)
}

/// FNV-1a over `bytes`: the fingerprint processes compare to check they hold the same thing.
pub(crate) fn fingerprint(bytes: impl IntoIterator<Item = u8>) -> u64 {
    bytes.into_iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}
