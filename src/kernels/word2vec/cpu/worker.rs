//! One thread's training: its windows and the examples (per pair, per window, CBOW's), each
//! updating the shared rows in place; what each example trains against is drawn in [`draws`].

mod draws;

use std::sync::Mutex;

use rand::RngCore;

use super::bags::{BagWindow, Bags};
use super::hot::HotRows;
use super::targets::OutputTargets;
use crate::kernels::hogwild::HogwildRows;
use crate::kernels::loss::LossSum;
use crate::kernels::optimizer::FusedOptimizer;
use crate::kernels::simd::{SimdWork, prefetch_row, with_best_simd};
use crate::kernels::word2vec::sigmoid::SigmoidTable;
use crate::kernels::word2vec::{Batching, Word2VecSettings};
use crate::linalg::{axpy, axpy_pair, dot};
use crate::model::{Architecture, SATURATED};
use crate::rng::{Rng, rng_for};
use crate::sampling::SENTENCE_END;

/// The matrices the workers share: input and output vectors, the optimizer's state beside them
/// (no rows under plain SGD), and which input rows are locked.
#[derive(Clone, Copy)]
pub(super) struct Shared<'a> {
    pub(super) input: HogwildRows<'a>,
    pub(super) output: HogwildRows<'a>,
    pub(super) input_state: HogwildRows<'a>,
    pub(super) output_state: HogwildRows<'a>,
    /// 0 for each input row that stays as it is (`--lock-init`); empty when none is locked.
    pub(super) locks: &'a [f32],
    /// The subword model's bags; `None` for the word-level model.
    pub(super) bags: Option<Bags<'a>>,
    /// Held by a thread merging its copy of the hot output rows ([`HotRows`]).
    pub(super) merging: &'a Mutex<()>,
}

impl Shared<'_> {
    /// Words: the output rows (the input has the subword model's buckets after them).
    pub(super) fn rows(&self) -> usize {
        self.output.rows()
    }

    pub(super) fn dim(&self) -> usize {
        self.input.width()
    }
}

pub(super) fn run_part(
    shared: Shared<'_>,
    tokens: &[i32],
    range: std::ops::Range<usize>,
    targets: OutputTargets<'_>,
    settings: &Word2VecSettings,
    sigmoid: &SigmoidTable,
    (thread, threads): (u64, usize),
) -> LossSum {
    // Hierarchical softmax's top nodes, copied per thread where threads share them (SGD's
    // rows alone: a stateful rule's state stays shared).
    let sgd = shared.input_state.rows() == 0;
    let mut hot_buffer = match targets {
        OutputTargets::Tree(_) if sgd && threads > 1 => {
            Some(HotRows::buffer(shared.rows() - 1, shared.dim()))
        }
        _ => None,
    };
    let hot = hot_buffer
        .as_mut()
        .map(|(first, buffer)| HotRows::new(&shared.output, *first, buffer, shared.merging));
    let most_targets = match targets {
        OutputTargets::Noise(_) => settings.negative as usize + 1,
        OutputTargets::Tree(_) => crate::model::MAX_DEPTH,
    };
    let mut worker = Worker {
        shared,
        skips_saturated: matches!(targets, OutputTargets::Tree(_)),
        redraws_noise: shared.bags.is_some(),
        outputs: targets,
        hot,
        sigmoid,
        optimizer: settings.optimizer,
        rng: rng_for(settings.seed, thread),
        grad: vec![0.0; shared.dim()],
        hidden: vec![0.0; shared.dim()],
        contexts: Vec::with_capacity(2 * settings.window.max(1) as usize),
        factors: Vec::new(),
        window_steps: Vec::new(),
        context_rows: Vec::new(),
        mean_squares: Vec::new(),
        sequence_scales: Vec::new(),
        sequence_weights: Vec::new(),
        bag_rows: Vec::new(),
        bag_window: cbow_bag_window(shared, settings),
        targets: vec![0; most_targets],
        targets_ahead: vec![0; most_targets],
        path_of: None,
        ahead_of: None,
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

/// The subword model's CBOW under plain SGD and window batching keeps a window of bags
/// ([`BagWindow`]); `None` for every other step.
fn cbow_bag_window<'a>(shared: Shared<'a>, settings: &Word2VecSettings) -> Option<BagWindow<'a>> {
    let Architecture::Cbow { mean } = settings.architecture else {
        return None;
    };
    let sgd = shared.input_state.rows() == 0;
    let bags = shared
        .bags
        .filter(|_| sgd && settings.batching == Batching::Window)?;
    let window = settings.window.max(1) as usize;
    Some(BagWindow::new(bags, shared.input, window, mean))
}

/// One thread's share of a chunk, plain SGD or a stateful optimizer, as [`with_best_simd`] runs it.
struct Part<'w, 'a, 't, const STATEFUL: bool> {
    worker: &'w mut Worker<'a>,
    tokens: &'t [i32],
    range: std::ops::Range<usize>,
    settings: &'t Word2VecSettings,
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
    /// Where each example's output rows come from.
    outputs: OutputTargets<'a>,
    /// This thread's copy of the output rows every thread writes most, if it keeps one.
    hot: Option<HotRows<'a>>,
    sigmoid: &'a SigmoidTable,
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
    /// The subword model: a noise word that is the target is drawn again (fastText's rule).
    redraws_noise: bool,
    /// [`Batching::Window`]: each (context, target) pair's gradient factor, context-major, and
    /// each context row's gathered step.
    factors: Vec<f32>,
    window_steps: Vec<f32>,
    /// [`Batching::Window`] under a row-wise rule: the context rows and each one's mean square,
    /// and an output row's steps, their scales and weights
    /// ([`crate::kernels::RowWise::step_sequence`]).
    context_rows: Vec<&'a [f32]>,
    mean_squares: Vec<f32>,
    sequence_scales: Vec<f32>,
    sequence_weights: Vec<f32>,
    /// The subword model's CBOW: the input rows of a window's context words, bag after bag; or,
    /// under window batching, the window of bags it reads and steps instead.
    bag_rows: Vec<u32>,
    bag_window: Option<BagWindow<'a>>,
    /// The current example's output rows and the label (1 or 0) each is trained towards.
    targets: Vec<u32>,
    /// Noise words drawn one example early, while `targets` trains: the subword skip-gram's
    /// next context's, the other models' next centre's.
    targets_ahead: Vec<u32>,
    /// Hierarchical softmax: whose path `targets` holds.
    path_of: Option<u32>,
    /// The centre whose targets `targets_ahead` holds ([`Worker::centre_targets`]), and how
    /// many.
    ahead_of: Option<(u32, usize)>,
    labels: Vec<f32>,
    loss: LossSum,
}

impl<'a> Worker<'a> {
    #[inline(always)]
    fn part<const STATEFUL: bool>(
        &mut self,
        tokens: &[i32],
        range: std::ops::Range<usize>,
        settings: &Word2VecSettings,
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
            if let Some(hot) = &mut self.hot {
                hot.tick(&self.shared.output);
            }
            let lr = settings.lr_start + lr_step * i as f32;
            // word2vec's dynamic window: the half-width is uniform in 1..=window.
            let b = 1 + ((self.rng.next_u32() as u64 * window) >> 32) as usize;
            let left_start = i.saturating_sub(b).max(sentence_start);
            let right_limit = range.end.min(i + b + 1);
            let right_end = (i + 1..right_limit)
                .find(|&j| tokens[j] == SENTENCE_END)
                .unwrap_or(right_limit);
            let left = &tokens[left_start..i];
            let right = &tokens[i + 1..right_end];
            if settings.architecture == Architecture::SkipGram
                && settings.batching == Batching::Pair
                && self.shared.bags.is_none()
            {
                for &t in left.iter().chain(right) {
                    if let Some(context) = self.valid(t) {
                        self.example::<STATEFUL>(context, center, settings.negative, lr);
                    }
                }
                continue;
            }
            // A window at a time: skip-gram windowed, or CBOW (whose example is its window).
            // The next centre, whose noise words are drawn while this one trains, and the
            // farthest position its window can reach, whose row is asked for one centre early.
            let next = (i + 1 < range.end)
                .then(|| self.valid(tokens[i + 1]))
                .flatten();
            let reach = i + window as usize + 1;
            let reach = (reach < range.end)
                .then(|| self.valid(tokens[reach]))
                .flatten();
            if let Some(mut bags) = self.bag_window.take() {
                let positions = (left_start..i).chain(i + 1..right_end);
                let example = (center, next, settings.negative, lr);
                self.windowed_cbow(&mut bags, tokens, positions, reach, example);
                self.bag_window = Some(bags);
                continue;
            }
            let mut contexts = std::mem::take(&mut self.contexts);
            contexts.clear();
            contexts.extend(left.iter().chain(right).filter_map(|&t| self.valid(t)));
            if !contexts.is_empty() {
                let negative = settings.negative;
                match (settings.architecture, self.shared.bags) {
                    (Architecture::SkipGram, None) => {
                        self.prefetch_input(reach);
                        self.window_example::<STATEFUL>(&contexts, center, next, negative, lr)
                    }
                    (Architecture::Cbow { mean }, None) => {
                        self.prefetch_input(reach);
                        let example = (center, next, negative, lr);
                        self.cbow_example::<STATEFUL>(&contexts, mean, example)
                    }
                    (Architecture::SkipGram, Some(bags)) => {
                        // The next centre's bag, one centre early.
                        if let Some(next) = next {
                            bags.prefetch(next, &self.shared.input);
                        }
                        let follow = !STATEFUL && settings.batching == Batching::Pair;
                        let shift = if follow {
                            bags.follow[center as usize]
                        } else {
                            0.0
                        };
                        let bag = bags.bag(center);
                        self.subword_skipgram::<STATEFUL>(bag, shift, &contexts, negative, lr)
                    }
                    (Architecture::Cbow { mean }, Some(bags)) => {
                        // fastText's CBOW: one bag of every context word's rows.
                        let mut rows = std::mem::take(&mut self.bag_rows);
                        rows.clear();
                        for &c in &contexts {
                            rows.extend(bags.bag(c).iter().map(|&r| r as u32));
                        }
                        let example = (center, next, negative, lr);
                        self.cbow_example::<STATEFUL>(&rows, mean, example);
                        self.bag_rows = rows;
                    }
                }
            }
            self.contexts = contexts;
        }
        if let Some(window) = &mut self.bag_window {
            window.write_all();
        }
        if let Some(hot) = &mut self.hot {
            hot.merge(&self.shared.output);
        }
    }

    /// Output row `row`: this thread's copy where it keeps one, else the shared row.
    #[inline(always)]
    fn output_row(&self, row: u32) -> &'a mut [f32] {
        let row = row as usize;
        match self.hot.as_ref().and_then(|hot| hot.row(row)) {
            Some(copy) => copy,
            None => self.shared.output.row(row),
        }
    }

    #[inline(always)]
    fn valid(&self, id: i32) -> Option<u32> {
        (id >= 0 && (id as usize) < self.shared.rows()).then_some(id as u32)
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
        (center, next, negative, lr): (u32, Option<u32>, u32, f32),
    ) {
        let count = self.centre_targets(center, next, negative);
        self.load_hidden(contexts.iter().map(|&c| c as usize), contexts.len(), mean);
        let loss = self.hidden_to_targets::<STATEFUL>(count, lr);
        for &c in contexts {
            self.step_input::<STATEFUL>(c, &self.grad, lr);
        }
        self.loss.sum += loss as f64;
        self.loss.pairs += 1;
    }

    /// fastText's CBOW example read from a window of bags (the subword model under window
    /// batching): the context `positions`' bags enter `window` where they are new, the hidden
    /// layer is the mean (or sum) of their sums, and each bag takes the hidden layer's whole
    /// step, as every row of fastText's bag of context rows does, gathered in the window until
    /// its position leaves ([`BagWindow`]). `ahead` is the word whose bag enters next, to
    /// prefetch; `example` the centre, its noise words and the rate.
    #[inline(always)]
    fn windowed_cbow(
        &mut self,
        window: &mut BagWindow,
        tokens: &[i32],
        positions: impl Iterator<Item = usize>,
        ahead: Option<u32>,
        (center, next, negative, lr): (u32, Option<u32>, u32, f32),
    ) {
        if let Some(word) = ahead {
            window.prefetch(word);
        }
        let mut slots = std::mem::take(&mut self.contexts);
        slots.clear();
        for p in positions {
            if let Some(word) = self.valid(tokens[p]) {
                slots.push(window.slot(p, word) as u32);
            }
        }
        if !slots.is_empty() {
            let count = self.centre_targets(center, next, negative);
            self.hidden.iter_mut().for_each(|h| *h = 0.0);
            let rows: f32 = slots
                .iter()
                .map(|&s| window.add_sum(s as usize, &mut self.hidden))
                .sum();
            if window.mean() {
                let inv = 1.0 / rows;
                self.hidden.iter_mut().for_each(|h| *h *= inv);
            }
            let loss = self.hidden_to_targets::<false>(count, lr);
            for &s in &slots {
                window.step(s as usize, &self.grad);
            }
            self.loss.sum += loss as f64;
            self.loss.pairs += 1;
        }
        self.contexts = slots;
    }

    /// Sets the hidden layer to the sum of input rows `rows` (`len` of them), or their mean.
    #[inline(always)]
    fn load_hidden(&mut self, rows: impl Iterator<Item = usize>, len: usize, mean: bool) {
        self.hidden.iter_mut().for_each(|h| *h = 0.0);
        for r in rows {
            axpy(1.0, self.shared.input.row(r), &mut self.hidden);
        }
        if mean {
            let inv = 1.0 / len as f32;
            self.hidden.iter_mut().for_each(|h| *h *= inv);
        }
    }

    /// Scores the hidden layer against the `count` drawn targets: each output row steps from
    /// the hidden layer as it is, and `grad` gathers the input's step (SGD: the rate in it) or
    /// its negative gradient (the stateful rules). Returns the loss.
    #[inline(always)]
    fn hidden_to_targets<const STATEFUL: bool>(&mut self, count: usize, lr: f32) -> f32 {
        self.grad.iter_mut().for_each(|g| *g = 0.0);
        let mut loss = 0.0f32;
        let hidden_statistic = match STATEFUL {
            true => self.optimizer.row_statistic(&self.hidden),
            false => None,
        };
        for k in 0..count {
            let t = self.targets[k];
            let u = self.output_row(t);
            let (g, l) = self.score(&self.hidden, u, self.labels[k]);
            loss += l;
            let Some(g) = g else { continue };
            if STATEFUL {
                let state = self.shared.output_state.row(t as usize);
                let (x, opt) = (&self.hidden, &self.optimizer);
                opt.step_output_row(g, x, hidden_statistic, u, &mut self.grad, state, lr);
            } else {
                axpy_pair(g * lr, u, &self.hidden, &mut self.grad);
            }
        }
        loss
    }

    /// One centre's window under the subword model, fastText's skip-gram: the centre's bag (its
    /// row and its n-grams' rows) is the input, averaged into `hidden`, and each context word in
    /// turn is the target, with its noise words or its path. fastText averages the bag again and
    /// writes every row of it after each context word; here the bag's rows gather the window's
    /// steps and take them once at its end, while `hidden` moves by `shift` times each step, as
    /// the mean of the stepped rows would ([`Bags::follow`]) — the same SGD, with the bag read
    /// and written once a window. `shift` 0 scores the whole window from the rows as they were
    /// (`--batching window`, and the stateful rules, which step each row once on the window's
    /// gradient).
    #[inline(always)]
    fn subword_skipgram<const STATEFUL: bool>(
        &mut self,
        bag: &[i32],
        shift: f32,
        contexts: &[u32],
        negative: u32,
        lr: f32,
    ) {
        let dim = self.shared.dim();
        self.load_hidden(bag.iter().map(|&r| r as usize), bag.len(), true);
        let mut gathered = std::mem::take(&mut self.window_steps);
        gathered.clear();
        gathered.resize(dim, 0.0);
        let mut loss = 0.0f32;
        // Noise words are drawn one context ahead, so their rows are on their way into the
        // cache while the context before them trains: the same draws in the same order.
        let noise = matches!(self.outputs, OutputTargets::Noise(_));
        let mut ahead = match (noise, contexts.first()) {
            (true, Some(&first)) => self.draw_ahead(first, negative),
            _ => 0,
        };
        for (k, &context) in contexts.iter().enumerate() {
            let count = if noise {
                std::mem::swap(&mut self.targets, &mut self.targets_ahead);
                let count = ahead;
                if let Some(&next) = contexts.get(k + 1) {
                    ahead = self.draw_ahead(next, negative);
                }
                count
            } else {
                self.draw_targets(context, negative)
            };
            loss += self.hidden_to_targets::<STATEFUL>(count, lr);
            axpy(1.0, &self.grad, &mut gathered);
            if shift != 0.0 {
                axpy(shift, &self.grad, &mut self.hidden);
            }
        }
        for &r in bag {
            self.step_input::<STATEFUL>(r as u32, &gathered, lr);
        }
        self.window_steps = gathered;
        self.loss.sum += loss as f64;
        self.loss.pairs += contexts.len() as u64;
    }

    /// Asks the cache for input row `word` (the next window's farthest context) a while
    /// before it is read.
    #[inline(always)]
    fn prefetch_input(&self, word: Option<u32>) {
        if let Some(w) = word {
            let input = &self.shared.input;
            prefetch_row(input.row_address(w as usize), input.width());
        }
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
        next: Option<u32>,
        negative: u32,
        lr: f32,
    ) {
        let count = self.centre_targets(center, next, negative);
        let dim = self.shared.dim();
        // Under SGD the factors carry the rate, as word2vec's do.
        let scale = if STATEFUL { 1.0 } else { lr };
        let mut factors = std::mem::take(&mut self.factors);
        factors.clear();
        let mut loss = 0.0f32;
        for &c in contexts {
            let v = self.shared.input.row(c as usize);
            for k in 0..count {
                let u = self.output_row(self.targets[k]);
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
                    axpy(g, self.output_row(t), step);
                }
            }
        }
        // The output rows' steps, from the context rows as they were (not yet stepped).
        let row_wise = self.optimizer.row_wise().filter(|_| STATEFUL);
        let mut rows = std::mem::take(&mut self.context_rows);
        if row_wise.is_some() {
            rows.clear();
            rows.extend(
                contexts
                    .iter()
                    .map(|&c| &*self.shared.input.row(c as usize)),
            );
            self.mean_squares.clear();
            self.mean_squares
                .extend(rows.iter().map(|v| dot(v, v) / dim as f32));
        }
        for k in 0..count {
            let t = self.targets[k] as usize;
            let u = self.output_row(t as u32);
            if let Some(rule) = row_wise {
                // The rule's step once per context that scored the row, as per pair.
                let scales = &mut self.sequence_scales;
                scales.clear();
                scales.extend(factors.iter().skip(k).step_by(count).map(|g| -g));
                let state = self.shared.output_state.row(t);
                let weights = &mut self.sequence_weights;
                rule.step_sequence(scales, &rows, &self.mean_squares, u, state, lr, weights);
                continue;
            }
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
        self.context_rows = rows;
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
        let mut loss = -self.sigmoid.log_sigmoid(if label > 0.5 { f } else { -f });
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
        let input_statistic = match STATEFUL {
            true => self.optimizer.row_statistic(v),
            false => None,
        };
        for (&t, &label) in self.targets[..count].iter().zip(&self.labels) {
            let u = self.output_row(t);
            let (g, l) = self.score(v, u, label);
            loss += l;
            let Some(g) = g else { continue };
            if STATEFUL {
                let state = self.shared.output_state.row(t as usize);
                self.optimizer
                    .step_output_row(g, v, input_statistic, u, &mut self.grad, state, lr);
            } else {
                axpy_pair(g * lr, u, v, &mut self.grad);
            }
        }
        self.step_input::<STATEFUL>(input, &self.grad, lr);
        self.loss.sum += loss as f64;
        self.loss.pairs += 1;
    }
}
