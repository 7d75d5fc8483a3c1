//! `train --distributed` under `mpirun` on this machine (loopback TCP, as CI runs it): one
//! process trains what a run without MPI trains, bit for bit; two share one vocabulary (the one
//! a single process counts) and end with the same weights; processes that read different
//! files are refused; a process that dies ends the run, and the run's last checkpoint resumes;
//! on wgpu (Mesa's software driver in CI) the processes end with the same weights too.
#![cfg(feature = "mpi")]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::stderr;

/// `mpirun` with the settings of a single machine where the tests may run as root: processes
/// meet over loopback TCP.
fn mpirun(processes: usize) -> Option<Command> {
    let found = Command::new("mpirun").arg("--version").output();
    if !found.is_ok_and(|o| o.status.success()) {
        eprintln!("skipped: no mpirun on the PATH (apt-get install openmpi-bin libopenmpi-dev)");
        return None;
    }
    let mut command = Command::new("mpirun");
    command
        .args(["--allow-run-as-root", "--oversubscribe", "-np"])
        .arg(processes.to_string())
        .args([
            "--mca",
            "btl",
            "self,tcp",
            "--mca",
            "btl_tcp_if_include",
            "lo",
        ])
        .arg(env!("CARGO_BIN_EXE_wordvec"));
    Some(command)
}

/// The train arguments of these tests: the embedded corpus, one thread, binary vectors (every
/// bit of them compared).
fn train_args(out: &Path, epochs: usize) -> Vec<String> {
    let out = out.join("vectors.bin").display().to_string();
    [
        "train",
        "--quiet",
        "--threads",
        "1",
        "--format",
        "word2vec-binary",
        "--output",
        &out,
        "--epochs",
        &epochs.to_string(),
    ]
    .map(str::to_string)
    .to_vec()
}

fn run(mut command: Command) -> Output {
    let o = command.output().expect("run the command");
    assert!(o.status.success(), "{}", stderr(&o));
    o
}

/// Trains the tests' run without MPI into `out`.
fn train_alone(out: &Path) {
    let mut c = common::wordvec();
    c.args(train_args(out, 3));
    run(c);
}

fn read(path: PathBuf) -> Vec<u8> {
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn one_process_trains_the_vectors_of_a_run_without_mpi() {
    let Some(mut mpi) = mpirun(1) else { return };
    let (alone, one) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    train_alone(alone.path());
    mpi.args(train_args(one.path(), 3)).arg("--distributed");
    run(mpi);
    for file in ["vectors.bin", "vectors.vocab.txt"] {
        let (a, b) = (read(alone.path().join(file)), read(one.path().join(file)));
        assert!(a == b, "{file} differs");
    }
}

#[test]
fn two_processes_share_one_vocabulary_and_end_with_the_same_weights() {
    let Some(mut mpi) = mpirun(2) else { return };
    let (alone, two) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    train_alone(alone.path());
    let args = train_args(two.path(), 3);
    let verbose: Vec<&String> = args.iter().filter(|a| *a != "--quiet").collect();
    mpi.args(verbose)
        .args(["--distributed", "--sync-words", "2000"]);
    let o = run(mpi);
    let log = stderr(&o);
    // Each process checks the others' weights against its own after the last merge.
    assert!(
        log.contains("every process holds the same weights"),
        "{log}"
    );
    assert!(log.contains("distributed: 2 processes"), "{log}");
    // Process 0 alone speaks and writes.
    assert_eq!(log.matches("trained ").count(), 1, "{log}");
    let vocab = |dir: &Path| read(dir.join("vectors.vocab.txt"));
    assert!(
        vocab(alone.path()) == vocab(two.path()),
        "the merged counts differ"
    );
    let (a, b) = (
        read(alone.path().join("vectors.bin")),
        read(two.path().join("vectors.bin")),
    );
    assert_eq!(a.len(), b.len());
    assert!(
        a != b,
        "two processes train their own shares, not the single run's course"
    );
}

/// On a GPU backend each process of a machine takes its own GPU, or shares the first where the
/// machine has fewer (Mesa's software device, CI's, is one device and no discrete GPU: the
/// second process shares it, and the log says so); the GPU kernel's rows meet as the CPU's do.
#[test]
fn processes_on_wgpu_end_with_the_same_weights() {
    let Some(mut mpi) = mpirun(2) else { return };
    let out = tempfile::tempdir().unwrap();
    let args = train_args(out.path(), 2);
    let verbose: Vec<&String> = args.iter().filter(|a| *a != "--quiet").collect();
    mpi.args(verbose)
        .args(["--distributed", "--sync-words", "2000", "--backend", "wgpu"]);
    let log = stderr(&run(mpi));
    assert!(
        log.contains("every process holds the same weights"),
        "{log}"
    );
    assert!(log.contains("on Wgpu"), "the run trained on wgpu: {log}");
    assert!(out.path().join("vectors.bin").exists(), "{log}");
}

#[test]
fn a_process_that_dies_ends_the_run_and_its_checkpoint_resumes() {
    let Some(mut mpi) = mpirun(2) else { return };
    let out = tempfile::tempdir().unwrap();
    mpi.args(train_args(out.path(), 100))
        .args([
            "--distributed",
            "--sync-words",
            "2000",
            "--checkpoint-every",
            "0.5s",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut launcher = mpi.spawn().expect("start mpirun");
    let output = out.path().display().to_string();
    // The second process, once process 0 has saved a checkpoint of the run.
    let started = Instant::now();
    let checkpoint = out.path().join(wordvec::train::CHECKPOINT_FILE);
    let victim = loop {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no checkpoint came"
        );
        if let Some(pid) = checkpoint
            .exists()
            .then(|| process_of_rank(1, &output))
            .flatten()
        {
            break pid;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Command::new("kill")
        .args(["-9", &victim.to_string()])
        .status()
        .unwrap();
    let ended = Instant::now();
    let status = loop {
        if let Some(status) = launcher.try_wait().unwrap() {
            break status;
        }
        if ended.elapsed() > Duration::from_secs(60) {
            launcher.kill().ok();
            panic!("the run went on for a minute after a process died");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let log = std::io::read_to_string(launcher.stderr.take().unwrap()).unwrap();
    assert!(!status.success(), "{log}");
    assert!(!out.path().join("vectors.bin").exists(), "{log}");
    // Both processes take the run up again from process 0's checkpoint and finish it.
    let mut again = mpirun(2).expect("mpirun was found");
    again.args(["train", "--resume"]).arg(out.path()).args([
        "--distributed",
        "--sync-words",
        "2000",
    ]);
    let log = stderr(&run(again));
    assert!(log.contains("resuming"), "{log}");
    assert!(
        log.contains("every process holds the same weights"),
        "{log}"
    );
    assert!(out.path().join("vectors.bin").exists(), "{log}");
}

#[test]
fn processes_that_read_different_corpora_are_refused() {
    let Some(mut mpi) = mpirun(1) else { return };
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.txt"), dir.path().join("b.txt"));
    std::fs::write(&a, "the cat sat on the mat\n".repeat(50)).unwrap();
    std::fs::write(&b, "a dog ran in the park\n".repeat(50)).unwrap();
    let out = dir.path().join("run").join("vectors.txt");
    let train = |corpus: &Path| {
        let mut args: Vec<std::ffi::OsString> = ["train", "--distributed", "--min-count", "1"]
            .map(Into::into)
            .to_vec();
        args.extend(["--corpus".into(), corpus.into(), "--output".into()]);
        args.push(out.clone().into());
        args
    };
    // One process on each file: MPI's multiple-program form, `A : B`.
    mpi.args(train(&a))
        .args([":", "-np", "1", env!("CARGO_BIN_EXE_wordvec")]);
    let o = mpi.args(train(&b)).output().unwrap();
    let log = stderr(&o);
    assert!(!o.status.success(), "{log}");
    assert!(log.contains("reads a different corpus"), "{log}");
}

/// The pid of the `wordvec` process of MPI rank `rank` whose command line names `output`.
fn process_of_rank(rank: usize, output: &str) -> Option<u32> {
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
        let cmdline = String::from_utf8_lossy(&cmdline);
        let Some(program) = cmdline.split('\0').next() else {
            continue;
        };
        if !program.ends_with("wordvec") || !cmdline.contains(output) {
            continue;
        }
        let environ = std::fs::read(entry.path().join("environ")).unwrap_or_default();
        let wanted = format!("OMPI_COMM_WORLD_RANK={rank}");
        if String::from_utf8_lossy(&environ)
            .split('\0')
            .any(|v| v == wanted)
        {
            return Some(pid);
        }
    }
    None
}
