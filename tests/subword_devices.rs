//! The subword model's fused step on wgpu (in CI Mesa's software Vulkan driver) against the
//! CPU's, whose steps are checked against fastText's update and the gradient of its loss in
//! `kernels::word2vec::cpu`: skip-gram (per pair, and window-batched) and CBOW, negative sampling
//! and hierarchical softmax, every fused optimizer; and a subword run trained on wgpu end to end.

mod common;

use burn::prelude::*;

use common::{devices, host, stderr, wordvec};
use wordvec::embeddings::VectorRows;
use wordvec::kernels::{
    Batching, OptimizerState, OutputTables, SubwordTables, Word2VecSettings, Word2VecWeights,
    read_word2vec_loss, subword_step,
};
use wordvec::model::{Architecture, HuffmanTree, SubwordBags, Subwords};
use wordvec::sampling::SENTENCE_END;
use wordvec::subword_vectors::SubwordVectors;
use wordvec::train::{OptimizerKind, OptimizerParams};

/// Words whose n-grams share buckets (few buckets: some bags hold a row twice, so the mean's
/// follow factor is not 1); word 0 is the only noise word and never appears in a sentence.
const WORDS: [&str; 8] = [
    "the", "walk", "walks", "walked", "talk", "talks", "東京", "naïve",
];
const BUCKETS: usize = 9;
const DIM: usize = 8;
const NOISE: u32 = 0;

fn bags() -> SubwordBags {
    let settings = Subwords {
        minn: 3,
        maxn: 4,
        bucket: BUCKETS,
    };
    SubwordBags::new(settings, WORDS.iter().copied())
}

/// One chunk's step from fixed starting weights: (input, output, loss, examples).
fn step(
    device: &Device,
    architecture: Architecture,
    batching: Batching,
    optimizer: OptimizerKind,
    hierarchical: bool,
) -> (Vec<f32>, Vec<f32>, f64, u64) {
    let bags = bags();
    let (inputs, words) = (bags.input_rows(), WORDS.len());
    let value = |i: usize, salt: f32| (i as f32 * 0.731 + salt).sin() * 0.4;
    let input: Vec<f32> = (0..inputs * DIM).map(|i| value(i, 0.1)).collect();
    let output: Vec<f32> = (0..words * DIM).map(|i| value(i, 2.3)).collect();
    let rule = OptimizerParams::burn_defaults(optimizer).fused(optimizer);
    let weights = Word2VecWeights {
        input: Tensor::from_data(TensorData::new(input, [inputs, DIM]), device),
        output: Tensor::from_data(TensorData::new(output, [words, DIM]), device),
        state: OptimizerState::zeros(&rule, [inputs, words, DIM], device),
    };
    let sentences: [&[i32]; 3] = [&[1, 2, 3, 4, 5], &[6, 7], &[3, 2, 6, 1, 7, 7]];
    let mut tokens = Vec::new();
    for s in sentences {
        tokens.extend_from_slice(s);
        tokens.push(SENTENCE_END);
    }
    let n = tokens.len();
    let tokens = Tensor::<1, Int>::from_data(TensorData::new(tokens, [n]), device);
    let tables = match hierarchical {
        true => {
            let tree = HuffmanTree::new(&[40, 30, 20, 12, 9, 7, 5, 3]).unwrap();
            OutputTables::hierarchical(&tree, device)
        }
        false => OutputTables::always(NOISE, device),
    };
    let settings = Word2VecSettings {
        // Window 1 and one noise word leave nothing to chance.
        window: 1,
        negative: 1,
        lr_start: 0.1,
        lr_end: 0.1,
        seed: 11,
        threads: 1,
        // One cube walks the chunk in order, as the CPU's one thread does.
        gpu_cubes: 1,
        architecture,
        batching,
        optimizer: rule,
        hierarchical,
        lock_rows: false,
    };
    let subword_tables = SubwordTables::new(&bags, device);
    let (weights, loss) = subword_step(weights, tokens, &tables, &subword_tables, settings);
    let loss = read_word2vec_loss(vec![loss]);
    (
        host(weights.input),
        host(weights.output),
        loss.sum,
        loss.pairs,
    )
}

fn largest_difference(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0f32, f32::max)
}

#[test]
fn subword_steps_on_wgpu_match_the_cpu() {
    let all = devices();
    let (cpu, rest) = all.split_first().unwrap();
    if rest.is_empty() {
        eprintln!("skipped: built without a GPU backend, nothing to compare the CPU with");
    }
    let skipgram = Architecture::SkipGram;
    let mut cases = Vec::new();
    for hierarchical in [false, true] {
        for (architecture, batching) in [
            (skipgram, Batching::Pair),
            (skipgram, Batching::Window),
            (Architecture::Cbow { mean: true }, Batching::Pair),
            (Architecture::Cbow { mean: false }, Batching::Pair),
        ] {
            cases.push((architecture, batching, OptimizerKind::Sgd, hierarchical));
        }
    }
    for optimizer in [
        OptimizerKind::Adagrad,
        OptimizerKind::Adam,
        OptimizerKind::Adamw,
        OptimizerKind::Rmsprop,
        OptimizerKind::RowwiseAdagrad,
        OptimizerKind::RowwiseAdam,
    ] {
        cases.push((skipgram, Batching::Pair, optimizer, false));
        cases.push((
            Architecture::Cbow { mean: true },
            Batching::Pair,
            optimizer,
            true,
        ));
    }
    for (architecture, batching, optimizer, hierarchical) in cases {
        let want = step(&cpu.1, architecture, batching, optimizer, hierarchical);
        assert!(want.3 > 0);
        for (name, device) in rest {
            let name =
                format!("{name} {architecture:?} {batching:?} {optimizer:?} tree {hierarchical}");
            let got = step(device, architecture, batching, optimizer, hierarchical);
            assert_eq!(got.3, want.3, "{name}: examples");
            for (which, a, b) in [("input", &got.0, &want.0), ("output", &got.1, &want.1)] {
                let worst = largest_difference(a, b);
                assert!(worst < 2e-5, "{name} {which}: largest difference {worst}");
            }
            // The CPU reads its losses from a table.
            assert!(
                (got.2 - want.2).abs() < 0.02 * want.3 as f64,
                "{name}: loss {} vs {}",
                got.2,
                want.2
            );
        }
    }
    // The cases differ where they should: per pair the hidden layer follows each step.
    let sgd = OptimizerKind::Sgd;
    let pair = step(&cpu.1, skipgram, Batching::Pair, sgd, false);
    let window = step(&cpu.1, skipgram, Batching::Window, sgd, false);
    assert!(largest_difference(&pair.0, &window.0) > 1e-4);
}

#[test]
fn a_subword_run_trains_on_wgpu_and_writes_fasttexts_bin() {
    if !cfg!(feature = "wgpu") {
        eprintln!("skipped: built without wgpu");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus.txt");
    let stems = ["walk", "talk", "jump", "café"];
    let ends = ["", "s", "ed", "ing"];
    let text: String = (0..3000usize)
        .map(|i| {
            let sep = if i % 11 == 10 { "\n" } else { " " };
            format!(
                "{}{}{sep}",
                stems[(i * 7 + i / 13) % 4],
                ends[(i * 3 + i / 7) % 4]
            )
        })
        .collect();
    std::fs::write(&corpus, text).unwrap();
    let out = wordvec()
        .args(["train", "--backend", "wgpu", "--subwords", "--dim", "16"])
        .args(["--min-count", "1", "--epochs", "2", "--bucket", "5000"])
        .arg("--corpus")
        .arg(&corpus)
        .arg("--output")
        .arg(tmp.path().join("v.vec"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let model = SubwordVectors::read(&tmp.path().join("v.bin")).unwrap();
    assert!(model.find("walking").is_some());
    // An unseen word gets its n-grams' vector, and it moved from the start.
    let unseen = model.unseen("walkings").expect("n-grams in the buckets");
    assert!(unseen.iter().all(|v| v.is_finite()) && unseen.iter().any(|&v| v != 0.0));
}
