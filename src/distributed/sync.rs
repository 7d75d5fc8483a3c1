//! When the processes of a distributed run meet, and what they exchange: pWord2Vec's schedule
//! on a count of words instead of a clock, so a run can be repeated.

use super::Cluster;
use crate::error::{Error, Result};
use crate::train::Position;

/// How often the processes of a distributed run merge their hot rows, and how many.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncSettings {
    /// Words a process trains between two syncs.
    pub words: u64,
    /// The hot rows of the sync that merges fewest: the most frequent words' rows (under
    /// hierarchical softmax, the output rows of the nodes nearest the root).
    pub rows: usize,
}

impl SyncSettings {
    /// The default for `processes` processes: 200,000 words between syncs over all of them (a
    /// few tenths of a second of two cores' training; pWord2Vec meets every tenth of a second),
    /// since each trains 1/N of the words between two syncs and the rows drift apart with the
    /// run's words, not a process's; the smallest sync 1,024 words' rows.
    pub fn for_processes(processes: usize) -> Self {
        SyncSettings {
            words: RUN_WORDS_BETWEEN_SYNCS / processes.max(1) as u64,
            rows: 1024,
        }
    }
}

/// The words the whole run trains between two syncs by default.
const RUN_WORDS_BETWEEN_SYNCS: u64 = 200_000;

/// The hot rows sync number `sync` (from 1) merges: pWord2Vec's doubling, `rows` at every
/// other sync, twice that at every fourth, four times at every eighth, and so on, so that rarer
/// words' rows meet less often, in proportion to how often they are trained.
pub fn rows_at_sync(sync: u64, rows: usize) -> usize {
    let doublings = sync.max(1).trailing_zeros().min(40);
    rows.saturating_mul(1usize << doublings)
}

/// A step's rows as [`Syncer`] reaches them: called with the hot rows wanted (`None`: all),
/// it hands `merge` each block of them as (matrix, offset of its first value, values) and keeps
/// what `merge` leaves in the values.
pub(crate) type StepRows<'a> =
    &'a mut dyn FnMut(Option<usize>, &mut dyn FnMut(usize, usize, &mut [f32]));

/// How much faster than the run's rate each of `processes` processes steps: (N + 1) / 2; a
/// merge then moves each row by the sum of the processes' steps divided by as much. A row that
/// moves little between syncs (a rare word's, whose steps add up as one model's would) so takes
/// the run's rate's steps whatever the number of processes that trained it. A frequent word's
/// row, which every process drives towards the same point between syncs, lands 2N / (N + 1)
/// times as far, short of twice: it swings past that point by less each sync and settles. Summed
/// at the run's rate, each process's steps taken from a copy that lacks the others', the swing
/// never shrinks and grows past two processes (training diverges); averaged at N times the rate,
/// the processes' copies drift further apart between syncs, and the step a row takes from the
/// others' stale rows costs more than the swing.
pub fn rate_scale(processes: usize) -> f64 {
    (processes as f64 + 1.0) / 2.0
}

/// What a process asks of the next sync.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Wants {
    /// Its checkpoint interval passed (process 0's, which writes them).
    pub checkpoint: bool,
    /// It was asked to stop (Ctrl-C, SIGTERM).
    pub stop: bool,
}

/// What the processes decided at a sync, each the same.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Decided {
    /// Save a checkpoint now: the weights are merged, every process's place is gathered.
    pub checkpoint: bool,
    /// Then stop.
    pub stop: bool,
}

/// The part of a run that meets the other processes: after each unit trained, at the syncs,
/// and at each epoch's end, where rows are merged (see [`rate_scale`]).
pub(crate) struct Syncer {
    cluster: Cluster,
    settings: SyncSettings,
    /// Every matrix as it was after the last sync that reached its rows, the same on every
    /// process.
    bases: Vec<Vec<f32>>,
    /// The run's words when this process took it up (a resumed run's), syncs so far, and words
    /// this process trained since the last one and in all.
    start_words: u64,
    syncs: u64,
    since: u64,
    trained: u64,
    /// Bytes of rows this process has summed with the others' (syncs and epochs' ends).
    bytes: u64,
}

impl Syncer {
    /// A syncer for a step whose weights (the same on every process) `rows` reaches. A process
    /// alone merges nothing and keeps no copy.
    pub fn new(cluster: Cluster, settings: SyncSettings, start_words: u64, rows: StepRows) -> Self {
        let mut bases: Vec<Vec<f32>> = Vec::new();
        if cluster.processes() > 1 {
            rows(None, &mut |matrix, _, values| {
                if bases.len() <= matrix {
                    bases.resize_with(matrix + 1, Vec::new);
                }
                bases[matrix].extend_from_slice(values);
            });
        }
        Syncer {
            cluster,
            settings,
            bases,
            start_words,
            syncs: 0,
            since: 0,
            trained: 0,
            bytes: 0,
        }
    }

    pub fn processes(&self) -> usize {
        self.cluster.processes()
    }

    /// How much faster than the run's rate this process steps ([`rate_scale`]).
    pub fn rate_scale(&self) -> f64 {
        rate_scale(self.processes())
    }

    /// What the syncs did, for the log: how many, and how many bytes of rows were summed.
    pub fn summary(&self) -> String {
        format!(
            "{} syncs, {:.1} MB of rows summed across the processes",
            self.syncs,
            self.bytes as f64 / 1e6
        )
    }

    /// After a unit of `words` words: the run's count moves on as if every process had
    /// trained as many (the syncs make it exact), and a sync is held when one is due. `wants`:
    /// what this process asks of it. Returns what the processes decided together, where a sync
    /// was held.
    pub fn after_unit(
        &mut self,
        words: u64,
        position: &mut Position,
        wants: Wants,
        rows: StepRows,
    ) -> Option<Decided> {
        self.trained += words;
        self.since += words;
        position.words += words * (self.processes() as u64 - 1);
        (self.since >= self.settings.words).then(|| self.sync(false, wants, position, rows).1)
    }

    /// This process's epoch is over: it keeps meeting the others at their syncs until every
    /// process is done, then every row is merged.
    pub fn end_epoch(&mut self, position: &mut Position, rows: StepRows) {
        while !self.sync(true, Wants::default(), position, rows).0 {}
        self.merge(None, rows);
    }

    /// Every process's readers' places in their shares, in rank order (what a checkpoint of the
    /// run keeps), from this process's `consumed`.
    pub fn gather_consumed(&self, consumed: &[u64]) -> Vec<u64> {
        let bytes: Vec<u8> = consumed.iter().flat_map(|c| c.to_le_bytes()).collect();
        let all = self.cluster.all_gather(&bytes);
        all.iter()
            .flat_map(|b| b.chunks_exact(8))
            .map(|c| u64::from_le_bytes(c.try_into().expect("eight bytes")))
            .collect()
    }

    /// Checks, after the last epoch's merge of every row, that every process holds the same
    /// weights; returns their fingerprint. The merged copy is the weights then, so it is what
    /// is fingerprinted.
    pub fn check_agree(&self) -> Result<u64> {
        let values = self.bases.iter().flatten();
        let fingerprint = super::fingerprint(values.flat_map(|v| v.to_le_bytes()));
        match super::first_disagreeing(self.cluster.as_ref(), fingerprint) {
            None => Ok(fingerprint),
            Some(rank) => Err(Error::Config(format!(
                "process {rank} ended with other weights than process {}'s after the final merge",
                self.cluster.rank()
            ))),
        }
    }

    /// One sync: the words every process trained are added up (the run's count), the hot rows
    /// merged, and what the processes want decided. Returns whether every process has ended
    /// its epoch, and the decision: a checkpoint (or a stop) is taken while every process is
    /// still in its epoch, so that all take it at the same point, and after every row is
    /// merged, so that one copy of the weights stands for all.
    fn sync(
        &mut self,
        done: bool,
        wants: Wants,
        position: &mut Position,
        rows: StepRows,
    ) -> (bool, Decided) {
        self.syncs += 1;
        self.since = 0;
        let mut counts = [
            self.trained,
            done as u64,
            wants.checkpoint as u64,
            wants.stop as u64,
        ];
        self.cluster.sum_u64(&mut counts);
        position.words = self.start_words + counts[0];
        let in_epoch = counts[1] == 0;
        let decided = Decided {
            checkpoint: in_epoch && (counts[2] > 0 || counts[3] > 0),
            stop: in_epoch && counts[3] > 0,
        };
        match decided.checkpoint {
            true => self.merge(None, rows),
            false => self.merge(Some(rows_at_sync(self.syncs, self.settings.rows)), rows),
        }
        (counts[1] == self.processes() as u64, decided)
    }

    /// Each of the rows `hot` (or all) moves from its last merged value by the sum of the steps
    /// every process took since, divided by [`rate_scale`].
    fn merge(&mut self, hot: Option<usize>, rows: StepRows) {
        // Alone, a process's rows are the run's already (and x − b + b may round away from x).
        if self.processes() == 1 {
            return;
        }
        let share = (1.0 / rate_scale(self.processes())) as f32;
        let (cluster, bases, bytes) = (&self.cluster, &mut self.bases, &mut self.bytes);
        let mut steps = Vec::new();
        rows(hot, &mut |matrix, offset, values| {
            let base = &mut bases[matrix][offset..offset + values.len()];
            steps.clear();
            steps.extend(values.iter().zip(base.iter()).map(|(v, b)| v - b));
            *bytes += 4 * steps.len() as u64;
            cluster.sum_f32(&mut steps);
            for ((v, b), s) in values.iter_mut().zip(base.iter_mut()).zip(&steps) {
                *v = *b + s * share;
                *b = *v;
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::distributed::Collective;
    use std::sync::Arc;

    /// Process 0 of `processes`, whose sums add what the others sent: `others`, element by
    /// element.
    struct Peers {
        processes: usize,
        others: Vec<f32>,
    }

    impl Collective for Peers {
        fn rank(&self) -> usize {
            0
        }
        fn processes(&self) -> usize {
            self.processes
        }
        fn local_rank(&self) -> usize {
            0
        }
        fn sum_f32(&self, values: &mut [f32]) {
            values
                .iter_mut()
                .zip(&self.others)
                .for_each(|(v, o)| *v += o);
        }
        fn sum_u64(&self, _: &mut [u64]) {}
        fn all_gather(&self, bytes: &[u8]) -> Vec<Vec<u8>> {
            vec![bytes.to_vec(); self.processes]
        }
    }

    /// Rows of two values starting at `base`; this process stepped them to `mine`, the others
    /// sent `others` (the sum of their steps). The merged rows.
    fn merged(processes: usize, base: &[f32], mine: &[f32], others: Vec<f32>) -> Vec<f32> {
        let cluster: Cluster = Arc::new(Peers { processes, others });
        let mut weights = base.to_vec();
        let mut rows = |_: Option<usize>, merge: &mut dyn FnMut(usize, usize, &mut [f32])| {
            merge(0, 0, &mut weights)
        };
        let mut syncer = Syncer::new(
            cluster,
            SyncSettings::for_processes(processes),
            0,
            &mut rows,
        );
        weights.copy_from_slice(mine);
        let mut rows = |_: Option<usize>, merge: &mut dyn FnMut(usize, usize, &mut [f32])| {
            merge(0, 0, &mut weights)
        };
        syncer.merge(None, &mut rows);
        assert_eq!(syncer.bases[0], weights, "the copy is the merged rows");
        weights
    }

    #[test]
    fn a_row_moves_by_the_sum_of_the_steps_over_the_rate_scale() {
        // Row 0 both processes stepped, row 1 only the other, row 2 only this one.
        let two = merged(
            2,
            &[0.0; 6],
            &[1.5, 1.5, 0., 0., 3., 0.],
            vec![3., 3., 6., 0., 0., 0.],
        );
        assert_close(&two, &[3., 3., 4., 0., 2., 0.]);
        let four = merged(4, &[1.0; 2], &[2.0, 1.0], vec![8., -1.]);
        assert_close(&four, &[1. + 9. / 2.5, 1. - 1. / 2.5]);
    }

    fn assert_close(a: &[f32], b: &[f32]) {
        assert!(
            a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-6),
            "{a:?} {b:?}"
        );
    }

    #[test]
    fn a_row_every_process_drives_to_one_point_settles_there() {
        // Each process steps the row all the way to 1 between syncs: the sum of their steps
        // overshoots, by less each sync.
        for processes in [2, 4, 8] {
            let (mut row, mut swing) = ([0.0f32, 0.0], 1.0f32);
            while swing > 1e-4 {
                let step = 1.0 - row[0];
                let others = vec![step * (processes - 1) as f32; 2];
                row = merged(processes, &row, &[1.0, 1.0], others)
                    .try_into()
                    .unwrap();
                assert!(
                    (1.0 - row[0]).abs() < swing,
                    "{processes} processes: {row:?}"
                );
                swing = (1.0 - row[0]).abs();
            }
        }
    }

    #[test]
    fn hot_rows_double_at_every_other_sync() {
        let rows: Vec<usize> = (1..=8).map(|s| rows_at_sync(s, 1024)).collect();
        assert_eq!(rows, [1024, 2048, 1024, 4096, 1024, 2048, 1024, 8192]);
        assert_eq!(rows_at_sync(1 << 50, usize::MAX / 2), usize::MAX);
    }
}
