//! One vocabulary for every process of a distributed run: each counts its share of the corpus,
//! every process receives every count and merges them the same way.

use super::Collective;
use crate::error::{Error, Result};
use crate::text::{Corpus, Vocab, VocabBuilder, VocabStats};

impl Vocab {
    /// [`Vocab::build`] over the processes of `cluster`: this process counts its share of the
    /// corpus on `threads` threads, and the counts of all are merged, so every process ends with
    /// the same vocabulary (ties in byte order, whatever the order of the merge).
    pub fn build_shared(
        corpus: &Corpus,
        min_count: u64,
        max_vocab: Option<usize>,
        threads: usize,
        cluster: &dyn Collective,
    ) -> Result<(Self, VocabStats)> {
        let share = (cluster.rank(), cluster.processes());
        let mut mine = VocabBuilder::count_share(corpus, max_vocab, threads, share)?;
        let mut bytes = Vec::new();
        mine.for_each(|word, count| {
            bytes.extend_from_slice(&(word.len() as u32).to_le_bytes());
            bytes.extend_from_slice(word);
            bytes.extend_from_slice(&count.to_le_bytes());
        });
        drop(mine);
        let mut merged = VocabBuilder::new(max_vocab);
        for (rank, counts) in cluster.all_gather(&bytes).iter().enumerate() {
            read_counts(counts, |word, count| merged.add_count(word, count)).map_err(|at| {
                Error::Config(format!("process {rank} sent counts cut short at byte {at}"))
            })?;
        }
        merged.finish_for(corpus, min_count, max_vocab)
    }
}

/// Each (word, count) of a process's counts as [`Vocab::build_shared`] sends them: the word's
/// length (u32), its bytes, its count (u64), little-endian. Err: where they end short.
fn read_counts(mut bytes: &[u8], mut each: impl FnMut(&[u8], u64)) -> Result<(), usize> {
    let total = bytes.len();
    while !bytes.is_empty() {
        let at = total - bytes.len();
        let len = bytes
            .get(..4)
            .map(|b| u32::from_le_bytes(b.try_into().expect("four bytes")) as usize)
            .ok_or(at)?;
        let word = bytes.get(4..4 + len).ok_or(at)?;
        let count = bytes
            .get(4 + len..12 + len)
            .map(|b| u64::from_le_bytes(b.try_into().expect("eight bytes")))
            .ok_or(at)?;
        each(word, count);
        bytes = &bytes[12 + len..];
    }
    Ok(())
}
