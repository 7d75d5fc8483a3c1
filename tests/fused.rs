//! The fused step against the autodiff path: on the same examples and learning rate, with one
//! thread, both must end with the same weights — on the CPU (Flex) and on wgpu (in CI the Mesa
//! software Vulkan driver). Also the step's bookkeeping: examples counted, windows kept inside
//! sentences, the loss it reports.

mod common;

use burn::optim::GradientsParams;
use burn::prelude::*;

use common::{devices, host};
use wordvec::kernels::{
    Batching, FusedOptimizer, OptimizerState, OutputTables, Word2VecSettings, Word2VecWeights,
    read_word2vec_loss, word2vec_step,
};
use wordvec::model::Architecture;
use wordvec::model::{HuffmanTree, Word2Vec};
use wordvec::sampling::{NegativeSampler, SENTENCE_END};
use wordvec::train::{OptimizerKind, OptimizerParams, build_optimizer};

const VOCAB: usize = 10;
const DIM: usize = 8;
/// The only noise word: it never appears in a sentence, so it is never the target.
const NOISE: u32 = 0;

/// Small random starting weights; output vectors non-zero so that every gradient is.
fn start() -> (Vec<f32>, Vec<f32>) {
    let value = |i: usize, salt: f32| (i as f32 * 0.731 + salt).sin() * 0.4;
    let input = (0..VOCAB * DIM).map(|i| value(i, 0.1)).collect();
    let output = (0..VOCAB * DIM).map(|i| value(i, 2.3)).collect();
    (input, output)
}

#[allow(clippy::too_many_arguments)]
fn fused(
    device: &Device,
    tokens: &[i32],
    window: u32,
    threads: u32,
    lr: f32,
    optimizer: OptimizerKind,
    architecture: Architecture,
    tree: Option<&HuffmanTree>,
) -> (Vec<f32>, Vec<f32>, f64, u64) {
    let rest = (lr, optimizer, architecture, tree, Batching::Pair);
    fused_batched(device, tokens, window, threads, rest)
}

/// [`fused`] with the examples batched as given.
fn fused_batched(
    device: &Device,
    tokens: &[i32],
    window: u32,
    threads: u32,
    (lr, optimizer, architecture, tree, batching): (
        f32,
        OptimizerKind,
        Architecture,
        Option<&HuffmanTree>,
        Batching,
    ),
) -> (Vec<f32>, Vec<f32>, f64, u64) {
    let (input, output) = start();
    let rule = OptimizerParams::burn_defaults(optimizer).fused(optimizer);
    let weights = Word2VecWeights {
        input: Tensor::from_data(TensorData::new(input, [VOCAB, DIM]), device),
        output: Tensor::from_data(TensorData::new(output, [VOCAB, DIM]), device),
        state: OptimizerState::zeros(&rule, [VOCAB, VOCAB, DIM], device),
    };
    let n = tokens.len();
    let tokens = Tensor::<1, Int>::from_data(TensorData::new(tokens.to_vec(), [n]), device);
    let settings = Word2VecSettings {
        window,
        negative: 1,
        lr_start: lr,
        lr_end: lr,
        seed: 11,
        threads,
        // A few cubes, so that each walks a span of many positions (the CPU ignores it).
        gpu_cubes: 2,
        architecture,
        batching,
        optimizer: rule,
        hierarchical: tree.is_some(),
        lock_rows: false,
    };
    let tables = match tree {
        Some(tree) => OutputTables::hierarchical(tree, device),
        None => OutputTables::always(NOISE, device),
    };
    let no_locks = Tensor::ones([1], device);
    let (weights, loss) = word2vec_step(weights, tokens, &tables, &no_locks, settings);
    let loss = read_word2vec_loss(vec![loss]);
    (
        host(weights.input),
        host(weights.output),
        loss.sum,
        loss.pairs,
    )
}

/// The examples a window of 1 yields, in the fused step's order: for each centre, the context
/// on its left, then the one on its right; the context's input vector predicts the centre.
fn window_one_examples(sentences: &[&[u32]]) -> Vec<(u32, u32)> {
    let mut examples = Vec::new();
    for s in sentences {
        for i in 0..s.len() {
            if i > 0 {
                examples.push((s[i - 1], s[i]));
            }
            if i + 1 < s.len() {
                examples.push((s[i + 1], s[i]));
            }
        }
    }
    examples
}

fn tokens_of(sentences: &[&[u32]]) -> Vec<i32> {
    let mut tokens = Vec::new();
    for s in sentences {
        tokens.extend(s.iter().map(|&w| w as i32));
        tokens.push(SENTENCE_END);
    }
    tokens
}

/// Burn's autodiff and optimizer, one example per step.
fn autodiff(
    device: &Device,
    examples: &[(u32, u32)],
    lr: f64,
    optimizer: OptimizerKind,
) -> (Vec<f32>, Vec<f32>, f64) {
    let device = device.clone().autodiff();
    let (input, output) = start();
    let mut model = Word2Vec::from_vectors(input, output, None, DIM, &device);
    let mut optimizer =
        build_optimizer(optimizer, &OptimizerParams::burn_defaults(optimizer), None).unwrap();
    let mut total = 0.0;
    for &(input, target) in examples {
        let loss = model.negative_loss(&[input], &[target], &[NOISE]);
        total += loss
            .clone()
            .into_data()
            .convert::<f64>()
            .try_into_vec::<f64>()
            .unwrap()[0];
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        model = optimizer.step(lr, model, grads);
    }
    (model.input_vectors(), model.output_vectors(), total)
}

fn assert_close(name: &str, a: &[f32], b: &[f32]) {
    assert_eq!(a.len(), b.len());
    let worst = a
        .iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0f32, f32::max);
    assert!(worst < 2e-5, "{name}: largest difference {worst}");
}

/// The fused step's (input, output, loss, examples) against autodiff's (input, output, loss)
/// over `examples`.
fn assert_same_step(
    name: &str,
    (input, output, loss, pairs): (&[f32], &[f32], f64, u64),
    (want_input, want_output, want_loss): (Vec<f32>, Vec<f32>, f64),
    examples: usize,
) {
    assert_eq!(pairs, examples as u64, "{name}");
    assert_close(&format!("{name} input vectors"), input, &want_input);
    assert_close(&format!("{name} output vectors"), output, &want_output);
    // The CPU reads log σ from word2vec's table; the GPU computes it.
    assert!(
        (loss - want_loss).abs() < 0.02 * examples as f64,
        "{name}: loss {loss} vs {want_loss}"
    );
}

fn matches_autodiff_with_one_thread(optimizer: OptimizerKind, lr: f32, sentences: &[&[u32]]) {
    let examples = window_one_examples(sentences);
    for (name, device) in devices() {
        let name = format!("{name} {optimizer:?}");
        let tokens = tokens_of(sentences);
        let (input, output, loss, pairs) = fused(
            &device,
            &tokens,
            1,
            1,
            lr,
            optimizer,
            Architecture::SkipGram,
            None,
        );
        let want = autodiff(&device, &examples, lr as f64, optimizer);
        assert_same_step(&name, (&input, &output, loss, pairs), want, examples.len());
        // The update did something: the weights moved from where they started.
        assert!(
            input
                .iter()
                .zip(&start().0)
                .any(|(a, b)| (a - b).abs() > 1e-3)
        );
    }
}

#[test]
fn cbow_and_every_optimizer_on_wgpu_match_the_cpu() {
    // Window 1 and one noise word leave nothing to chance, so the CPU's kernel (whose steps
    // follow the CBOW loss's gradient, see `kernels::cpu`) is the reference for the GPU's.
    let sentences: [&[u32]; 3] = [&[1, 2, 3, 4, 5], &[6, 7], &[8, 9, 3, 1]];
    let tokens = tokens_of(&sentences);
    let all = devices();
    let (cpu, rest) = all.split_first().unwrap();
    for optimizer in [
        OptimizerKind::Sgd,
        OptimizerKind::Adagrad,
        OptimizerKind::Adam,
        OptimizerKind::Adamw,
        OptimizerKind::Rmsprop,
        OptimizerKind::RowwiseAdagrad,
        OptimizerKind::RowwiseAdam,
    ] {
        for mean in [true, false] {
            let cbow = Architecture::Cbow { mean };
            let want = fused(&cpu.1, &tokens, 1, 1, 0.1, optimizer, cbow, None);
            // One example per centre with a neighbour: every position here has one.
            assert_eq!(want.3, 11);
            let skipgram = fused(
                &cpu.1,
                &tokens,
                1,
                1,
                0.1,
                optimizer,
                Architecture::SkipGram,
                None,
            );
            assert!(want.0 != skipgram.0, "CBOW trained as skip-gram");
            for (name, device) in rest {
                let name = format!("{name} {optimizer:?} CBOW mean {mean}");
                let got = fused(device, &tokens, 1, 1, 0.1, optimizer, cbow, None);
                assert_eq!(got.3, want.3, "{name}");
                assert_close(&format!("{name} input vectors"), &got.0, &want.0);
                assert_close(&format!("{name} output vectors"), &got.1, &want.1);
                assert!(
                    (got.2 - want.2).abs() < 0.02 * 11.0,
                    "{name}: loss {} vs {}",
                    got.2,
                    want.2
                );
            }
        }
    }
}

/// Sentences whose examples touch different rows from one step to the next.
const MIXED: [&[u32]; 3] = [&[1, 2, 3, 4, 5], &[6, 7], &[8, 9, 3, 1]];

#[test]
fn fused_sgd_matches_autodiff_sgd_with_one_thread() {
    matches_autodiff_with_one_thread(OptimizerKind::Sgd, 0.1, &MIXED);
}

#[test]
fn fused_adagrad_matches_burns_adagrad_with_one_thread() {
    // AdaGrad leaves a row without gradient where it is, so lazy and dense agree on any corpus.
    matches_autodiff_with_one_thread(OptimizerKind::Adagrad, 0.05, &MIXED);
}

#[test]
fn every_fused_optimizer_matches_burns_with_the_same_rows_touched_each_step() {
    // One word repeated: every example is "3 predicts 3" against noise word 0, so each step
    // touches the same rows (input 3, outputs 3 and 0) and Burn's dense optimizers, which move
    // every row with momentum, move no other row than the lazy ones do.
    let same: [&[u32]; 2] = [&[3, 3, 3, 3], &[3, 3, 3]];
    for optimizer in [
        OptimizerKind::Adam,
        OptimizerKind::Adamw,
        OptimizerKind::Rmsprop,
        OptimizerKind::Adagrad,
        OptimizerKind::Sgd,
    ] {
        matches_autodiff_with_one_thread(optimizer, 0.01, &same);
    }
}

#[test]
fn windows_stay_inside_sentences_on_every_device_and_thread_count() {
    // With window 2 a centre has between 1 and 2 neighbours on each side that lie inside its
    // sentence; sentences of one word have none. Twenty copies make a chunk of 300 positions:
    // two GPU spans (the test's `gpu_cubes`), whose windows look across the boundary.
    let four: [&[u32]; 4] = [&[1, 2, 3, 4, 5, 6, 7], &[8], &[9, 1], &[2, 3, 4]];
    let sentences: Vec<&[u32]> = four.iter().copied().cycle().take(80).collect();
    let tokens = tokens_of(&sentences);
    let within = |w: usize| -> u64 {
        sentences
            .iter()
            .map(|s| {
                (0..s.len())
                    .map(|i| (i.min(w) + (s.len() - 1 - i).min(w)) as u64)
                    .sum::<u64>()
            })
            .sum()
    };
    for (name, device) in devices() {
        for (threads, batching) in [
            (1, Batching::Pair),
            (3, Batching::Pair),
            (1, Batching::Window),
            (3, Batching::Window),
        ] {
            let sgd = OptimizerKind::Sgd;
            let skipgram = (0.025, sgd, Architecture::SkipGram, None, batching);
            let (_, _, loss, pairs) = fused_batched(&device, &tokens, 2, threads, skipgram);
            assert!(
                (within(1)..=within(2)).contains(&pairs),
                "{name}, {threads} threads, {batching:?}: {pairs} examples"
            );
            // Each example's loss is at least −log σ(0)·0 and finite.
            assert!(loss.is_finite() && loss > 0.0, "{name}: loss {loss}");
            // CBOW: one example per word with a neighbour in its own sentence, so the
            // one-word sentences, whose windows would only reach other sentences, make none.
            let cbow = (
                0.025,
                sgd,
                Architecture::Cbow { mean: true },
                None,
                batching,
            );
            let (_, _, loss, pairs) = fused_batched(&device, &tokens, 2, threads, cbow);
            let with_neighbours: u64 = sentences
                .iter()
                .filter(|s| s.len() > 1)
                .map(|s| s.len() as u64)
                .sum();
            assert_eq!(pairs, with_neighbours, "{name}, {threads} threads, CBOW");
            assert!(loss.is_finite() && loss > 0.0, "{name}: CBOW loss {loss}");
        }
    }
}

#[test]
fn an_empty_chunk_trains_nothing() {
    for (name, device) in devices() {
        let (input, output, loss, pairs) = fused(
            &device,
            &[SENTENCE_END],
            5,
            1,
            0.025,
            OptimizerKind::Sgd,
            Default::default(),
            None,
        );
        assert_eq!(pairs, 0, "{name}");
        assert_eq!(loss, 0.0, "{name}");
        assert_eq!((input, output), start(), "{name}");
    }
}

/// A tree over the test vocabulary (word 0 the most frequent), paths 2 to 5 nodes deep.
fn tree() -> HuffmanTree {
    HuffmanTree::new(&[40, 30, 20, 12, 9, 7, 5, 3, 2, 1]).unwrap()
}

/// Burn's autodiff on hierarchical softmax, one example per step: skip-gram's (context, centre)
/// pairs, or CBOW's (contexts summed, centre).
fn autodiff_hierarchical(
    device: &Device,
    examples: &[(Vec<u32>, u32)],
    lr: f64,
    optimizer: OptimizerKind,
    cbow: bool,
) -> (Vec<f32>, Vec<f32>, f64) {
    let device = device.clone().autodiff();
    let (input, output) = start();
    let tree = tree();
    let mut model = Word2Vec::from_vectors(input, output, None, DIM, &device);
    let mut optimizer =
        build_optimizer(optimizer, &OptimizerParams::burn_defaults(optimizer), None).unwrap();
    let mut total = 0.0;
    for (inputs, target) in examples {
        let loss = match cbow {
            true => {
                model.cbow_hierarchical_loss(inputs, &vec![1.0; inputs.len()], &[*target], &tree)
            }
            false => model.hierarchical_loss(inputs, &[*target], &tree),
        };
        total += loss.clone().into_scalar::<f32>() as f64;
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        model = optimizer.step(lr, model, grads);
    }
    (model.input_vectors(), model.output_vectors(), total)
}

#[test]
fn fused_hierarchical_softmax_matches_autodiff_on_every_device() {
    // Skip-gram: each context's row walks the centre's path. CBOW with the sum: word2vec's rule
    // is the exact gradient, so one autodiff step per centre gives the same weights.
    let sentences: [&[u32]; 3] = [&[1, 2, 3, 4, 5], &[6, 7], &[8, 9, 3, 1, 0]];
    let tokens = tokens_of(&sentences);
    let skipgram: Vec<(Vec<u32>, u32)> = window_one_examples(&sentences)
        .into_iter()
        .map(|(context, centre)| (vec![context], centre))
        .collect();
    let mut cbow = Vec::new();
    for s in sentences {
        for i in 0..s.len() {
            let contexts: Vec<u32> = [i.wrapping_sub(1), i + 1]
                .into_iter()
                .filter_map(|j| s.get(j).copied())
                .collect();
            cbow.push((contexts, s[i]));
        }
    }
    let tree = tree();
    for (name, device) in devices() {
        for optimizer in [OptimizerKind::Sgd, OptimizerKind::Adagrad] {
            for (architecture, examples) in [
                (Architecture::SkipGram, &skipgram),
                (Architecture::Cbow { mean: false }, &cbow),
            ] {
                let name = format!("{name} {optimizer:?} {architecture:?}");
                let is_cbow = architecture != Architecture::SkipGram;
                let (input, output, loss, pairs) = fused(
                    &device,
                    &tokens,
                    1,
                    1,
                    0.1,
                    optimizer,
                    architecture,
                    Some(&tree),
                );
                let want = autodiff_hierarchical(&device, examples, 0.1, optimizer, is_cbow);
                let got = (&input[..], &output[..], loss, pairs);
                assert_same_step(&name, got, want, examples.len());
                // The last output row belongs to no inner node: nothing moves it.
                assert_eq!(output[(VOCAB - 1) * DIM..], start().1[(VOCAB - 1) * DIM..]);
            }
        }
    }
}

#[test]
fn hierarchical_softmax_leaves_decided_nodes_alone_on_every_device() {
    // Every row along one direction, the inputs long: every score is 20·0.3·8 = 48, past ±6, so
    // word2vec updates nothing, though the loss counts every node.
    let sentences: [&[u32]; 2] = [&[1, 2, 3, 4], &[5, 6]];
    let tokens = tokens_of(&sentences);
    let tree = tree();
    for (name, device) in devices() {
        let output = vec![0.3f32; VOCAB * DIM];
        let big = vec![20.0f32; VOCAB * DIM];
        let weights = Word2VecWeights {
            input: Tensor::from_data(TensorData::new(big.clone(), [VOCAB, DIM]), &device),
            output: Tensor::from_data(TensorData::new(output.clone(), [VOCAB, DIM]), &device),
            state: None,
        };
        let n = tokens.len();
        let ids = Tensor::<1, Int>::from_data(TensorData::new(tokens.clone(), [n]), &device);
        let settings = Word2VecSettings {
            window: 1,
            negative: 0,
            lr_start: 0.1,
            lr_end: 0.1,
            seed: 1,
            threads: 1,
            gpu_cubes: 2,
            architecture: Architecture::SkipGram,
            batching: Batching::Pair,
            optimizer: OptimizerParams::burn_defaults(OptimizerKind::Sgd).fused(OptimizerKind::Sgd),
            hierarchical: true,
            lock_rows: false,
        };
        let tables = OutputTables::hierarchical(&tree, &device);
        let no_locks = Tensor::ones([1], &device);
        let (after, loss) = word2vec_step(weights, ids, &tables, &no_locks, settings);
        let loss = read_word2vec_loss(vec![loss]);
        assert_eq!(host(after.output), output, "{name}");
        assert_eq!(host(after.input), big, "{name}");
        assert!(loss.sum > 0.0 && loss.pairs == 8, "{name}: {loss:?}");
    }
}

#[test]
fn locked_input_rows_stay_as_they_are_on_every_device() {
    // Rows 1 and 3 locked (`--lock-init`): every other row an example touches moves, under SGD
    // and AdaGrad, skip-gram and CBOW.
    let tokens = tokens_of(&MIXED);
    let mut locks = vec![1.0f32; VOCAB];
    locks[1] = 0.0;
    locks[3] = 0.0;
    for (name, device) in devices() {
        for (optimizer, batching) in [
            (OptimizerKind::Sgd, Batching::Pair),
            (OptimizerKind::Adagrad, Batching::Pair),
            (OptimizerKind::Sgd, Batching::Window),
        ] {
            for architecture in [Architecture::SkipGram, Architecture::Cbow { mean: true }] {
                let (input, output) = start();
                let rule = OptimizerParams::burn_defaults(optimizer).fused(optimizer);
                let weights = Word2VecWeights {
                    input: Tensor::from_data(TensorData::new(input.clone(), [VOCAB, DIM]), &device),
                    output: Tensor::from_data(TensorData::new(output, [VOCAB, DIM]), &device),
                    state: OptimizerState::zeros(&rule, [VOCAB, VOCAB, DIM], &device),
                };
                let n = tokens.len();
                let ids =
                    Tensor::<1, Int>::from_data(TensorData::new(tokens.clone(), [n]), &device);
                let settings = Word2VecSettings {
                    window: 1,
                    negative: 1,
                    lr_start: 0.1,
                    lr_end: 0.1,
                    seed: 5,
                    threads: 1,
                    gpu_cubes: 2,
                    architecture,
                    batching,
                    optimizer: rule,
                    hierarchical: false,
                    lock_rows: true,
                };
                let locks = Tensor::from_data(TensorData::new(locks.clone(), [VOCAB]), &device);
                let noise = OutputTables::always(NOISE, &device);
                let (after, _) = word2vec_step(weights, ids, &noise, &locks, settings);
                let after = host(after.input);
                let moved =
                    |r: usize| after[r * DIM..(r + 1) * DIM] != input[r * DIM..(r + 1) * DIM];
                let name = format!("{name} {optimizer:?} {architecture:?} {batching:?}");
                assert!(!moved(1) && !moved(3), "{name}: a locked row moved");
                assert!(
                    moved(2) && moved(4) && moved(9),
                    "{name}: a free row stayed"
                );
            }
        }
    }
}

#[test]
fn window_batching_on_wgpu_matches_the_cpu() {
    // Window 1 and one noise word (or the tree's fixed paths) leave nothing to chance, so the
    // CPU's windowed step (checked against its formula and its loss's gradient in
    // `kernels::word2vec::cpu`) is the reference for the GPU's, which stages rows in shared memory
    // and adds steps atomically. Per pair, the same runs give other weights: the GPU did batch.
    let sentences: [&[u32]; 3] = [&[1, 2, 3, 4, 5], &[6, 7], &[8, 9, 3, 1, 0]];
    let tokens = tokens_of(&sentences);
    let tree = tree();
    let all = devices();
    let (cpu, rest) = all.split_first().unwrap();
    if rest.is_empty() {
        eprintln!("GPU half skipped: built without a GPU backend");
    }
    let sgd = OptimizerKind::Sgd;
    for tree in [None, Some(&tree)] {
        for architecture in [Architecture::SkipGram, Architecture::Cbow { mean: true }] {
            let window = (0.1, sgd, architecture, tree, Batching::Window);
            let want = fused_batched(&cpu.1, &tokens, 1, 1, window);
            let per_pair = (0.1, sgd, architecture, tree, Batching::Pair);
            let pair = fused_batched(&cpu.1, &tokens, 1, 1, per_pair);
            match architecture {
                Architecture::SkipGram => assert!(want.0 != pair.0, "skip-gram did not batch"),
                // CBOW's example is its window either way.
                Architecture::Cbow { .. } => assert_close("CBOW", &want.0, &pair.0),
            }
            for (name, device) in rest {
                let name = format!("{name} {architecture:?} tree {}", tree.is_some());
                let got = fused_batched(device, &tokens, 1, 1, window);
                assert_eq!(got.3, want.3, "{name}");
                assert_close(&format!("{name} input vectors"), &got.0, &want.0);
                assert_close(&format!("{name} output vectors"), &got.1, &want.1);
                assert!(
                    (got.2 - want.2).abs() < 0.02 * want.3 as f64,
                    "{name}: loss {} vs {}",
                    got.2,
                    want.2
                );
            }
        }
    }
}

#[test]
fn windowed_steps_on_wgpu_match_the_cpu_in_expectation() {
    // Window 5 and five noise words from a skewed distribution: the devices draw different
    // windows and negatives (and the GPU's hundreds of cubes read rows the others are
    // updating), so their steps agree in expectation only. Over 22,000 positions the examples
    // per centre, the loss per example and how far the vectors moved agree within a few percent.
    const WORDS: usize = 50;
    const WIDTH: usize = 16;
    let counts: Vec<u64> = (0..WORDS).map(|r| 2000 / (r as u64 + 1)).collect();
    let total: u64 = counts.iter().sum();
    let sampler = NegativeSampler::new(&counts, 0.75);
    let mut state = 12_345u64;
    let mut tokens = Vec::new();
    for _ in 0..2000 {
        for _ in 0..10 {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let mut r = (state >> 33) % total;
            let word = counts
                .iter()
                .position(|&c| {
                    let here = r < c;
                    r = r.saturating_sub(c);
                    here
                })
                .unwrap();
            tokens.push(word as i32);
        }
        tokens.push(SENTENCE_END);
    }
    let value = |i: usize| ((i as f32 * 0.37).sin() * 0.5) / WIDTH as f32;
    let input: Vec<f32> = (0..WORDS * WIDTH).map(value).collect();
    let output: Vec<f32> = (0..WORDS * WIDTH).map(|i| value(i + 7)).collect();
    let mut figures = Vec::new();
    for (name, device) in devices() {
        for architecture in [Architecture::SkipGram, Architecture::Cbow { mean: true }] {
            let weights = Word2VecWeights {
                input: Tensor::from_data(TensorData::new(input.clone(), [WORDS, WIDTH]), &device),
                output: Tensor::from_data(TensorData::new(output.clone(), [WORDS, WIDTH]), &device),
                state: None,
            };
            let n = tokens.len();
            let ids = Tensor::<1, Int>::from_data(TensorData::new(tokens.clone(), [n]), &device);
            let settings = Word2VecSettings {
                window: 5,
                negative: 5,
                lr_start: 0.025,
                lr_end: 0.025,
                seed: 7,
                threads: 2,
                // One cube per 64 positions: as many at once as the chunk allows.
                gpu_cubes: 0,
                architecture,
                batching: Batching::Window,
                optimizer: FusedOptimizer::Sgd,
                hierarchical: false,
                lock_rows: false,
            };
            let noise = OutputTables::negative(&sampler, &device);
            let no_locks = Tensor::ones([1], &device);
            let (after, loss) = word2vec_step(weights, ids, &noise, &no_locks, settings);
            let loss = read_word2vec_loss(vec![loss]);
            let moved = |before: &[f32], after: Vec<f32>| {
                before
                    .iter()
                    .zip(&after)
                    .map(|(a, b)| (a - b).abs() as f64)
                    .sum::<f64>()
            };
            figures.push((
                format!("{name} {architecture:?}"),
                loss.pairs as f64,
                loss.sum / loss.pairs as f64,
                moved(&input, host(after.input)),
                moved(&output, host(after.output)),
            ));
        }
    }
    let (cpu, gpus) = figures.split_at(2);
    if gpus.is_empty() {
        eprintln!("skipped: built without a GPU backend, nothing to compare the CPU with");
    }
    for (want, got) in cpu.iter().cycle().zip(gpus) {
        let close = |a: f64, b: f64, tolerance: f64| (a - b).abs() <= tolerance * a.abs();
        assert!(close(want.1, got.1, 0.03), "examples: {want:?} vs {got:?}");
        assert!(
            close(want.2, got.2, 0.03),
            "loss per example: {want:?} vs {got:?}"
        );
        assert!(
            close(want.3, got.3, 0.10),
            "input rows moved: {want:?} vs {got:?}"
        );
        assert!(
            close(want.4, got.4, 0.10),
            "output rows moved: {want:?} vs {got:?}"
        );
    }
}
