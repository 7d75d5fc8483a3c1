//! The same training run on the CPU (Flex) and on wgpu (a real Vulkan device; in CI the Mesa
//! software driver, llvmpipe) must give the same losses and weights within float tolerance.

use std::path::PathBuf;

use burn::tensor::FloatDType;
use wordvec::train::{
    BackendKind, LossKind, ModelOptions, OptimizerKind, Precision, Run, RunOptions, TrainConfig,
    Trained, UpdateKind, Word2VecOptions, select_device,
};

fn corpus(dir: &std::path::Path) -> PathBuf {
    let words = [
        "red", "green", "blue", "cyan", "magenta", "yellow", "black", "white", "grey",
    ];
    let text: String = (0..300)
        .map(|i| {
            // Three topics of three words: a line speaks of one topic only.
            let topic = i % 3;
            let line: Vec<&str> = (0..12)
                .map(|j| words[topic * 3 + (i + j * j) % 3])
                .collect();
            line.join(" ") + "\n"
        })
        .collect();
    let p = dir.join("colours.txt");
    std::fs::write(&p, text).unwrap();
    p
}

fn run(
    backend: BackendKind,
    (loss, precision): (LossKind, Precision),
    optimizer: OptimizerKind,
    lr: f64,
    path: &std::path::Path,
) -> Trained {
    let model = ModelOptions::Word2Vec(Word2VecOptions {
        loss,
        precision,
        negative: 4,
        ..Word2VecOptions::default()
    });
    let mut config = TrainConfig::for_model(model, Some(optimizer), backend);
    config.corpus = vec![path.to_path_buf()];
    config.update = UpdateKind::Autodiff;
    config.lr = lr;
    config.dim = 16;
    config.window = 3;
    config.min_count = 1;
    config.epochs = 2;
    config.batch_size = 128;
    config.seed = 5;
    config.threads = 1;
    config.gpu_cubes = 0;
    config.output = path.with_extension("vec");
    let options = RunOptions {
        write_files: false,
        ..RunOptions::default()
    };
    Run::start(config, options).unwrap().train().unwrap()
}

fn assert_close(a: &[f64], b: &[f64], tol: f64, what: &str) {
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(b) {
        assert!((x - y).abs() <= tol * (1.0 + x.abs()), "{what}: {x} vs {y}");
    }
}

#[test]
fn wgpu_matches_cpu_on_the_same_batches() {
    let dir = tempfile::tempdir().unwrap();
    let path = corpus(dir.path());
    for (loss, optimizer, lr) in [
        (LossKind::Negative, OptimizerKind::Sgd, 2.0),
        (LossKind::Softmax, OptimizerKind::Adam, 0.01),
    ] {
        let f32 = (loss, Precision::F32);
        let cpu = run(BackendKind::Cpu, f32, optimizer, lr, &path);
        let gpu = run(BackendKind::Wgpu, f32, optimizer, lr, &path);
        assert_close(&cpu.epoch_losses, &gpu.epoch_losses, 1e-4, "epoch losses");
        let to64 = |v: Vec<f32>| v.into_iter().map(f64::from).collect::<Vec<_>>();
        assert_close(
            &to64(cpu.model.word_vectors()),
            &to64(gpu.model.word_vectors()),
            1e-3,
            "input vectors",
        );
        assert_close(
            &to64(cpu.model.output_vectors()),
            &to64(gpu.model.output_vectors()),
            1e-3,
            "output vectors",
        );
        // And training did something.
        assert!(
            cpu.epoch_losses[1] < cpu.epoch_losses[0],
            "{:?}",
            cpu.epoch_losses
        );
    }
}

#[test]
fn the_softmax_in_half_precision_trains_as_in_f32_on_every_backend() {
    // f16 products keep 11 bits of mantissa: the losses follow f32's within a few parts in a
    // thousand. The software Vulkan driver has f16 arithmetic, not bf16; `auto` picks what the
    // device has, and f32 on the CPU.
    let dir = tempfile::tempdir().unwrap();
    let path = corpus(dir.path());
    let adam = OptimizerKind::Adam;
    for backend in [BackendKind::Cpu, BackendKind::Wgpu] {
        let f32 = run(
            backend,
            (LossKind::Softmax, Precision::F32),
            adam,
            0.01,
            &path,
        );
        for precision in [Precision::F16, Precision::Auto] {
            let half = run(backend, (LossKind::Softmax, precision), adam, 0.01, &path);
            assert_close(&half.epoch_losses, &f32.epoch_losses, 5e-3, "epoch losses");
            if backend == BackendKind::Cpu && precision == Precision::Auto {
                assert_eq!(half.model.word_vectors(), f32.model.word_vectors());
            }
        }
        // A type the device cannot compute in is refused by name, not trained in garbage.
        let device = select_device(backend).unwrap();
        if !device.supports_dtype(FloatDType::BF16) {
            let e = Precision::Bf16
                .dtype(backend, &device)
                .unwrap_err()
                .to_string();
            assert!(e.contains("--precision") && e.contains("BF16"), "{e}");
        }
    }
}
