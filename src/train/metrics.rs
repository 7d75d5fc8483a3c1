//! `metrics.jsonl`: one JSON object a line, written as the run goes, so a run can be plotted
//! while it trains, compared when it is done, and continued after a resume without gaps.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::TrainConfig;
use crate::error::{Error, Result};
use crate::files::{atomic_write, numbered_lines};

/// The file name inside a run directory.
pub const METRICS_FILE: &str = "metrics.jsonl";

/// Sees each record of a run as it is made (see `RunOptions::observer`).
pub type Observer = std::sync::Arc<dyn Fn(&MetricRecord) + Send + Sync>;

/// One line of the metrics file. `words` counts corpus words read since the run began (before
/// subsampling), `seconds` the training time since it began (evaluations and checkpoints
/// excluded, time before a resume included).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum MetricRecord {
    /// The run (or a resumed part of it) starts.
    Start {
        config: Box<TrainConfig>,
        vocab_size: usize,
        total_words: u64,
        /// Words already trained when this part began (0 for a fresh run).
        resumed_at: u64,
    },
    /// The loss since the previous interval: the true mean over the examples trained in it.
    Interval {
        epoch: usize,
        words: u64,
        seconds: f64,
        loss: f64,
        examples: u64,
        lr: f64,
        words_per_second: f64,
    },
    /// An epoch ended; `loss` is its mean over all its examples.
    Epoch {
        epoch: usize,
        words: u64,
        seconds: f64,
        loss: f64,
        examples: u64,
    },
    /// Benchmark figures of the input vectors at this point (see `EvalReport::figures`).
    Eval {
        epoch: usize,
        words: u64,
        seconds: f64,
        figures: BTreeMap<String, f64>,
    },
    /// The run finished.
    End {
        words: u64,
        seconds: f64,
        words_per_second: f64,
    },
}

impl MetricRecord {
    /// Words trained when the record was written.
    pub fn words(&self) -> u64 {
        match self {
            MetricRecord::Start { resumed_at, .. } => *resumed_at,
            MetricRecord::Interval { words, .. }
            | MetricRecord::Epoch { words, .. }
            | MetricRecord::Eval { words, .. }
            | MetricRecord::End { words, .. } => *words,
        }
    }
}

/// Appends records to a run's metrics file, each line flushed as written.
pub struct MetricsLog {
    path: PathBuf,
    out: BufWriter<File>,
}

impl MetricsLog {
    /// Starts a new file in `dir`, replacing an old one.
    pub fn create(dir: &Path) -> Result<Self> {
        let path = dir.join(METRICS_FILE);
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let file = File::create(&path).map_err(|e| Error::io(&path, e))?;
        Ok(MetricsLog {
            path,
            out: BufWriter::new(file),
        })
    }

    /// Continues the file in `dir` from a checkpoint taken at `words`: records written after it
    /// (by the part of the run that was lost) are dropped, so the file reads as one run.
    pub fn resume(dir: &Path, words: u64) -> Result<Self> {
        let path = dir.join(METRICS_FILE);
        let kept: Vec<MetricRecord> = if path.exists() {
            read_metrics(&path)?
                .into_iter()
                .filter(|r| !matches!(r, MetricRecord::End { .. }) && r.words() <= words)
                .collect()
        } else {
            Vec::new()
        };
        atomic_write(&path, |w| {
            for r in &kept {
                serde_json::to_writer(&mut *w, r)?;
                writeln!(w)?;
            }
            Ok(())
        })?;
        let file = OpenOptions::new()
            .append(true)
            .open(&path)
            .map_err(|e| Error::io(&path, e))?;
        Ok(MetricsLog {
            path,
            out: BufWriter::new(file),
        })
    }

    pub fn write(&mut self, record: &MetricRecord) -> Result<()> {
        let mut line = serde_json::to_vec(record).expect("metrics serialize");
        line.push(b'\n');
        self.out
            .write_all(&line)
            .and_then(|_| self.out.flush())
            .map_err(|e| Error::io(&self.path, e))
    }
}

/// Reads a metrics file; a line that is not a record is an error naming it.
pub fn read_metrics(path: &Path) -> Result<Vec<MetricRecord>> {
    let mut records = Vec::new();
    for line in numbered_lines(path)? {
        let (n, line) = line?;
        if line.trim().is_empty() {
            continue;
        }
        let record = serde_json::from_str(&line)
            .map_err(|e| Error::parse(path, n, format!("not a metrics record: {e}")))?;
        records.push(record);
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn interval(words: u64) -> MetricRecord {
        MetricRecord::Interval {
            epoch: 0,
            words,
            seconds: words as f64,
            loss: 1.0,
            examples: 10,
            lr: 0.025,
            words_per_second: 1.0,
        }
    }

    #[test]
    fn resume_drops_what_came_after_the_checkpoint() {
        let dir = tempfile::tempdir().unwrap();
        let mut log = MetricsLog::create(dir.path()).unwrap();
        for w in [10, 20, 30] {
            log.write(&interval(w)).unwrap();
        }
        log.write(&MetricRecord::End {
            words: 30,
            seconds: 3.0,
            words_per_second: 10.0,
        })
        .unwrap();
        drop(log);
        let mut log = MetricsLog::resume(dir.path(), 20).unwrap();
        log.write(&interval(25)).unwrap();
        drop(log);
        let words: Vec<u64> = read_metrics(&dir.path().join(METRICS_FILE))
            .unwrap()
            .iter()
            .map(MetricRecord::words)
            .collect();
        assert_eq!(words, [10, 20, 25]);
    }

    #[test]
    fn a_bad_line_names_the_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(METRICS_FILE);
        let good = serde_json::to_string(&interval(1)).unwrap();
        std::fs::write(&path, format!("{good}\n{{\"event\":\"nonsense\"}}\n")).unwrap();
        let e = read_metrics(&path).unwrap_err().to_string();
        assert!(e.contains("metrics.jsonl:2: not a metrics record"), "{e}");
    }
}
