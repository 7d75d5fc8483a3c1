//! The CPU step against the formulas it implements: windows batched from the rows as they were, and
//! each path following the gradient of its loss (finite differences).

use super::*;
use crate::kernels::optimizer::FusedOptimizer;
use crate::kernels::word2vec::Batching;
use crate::model::Architecture;

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
    let model = (architecture, batching, FusedOptimizer::Sgd);
    train_pass(&mut input, &mut output, None, None, model, lr, tokens);
    (input, output)
}

/// [`one_pass`]'s pass over `input` and `output`, with the subword model's `bags` if given,
/// and with the optimizer's `state` where it has one.
fn train_pass(
    input: &mut [f32],
    output: &mut [f32],
    bags: Option<Bags<'_>>,
    state: Option<OptimizerRows<'_>>,
    (architecture, batching, optimizer): (Architecture, Batching, FusedOptimizer),
    lr: f32,
    tokens: &[i32],
) -> LossSum {
    let settings = Word2VecSettings {
        window: 1,
        negative: 1,
        lr_start: lr,
        lr_end: lr,
        seed: 3,
        threads: 1,
        gpu_cubes: 0,
        architecture,
        batching,
        optimizer,
        hierarchical: false,
        lock_rows: false,
    };
    let noise = OutputTargets::Noise(NoiseTables {
        accept: &[0.0],
        alias: &[NOISE],
    });
    train_chunk(
        input,
        output,
        state,
        DIM,
        tokens,
        noise,
        bags,
        &[],
        &settings,
    )
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
fn a_row_wise_rule_steps_an_output_row_once_per_context_of_its_window() {
    // The reference: each centre's factors label − σ(v·u) from the rows before its window;
    // each output row the rule's step once per context in order, on −factor·v; each context
    // row one step on −Σ factor·u; every gradient from the rows before the window.
    let tokens = [0, 1, 2, 3, 1, 4, 2, 2];
    let (lr, rule) = (
        0.05,
        FusedOptimizer::RowAdam {
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-5,
            weight_decay: 0.0,
        },
    );
    let width = rule.state_width(DIM);
    let (mut input, mut output) = weights();
    let (mut input_state, mut output_state) = (vec![0.0; ROWS * width], vec![0.0; ROWS * width]);
    let span = |r: i32, w: usize| r as usize * w..(r as usize + 1) * w;
    for (i, &center) in tokens.iter().enumerate() {
        let contexts: Vec<i32> = neighbours(&tokens, i);
        let (input0, output0) = (input.clone(), output.clone());
        let targets = [(center, 1.0), (NOISE, 0.0)];
        for (t, label) in targets {
            for &c in &contexts {
                let (v, u) = (&input0[span(c, DIM)], &output0[span(t, DIM)]);
                let factor = label - 1.0 / (1.0 + (-crate::linalg::dot(v, u)).exp());
                let state = &mut output_state[span(t, width)];
                rule.step_row(-factor, v, &mut output[span(t, DIM)], state, lr);
            }
        }
        for &c in &contexts {
            let v = &input0[span(c, DIM)];
            let mut gradient = [0.0f32; DIM];
            for (t, label) in targets {
                let u = &output0[span(t, DIM)];
                let factor = label - 1.0 / (1.0 + (-crate::linalg::dot(v, u)).exp());
                crate::linalg::axpy(-factor, u, &mut gradient);
            }
            let state = &mut input_state[span(c, width)];
            rule.step_row(1.0, &gradient, &mut input[span(c, DIM)], state, lr);
        }
    }
    let (mut got_input, mut got_output) = weights();
    let mut state = (vec![0.0; ROWS * width], vec![0.0; ROWS * width]);
    let rows = OptimizerRows {
        input: &mut state.0,
        output: &mut state.1,
    };
    let model = (Architecture::SkipGram, Batching::Window, rule);
    train_pass(
        &mut got_input,
        &mut got_output,
        None,
        Some(rows),
        model,
        lr,
        &tokens,
    );
    let got = got_input
        .iter()
        .chain(&got_output)
        .chain(&state.0)
        .chain(&state.1);
    let want = input
        .iter()
        .chain(&output)
        .chain(&input_state)
        .chain(&output_state);
    for (got, want) in got.zip(want) {
        assert!((got - want).abs() < 1e-5, "{got} vs {want}");
    }
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

fn row(m: &[f64], r: impl TryInto<usize>) -> &[f64] {
    let r = r.try_into().ok().expect("a row index");
    &m[r * DIM..(r + 1) * DIM]
}

/// The CBOW loss of `tokens` at the given weights: for each centre, its ±1 neighbours'
/// mean (or sum) scores the centre high and the noise word low. With `per_context`, each
/// example counts once per context word.
fn cbow_loss(input: &[f64], output: &[f64], mean: bool, per_context: bool, tokens: &[i32]) -> f64 {
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

/// The subword tests' bags over [`ROWS`] words and three buckets (rows 6..9), one with an
/// n-gram twice, one with none.
fn subword_bags() -> crate::model::SubwordBags {
    let bags: [&[u32]; ROWS] = [
        &[0, 6, 7],
        &[1, 7, 7],
        &[2],
        &[3, 8, 6, 8],
        &[4, 6],
        &[5, 8],
    ];
    let mut offsets = vec![0];
    let mut rows = Vec::new();
    for bag in bags {
        rows.extend_from_slice(bag);
        offsets.push(rows.len() as u32);
    }
    crate::model::SubwordBags {
        settings: crate::model::Subwords {
            minn: 3,
            maxn: 6,
            bucket: 3,
        },
        offsets,
        rows,
    }
}

/// One subword pass of the CPU kernel, as [`one_pass`].
fn subword_pass(
    architecture: Architecture,
    batching: Batching,
    lr: f32,
    tokens: &[i32],
) -> (Vec<f32>, Vec<f32>) {
    let bags = subword_bags();
    let (mut input, mut output) = weights();
    input.extend((0..3 * DIM).map(|i| ((i * 29 % 11) as f32 - 5.0) / 12.0));
    let ids: Vec<i32> = bags
        .offsets
        .iter()
        .chain(&bags.rows)
        .map(|&i| i as i32)
        .collect();
    let follow = bags.follow();
    let bags = Some(Bags::new(&ids, &follow));
    let model = (architecture, batching, FusedOptimizer::Sgd);
    let loss = train_pass(&mut input, &mut output, bags, None, model, lr, tokens);
    assert!(tokens.is_empty() || loss.pairs > 0);
    (input, output)
}

/// fastText's `Model::update` in f64, transcribed: the mean of `bag`'s rows predicts `target`
/// against the noise word; each output row steps from the mean as it was, then every entry of
/// the bag takes the gathered step.
fn fasttext_update(input: &mut [f64], output: &mut [f64], bag: &[u32], target: i32, lr: f64) {
    let sigmoid = |x: f64| 1.0 / (1.0 + (-x).exp());
    let mut hidden = vec![0.0; DIM];
    for &r in bag {
        for (h, v) in hidden.iter_mut().zip(row(input, r)) {
            *h += v / bag.len() as f64;
        }
    }
    let mut grad = [0.0; DIM];
    let targets = [(target, 1.0), (NOISE, 0.0)];
    for (t, label) in targets
        .into_iter()
        .filter(|&(t, l)| l == 1.0 || t != target)
    {
        let alpha = lr * (label - sigmoid(dot64(&hidden, row(output, t))));
        for d in 0..DIM {
            grad[d] += alpha * output[t as usize * DIM + d];
            output[t as usize * DIM + d] += alpha * hidden[d];
        }
    }
    for &r in bag {
        for d in 0..DIM {
            input[r as usize * DIM + d] += grad[d];
        }
    }
}

fn assert_close(name: &str, (input, output): (Vec<f32>, Vec<f32>), want: (&[f64], &[f64])) {
    for (k, (got, want)) in input
        .iter()
        .chain(&output)
        .zip(want.0.iter().chain(want.1))
        .enumerate()
    {
        assert!(
            (*got as f64 - want).abs() < 1e-5,
            "{name}, weight {k}: {got} vs {want}"
        );
    }
}

#[test]
fn subword_skipgram_is_fasttexts_update_pair_by_pair() {
    // fastText's skip-gram: each context word in turn is the target of the centre's bag, the
    // bag averaged again and written after every pair. The kernel reads and writes the bag once
    // a window and keeps the mean current in between: the same numbers.
    let tokens = [0, 1, 2, 3, 1, 4, 2];
    let lr = 0.3;
    let bags = subword_bags();
    let (input, output) = subword_pass(Architecture::SkipGram, Batching::Window, 0.0, &[]);
    let mut input: Vec<f64> = input.iter().map(|&v| v as f64).collect();
    let mut output: Vec<f64> = output.iter().map(|&v| v as f64).collect();
    for (i, &center) in tokens.iter().enumerate() {
        for c in neighbours(&tokens, i) {
            fasttext_update(&mut input, &mut output, bags.bag(center as usize), c, lr);
        }
    }
    let got = subword_pass(Architecture::SkipGram, Batching::Pair, lr as f32, &tokens);
    assert_close("skip-gram", got, (&input, &output));
}

#[test]
fn subword_cbow_is_fasttexts_update_on_the_bag_of_its_context_words() {
    let tokens = [0, 1, 2, 3, 1, 4, 2];
    let lr = 0.3;
    let bags = subword_bags();
    let (input, output) = subword_pass(Architecture::SkipGram, Batching::Window, 0.0, &[]);
    let mut input: Vec<f64> = input.iter().map(|&v| v as f64).collect();
    let mut output: Vec<f64> = output.iter().map(|&v| v as f64).collect();
    for (i, &center) in tokens.iter().enumerate() {
        let bag: Vec<u32> = neighbours(&tokens, i)
            .iter()
            .flat_map(|&c| bags.bag(c as usize).to_vec())
            .collect();
        fasttext_update(&mut input, &mut output, &bag, center, lr);
    }
    let got = subword_pass(
        Architecture::Cbow { mean: true },
        Batching::Pair,
        lr as f32,
        &tokens,
    );
    assert_close("CBOW", got, (&input, &output));
}

/// fastText's CBOW over `tokens` with window 1, in f64 from the kernel's starting weights.
fn fasttext_cbow(tokens: &[i32], lr: f64) -> (Vec<f64>, Vec<f64>) {
    let bags = subword_bags();
    let (input, output) = subword_pass(Architecture::SkipGram, Batching::Window, 0.0, &[]);
    let mut input: Vec<f64> = input.iter().map(|&v| v as f64).collect();
    let mut output: Vec<f64> = output.iter().map(|&v| v as f64).collect();
    for (i, &center) in tokens.iter().enumerate() {
        let bag: Vec<u32> = neighbours(tokens, i)
            .iter()
            .flat_map(|&c| bags.bag(c as usize).to_vec())
            .collect();
        fasttext_update(&mut input, &mut output, &bag, center, lr);
    }
    (input, output)
}

#[test]
fn windowed_subword_cbow_is_fasttexts_update_where_no_two_bags_in_reach_share_a_row() {
    // Words 1, 2 and 4 have disjoint bags (word 1's holds one row twice), and a word comes back
    // only once its earlier position has left the window and been written: the cached bag sums
    // are what fastText reads, so the numbers are fastText's.
    let tokens = [1, 2, 4, 1, 2, 4, 1];
    let bags = subword_bags();
    for (a, b) in [(1, 2), (1, 4), (2, 4)] {
        assert!(bags.bag(a).iter().all(|r| !bags.bag(b).contains(r)));
    }
    let want = fasttext_cbow(&tokens, 0.3);
    let cbow = Architecture::Cbow { mean: true };
    let got = subword_pass(cbow, Batching::Window, 0.3, &tokens);
    assert_close("windowed CBOW", got, (&want.0, &want.1));
}

#[test]
fn windowed_subword_cbow_reads_shared_rows_a_few_steps_late() {
    // Where bags in reach share rows, a cached sum misses the others' steps to them until they
    // are written: the same update to first order in the rate, and not the same numbers.
    let tokens = [0, 1, 2, 3, 1, 4, 2, 3, 3];
    let cbow = Architecture::Cbow { mean: true };
    let gap = |a: &[f32], b: &[f64]| {
        a.iter()
            .zip(b)
            .map(|(x, y)| (*x as f64 - y).abs())
            .fold(0.0, f64::max)
    };
    let (windowed, _) = subword_pass(cbow, Batching::Window, 0.3, &tokens);
    assert!(gap(&windowed, &fasttext_cbow(&tokens, 0.3).0) > 1e-4);
    let lr = 1e-4;
    let (start, _) = subword_pass(cbow, Batching::Window, 0.0, &[]);
    let (windowed, _) = subword_pass(cbow, Batching::Window, lr, &tokens);
    let (want, _) = fasttext_cbow(&tokens, lr as f64);
    let start: Vec<f64> = start.iter().map(|&v| v as f64).collect();
    let moved = gap(&windowed, &start);
    assert!(
        moved > 1e-6 && gap(&windowed, &want) < 1e-3 * moved,
        "{moved}"
    );
}

#[test]
fn subword_window_batching_scores_the_window_from_the_rows_as_they_were() {
    // `--batching window`: every pair of a centre's window is scored from the mean as it was;
    // to first order in the rate, still fastText's steps, and not the same numbers.
    let tokens = [0, 1, 2, 3, 1, 4, 2];
    let (pair_input, _) = subword_pass(Architecture::SkipGram, Batching::Pair, 0.3, &tokens);
    let (window_input, _) = subword_pass(Architecture::SkipGram, Batching::Window, 0.3, &tokens);
    let gap = |a: &[f32], b: &[f32]| {
        a.iter()
            .zip(b)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0f32, f32::max)
    };
    assert!(gap(&pair_input, &window_input) > 1e-4);
    let lr = 1e-4;
    let (start, _) = subword_pass(Architecture::SkipGram, Batching::Window, 0.0, &[]);
    let (pair, _) = subword_pass(Architecture::SkipGram, Batching::Pair, lr, &tokens);
    let (window, _) = subword_pass(Architecture::SkipGram, Batching::Window, lr, &tokens);
    let moved = gap(&pair, &start);
    assert!(
        moved > 1e-6 && gap(&pair, &window) < 1e-3 * moved,
        "{moved}"
    );
}

#[test]
fn subword_steps_follow_the_gradient_of_fasttexts_loss() {
    // A tiny rate makes a window-batched pass −lr·∇ of the loss to first order, the loss of a
    // centre w being Σ over its contexts c of −log σ(h_w·u_c) − log σ(−h_w·u_noise), h_w the
    // mean of w's bag. fastText gives every entry of the bag the mean's whole gradient, n_w times
    // its true share: the input rows follow the gradient of the loss with each centre counted
    // n_w times, the output rows the loss itself.
    let tokens = [0, 1, 2, 3, 1, 4, 5];
    let lr = 1e-4f32;
    let bags = subword_bags();
    let log_sigmoid = |x: f64| -(1.0 + (-x).exp()).ln();
    let loss = |input: &[f64], output: &[f64], weighted: bool| {
        let mut total = 0.0;
        for (i, &w) in tokens.iter().enumerate() {
            let bag = bags.bag(w as usize);
            let mut h = [0.0; DIM];
            for &r in bag {
                for (h, v) in h.iter_mut().zip(row(input, r)) {
                    *h += v / bag.len() as f64;
                }
            }
            let weight = if weighted { bag.len() as f64 } else { 1.0 };
            for c in neighbours(&tokens, i) {
                let mut l = -log_sigmoid(dot64(&h, row(output, c)));
                if c != NOISE {
                    l -= log_sigmoid(-dot64(&h, row(output, NOISE)));
                }
                total += weight * l;
            }
        }
        total
    };
    let wide = |m: &[f32]| m.iter().map(|&v| v as f64).collect::<Vec<f64>>();
    let (input0, output0) = subword_pass(Architecture::SkipGram, Batching::Window, 0.0, &[]);
    let (input0, output0) = (wide(&input0), wide(&output0));
    let (input1, output1) = subword_pass(Architecture::SkipGram, Batching::Window, lr, &tokens);
    let h = 1e-6;
    for (which, before, after) in [(0, &input0, &input1), (1, &output0, &output1)] {
        for k in 0..before.len() {
            let (mut plus, mut minus) = (before.clone(), before.clone());
            plus[k] += h;
            minus[k] -= h;
            let at = |m: &[f64]| match which {
                0 => loss(m, &output0, true),
                _ => loss(&input0, m, false),
            };
            let grad = (at(&plus) - at(&minus)) / (2.0 * h);
            let step = (after[k] as f64 - before[k]) / lr as f64;
            assert!(
                (step + grad).abs() < 2e-3 * (1.0 + grad.abs()),
                "{} {k}: step {step}, −gradient {}",
                ["input", "output"][which],
                -grad
            );
        }
    }
}

/// One thread's pass under hierarchical softmax over `tokens`, as the first of `threads`.
fn hierarchical_part(tokens: &[i32], threads: usize) -> (Vec<f32>, Vec<f32>) {
    use super::worker::{Shared, run_part};
    let tree = crate::model::HuffmanTree::new(&[50, 30, 20, 10, 5, 1]).unwrap();
    let (ids, labels) = tree.tables();
    let paths = OutputTargets::Tree(TreePaths::new(&ids, &labels, ROWS));
    let settings = Word2VecSettings {
        window: 2,
        negative: 0,
        lr_start: 0.05,
        lr_end: 0.01,
        seed: 3,
        threads: threads as u32,
        gpu_cubes: 0,
        architecture: Architecture::SkipGram,
        batching: Batching::Pair,
        optimizer: FusedOptimizer::Sgd,
        hierarchical: true,
        lock_rows: false,
    };
    let (mut input, mut output) = weights();
    let merging = std::sync::Mutex::new(());
    let shared = Shared {
        input: HogwildRows::new(&mut input, DIM),
        output: HogwildRows::new(&mut output, DIM),
        input_state: HogwildRows::empty(1),
        output_state: HogwildRows::empty(1),
        locks: &[],
        bags: None,
        merging: &merging,
    };
    let sigmoid = SigmoidTable::shared();
    let thread = (0, threads);
    run_part(
        shared,
        tokens,
        0..tokens.len(),
        paths,
        &settings,
        sigmoid,
        thread,
    );
    (input, output)
}

#[test]
fn a_threads_copy_of_the_top_nodes_reaches_the_shared_rows() {
    // Long enough for merges in the middle of the part as well as at its end.
    let tokens: Vec<i32> = (0..3 * super::hot::MERGE_EVERY as usize + 7)
        .map(|i| match i % 41 {
            40 => SENTENCE_END,
            _ => (i * 7 % 11 % ROWS) as i32,
        })
        .collect();
    // Alone, a thread keeps no copy: its steps land in the shared rows as it takes them.
    let (alone_input, alone_output) = hierarchical_part(&tokens, 1);
    let (input, output) = hierarchical_part(&tokens, 2);
    let start = weights().1;
    assert!(alone_output.iter().zip(&start).any(|(a, b)| a != b));
    for (got, want) in input.iter().zip(&alone_input) {
        assert!((got - want).abs() < 1e-6, "input {got} against {want}");
    }
    for (got, want) in output.iter().zip(&alone_output) {
        assert!((got - want).abs() < 1e-6, "output {got} against {want}");
    }
}
