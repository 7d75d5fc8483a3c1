//! Progress of long work: a bar with words/s, loss, learning rate and ETA on a terminal, plain
//! periodic lines otherwise (logs, CI).

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Reports training progress over a known number of words.
pub struct Progress {
    bar: ProgressBar,
    terminal: bool,
    started: Instant,
    last_line: Instant,
    quiet: bool,
    /// The latest loss figure, shown until the next one.
    last_loss: Option<f64>,
    /// Words already done when this process started (a resumed run), not counted in its rate.
    base_words: u64,
}

const LINE_EVERY: Duration = Duration::from_secs(15);

impl Progress {
    /// `quiet` silences everything (library use, tests).
    pub fn new(total_words: u64, quiet: bool) -> Self {
        let terminal = std::io::stderr().is_terminal() && !quiet;
        let bar = ProgressBar::with_draw_target(
            Some(total_words),
            if terminal {
                ProgressDrawTarget::stderr_with_hz(4)
            } else {
                ProgressDrawTarget::hidden()
            },
        );
        bar.set_style(
            ProgressStyle::with_template("{bar:30.cyan/blue} {percent:>3}% {msg} ETA {eta}")
                .expect("valid template")
                .progress_chars("=> "),
        );
        Progress {
            bar,
            terminal,
            started: Instant::now(),
            last_line: Instant::now(),
            quiet,
            base_words: 0,
            last_loss: None,
        }
    }

    /// Training starts (or continues a run that had done `words`): the bar starts there, the
    /// rate counts from now, not from whatever preparation came before.
    pub fn resume_at(&mut self, words: u64) {
        self.base_words = words;
        self.started = Instant::now();
        self.bar.set_position(words);
    }

    /// Seconds since the bar started.
    pub fn elapsed(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }

    /// Shows the run at `words_done`, with the mean loss of the latest interval.
    pub fn update(&mut self, words_done: u64, loss: Option<f64>, lr: f64) {
        let rate = words_done.saturating_sub(self.base_words) as f64 / self.elapsed().max(1e-9);
        self.last_loss = loss.or(self.last_loss);
        let loss = self
            .last_loss
            .map_or("-".to_string(), |l| format!("{l:.4}"));
        let msg = format!("{:>8.0} words/s  loss {loss}  lr {lr:.6}", rate);
        self.bar.set_position(words_done);
        if self.terminal {
            self.bar.set_message(msg);
        } else if !self.quiet && self.last_line.elapsed() >= LINE_EVERY {
            self.last_line = Instant::now();
            let total = self.bar.length().unwrap_or(1).max(1);
            eprintln!(
                "{:>5.1}%  {msg}  ETA {:.0}s",
                100.0 * words_done as f64 / total as f64,
                self.bar.eta().as_secs_f64()
            );
        }
    }

    /// A line that stays above the bar.
    pub fn log(&self, line: &str) {
        if self.quiet {
            return;
        }
        if self.terminal {
            self.bar.println(line);
        } else {
            eprintln!("{line}");
        }
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// The process's peak resident memory (Linux's VmHWM), where the system reports it.
pub fn peak_memory_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}
