//! The experiment workflow end to end: metrics files, checkpoints with Ctrl-C and resume,
//! comparisons, sweeps and word plots, on the embedded corpus.

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

mod common;

use common::{stderr, wordvec};
use wordvec::train::{
    CHECKPOINT_FILE, Checkpoint, MetricRecord, PREVIOUS_CHECKPOINT_FILE, read_metrics,
};

fn run(command: &mut Command) -> Output {
    let out = command.output().expect("run wordvec");
    assert!(
        out.status.success(),
        "{:?} failed: {}",
        command,
        stderr(&out)
    );
    out
}

/// `train` on the embedded corpus, small and single-threaded, into `dir`.
fn train(dir: &Path, extra: &[&str]) -> Command {
    let mut c = wordvec();
    c.args([
        "train",
        "--quiet",
        "--threads",
        "1",
        "--dim",
        "16",
        "--chunk-tokens",
        "4000",
    ])
    .arg("--output")
    .arg(dir.join("vectors.txt"))
    .args(extra);
    c
}

fn metrics(dir: &Path) -> Vec<MetricRecord> {
    read_metrics(&dir.join("metrics.jsonl")).unwrap()
}

/// Each epoch's mean loss, as the run's metrics hold them.
fn epoch_losses(dir: &Path) -> Vec<f64> {
    metrics(dir)
        .iter()
        .filter_map(|r| match r {
            MetricRecord::Epoch { loss, .. } => Some(*loss),
            _ => None,
        })
        .collect()
}

#[test]
fn metrics_file_holds_true_interval_means_epochs_and_evaluations() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    run(&mut train(
        &dir,
        &["--epochs", "3", "--eval-every", "epoch"],
    ));
    let records = metrics(&dir);
    assert!(
        matches!(&records[0], MetricRecord::Start { config, resumed_at: 0, .. } if config.epochs == 3)
    );
    assert!(matches!(records.last(), Some(MetricRecord::End { .. })));
    let mut last_words = 0;
    for r in &records {
        assert!(r.words() >= last_words, "words go back at {r:?}");
        last_words = r.words();
    }
    // Each epoch's loss is the example-weighted mean of its intervals: a true mean, not a
    // running or cumulative figure.
    for epoch in 0..3 {
        let (sum, n) = records
            .iter()
            .filter_map(|r| match r {
                MetricRecord::Interval {
                    epoch: e,
                    loss,
                    examples,
                    lr,
                    ..
                } if *e == epoch => {
                    assert!(loss.is_finite() && *loss > 0.0 && *lr > 0.0);
                    Some((loss * *examples as f64, *examples))
                }
                _ => None,
            })
            .fold((0.0, 0), |(s, n), (l, e)| (s + l, n + e));
        let Some(MetricRecord::Epoch { loss, examples, .. }) = records
            .iter()
            .find(|r| matches!(r, MetricRecord::Epoch { epoch: e, .. } if *e == epoch))
        else {
            panic!("no record of epoch {epoch}");
        };
        assert!(n > 0, "no intervals in epoch {epoch}");
        assert_eq!(n, *examples);
        assert!(
            (sum / n as f64 - loss).abs() < 1e-6 * loss,
            "{} vs {loss}",
            sum / n as f64
        );
    }
    // An evaluation after epochs 1 and 2 and the final one, each with the embedded figures.
    let evals: Vec<_> = records
        .iter()
        .filter_map(|r| match r {
            MetricRecord::Eval { figures, .. } => Some(figures),
            _ => None,
        })
        .collect();
    assert_eq!(evals.len(), 3);
    for figures in evals {
        assert!(figures.contains_key("analogy"), "{figures:?}");
        assert!(figures.keys().any(|k| k.starts_with("rho:")), "{figures:?}");
    }
}

/// Waits until `child`'s metrics file shows training under way (and, with `--checkpoint-every`,
/// until two checkpoints exist, so a previous one is there to fall back on).
fn wait_until_training(child: &mut Child, dir: &Path, two_checkpoints: bool) {
    let started = Instant::now();
    loop {
        let training = std::fs::read_to_string(dir.join("metrics.jsonl"))
            .is_ok_and(|m| m.contains("\"event\":\"interval\""));
        let ready = !two_checkpoints || dir.join(PREVIOUS_CHECKPOINT_FILE).exists();
        if training && ready {
            break;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the run ended ({status}) before it could be interrupted");
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "training never started"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn send(child: &Child, signal: libc::c_int) {
    assert_eq!(unsafe { libc::kill(child.id() as libc::pid_t, signal) }, 0);
}

/// A run stopped by Ctrl-C once it trains.
fn stopped_run(dir: &Path, extra: &[&str]) -> Output {
    stopped_run_by(dir, extra, libc::SIGINT)
}

/// A run stopped by `signal` once it trains: it exits with 128 + the signal, as a shell reports
/// a process the signal killed, after saving a checkpoint.
fn stopped_run_by(dir: &Path, extra: &[&str], signal: libc::c_int) -> Output {
    let mut child = train(dir, extra)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_until_training(&mut child, dir, extra.contains(&"--checkpoint-every"));
    send(&child, signal);
    let out = child.wait_with_output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(128 + signal), "{err}");
    assert!(err.contains("--resume"), "{err}");
    assert!(
        !dir.join("vectors.txt").exists(),
        "a stopped run writes no vectors"
    );
    out
}

fn resume(dir: &Path) -> Output {
    run(wordvec().args(["train", "--quiet", "--resume"]).arg(dir))
}

fn assert_same_vectors(a: &Path, b: &Path) {
    let (a, b) = (std::fs::read(a).unwrap(), std::fs::read(b).unwrap());
    assert!(
        a == b,
        "the resumed run's vectors differ from the uninterrupted run's"
    );
}

#[test]
fn sigint_then_resume_gives_the_uninterrupted_vectors() {
    let tmp = tempfile::tempdir().unwrap();
    let (whole, parts) = (tmp.path().join("whole"), tmp.path().join("parts"));
    let flags = ["--epochs", "20", "--seed", "3"];
    run(&mut train(&whole, &flags));
    stopped_run(&parts, &flags);
    let checkpoint = Checkpoint::load(&parts.join(CHECKPOINT_FILE)).unwrap();
    assert!(checkpoint.position.words > 0);
    // A setting that would change the run's course is refused, and the checkpoint stays…
    let out = wordvec()
        .args(["train", "--quiet", "--resume"])
        .arg(&parts)
        .args(["--lr", "0.1"])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("--lr cannot change on --resume"), "{err}");
    assert!(parts.join(CHECKPOINT_FILE).exists());
    // …while those that only watch it are taken, and the run ends as if never stopped.
    let watched = [
        "--threads",
        "1",
        "--eval-every",
        "epoch",
        "--checkpoint-every",
        "1h",
    ];
    run(wordvec()
        .args(["train", "--quiet", "--resume"])
        .arg(&parts)
        .args(watched));
    assert_same_vectors(&whole.join("vectors.txt"), &parts.join("vectors.txt"));
    let evaluations = metrics(&parts)
        .iter()
        .filter(|r| matches!(r, MetricRecord::Eval { .. }))
        .count();
    assert!(evaluations > 1, "--eval-every was not taken");
    assert!(
        !parts.join(CHECKPOINT_FILE).exists(),
        "a finished run keeps no checkpoint"
    );
    // The metrics read as one run: words never go back, one start per part, one end.
    let records = metrics(&parts);
    let starts = records
        .iter()
        .filter(|r| matches!(r, MetricRecord::Start { .. }))
        .count();
    assert_eq!(starts, 2);
    assert!(records.windows(2).all(|w| w[0].words() <= w[1].words()));
}

#[test]
fn sigterm_and_sighup_save_the_run_as_ctrl_c_does() {
    // What a scheduler sends before it kills (SIGTERM), and a closed terminal (SIGHUP).
    let tmp = tempfile::tempdir().unwrap();
    let whole = tmp.path().join("whole");
    let flags = ["--epochs", "20", "--seed", "3"];
    run(&mut train(&whole, &flags));
    for (signal, name) in [(libc::SIGTERM, "sigterm"), (libc::SIGHUP, "sighup")] {
        let parts = tmp.path().join(name);
        let out = stopped_run_by(&parts, &flags, signal);
        assert!(
            stderr(&out).contains(&name.to_uppercase()),
            "{}",
            stderr(&out)
        );
        resume(&parts);
        assert_same_vectors(&whole.join("vectors.txt"), &parts.join("vectors.txt"));
    }
}

#[test]
fn a_resumed_run_takes_a_new_thread_count_and_says_what_it_costs() {
    let tmp = tempfile::tempdir().unwrap();
    let parts = tmp.path().join("parts");
    stopped_run(&parts, &["--epochs", "20"]);
    // The epoch under way keeps its readers; the kernel runs on the new threads.
    let out = run(wordvec()
        .args(["train", "--resume"])
        .arg(&parts)
        .args(["--threads", "2"]));
    let err = stderr(&out);
    assert!(
        err.contains("2 threads where the run had 1: the vectors will not be bit for bit"),
        "{err}"
    );
    let records = metrics(&parts);
    let Some(MetricRecord::End { words, .. }) = records.last() else {
        panic!("no end record: {records:?}");
    };
    let Some(MetricRecord::Start { total_words, .. }) = records.first() else {
        panic!("no start record");
    };
    assert_eq!(words, total_words, "the resumed run trained another amount");
}

#[test]
fn a_run_with_phrases_resumes_joining_them_to_the_uninterrupted_vectors() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = common::planted_phrases(tmp.path(), 20_000);
    let table = tmp.path().join("phrases.txt");
    let learned = wordvec()
        .args(["phrases", "--connector-words", "english", "--corpus"])
        .arg(&corpus)
        .arg("--output")
        .arg(&table)
        .output()
        .unwrap();
    assert!(learned.status.success(), "{}", stderr(&learned));
    let (whole, parts) = (tmp.path().join("whole"), tmp.path().join("parts"));
    let (corpus, table) = (corpus.to_str().unwrap(), table.to_str().unwrap());
    let flags = ["--corpus", corpus, "--phrases", table, "--epochs", "30"];
    run(&mut train(&whole, &flags));
    stopped_run(&parts, &flags);
    resume(&parts);
    assert_same_vectors(&whole.join("vectors.txt"), &parts.join("vectors.txt"));
    let vocab = std::fs::read_to_string(parts.join("vectors.vocab.txt")).unwrap();
    assert!(
        vocab.lines().any(|l| l.starts_with("bank_of_america ")),
        "{vocab}"
    );
}

#[test]
fn a_second_signal_exits_at_once_and_leaves_no_scratch() {
    // Standard input's copy and GloVe's spilled entries live in scratch until the run ends; a
    // second signal exits without running destructors, so it removes them itself.
    let tmp = tempfile::tempdir().unwrap();
    let scratch = tmp.path().join("scratch");
    std::fs::create_dir(&scratch).unwrap();
    let corpus = tmp.path().join("corpus.txt");
    let mut state = 7u64;
    let lines: Vec<String> = (0..4000)
        .map(|_| {
            let words: Vec<String> = (0..12)
                .map(|_| {
                    state = state
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    format!("w{}", (state >> 33) % 300)
                })
                .collect();
            words.join(" ")
        })
        .collect();
    std::fs::write(&corpus, lines.join("\n")).unwrap();
    let dir = tmp.path().join("run");
    let mut child = wordvec()
        .args([
            "train", "--quiet", "--model", "glove", "--corpus", "-", "--epochs", "100000",
        ])
        .args([
            "--dim",
            "8",
            "--min-count",
            "1",
            "--memory-gb",
            "0.00001",
            "--temp-dir",
        ])
        .arg(&scratch)
        .arg("--output")
        .arg(dir.join("vectors.txt"))
        .env("TMPDIR", &scratch)
        .stdin(std::fs::File::open(&corpus).unwrap())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_until_training(&mut child, &dir, false);
    let held = std::fs::read_dir(&scratch).unwrap().count();
    assert_eq!(held, 2, "standard input's copy and the entries' folder");
    // Two of one signal sent at once may arrive as one; two kinds arrive as two.
    send(&child, libc::SIGTERM);
    send(&child, libc::SIGHUP);
    let out = child.wait_with_output().unwrap();
    let err = stderr(&out);
    // Either may be delivered first (pending signals go lowest number first).
    let codes = [128 + libc::SIGHUP, 128 + libc::SIGTERM].map(Some);
    assert!(codes.contains(&out.status.code()), "{err}");
    assert!(err.contains("stopping without saving"), "{err}");
    let left: Vec<_> = std::fs::read_dir(&scratch).unwrap().collect();
    assert!(left.is_empty(), "{left:?} left: {}", stderr(&out));
}

#[test]
fn a_second_run_into_a_held_folder_is_refused_until_the_first_is_gone() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    let flags = ["--epochs", "50"];
    let mut first = train(&dir, &flags)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_until_training(&mut first, &dir, false);
    let refused = |command: &mut Command| {
        let started = Instant::now();
        let out = command.output().unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(
            err.contains("run") && err.contains(&first.id().to_string()),
            "{err}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "refused late: {err}"
        );
    };
    refused(&mut train(&dir, &["--epochs", "1"]));
    refused(wordvec().args(["train", "--quiet", "--resume"]).arg(&dir));
    // A killed run's folder is free again: the kernel dropped its lock with the process.
    send(&first, libc::SIGKILL);
    first.wait().unwrap();
    run(&mut train(&dir, &["--epochs", "1"]));
    assert!(dir.join("vectors.txt").exists());
}

#[test]
fn adam_on_the_autodiff_path_resumes_with_its_optimizer_state() {
    let tmp = tempfile::tempdir().unwrap();
    let (whole, parts) = (tmp.path().join("whole"), tmp.path().join("parts"));
    let flags = [
        "--epochs",
        "2",
        "--optimizer",
        "adam",
        "--update",
        "autodiff",
        "--batch-size",
        "64",
    ];
    run(&mut train(&whole, &flags));
    stopped_run_by(&parts, &flags, libc::SIGTERM);
    resume(&parts);
    assert_same_vectors(&whole.join("vectors.txt"), &parts.join("vectors.txt"));
}

#[test]
fn fused_optimizers_resume_with_their_row_state() {
    // Each optimizer's row state (Adam's moments and powers of β, RMSProp's averages and
    // velocities, AdaGrad's sums, momentum's velocities and first-step flags, the row-wise
    // rules' one sum or second moment a row) travels in the
    // checkpoint: the resumed run ends where the uninterrupted one does, bit for bit.
    for extra in [
        &["--optimizer", "adam", "--lr", "0.01"][..],
        &["--optimizer", "adamw", "--lr", "0.01"],
        &["--optimizer", "rmsprop", "--lr", "0.001"],
        &["--optimizer", "adagrad", "--lr", "0.1"],
        &["--optimizer", "sgd", "--momentum", "0.9", "--lr", "0.005"],
        &["--optimizer", "rowwise-adagrad", "--lr", "0.1"],
        &["--optimizer", "rowwise-adam", "--lr", "0.01"],
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let (whole, parts) = (tmp.path().join("whole"), tmp.path().join("parts"));
        let flags: Vec<&str> = ["--epochs", "20", "--seed", "4"]
            .into_iter()
            .chain(extra.iter().copied())
            .collect();
        run(&mut train(&whole, &flags));
        stopped_run(&parts, &flags);
        let checkpoint = Checkpoint::load(&parts.join(CHECKPOINT_FILE)).unwrap();
        let state = match extra[1] {
            "sgd" => "momentum-input".to_string(),
            name => format!("{name}-input"),
        };
        assert!(
            checkpoint.blob(&state).is_ok(),
            "{extra:?}: no {state} part"
        );
        resume(&parts);
        assert_same_vectors(&whole.join("vectors.txt"), &parts.join("vectors.txt"));
    }
}

#[test]
fn subword_runs_resume_bit_for_bit_with_their_buckets() {
    // The n-gram buckets' rows (and a stateful rule's state beside them) travel in the
    // checkpoint; the resumed run writes the uninterrupted run's vectors and fastText model.
    for extra in [
        &["--model", "skipgram"][..],
        &["--model", "cbow", "--optimizer", "adagrad"],
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let (whole, parts) = (tmp.path().join("whole"), tmp.path().join("parts"));
        let flags: Vec<&str> = [
            "--epochs",
            "20",
            "--seed",
            "6",
            "--subwords",
            "--bucket",
            "3000",
        ]
        .into_iter()
        .chain(extra.iter().copied())
        .collect();
        run(&mut train(&whole, &flags));
        stopped_run(&parts, &flags);
        resume(&parts);
        assert_same_vectors(&whole.join("vectors.txt"), &parts.join("vectors.txt"));
        assert_same_vectors(&whole.join("vectors.bin"), &parts.join("vectors.bin"));
    }
}

#[test]
fn glove_resumes_on_both_paths_to_the_uninterrupted_vectors() {
    let tmp = tempfile::tempdir().unwrap();
    // Many short iterations, so the signal lands mid-run; the resumed run counts and shuffles
    // the same entries again and skips the chunks (or batches) already trained.
    for (name, flags) in [
        ("fused", &["--model", "glove", "--epochs", "1500"][..]),
        // Out of core: the resumed run shuffles the same blocks into the same order.
        (
            "out-of-core",
            &[
                "--model",
                "glove",
                "--epochs",
                "1500",
                "--memory-gb",
                "0.00001",
            ][..],
        ),
        (
            "autodiff",
            &[
                "--model",
                "glove",
                "--epochs",
                "60",
                "--update",
                "autodiff",
                "--batch-size",
                "512",
            ][..],
        ),
    ] {
        let (whole, parts) = (
            tmp.path().join(name),
            tmp.path().join(format!("{name}-parts")),
        );
        run(&mut train(&whole, flags));
        stopped_run(&parts, flags);
        let checkpoint = Checkpoint::load(&parts.join(CHECKPOINT_FILE)).unwrap();
        assert!(checkpoint.position.words > 0, "{name}");
        resume(&parts);
        assert_same_vectors(&whole.join("vectors.txt"), &parts.join("vectors.txt"));
    }
}

#[test]
fn a_truncated_checkpoint_is_named_and_the_previous_one_is_used() {
    let tmp = tempfile::tempdir().unwrap();
    let (whole, parts) = (tmp.path().join("whole"), tmp.path().join("parts"));
    let flags = ["--epochs", "20", "--seed", "4"];
    run(&mut train(&whole, &flags));
    stopped_run(
        &parts,
        &[&flags[..], &["--checkpoint-every", "0.001s"]].concat(),
    );
    let latest = parts.join(CHECKPOINT_FILE);
    let bytes = std::fs::read(&latest).unwrap();
    std::fs::write(&latest, &bytes[..bytes.len() / 2]).unwrap();
    let e = Checkpoint::load(&latest).unwrap_err().to_string();
    assert!(
        e.contains("checkpoint.wvck") && e.contains("truncated"),
        "{e}"
    );
    let out = run(wordvec().args(["train", "--resume"]).arg(&parts));
    let err = stderr(&out);
    assert!(
        err.contains("truncated") && err.contains("previous checkpoint"),
        "{err}"
    );
    // The previous checkpoint is a point of the same run, so the result is still exact.
    assert_same_vectors(&whole.join("vectors.txt"), &parts.join("vectors.txt"));
}

#[test]
fn divergence_leaves_the_last_good_checkpoint_in_place() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    stopped_run(&dir, &["--epochs", "20"]);
    // The same run continued at an absurd learning rate: its first chunk breaks the weights.
    let path = dir.join(CHECKPOINT_FILE);
    let mut checkpoint = Checkpoint::load(&path).unwrap();
    checkpoint.config.lr = 1e30;
    checkpoint.save(&dir).unwrap();
    let good = std::fs::read(&path).unwrap();
    let out = wordvec()
        .args(["train", "--quiet", "--resume"])
        .arg(&dir)
        .output()
        .unwrap();
    let err = stderr(&out);
    assert!(!out.status.success(), "{err}");
    assert!(
        err.contains("diverged")
            && err.contains("learning rate")
            && err.contains("checkpoint.wvck"),
        "{err}"
    );
    assert!(
        std::fs::read(&path).unwrap() == good,
        "the good checkpoint was overwritten"
    );
    assert!(!dir.join("vectors.txt").exists());
}

#[test]
fn cbow_learns_the_embedded_analogies_and_trains_on_every_path() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run(wordvec()
        .args(["train", "--quiet", "--json", "--model", "cbow"])
        .arg("--output")
        .arg(tmp.path().join("fused/vectors.txt")));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let accuracy = report["analogy"]["accuracy_3cosadd"].as_f64().unwrap();
    assert!(accuracy > 0.5, "CBOW's embedded analogies: {accuracy}");
    // The autodiff path, with negative sampling and with the full softmax.
    for loss in ["negative", "softmax"] {
        let dir = tmp.path().join(loss);
        run(&mut train(
            &dir,
            &[
                "--model", "cbow", "--update", "autodiff", "--loss", loss, "--epochs", "1", "--lr",
                "0.5",
            ],
        ));
        let epochs = epoch_losses(&dir);
        assert!(
            epochs.len() == 1 && epochs[0].is_finite() && epochs[0] > 0.0,
            "{loss}: {epochs:?}"
        );
    }
}

#[test]
fn hierarchical_softmax_learns_the_embedded_analogies_and_saves_its_tree() {
    let tmp = tempfile::tempdir().unwrap();
    for model in ["skipgram", "cbow"] {
        let dir = tmp.path().join(model);
        let out = run(wordvec()
            .args([
                "train",
                "--quiet",
                "--json",
                "--loss",
                "hierarchical",
                "--model",
                model,
            ])
            .arg("--output")
            .arg(dir.join("vectors.txt")));
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let accuracy = report["analogy"]["accuracy_3cosadd"].as_f64().unwrap();
        assert!(accuracy > 0.5, "{model}'s embedded analogies: {accuracy}");
        // One line a word, in vocabulary order: `word code nodes`, the code as long as the path
        // and every path starting at the root (the last of the vocabulary − 1 inner nodes).
        let vocab = std::fs::read_to_string(dir.join("vectors.vocab.txt")).unwrap();
        let tree = std::fs::read_to_string(dir.join("vectors.tree.txt")).unwrap();
        let words: Vec<&str> = vocab
            .lines()
            .map(|l| l.split(' ').next().unwrap())
            .collect();
        let root = (words.len() - 2).to_string();
        assert_eq!(tree.lines().count(), words.len());
        for (line, word) in tree.lines().zip(&words) {
            let fields: Vec<&str> = line.split(' ').collect();
            let nodes: Vec<&str> = fields[2].split(',').collect();
            assert_eq!(fields[0], *word);
            assert_eq!(fields[1].len(), nodes.len(), "{line}");
            assert_eq!(nodes[0], root, "{line}");
        }
    }
    // The autodiff path trains the same objective with any optimizer.
    let dir = tmp.path().join("autodiff");
    run(&mut train(
        &dir,
        &[
            "--loss",
            "hierarchical",
            "--update",
            "autodiff",
            "--optimizer",
            "adam",
            "--epochs",
            "2",
        ],
    ));
    let epochs = epoch_losses(&dir);
    assert!(epochs.len() == 2 && epochs[1] < epochs[0], "{epochs:?}");
    assert!(dir.join("vectors.tree.txt").exists());
}

#[test]
fn resume_names_a_missing_checkpoint() {
    let tmp = tempfile::tempdir().unwrap();
    let out = wordvec()
        .args(["train", "--resume"])
        .arg(tmp.path())
        .output()
        .unwrap();
    let err = stderr(&out);
    assert!(
        !out.status.success() && err.contains("checkpoint.wvck"),
        "{err}"
    );
}

fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn sweep_trains_the_grid_and_compares_it() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("runs");
    let o = run(wordvec()
        .args([
            "sweep",
            "--quiet",
            "--threads",
            "1",
            "--dim",
            "16",
            "--epochs",
            "2",
        ])
        .args([
            "--eval-every",
            "epoch",
            "--lr",
            "0.025,0.05",
            "--optimizer",
            "sgd,adagrad",
        ])
        .arg("--out")
        .arg(&out));
    let stdout = String::from_utf8_lossy(&o.stdout);
    // Each run prints its evaluation; the comparison table comes last.
    let table: String = stdout
        .lines()
        .filter(|l| l.starts_with('|'))
        .map(|l| format!("{l}\n"))
        .collect();
    let names = [
        "lr-0.025_optimizer-sgd",
        "lr-0.025_optimizer-adagrad",
        "lr-0.05_optimizer-sgd",
        "lr-0.05_optimizer-adagrad",
    ];
    for name in names {
        assert!(out.join(name).join("vectors.txt").exists(), "{name}");
        assert!(table.contains(name), "{table}");
    }
    // The differing settings are columns; settings all runs share are not.
    let header = table.lines().next().unwrap();
    assert!(
        header.contains("| lr |") && header.contains("| optimizer |"),
        "{header}"
    );
    assert!(!header.contains("| dim |"), "{header}");
    assert_eq!(table.lines().count(), 2 + names.len(), "{table}");
    assert!(table.contains("finished"));
    let written = files(&out);
    for f in [
        "comparison.md",
        "loss.png",
        "loss.svg",
        "analogy-by-words.png",
        "analogy-by-time.svg",
    ] {
        assert!(
            written.contains(&f.to_string()),
            "{f} missing from {written:?}"
        );
    }
    let png = std::fs::read(out.join("loss.png")).unwrap();
    assert_eq!(&png[1..4], b"PNG");
    let svg = std::fs::read_to_string(out.join("analogy-by-words.svg")).unwrap();
    assert!(
        svg.contains("words seen") && svg.contains(names[0]),
        "axis label or legend missing"
    );
}

#[test]
fn compare_names_what_is_not_a_run() {
    let tmp = tempfile::tempdir().unwrap();
    let out = wordvec().arg("compare").arg(tmp.path()).output().unwrap();
    let err = stderr(&out);
    assert!(
        !out.status.success() && err.contains("metrics.jsonl"),
        "{err}"
    );
}

#[test]
fn plot_draws_the_chosen_words() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    run(&mut train(&dir, &["--epochs", "1"]));
    let vectors = dir.join("vectors.txt");
    let words: Vec<String> = std::fs::read_to_string(&vectors)
        .unwrap()
        .lines()
        .skip(1)
        .take(12)
        .map(|l| l.split(' ').next().unwrap().to_string())
        .collect();
    let svg = tmp.path().join("words.svg");
    run(wordvec()
        .args(["plot", "--vectors"])
        .arg(&vectors)
        .args(["--words", &words.join(",")])
        .arg("--output")
        .arg(&svg));
    let text = std::fs::read_to_string(&svg).unwrap().replace('\n', "");
    for w in &words {
        assert!(text.contains(&format!(">{w}</text>")), "{w} is not drawn");
    }
    assert!(text.contains("PC1") && text.contains("PC2"));
    let list = tmp.path().join("words.txt");
    std::fs::write(&list, format!("{}\nnot-a-word-here\n", words.join(" "))).unwrap();
    let out = wordvec()
        .args(["plot", "--vectors"])
        .arg(&vectors)
        .arg("--words")
        .arg(&list)
        .arg("--output")
        .arg(tmp.path().join("w.png"))
        .output()
        .unwrap();
    let err = stderr(&out);
    assert!(
        !out.status.success() && err.contains("not-a-word-here"),
        "{err}"
    );
}

#[test]
fn resume_refuses_a_changed_corpus_and_resumes_a_compressed_one() {
    let tmp = tempfile::tempdir().unwrap();
    // Twenty thousand lines of a small language, gzip-compressed.
    let words = [
        "red", "green", "blue", "cat", "dog", "runs", "sleeps", "the", "a", "big",
    ];
    let text: String = (0..20_000)
        .map(|i: usize| {
            let line: Vec<&str> = (0..10)
                .map(|j| words[(i * 7 + j * j + i / 3) % 10])
                .collect();
            line.join(" ") + "\n"
        })
        .collect();
    let text = text.into_bytes();
    let corpus = tmp.path().join("corpus.gz");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, &text).unwrap();
    std::fs::write(&corpus, gz.finish().unwrap()).unwrap();
    let corpus_arg = corpus.to_str().unwrap();
    let flags = ["--epochs", "20", "--seed", "3", "--corpus", corpus_arg];
    let (whole, parts) = (tmp.path().join("whole"), tmp.path().join("parts"));
    run(&mut train(&whole, &flags));
    stopped_run(&parts, &flags);
    // Replaced by another text while the run was stopped: refused, by name.
    let original = std::fs::read(&corpus).unwrap();
    std::fs::write(&corpus, b"another text altogether\n").unwrap();
    let out = wordvec()
        .args(["train", "--quiet", "--resume"])
        .arg(&parts)
        .output()
        .unwrap();
    let err = stderr(&out);
    assert!(!out.status.success(), "{err}");
    assert!(
        err.contains("corpus.gz") && err.contains("changed since the checkpoint"),
        "{err}"
    );
    // Put back, the compressed corpus resumes to the uninterrupted run's vectors.
    std::fs::write(&corpus, original).unwrap();
    resume(&parts);
    assert_same_vectors(&whole.join("vectors.txt"), &parts.join("vectors.txt"));
}
