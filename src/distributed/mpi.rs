//! The [`Collective`] of processes started by `mpirun` (or `srun`, or a hostfile's launcher).

use std::sync::Mutex;

use mpi::collective::{CommunicatorCollectives, SystemOperation};
use mpi::datatype::PartitionMut;
use mpi::environment::Universe;
use mpi::topology::{Communicator, SimpleCommunicator};
use mpi::{Count, Threading};

use super::Collective;
use crate::error::{Error, Result};

/// Elements per MPI call: counts are 32-bit, and a model's matrices can be larger.
const CALL_ELEMENTS: usize = 1 << 26;

/// MPI's world of processes. Dropping it ends MPI in this process (`MPI_Finalize`), which every
/// process must do before it exits.
pub struct Mpi {
    /// Calls go one at a time, from whichever thread trains.
    universe: Mutex<Universe>,
    rank: usize,
    processes: usize,
    local_rank: usize,
}

impl Mpi {
    /// Starts MPI in this process (once per process); without `mpirun` this process is a world
    /// of one.
    pub fn initialize() -> Result<Mpi> {
        let (universe, _) = mpi::initialize_with_threading(Threading::Serialized)
            .ok_or_else(|| Error::Config("MPI was already started in this process".into()))?;
        let world = universe.world();
        // The processes that share this one's memory: its machine's.
        let machine = world.split_shared(world.rank());
        Ok(Mpi {
            rank: world.rank() as usize,
            processes: world.size() as usize,
            local_rank: machine.rank() as usize,
            universe: Mutex::new(universe),
        })
    }

    fn world<T>(&self, call: impl FnOnce(&SimpleCommunicator) -> T) -> T {
        let universe = self.universe.lock().expect("no MPI call panicked");
        call(&universe.world())
    }
}

impl Collective for Mpi {
    fn rank(&self) -> usize {
        self.rank
    }

    fn processes(&self) -> usize {
        self.processes
    }

    fn local_rank(&self) -> usize {
        self.local_rank
    }

    fn sum_f32(&self, values: &mut [f32]) {
        self.world(|world| {
            for part in values.chunks_mut(CALL_ELEMENTS) {
                let send = part.to_vec();
                world.all_reduce_into(&send[..], part, SystemOperation::sum());
            }
        })
    }

    fn sum_u64(&self, values: &mut [u64]) {
        self.world(|world| {
            for part in values.chunks_mut(CALL_ELEMENTS) {
                let send = part.to_vec();
                world.all_reduce_into(&send[..], part, SystemOperation::sum());
            }
        })
    }

    fn all_gather(&self, bytes: &[u8]) -> Vec<Vec<u8>> {
        self.world(|world| {
            let mut lens = vec![0u64; self.processes];
            world.all_gather_into(&(bytes.len() as u64), &mut lens[..]);
            let total: u64 = lens.iter().sum();
            // Nothing to gather (MPI refuses empty buffers), as every process knows.
            if total == 0 {
                return vec![Vec::new(); self.processes];
            }
            let fits = lens.iter().all(|&l| l < Count::MAX as u64) && total < Count::MAX as u64;
            let mut all = vec![0u8; total as usize];
            if fits {
                let counts: Vec<Count> = lens.iter().map(|&l| l as Count).collect();
                let displs: Vec<Count> = counts
                    .iter()
                    .scan(0, |at, &c| {
                        let d = *at;
                        *at += c;
                        Some(d)
                    })
                    .collect();
                let mut partition = PartitionMut::new(&mut all[..], counts, &displs[..]);
                world.all_gather_varcount_into(bytes, &mut partition);
            } else {
                // Past 2 GiB in all: each process's bytes in turn, summed where the others
                // hold zeros.
                let mut at = 0usize;
                for (rank, &len) in lens.iter().enumerate() {
                    let part = &mut all[at..at + len as usize];
                    if rank == self.rank {
                        part.copy_from_slice(bytes);
                    }
                    for piece in part.chunks_mut(CALL_ELEMENTS) {
                        let send = piece.to_vec();
                        world.all_reduce_into(&send[..], piece, SystemOperation::bitwise_or());
                    }
                    at += len as usize;
                }
            }
            let mut out = Vec::with_capacity(self.processes);
            let mut at = 0usize;
            for len in lens {
                out.push(all[at..at + len as usize].to_vec());
                at += len as usize;
            }
            out
        })
    }
}
