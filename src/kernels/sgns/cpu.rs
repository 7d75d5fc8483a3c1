//! Negative sampling on the CPU, word2vec style, for skip-gram and CBOW: each thread takes its
//! share of a chunk of sentences, draws its own windows and negatives, and updates the shared
//! vectors in place without locks ([`HogwildRows`]). No allocation per step; the inner loops are
//! dot products and axpys over `dim`, compiled for the best SIMD this CPU has
//! ([`with_best_simd`]).

use rand::RngCore;

use super::sigmoid::SigmoidTable;
use super::{Batching, NegativeSamplingSettings};
use crate::kernels::hogwild::HogwildRows;
use crate::kernels::loss::LossSum;
use crate::kernels::optimizer::FusedOptimizer;
use crate::kernels::simd::{SimdWork, prefetch_row, with_best_simd};
use crate::linalg::{axpy, axpy_pair, dot};
use crate::model::{Architecture, SATURATED};
use crate::rng::{Rng, rng_for};
use crate::sampling::SENTENCE_END;

/// The noise distribution as Walker alias tables: bucket `b` is drawn uniformly, then kept with
/// probability `accept[b]`, else replaced by `alias[b]`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NoiseTables<'a> {
    pub accept: &'a [f32],
    pub alias: &'a [i32],
}

/// Every word's Huffman path (see [`crate::model::HuffmanTree::tables`]): word `w`'s inner nodes
/// are `nodes[offsets[w]..offsets[w + 1]]`, with the label (1 − code) of each step in `labels`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TreePaths<'a> {
    pub offsets: &'a [i32],
    pub nodes: &'a [i32],
    pub labels: &'a [f32],
}

impl<'a> TreePaths<'a> {
    /// Splits `ids` (`[offsets (words + 1) | nodes]`) for a vocabulary of `words`.
    pub fn new(ids: &'a [i32], labels: &'a [f32], words: usize) -> Self {
        assert!(ids.len() > words, "a tree's table starts with its offsets");
        let (offsets, nodes) = ids.split_at(words + 1);
        assert_eq!(nodes.len(), labels.len());
        TreePaths {
            offsets,
            nodes,
            labels,
        }
    }
}

/// Where each example's output rows come from.
#[derive(Debug, Clone, Copy)]
pub(crate) enum OutputTargets<'a> {
    /// Negative sampling: the centre word (label 1) and noise words (label 0).
    Noise(NoiseTables<'a>),
    /// Hierarchical softmax: the inner nodes on the centre word's path.
    Tree(TreePaths<'a>),
}

/// The optimizer's state beside each matrix, [rows, `FusedOptimizer::state_width`] (see
/// [`crate::kernels::optimizer`]).
pub(crate) struct OptimizerRows<'a> {
    pub input: &'a mut [f32],
    pub output: &'a mut [f32],
}

/// The matrices the workers share: input and output vectors, the optimizer's state beside them
/// (no rows under plain SGD), and which input rows are locked.
#[derive(Clone, Copy)]
struct Shared<'a> {
    input: HogwildRows<'a>,
    output: HogwildRows<'a>,
    input_state: HogwildRows<'a>,
    output_state: HogwildRows<'a>,
    /// 0 for each input row that stays as it is (`--lock-init`); empty when none is locked.
    locks: &'a [f32],
}

impl Shared<'_> {
    fn rows(&self) -> usize {
        self.input.rows()
    }

    fn dim(&self) -> usize {
        self.input.width()
    }
}

/// Trains on one chunk of sentences (word ids separated by [`SENTENCE_END`]) and returns the loss
/// it saw. `input` and `output` are [rows, dim] row-major (under hierarchical softmax `output`
/// row `n` is inner node `n`'s vector). Ids outside `0..rows` are an error of
/// the caller and are skipped rather than trusted. With `state`, each row takes the step of
/// `settings.optimizer` (see [`FusedOptimizer::step_row`]) instead of SGD's.
#[allow(clippy::too_many_arguments)]
pub(crate) fn train_chunk(
    input: &mut [f32],
    output: &mut [f32],
    state: Option<OptimizerRows<'_>>,
    dim: usize,
    tokens: &[i32],
    targets: OutputTargets<'_>,
    locks: &[f32],
    settings: &NegativeSamplingSettings,
) -> LossSum {
    assert!(locks.is_empty() || locks.len() == input.len() / dim);
    assert!(dim > 0 && input.len() == output.len() && input.len().is_multiple_of(dim));
    match targets {
        OutputTargets::Noise(noise) => assert_eq!(noise.accept.len(), noise.alias.len()),
        OutputTargets::Tree(tree) => assert_eq!(tree.offsets.len(), input.len() / dim + 1),
    }
    let width = settings.optimizer.state_width(dim).max(1);
    let (input_state, output_state) = match state {
        Some(state) => {
            let len = input.len() / dim * width;
            assert!(state.input.len() == len && state.output.len() == len);
            (
                HogwildRows::new(state.input, width),
                HogwildRows::new(state.output, width),
            )
        }
        None => (HogwildRows::empty(width), HogwildRows::empty(width)),
    };
    let shared = Shared {
        input: HogwildRows::new(input, dim),
        output: HogwildRows::new(output, dim),
        input_state,
        output_state,
        locks,
    };
    let table = SigmoidTable::shared();
    let parts = split_at_sentences(tokens, settings.threads.max(1) as usize);
    if parts.len() == 1 {
        return run_part(shared, tokens, 0..tokens.len(), targets, settings, table, 0);
    }
    std::thread::scope(|s| {
        let handles: Vec<_> = parts
            .into_iter()
            .enumerate()
            .map(|(t, range)| {
                s.spawn(move || run_part(shared, tokens, range, targets, settings, table, t as u64))
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

fn run_part(
    shared: Shared<'_>,
    tokens: &[i32],
    range: std::ops::Range<usize>,
    tables: OutputTargets<'_>,
    settings: &NegativeSamplingSettings,
    table: &SigmoidTable,
    thread: u64,
) -> LossSum {
    let most_targets = match tables {
        OutputTargets::Noise(_) => settings.negative as usize + 1,
        OutputTargets::Tree(_) => crate::model::MAX_DEPTH,
    };
    let mut worker = Worker {
        shared,
        skips_saturated: matches!(tables, OutputTargets::Tree(_)),
        tables,
        table,
        optimizer: settings.optimizer,
        rng: rng_for(settings.seed, thread),
        grad: vec![0.0; shared.dim()],
        hidden: vec![0.0; shared.dim()],
        contexts: Vec::with_capacity(2 * settings.window.max(1) as usize),
        factors: Vec::new(),
        window_steps: Vec::new(),
        targets: vec![0; most_targets],
        path_of: None,
        labels: vec![0.0; most_targets],
        loss: LossSum::default(),
    };
    let worker_ref = &mut worker;
    match shared.input_state.rows() > 0 {
        true => with_best_simd(Part::<true> {
            worker: worker_ref,
            tokens,
            range,
            settings,
        }),
        false => with_best_simd(Part::<false> {
            worker: worker_ref,
            tokens,
            range,
            settings,
        }),
    }
    worker.loss
}

/// One thread's share of a chunk, plain SGD or a stateful optimizer, as [`with_best_simd`] runs it.
struct Part<'w, 'a, 't, const STATEFUL: bool> {
    worker: &'w mut Worker<'a>,
    tokens: &'t [i32],
    range: std::ops::Range<usize>,
    settings: &'t NegativeSamplingSettings,
}

impl<const STATEFUL: bool> SimdWork for Part<'_, '_, '_, STATEFUL> {
    type Output = ();

    #[inline(always)]
    fn run(self) {
        self.worker
            .part::<STATEFUL>(self.tokens, self.range, self.settings)
    }
}

struct Worker<'a> {
    shared: Shared<'a>,
    tables: OutputTargets<'a>,
    table: &'a SigmoidTable,
    /// The rows' step when they carry state (SGD's is folded into the gradient, as word2vec's).
    optimizer: FusedOptimizer,
    rng: Rng,
    grad: Vec<f32>,
    /// CBOW's hidden layer: the context vectors' mean or sum.
    hidden: Vec<f32>,
    /// CBOW's context words of the current centre.
    contexts: Vec<u32>,
    /// Hierarchical softmax: nodes already decided (|score| ≥ [`SATURATED`]) take no step.
    skips_saturated: bool,
    /// [`Batching::Window`]: each (context, target) pair's gradient factor, context-major, and
    /// each context row's gathered step.
    factors: Vec<f32>,
    window_steps: Vec<f32>,
    /// The current example's output rows and the label (1 or 0) each is trained towards.
    targets: Vec<u32>,
    /// Hierarchical softmax: whose path `targets` holds.
    path_of: Option<u32>,
    labels: Vec<f32>,
    loss: LossSum,
}

impl Worker<'_> {
    #[inline(always)]
    fn part<const STATEFUL: bool>(
        &mut self,
        tokens: &[i32],
        range: std::ops::Range<usize>,
        settings: &NegativeSamplingSettings,
    ) {
        let window = settings.window.max(1) as u64;
        let n = tokens.len().max(1) as f32;
        let lr_step = (settings.lr_end - settings.lr_start) / n;
        let mut sentence_start = range.start;
        for i in range.clone() {
            let Some(center) = self.valid(tokens[i]) else {
                sentence_start = i + 1;
                continue;
            };
            let lr = settings.lr_start + lr_step * i as f32;
            // word2vec's dynamic window: the half-width is uniform in 1..=window.
            let b = 1 + ((self.rng.next_u32() as u64 * window) >> 32) as usize;
            let left = &tokens[i.saturating_sub(b).max(sentence_start)..i];
            let right = tokens[i + 1..range.end.min(i + b + 1)]
                .iter()
                .take_while(|&&t| t != SENTENCE_END);
            if settings.architecture == Architecture::SkipGram
                && settings.batching == Batching::Pair
            {
                for &t in left.iter().chain(right) {
                    if let Some(context) = self.valid(t) {
                        self.example::<STATEFUL>(context, center, settings.negative, lr);
                    }
                }
                continue;
            }
            // A window at a time: skip-gram windowed, or CBOW (whose example is its window).
            let mut contexts = std::mem::take(&mut self.contexts);
            contexts.clear();
            contexts.extend(left.iter().chain(right).filter_map(|&t| self.valid(t)));
            if !contexts.is_empty() {
                let negative = settings.negative;
                match settings.architecture {
                    Architecture::SkipGram => {
                        self.window_example::<STATEFUL>(&contexts, center, negative, lr)
                    }
                    Architecture::Cbow { mean } => {
                        self.cbow_example::<STATEFUL>(&contexts, mean, center, negative, lr)
                    }
                }
            }
            self.contexts = contexts;
        }
    }

    #[inline(always)]
    fn valid(&self, id: i32) -> Option<u32> {
        (id >= 0 && (id as usize) < self.shared.rows()).then_some(id as u32)
    }

    #[inline(always)]
    fn draw_noise(&mut self, noise: NoiseTables<'_>) -> u32 {
        let r = self.rng.next_u64();
        let len = noise.accept.len() as u64;
        let bucket = (((r >> 32) * len) >> 32) as usize;
        let u = (r as u32 >> 8) as f32 * (1.0 / 16_777_216.0);
        let id = if u < noise.accept[bucket] {
            bucket as i32
        } else {
            noise.alias[bucket]
        };
        id.clamp(0, self.shared.rows() as i32 - 1) as u32
    }

    /// The output rows `center` trains with, `count` of them in `targets` with their `labels`:
    /// the centre itself and its noise words, or the inner nodes of its path.
    #[inline(always)]
    fn draw_targets(&mut self, center: u32, negative: u32) -> usize {
        let count = match self.tables {
            OutputTargets::Noise(noise) => {
                self.targets[0] = center;
                self.labels[0] = 1.0;
                let mut count = 1;
                for _ in 0..negative {
                    let w = self.draw_noise(noise);
                    if w != center {
                        self.targets[count] = w;
                        self.labels[count] = 0.0;
                        count += 1;
                    }
                }
                count
            }
            OutputTargets::Tree(tree) => {
                let c = center as usize;
                let path = tree.offsets[c] as usize..tree.offsets[c + 1] as usize;
                let count = path.len().min(self.targets.len());
                // The centre's path is already in place, its rows cached, for each of its
                // window's contexts after the first.
                if self.path_of == Some(center) {
                    return count;
                }
                let rows = self.shared.rows() as i32 - 1;
                for (k, (&node, &label)) in tree.nodes[path.clone()]
                    .iter()
                    .zip(&tree.labels[path])
                    .take(count)
                    .enumerate()
                {
                    self.targets[k] = node.clamp(0, rows) as u32;
                    self.labels[k] = label;
                }
                self.path_of = Some(center);
                count
            }
        };
        let state = &self.shared.output_state;
        for &t in &self.targets[..count] {
            let t = t as usize;
            prefetch_row(self.shared.output.row_address(t), self.shared.dim());
            if state.rows() > 0 {
                prefetch_row(state.row_address(t), state.width());
            }
        }
        count
    }

    /// One CBOW example, word2vec's: the hidden layer is the mean (or sum) of the context rows;
    /// it is trained to score `center` high and the noise words low; the output rows step from
    /// the hidden layer as it was before the example, and every context row takes the hidden
    /// layer's whole step (word2vec does not divide it among them, gensim neither).
    #[inline(always)]
    fn cbow_example<const STATEFUL: bool>(
        &mut self,
        contexts: &[u32],
        mean: bool,
        center: u32,
        negative: u32,
        lr: f32,
    ) {
        let count = self.draw_targets(center, negative);
        self.hidden.iter_mut().for_each(|h| *h = 0.0);
        for &c in contexts {
            axpy(1.0, self.shared.input.row(c as usize), &mut self.hidden);
        }
        if mean {
            let inv = 1.0 / contexts.len() as f32;
            self.hidden.iter_mut().for_each(|h| *h *= inv);
        }
        self.grad.iter_mut().for_each(|g| *g = 0.0);
        let mut loss = 0.0f32;
        for k in 0..count {
            let t = self.targets[k];
            let u = self.shared.output.row(t as usize);
            let (g, l) = self.score(&self.hidden, u, self.labels[k]);
            loss += l;
            let Some(g) = g else { continue };
            if STATEFUL {
                axpy(g, u, &mut self.grad);
                let state = self.shared.output_state.row(t as usize);
                self.optimizer.step_row(-g, &self.hidden, u, state, lr);
            } else {
                axpy_pair(g * lr, u, &self.hidden, &mut self.grad);
            }
        }
        for &c in contexts {
            self.step_input::<STATEFUL>(c, &self.grad, lr);
        }
        self.loss.sum += loss as f64;
        self.loss.pairs += 1;
    }

    /// Adds a gathered step (`grad`) to input row `row`: as is under SGD (it holds the rate
    /// already), or as the optimizer's step for the gradient −`grad`.
    #[inline(always)]
    fn step_input<const STATEFUL: bool>(&self, row: u32, grad: &[f32], lr: f32) {
        if self.shared.locks.get(row as usize) == Some(&0.0) {
            return;
        }
        let v = self.shared.input.row(row as usize);
        if STATEFUL {
            let state = self.shared.input_state.row(row as usize);
            self.optimizer.step_row(-1.0, grad, v, state, lr);
        } else {
            axpy(1.0, grad, v);
        }
    }

    /// One centre's window at once ([`Batching::Window`]): every context row is scored against
    /// the same targets (the centre and one draw of noise words, or the centre's path) from the
    /// rows as they were; then each output row takes the sum of its steps over the contexts,
    /// and each context row the sum over the targets. With SGD that is one gradient step on the
    /// window's loss; a stateful rule steps each row once on its summed gradient.
    #[inline(always)]
    fn window_example<const STATEFUL: bool>(
        &mut self,
        contexts: &[u32],
        center: u32,
        negative: u32,
        lr: f32,
    ) {
        let count = self.draw_targets(center, negative);
        let dim = self.shared.dim();
        // Under SGD the factors carry the rate, as word2vec's do.
        let scale = if STATEFUL { 1.0 } else { lr };
        let mut factors = std::mem::take(&mut self.factors);
        factors.clear();
        let mut loss = 0.0f32;
        for &c in contexts {
            let v = self.shared.input.row(c as usize);
            for k in 0..count {
                let u = self.shared.output.row(self.targets[k] as usize);
                let (g, l) = self.score(v, u, self.labels[k]);
                loss += l;
                factors.push(g.map_or(0.0, |g| g * scale));
            }
        }
        // The context rows' steps, from the output rows as they were.
        let mut steps = std::mem::take(&mut self.window_steps);
        steps.clear();
        steps.resize(contexts.len() * dim, 0.0);
        for (step, gs) in steps.chunks_exact_mut(dim).zip(factors.chunks_exact(count)) {
            for (&t, &g) in self.targets[..count].iter().zip(gs) {
                if g != 0.0 {
                    axpy(g, self.shared.output.row(t as usize), step);
                }
            }
        }
        // The output rows' steps, from the context rows as they were (not yet stepped).
        for k in 0..count {
            let t = self.targets[k] as usize;
            let u = self.shared.output.row(t);
            if STATEFUL {
                self.grad.iter_mut().for_each(|g| *g = 0.0);
            }
            let mut stepped = false;
            for (j, &c) in contexts.iter().enumerate() {
                let g = factors[j * count + k];
                if g == 0.0 {
                    continue;
                }
                stepped = true;
                let v = self.shared.input.row(c as usize);
                if STATEFUL {
                    axpy(g, v, &mut self.grad);
                } else {
                    axpy(g, v, u);
                }
            }
            // A node every context left alone (saturated) keeps its state, as per pair.
            if STATEFUL && stepped {
                let state = self.shared.output_state.row(t);
                self.optimizer.step_row(-1.0, &self.grad, u, state, lr);
            }
        }
        for (&c, step) in contexts.iter().zip(steps.chunks_exact(dim)) {
            self.step_input::<STATEFUL>(c, step, lr);
        }
        self.factors = factors;
        self.window_steps = steps;
        self.loss.sum += loss as f64;
        self.loss.pairs += contexts.len() as u64;
    }

    /// The gradient factor (label − σ(score)) of one target and its loss (−log σ(±score)); a
    /// non-finite score makes the loss NaN, so training stops with an error instead of going on.
    /// Hierarchical softmax leaves a node whose |score| reaches [`SATURATED`] alone (no
    /// factor), as word2vec and gensim do; its loss still counts.
    #[inline(always)]
    fn score(&self, v: &[f32], u: &[f32], label: f32) -> (Option<f32>, f32) {
        let score = dot(v, u);
        let f = score.clamp(-30.0, 30.0);
        let mut loss = -self.table.log_sigmoid(if label > 0.5 { f } else { -f });
        if !score.is_finite() {
            loss = f32::NAN;
        }
        if self.skips_saturated && f.abs() >= SATURATED {
            return (None, loss);
        }
        (Some(label - 1.0 / (1.0 + (-f).exp())), loss)
    }

    /// One example and its negatives, word2vec's inner loop: the input vector of `input` is
    /// trained to score `target` high and `negative` noise words low. `grad` gathers the input
    /// vector's step (SGD) or its negative gradient (the others) while each output row is updated
    /// from the input vector as it was before the example.
    #[inline(always)]
    fn example<const STATEFUL: bool>(&mut self, input: u32, target: u32, negative: u32, lr: f32) {
        // The rows start on their way into the cache before the first one is needed; the input
        // row's state is needed last.
        let count = self.draw_targets(target, negative);
        if STATEFUL {
            let state = &self.shared.input_state;
            prefetch_row(state.row_address(input as usize), state.width());
        }
        // The input row and the output rows live in different matrices.
        let v = self.shared.input.row(input as usize);
        self.grad.iter_mut().for_each(|g| *g = 0.0);
        let mut loss = 0.0f32;
        for (&t, &label) in self.targets[..count].iter().zip(&self.labels) {
            let u = self.shared.output.row(t as usize);
            let (g, l) = self.score(v, u, label);
            loss += l;
            let Some(g) = g else { continue };
            if STATEFUL {
                axpy(g, u, &mut self.grad);
                let state = self.shared.output_state.row(t as usize);
                self.optimizer.step_row(-g, v, u, state, lr);
            } else {
                axpy_pair(g * lr, u, v, &mut self.grad);
            }
        }
        self.step_input::<STATEFUL>(input, &self.grad, lr);
        self.loss.sum += loss as f64;
        self.loss.pairs += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_end_at_sentence_ends_and_cover_everything() {
        let e = SENTENCE_END;
        let tokens = [1, 2, 3, e, 4, 5, e, 6, e, 7, 8, 9, 10, e];
        for parts in 1..6 {
            let ranges = split_at_sentences(&tokens, parts);
            assert_eq!(ranges.first().unwrap().start, 0);
            assert_eq!(ranges.last().unwrap().end, tokens.len());
            for w in ranges.windows(2) {
                assert_eq!(w[0].end, w[1].start);
            }
            for r in &ranges {
                assert_eq!(tokens[r.end - 1], e, "{parts} parts: {ranges:?}");
            }
        }
        // Fewer positions than threads: the last chunk of an epoch can be this small.
        for tokens in [&[e][..], &[3, e], &[]] {
            let ranges = split_at_sentences(tokens, 16);
            assert_eq!(ranges.iter().map(|r| r.len()).sum::<usize>(), tokens.len());
        }
    }

    const DIM: usize = 4;
    const ROWS: usize = 6;
    /// The one noise word of these tests.
    const NOISE: i32 = 5;

    fn weights() -> (Vec<f32>, Vec<f32>) {
        let input = (0..ROWS * DIM)
            .map(|i| ((i * 37 % 17) as f32 - 8.0) / 20.0)
            .collect();
        let output = (0..ROWS * DIM)
            .map(|i| ((i * 23 % 13) as f32 - 6.0) / 15.0)
            .collect();
        (input, output)
    }

    /// One CPU pass over `tokens` with window 1 (so every window is ±1), one noise word, one
    /// thread and a constant rate.
    fn one_pass(
        architecture: Architecture,
        batching: Batching,
        lr: f32,
        tokens: &[i32],
    ) -> (Vec<f32>, Vec<f32>) {
        let (mut input, mut output) = weights();
        let settings = NegativeSamplingSettings {
            window: 1,
            negative: 1,
            lr_start: lr,
            lr_end: lr,
            seed: 3,
            threads: 1,
            gpu_cubes: 0,
            architecture,
            batching,
            optimizer: FusedOptimizer::Sgd,
            hierarchical: false,
            lock_rows: false,
        };
        let noise = OutputTargets::Noise(NoiseTables {
            accept: &[0.0],
            alias: &[NOISE],
        });
        train_chunk(
            &mut input,
            &mut output,
            None,
            DIM,
            tokens,
            noise,
            &[],
            &settings,
        );
        (input, output)
    }

    fn cbow_step(mean: bool, lr: f32, tokens: &[i32]) -> (Vec<f32>, Vec<f32>) {
        one_pass(Architecture::Cbow { mean }, Batching::Pair, lr, tokens)
    }

    fn skipgram_step(batching: Batching, lr: f32, tokens: &[i32]) -> (Vec<f32>, Vec<f32>) {
        one_pass(Architecture::SkipGram, batching, lr, tokens)
    }

    /// Each position's ±1 neighbours, the contexts of its window.
    fn neighbours(tokens: &[i32], i: usize) -> Vec<i32> {
        [i.wrapping_sub(1), i + 1]
            .into_iter()
            .filter_map(|j| tokens.get(j).copied())
            .collect()
    }

    fn dot64(a: &[f64], b: &[f64]) -> f64 {
        a.iter().zip(b).map(|(x, y)| x * y).sum()
    }

    #[test]
    fn window_batching_steps_every_row_once_from_the_rows_as_they_were() {
        // The reference, in f64: for each centre in order, every (context, target) factor
        // lr·(label − σ(v·u)) from the weights before the window; then each output row adds
        // Σ_contexts factor·v and each context row Σ_targets factor·u, both from those weights.
        let tokens = [0, 1, 2, 3, 1, 4, 2];
        let lr = 0.3;
        let (input, output) = weights();
        let mut input: Vec<f64> = input.iter().map(|&v| v as f64).collect();
        let mut output: Vec<f64> = output.iter().map(|&v| v as f64).collect();
        let sigmoid = |x: f64| 1.0 / (1.0 + (-x).exp());
        for (i, &center) in tokens.iter().enumerate() {
            let contexts = neighbours(&tokens, i);
            let targets = [(center, 1.0), (NOISE, 0.0)];
            let factors: Vec<Vec<f64>> = contexts
                .iter()
                .map(|&c| {
                    targets
                        .iter()
                        .map(|&(t, label)| {
                            let score = dot64(row(&input, c), row(&output, t));
                            lr as f64 * (label - sigmoid(score))
                        })
                        .collect()
                })
                .collect();
            let (input0, output0) = (input.clone(), output.clone());
            for (j, &c) in contexts.iter().enumerate() {
                for (k, &(t, _)) in targets.iter().enumerate() {
                    for d in 0..DIM {
                        let (ci, ti) = (c as usize * DIM + d, t as usize * DIM + d);
                        input[ci] += factors[j][k] * output0[ti];
                        output[ti] += factors[j][k] * input0[ci];
                    }
                }
            }
        }
        let (window_input, window_output) = skipgram_step(Batching::Window, lr, &tokens);
        for (got, want) in window_input
            .iter()
            .chain(&window_output)
            .zip(input.iter().chain(&output))
        {
            assert!((*got as f64 - want).abs() < 1e-5, "{got} vs {want}");
        }
        // Per pair, a window's second context sees the first one's step: not the same.
        let (pair_input, _) = skipgram_step(Batching::Pair, lr, &tokens);
        let gap = pair_input
            .iter()
            .zip(&window_input)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, f32::max);
        assert!(gap > 1e-4, "the batchings differ: {gap}");
    }

    #[test]
    fn window_batching_follows_the_gradient_of_its_loss() {
        // A tiny rate makes the whole pass −lr·∇(loss of every window) to first order, the loss
        // of a window being Σ over its contexts of −log σ(v·u_centre) − log σ(−v·u_noise).
        let tokens = [0, 1, 2, 3, 1, 4];
        let lr = 1e-3f32;
        let log_sigmoid = |x: f64| -(1.0 + (-x).exp()).ln();
        let loss = |_: usize, input: &[f64], output: &[f64]| {
            let mut total = 0.0;
            for (i, &center) in tokens.iter().enumerate() {
                for c in neighbours(&tokens, i) {
                    let v = row(input, c);
                    total -= log_sigmoid(dot64(v, row(output, center)))
                        + log_sigmoid(-dot64(v, row(output, NOISE)));
                }
            }
            total
        };
        let after = skipgram_step(Batching::Window, lr, &tokens);
        assert_follows_gradient("window", lr, after, loss);
    }

    /// Asserts that a pass from [`weights`] to `(input, output)` at the tiny rate `lr` is
    /// −lr·∇loss to first order, weight by weight, by central differences; `loss(which, input,
    /// output)` is the loss whose gradient the `which` matrix (0 input, 1 output) follows.
    fn assert_follows_gradient(
        name: &str,
        lr: f32,
        (input, output): (Vec<f32>, Vec<f32>),
        loss: impl Fn(usize, &[f64], &[f64]) -> f64,
    ) {
        let wide = |m: &[f32]| m.iter().map(|&v| v as f64).collect::<Vec<_>>();
        let (input0, output0) = weights();
        let (input0, output0) = (wide(&input0), wide(&output0));
        let h = 1e-6;
        for (which, before, after) in [(0, &input0, &input), (1, &output0, &output)] {
            for k in 0..ROWS * DIM {
                let (mut plus, mut minus) = (before.clone(), before.clone());
                plus[k] += h;
                minus[k] -= h;
                let at = |m: &[f64]| match which {
                    0 => loss(which, m, &output0),
                    _ => loss(which, &input0, m),
                };
                let grad = (at(&plus) - at(&minus)) / (2.0 * h);
                let step = (after[k] as f64 - before[k]) / lr as f64;
                assert!(
                    (step + grad).abs() < 2e-3 * (1.0 + grad.abs()),
                    "{name}, {} {k}: step {step}, −gradient {}",
                    ["input", "output"][which],
                    -grad
                );
            }
        }
    }

    fn row(m: &[f64], r: i32) -> &[f64] {
        &m[r as usize * DIM..(r as usize + 1) * DIM]
    }

    /// The CBOW loss of `tokens` at the given weights: for each centre, its ±1 neighbours'
    /// mean (or sum) scores the centre high and the noise word low. With `per_context`, each
    /// example counts once per context word.
    fn cbow_loss(
        input: &[f64],
        output: &[f64],
        mean: bool,
        per_context: bool,
        tokens: &[i32],
    ) -> f64 {
        let log_sigmoid = |x: f64| -(1.0 + (-x).exp()).ln();
        let mut total = 0.0;
        for i in 0..tokens.len() {
            let contexts = neighbours(tokens, i);
            let n = contexts.len() as f64;
            let mut h = vec![0.0; DIM];
            for &c in &contexts {
                for (h, v) in h.iter_mut().zip(row(input, c)) {
                    *h += v / if mean { n } else { 1.0 };
                }
            }
            let loss = -log_sigmoid(dot64(&h, row(output, tokens[i])))
                - log_sigmoid(-dot64(&h, row(output, NOISE)));
            total += if per_context { n * loss } else { loss };
        }
        total
    }

    #[test]
    fn cbow_steps_follow_the_gradient_of_its_loss() {
        // A tiny rate makes the step −lr·∇(total loss) to first order. With the sum, word2vec's
        // rule is the exact gradient for every row. With the mean, it gives each context row the
        // hidden layer's whole gradient, n times its true share: the gradient of the loss with
        // each example counted once per context word.
        let tokens = [0, 1, 2, 3, 1, 4];
        let lr = 1e-3f32;
        for mean in [false, true] {
            let after = cbow_step(mean, lr, &tokens);
            let name = format!("CBOW, mean {mean}");
            assert_follows_gradient(&name, lr, after, |which, input, output| {
                let per_context = which == 0 && mean;
                cbow_loss(input, output, mean, per_context, &tokens)
            });
        }
    }
}
