//! word2vec's fused step on the CPU, for skip-gram and CBOW under negative sampling or
//! hierarchical softmax: each thread takes its share of a chunk of sentences, draws its own
//! windows and targets, and updates the shared vectors in place without locks ([`HogwildRows`]).
//! No allocation per step; the inner loops are dot products and axpys over `dim`, compiled for
//! the best SIMD this CPU has (`worker`).

mod bags;
mod hot;
mod targets;
mod worker;

pub(crate) use self::bags::Bags;
pub(crate) use self::targets::{NoiseTables, OutputTargets, TreePaths};
use self::worker::{Shared, run_part};
use super::Word2VecSettings;
use super::sigmoid::SigmoidTable;
use crate::kernels::hogwild::HogwildRows;
use crate::kernels::loss::LossSum;
use crate::sampling::SENTENCE_END;

/// The optimizer's state beside each matrix, [rows, `FusedOptimizer::state_width`] (see
/// [`crate::kernels::optimizer`]).
pub(crate) struct OptimizerRows<'a> {
    pub input: &'a mut [f32],
    pub output: &'a mut [f32],
}

/// Trains on one chunk of sentences (word ids separated by [`SENTENCE_END`]) and returns the loss
/// it saw. `input` and `output` are [rows, dim] row-major (under hierarchical softmax `output`
/// row `n` is inner node `n`'s vector). Ids outside `0..rows` are an error of
/// the caller and are skipped rather than trusted. With `state`, each row takes the step of
/// `settings.optimizer` (see [`FusedOptimizer::step_row`]) instead of SGD's. With `bags` the
/// model is fastText's subword model: `input` has the words' rows then the n-gram buckets', and
/// a word's input is the mean of its bag's rows.
#[allow(clippy::too_many_arguments)]
pub(crate) fn train_chunk(
    input: &mut [f32],
    output: &mut [f32],
    state: Option<OptimizerRows<'_>>,
    dim: usize,
    tokens: &[i32],
    targets: OutputTargets<'_>,
    bags: Option<Bags<'_>>,
    locks: &[f32],
    settings: &Word2VecSettings,
) -> LossSum {
    assert!(locks.is_empty() || locks.len() == input.len() / dim);
    assert!(dim > 0 && input.len().is_multiple_of(dim) && output.len().is_multiple_of(dim));
    let words = output.len() / dim;
    match bags {
        Some(bags) => assert!(bags.follow.len() == words && input.len() >= output.len()),
        None => assert_eq!(input.len(), output.len()),
    }
    match targets {
        OutputTargets::Noise(noise) => assert_eq!(noise.accept.len(), noise.alias.len()),
        OutputTargets::Tree(tree) => assert_eq!(tree.offsets.len(), words + 1),
    }
    let width = settings.optimizer.state_width(dim).max(1);
    let (input_state, output_state) = match state {
        Some(state) => {
            assert!(state.input.len() == input.len() / dim * width);
            assert!(state.output.len() == words * width);
            (
                HogwildRows::new(state.input, width),
                HogwildRows::new(state.output, width),
            )
        }
        None => (HogwildRows::empty(width), HogwildRows::empty(width)),
    };
    let merging = std::sync::Mutex::new(());
    let shared = Shared {
        input: HogwildRows::new(input, dim),
        output: HogwildRows::new(output, dim),
        input_state,
        output_state,
        locks,
        bags,
        merging: &merging,
    };
    let sigmoid = SigmoidTable::shared();
    let parts = split_at_sentences(tokens, settings.threads.max(1) as usize);
    let threads = parts.len();
    if parts.len() == 1 {
        return run_part(
            shared,
            tokens,
            0..tokens.len(),
            targets,
            settings,
            sigmoid,
            (0, 1),
        );
    }
    std::thread::scope(|s| {
        let handles: Vec<_> = parts
            .into_iter()
            .enumerate()
            .map(|(t, range)| {
                s.spawn(move || {
                    let thread = (t as u64, threads);
                    run_part(shared, tokens, range, targets, settings, sigmoid, thread)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a training thread does not panic"))
            .fold(LossSum::default(), |a, b| a.plus(b))
    })
}

/// Cuts `tokens` into `parts` ranges of about equal length, each ending at a sentence end.
fn split_at_sentences(tokens: &[i32], parts: usize) -> Vec<std::ops::Range<usize>> {
    let mut ranges = Vec::with_capacity(parts);
    let mut start = 0;
    for p in 1..=parts {
        let mut end = (tokens.len() * p / parts).max(start);
        while end > start && end < tokens.len() && tokens[end - 1] != SENTENCE_END {
            end += 1;
        }
        if end > start {
            ranges.push(start..end);
        }
        start = end;
    }
    if ranges.is_empty() {
        ranges.push(0..0);
    }
    ranges
}

#[cfg(test)]
mod tests;
