//! Helpers the integration tests share: the binary under test, what it printed, and the devices
//! every backend test runs on. Each test file uses its own subset of them.
#![allow(dead_code)]

pub mod browser;
pub mod serving;

use std::path::Path;
use std::process::{Command, Output};

use burn::prelude::Device;
use wordvec::train::{BackendKind, select_device};

/// The `wordvec` binary built with these tests.
pub fn wordvec() -> Command {
    Command::new(env!("CARGO_BIN_EXE_wordvec"))
}

/// What a run printed on standard error.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The CPU, and wgpu when it is compiled in (in CI, Mesa's software Vulkan driver).
pub fn devices() -> Vec<(&'static str, Device)> {
    let mut devices = vec![("cpu", select_device(BackendKind::Cpu).unwrap())];
    if cfg!(feature = "wgpu") {
        devices.push(("wgpu", select_device(BackendKind::Wgpu).unwrap()));
    }
    devices
}

/// A matrix's values on the host, row-major.
pub fn host(t: burn::prelude::Tensor<2>) -> Vec<f32> {
    t.into_data()
        .convert::<f32>()
        .try_into_vec::<f32>()
        .unwrap()
}

/// Runs `command` with `input` on its standard input; its output and status, collected.
pub fn output_with_stdin(command: &mut Command, input: &[u8]) -> Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run wordvec");
    child
        .stdin
        .take()
        .expect("piped")
        .write_all(input)
        .expect("write standard input");
    child.wait_with_output().expect("wait for wordvec")
}

/// Whether python3 with gensim is installed; says why a test skips where it is not.
pub fn gensim_available() -> bool {
    let found = Command::new("python3")
        .args(["-c", "import gensim"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        eprintln!("skipped: python3 with gensim is not installed (pip install gensim==4.4.0)");
    }
    found
}

/// A corpus of `lines` lines with planted phrases (`new york`, `bank of america`, …) among random
/// words and connector words, written to `dir/corpus.txt`.
pub fn planted_phrases(dir: &Path, lines: usize) -> std::path::PathBuf {
    let mut state = 11u64;
    let mut next = |n: u64| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) % n
    };
    let planted = [
        "new york",
        "los angeles",
        "bank of america",
        "united states",
    ];
    let lines: Vec<String> = (0..lines)
        .map(|_| {
            let mut words: Vec<String> = Vec::new();
            for _ in 0..(5 + next(10)) {
                match next(8) {
                    0 => words.push(planted[next(4) as usize].to_string()),
                    1 => words.push(["of", "the", "a"][next(3) as usize].to_string()),
                    _ => words.push(format!("w{}", next(400))),
                }
            }
            words.join(" ")
        })
        .collect();
    let path = dir.join("corpus.txt");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}
