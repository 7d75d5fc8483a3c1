//! GloVe end to end: both update paths learn, the fused step follows the loss's gradient,
//! spilling the counts changes nothing, and bad settings or broken weights stop with a clear
//! error.

use std::path::Path;
use std::process::Output;

mod common;

use burn::prelude::*;
use common::{stderr, wordvec};
use wordvec::kernels::{GloveSettings, GloveWeights, glove_step, read_glove_loss};
use wordvec::model::{Glove, Weighting};

fn glove(dir: &Path, extra: &[&str]) -> Output {
    wordvec()
        .args([
            "train",
            "--quiet",
            "--json",
            "--model",
            "glove",
            "--threads",
            "1",
        ])
        .arg("--output")
        .arg(dir.join("vectors.txt"))
        .args(extra)
        .output()
        .expect("run wordvec")
}

fn succeeded(out: &Output) -> serde_json::Value {
    assert!(out.status.success(), "{}", stderr(out));
    serde_json::from_slice(&out.stdout).expect("a JSON report")
}

fn accuracy(report: &serde_json::Value) -> f64 {
    report["analogy"]["accuracy_3cosadd"].as_f64().unwrap()
}

#[test]
fn glove_learns_the_embedded_analogies_on_both_paths() {
    let tmp = tempfile::tempdir().unwrap();
    // The embedded corpus is small for 100 dimensions: GloVe fits it closely by 15 iterations
    // and overfits beyond (about 50% of its analogies at 15, falling after), where an untrained
    // model finds about 1%.
    let fused = succeeded(&glove(&tmp.path().join("fused"), &[]));
    assert!(accuracy(&fused) > 0.4, "fused GloVe: {fused}");
    // Burn's own AdaGrad (with clipping) through autodiff, and another optimizer.
    let autodiff = succeeded(&glove(
        &tmp.path().join("autodiff"),
        &["--update", "autodiff", "--batch-size", "2048"],
    ));
    assert!(accuracy(&autodiff) > 0.2, "autodiff GloVe: {autodiff}");
    let adam = succeeded(&glove(
        &tmp.path().join("adam"),
        &[
            "--optimizer",
            "adam",
            "--lr",
            "0.01",
            "--epochs",
            "3",
            "--batch-size",
            "2048",
        ],
    ));
    assert!(accuracy(&adam).is_finite());
    // Word vectors alone differ from the default word + context sum.
    let word = succeeded(&glove(
        &tmp.path().join("word"),
        &["--glove-vectors", "word"],
    ));
    assert!(accuracy(&word) > 0.25, "word vectors only: {word}");
    let read = |d: &str| std::fs::read(tmp.path().join(d).join("vectors.txt")).unwrap();
    assert_ne!(read("word"), read("fused"));
}

#[test]
fn a_tiny_budget_spills_the_counts_shuffles_out_of_core_and_still_learns() {
    // Spilled counts are exact (the counting tests, and `cooccur`'s byte-identical output), but
    // entries beyond half the budget are shuffled out of core, in another order than the
    // in-memory shuffle: the run must learn as well and leave no file behind.
    let tmp = tempfile::tempdir().unwrap();
    let scratch = tmp.path().join("scratch");
    std::fs::create_dir(&scratch).unwrap();
    succeeded(&glove(&tmp.path().join("memory"), &["--epochs", "3"]));
    let spilled = wordvec()
        .args([
            "train",
            "--model",
            "glove",
            "--threads",
            "1",
            "--epochs",
            "3",
        ])
        .args(["--memory-gb", "0.00001", "--temp-dir"])
        .arg(&scratch)
        .arg("--output")
        .arg(tmp.path().join("spilled/vectors.txt"))
        .output()
        .unwrap();
    let err = stderr(&spilled);
    assert!(spilled.status.success(), "{err}");
    assert!(!err.contains(" 0 sorted run(s)"), "nothing spilled: {err}");
    assert!(err.contains("out of core"), "{err}");
    let last_loss = |d: &str| -> f64 {
        let text = std::fs::read_to_string(tmp.path().join(d).join("vectors.config.json")).unwrap();
        let config: serde_json::Value = serde_json::from_str(&text).unwrap();
        let losses = config["summary"]["epoch_losses"].as_array().unwrap();
        losses.last().unwrap().as_f64().unwrap()
    };
    let (memory, spilled) = (last_loss("memory"), last_loss("spilled"));
    assert!(
        (memory - spilled).abs() < 0.05 * memory,
        "last iteration's loss: {spilled} out of core against {memory} in memory"
    );
    assert_eq!(
        std::fs::read_dir(&scratch).unwrap().count(),
        0,
        "run or block files left behind"
    );
}

/// One fused step from empty squared sums moves every vector weight by −lr × its gradient (and
/// every bias by −1 × its gradient, as the reference): the gradient
/// Burn's autodiff computes for the same entries (which touch distinct rows, so Hogwild order
/// does not matter).
#[test]
fn the_fused_step_follows_the_autodiff_gradient() {
    let (vocab, dim) = (6, 5);
    let init = |seed: usize| -> Vec<f32> {
        (0..vocab * (dim + 1))
            .map(|k| (((k * 7 + seed * 3) % 17) as f32 - 8.0) / 20.0)
            .collect()
    };
    let (word, context) = (init(1), init(2));
    let rows = [0u32, 2, 4];
    let cols = [1u32, 3, 5];
    let counts = [0.5f32, 30.0, 250.0];
    let weighting = Weighting {
        x_max: 100.0,
        alpha: 0.75,
    };
    let autodiff = Device::flex().autodiff();
    let model = Glove::from_packed(&word, &context, dim, &autodiff);
    let grads = model.loss(&rows, &cols, &counts, weighting).backward();
    let grad = |e: &burn::nn::Embedding| -> Vec<f32> {
        e.weight
            .grad(&grads)
            .unwrap()
            .into_data()
            .try_to_vec::<f32>()
            .unwrap()
    };
    let (g_word, g_context) = (grad(&model.word), grad(&model.context));
    let (g_bias, g_context_bias) = (grad(&model.word_bias), grad(&model.context_bias));

    let device = Device::flex();
    let shape = [vocab, dim + 1];
    let tensor = |v: &[f32]| Tensor::<2>::from_data(TensorData::new(v.to_vec(), shape), &device);
    let weights = GloveWeights {
        word: tensor(&word),
        context: tensor(&context),
        word_sq: Tensor::zeros(shape, &device),
        context_sq: Tensor::zeros(shape, &device),
    };
    let pairs: Vec<i32> = rows
        .iter()
        .zip(&cols)
        .flat_map(|(&i, &j)| [i as i32, j as i32])
        .collect();
    let lr = 1e-3f32;
    let (after, loss) = glove_step(
        weights,
        Tensor::from_data(TensorData::new(pairs, [6]), &device),
        Tensor::from_data(TensorData::new(counts.to_vec(), [3]), &device),
        GloveSettings {
            lr,
            x_max: 100.0,
            alpha: 0.75,
            grad_clip: 100.0,
            threads: 1,
            gpu_cubes: 0,
        },
    );
    let (loss, skipped) = read_glove_loss(vec![loss]);
    assert_eq!((loss.pairs, skipped), (3, 0));
    let mean: f32 = model.loss(&rows, &cols, &counts, weighting).into_scalar();
    assert!(
        (loss.mean() - mean as f64).abs() < 1e-5,
        "{} vs {mean}",
        loss.mean()
    );
    let host = |t: Tensor<2>| t.into_data().try_to_vec::<f32>().unwrap();
    let (w1, c1) = (host(after.word), host(after.context));
    // Burn's loss is the mean over the 3 entries, the fused step sums them.
    let n = rows.len() as f32;
    for r in 0..vocab {
        for d in 0..=dim {
            let k = r * (dim + 1) + d;
            let (gw, gc) = if d < dim {
                (g_word[r * dim + d], g_context[r * dim + d])
            } else {
                (g_bias[r], g_context_bias[r])
            };
            // The reference's biases learn at rate 1.
            let rate = if d < dim { lr } else { 1.0 };
            let moved_w = (word[k] - w1[k]) / rate;
            let moved_c = (context[k] - c1[k]) / rate;
            assert!(
                (moved_w - n * gw).abs() < 2e-3,
                "word {r}/{d}: {moved_w} vs {}",
                n * gw
            );
            assert!(
                (moved_c - n * gc).abs() < 2e-3,
                "context {r}/{d}: {moved_c} vs {}",
                n * gc
            );
        }
    }
}

#[test]
fn bad_settings_and_broken_weights_stop_with_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let stderr = |extra: &[&str]| -> String {
        let out = glove(&tmp.path().join("bad"), extra);
        assert!(!out.status.success(), "{extra:?} trained");
        stderr(&out)
    };
    let e = stderr(&["--optimizer", "sgd", "--update", "fused"]);
    assert!(e.contains("--update autodiff"), "{e}");
    assert!(stderr(&["--x-max", "0"]).contains("--x-max"));
    assert!(stderr(&["--alpha=-1"]).contains("--alpha"));
    assert!(stderr(&["--grad-clip", "0"]).contains("--grad-clip"));
    assert!(stderr(&["--memory-gb", "0"]).contains("--memory-gb"));
    assert!(stderr(&["--window", "61"]).contains("--window"));
    let e = stderr(&["--backend", "ndarray", "--update", "fused"]);
    assert!(e.contains("ndarray"), "{e}");
    // An absurd rate: the unclipped bias step overflows, the error names the rate.
    let e = stderr(&["--lr", "1e30"]);
    assert!(e.contains("diverged") && e.contains("learning rate"), "{e}");
    assert!(!tmp.path().join("bad/vectors.txt").exists());
}

/// The GPU kernel with one cube walks the entries in order, as one CPU thread does: both end
/// with the same weights and report the same loss. Rows are wider than the cube's 32 units and
/// entries repeat rows, so the order of updates matters.
#[test]
fn the_gpu_step_matches_the_cpu_step() {
    if !cfg!(feature = "wgpu") {
        eprintln!("skipped: built without the wgpu feature");
        return;
    }
    let (vocab, dim) = (12, 40);
    let width = dim + 1;
    let value = |k: usize, salt: f32| (k as f32 * 0.731 + salt).sin() * 0.3;
    let word: Vec<f32> = (0..vocab * width).map(|k| value(k, 0.1)).collect();
    let context: Vec<f32> = (0..vocab * width).map(|k| value(k, 2.3)).collect();
    let entries: Vec<(i32, i32, f32)> = (0..150)
        .map(|k| (k * 7 % 12, k * 5 % 11, 0.2 + (k % 13) as f32 * 15.0))
        .collect();
    let run = |device: &Device, lr: f32| {
        let shape = [vocab, width];
        let tensor = |v: &[f32]| Tensor::<2>::from_data(TensorData::new(v.to_vec(), shape), device);
        let mut weights = GloveWeights {
            word: tensor(&word),
            context: tensor(&context),
            word_sq: Tensor::zeros(shape, device),
            context_sq: Tensor::zeros(shape, device),
        };
        let mut losses = Vec::new();
        // Two chunks, so the squared sums carry over from one step to the next.
        for part in entries.chunks(75) {
            let pairs: Vec<i32> = part.iter().flat_map(|e| [e.0, e.1]).collect();
            let counts: Vec<f32> = part.iter().map(|e| e.2).collect();
            let n = part.len();
            let (after, loss) = glove_step(
                weights,
                Tensor::from_data(TensorData::new(pairs, [2 * n]), device),
                Tensor::from_data(TensorData::new(counts, [n]), device),
                GloveSettings {
                    lr,
                    x_max: 100.0,
                    alpha: 0.75,
                    grad_clip: 100.0,
                    threads: 1,
                    gpu_cubes: 1,
                },
            );
            weights = after;
            losses.push(loss);
        }
        let host = |t: Tensor<2>| t.into_data().try_to_vec::<f32>().unwrap();
        let (loss, skipped) = read_glove_loss(losses);
        (
            host(weights.word),
            host(weights.context),
            host(weights.word_sq),
            loss,
            skipped,
        )
    };
    // The CPU, then wgpu (the feature is on).
    let devices = common::devices();
    let (cpu, gpu) = (run(&devices[0].1, 0.05), run(&devices[1].1, 0.05));
    assert_eq!((cpu.3.pairs, cpu.4), (150, 0));
    assert_eq!((gpu.3.pairs, gpu.4), (150, 0));
    assert!((cpu.3.sum - gpu.3.sum).abs() < 1e-4 * cpu.3.sum.abs().max(1.0));
    for (name, a, b) in [
        ("word", &cpu.0, &gpu.0),
        ("context", &cpu.1, &gpu.1),
        ("word_sq", &cpu.2, &gpu.2),
    ] {
        // Relative to the value where it exceeds 1: the squared sums grow large, and a GPU's
        // exp and ln need not round as the CPU's do (an H200 differs by 5e-7 of a sum).
        let worst = a
            .iter()
            .zip(b)
            .map(|(x, y)| (x - y).abs() / x.abs().max(1.0))
            .fold(0.0f32, f32::max);
        assert!(
            worst < 2e-5,
            "{name}: the GPU differs by {worst} (relative)"
        );
    }
    assert_ne!(cpu.0, word, "the step moved the weights");
}
