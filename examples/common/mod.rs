//! What the benchmarks share: flags, measuring a child process, scoring a vectors file.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, Result, bail};

pub fn flag<T: std::str::FromStr>(args: &[String], name: &str, default: T) -> Result<T> {
    Ok(optional_flag(args, name)?.unwrap_or(default))
}

/// The value after `name`, or `None` when the flag is not given.
pub fn optional_flag<T: std::str::FromStr>(args: &[String], name: &str) -> Result<Option<T>> {
    match args.iter().position(|a| a == name) {
        None => Ok(None),
        Some(i) => args
            .get(i + 1)
            .and_then(|v| v.parse().ok())
            .map(Some)
            .with_context(|| format!("{name} needs a value")),
    }
}

/// The corpus, the benchmarks' one positional argument; `usage` is the error without it.
pub fn corpus_arg(args: &[String], usage: &str) -> Result<PathBuf> {
    match args.first().filter(|a| !a.starts_with("--")) {
        Some(corpus) => Ok(PathBuf::from(corpus)),
        None => bail!("usage: {usage}"),
    }
}

/// What one trainer cost.
pub struct Cost {
    pub wall_s: f64,
    pub cpu_s: f64,
    pub peak_mib: f64,
    pub stdout: String,
}

/// Runs `command` to the end, its standard error going to `stderr`, and measures it with its
/// own resource usage (`wait4`), so the figures include neither this program nor another child.
pub fn measure(mut command: Command, stderr: Stdio) -> Result<Cost> {
    let start = Instant::now();
    let child = command
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .with_context(|| format!("start {command:?}"))?;
    let pid = child.id() as libc::pid_t;
    let mut stdout = child.stdout.context("child stdout")?;
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut s).map(|_| s)
    });
    let mut status = 0;
    // SAFETY: an all-zero rusage is valid, and `wait4` only writes into the two locals.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall_s = start.elapsed().as_secs_f64();
    if waited != pid {
        bail!(
            "waiting for {command:?}: {}",
            std::io::Error::last_os_error()
        );
    }
    if !libc::WIFEXITED(status) || libc::WEXITSTATUS(status) != 0 {
        bail!("{command:?} failed (status {status})");
    }
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 * 1e-6;
    Ok(Cost {
        wall_s,
        cpu_s: seconds(usage.ru_utime) + seconds(usage.ru_stime),
        peak_mib: usage.ru_maxrss as f64 / 1024.0,
        stdout: reader.join().expect("reader thread")?,
    })
}

/// Quality of a vectors file, by wordvec's evaluator (it agrees with gensim's on the same file).
pub struct Quality {
    pub analogy: f64,
    pub wordsim: f64,
    pub simlex: f64,
}

pub fn evaluate(wordvec: &Path, vectors: &Path, eval_dir: &Path) -> Result<Quality> {
    let output = Command::new(wordvec)
        .arg("eval")
        .arg("--vectors")
        .arg(vectors)
        .arg("--analogies")
        .arg(eval_dir.join("questions-words.txt"))
        .arg("--similarity")
        .arg(eval_dir.join("wordsim353.tsv"))
        .arg("--similarity")
        .arg(eval_dir.join("simlex999.txt"))
        .arg("--json")
        .output()
        .context("run wordvec eval")?;
    if !output.status.success() {
        bail!(
            "wordvec eval failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let report: serde_json::Value = serde_json::from_slice(&output.stdout)?;
    let spearman = |i: usize| {
        report["similarity"][i]["spearman"]
            .as_f64()
            .unwrap_or(f64::NAN)
    };
    Ok(Quality {
        analogy: report["analogy"]["accuracy_3cosadd"]
            .as_f64()
            .unwrap_or(f64::NAN),
        wordsim: spearman(0),
        simlex: spearman(1),
    })
}

/// The `wordvec` binary: `--wordvec FILE`, or the one built beside the running example.
pub fn wordvec_binary(args: &[String]) -> Result<PathBuf> {
    let beside_example = std::env::current_exe()?
        .parent()
        .and_then(Path::parent)
        .map(|dir| dir.join("wordvec"))
        .context("locate the wordvec binary")?;
    let wordvec: PathBuf = flag(args, "--wordvec", beside_example)?;
    if !wordvec.exists() {
        bail!(
            "{} not found: run `cargo build --release` first or pass --wordvec",
            wordvec.display()
        );
    }
    Ok(wordvec)
}
