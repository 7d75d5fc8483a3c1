//! What a run's model takes in memory — its weights, the optimizer's state beside them, the
//! autodiff path's gradients and the full softmax's scores — said before any of it is allocated,
//! and a run that cannot fit refused with the figure and the flag to change. The subword model's
//! buckets are the usual culprit (2 million rows of 100 floats are 800 MB, and a stateful
//! optimizer's state as much again or twice); a mistyped `--dim` another. GloVe's co-occurrence
//! counting is not counted here: `--memory-gb` bounds it.

use super::progress::Progress;
use super::{LossKind, ModelOptions, TrainConfig, UpdateKind};
use crate::error::{Error, Result};

const MB: f64 = 1e6;

/// The memory a run's model needs, what it is made of, and the flags that shrink it.
struct Estimate {
    bytes: f64,
    parts: String,
    advice: &'static str,
}

/// Refuses a run of `config` over `words` words whose model would not fit in the memory the
/// system says is available, and logs its size when `progress` is given. Before the vocabulary
/// is counted, one word stands for it: an absurd `--dim` or `--bucket` is refused at once.
pub(crate) fn check(config: &TrainConfig, words: usize, progress: Option<&Progress>) -> Result<()> {
    let estimate = estimate(config, words);
    if let Some(progress) = progress {
        progress.log(&format!(
            "model: {} ({})",
            size(estimate.bytes),
            estimate.parts
        ));
    }
    match available_bytes() {
        Some(available) if estimate.bytes > available as f64 => Err(Error::Config(format!(
            "the model needs {} ({}) and this machine has {} available: {}",
            size(estimate.bytes),
            estimate.parts,
            size(available as f64),
            estimate.advice
        ))),
        _ => Ok(()),
    }
}

/// The model's bytes for `words` words: every weight row `dim` floats (GloVe's one more for its
/// bias), the fused optimizer's state beside each, and on the autodiff path a gradient for
/// every weight and the full softmax's batch of scores over the vocabulary (scores,
/// probabilities and their gradient).
fn estimate(config: &TrainConfig, words: usize) -> Estimate {
    let (words, dim) = (words as f64, config.dim as f64);
    let state = config
        .optimizer_params
        .fused(config.optimizer)
        .state_width(config.dim) as f64;
    let autodiff = config.update == UpdateKind::Autodiff;
    let gradient = if autodiff { dim } else { 0.0 };
    match &config.model {
        ModelOptions::Word2Vec(w) => {
            let buckets = w.subwords.map_or(0, |s| s.bucket) as f64;
            let rows = 2.0 * words + buckets;
            let mut bytes = 4.0 * rows * (dim + state + gradient);
            let softmax = autodiff && w.loss == LossKind::Softmax;
            if softmax {
                bytes += 4.0 * 3.0 * config.batch_size as f64 * words;
            }
            let parts = match buckets {
                0.0 => format!("{words} words"),
                _ => format!("{words} words and {buckets} n-gram buckets"),
            };
            Estimate {
                bytes,
                parts: format!(
                    "{parts} × {dim} floats, input and output{}{}{}",
                    if state > 0.0 {
                        ", the optimizer's state"
                    } else {
                        ""
                    },
                    if autodiff { ", gradients" } else { "" },
                    if softmax { ", a batch's scores" } else { "" }
                ),
                advice: match (buckets > 0.0, softmax) {
                    (true, _) => "lower --bucket or --dim",
                    (false, true) => "lower --batch-size, --dim, or --max-vocab",
                    (false, false) => "lower --dim, or --max-vocab",
                },
            }
        }
        ModelOptions::Glove(_) => {
            // The reference's AdaGrad keeps a squared-gradient sum for every weight.
            let state = if autodiff { state } else { dim + 1.0 };
            let rows = 2.0 * words;
            Estimate {
                bytes: 4.0 * rows * (dim + 1.0 + state + gradient),
                parts: format!(
                    "{words} words × {dim} floats and a bias, word and context, the optimizer's state{}",
                    if autodiff { ", gradients" } else { "" }
                ),
                advice: "lower --dim, or --max-vocab",
            }
        }
    }
}

/// Bytes as a reader takes them in: MB, or GB from 10 GB.
fn size(bytes: f64) -> String {
    match bytes / MB {
        mb if mb >= 1e4 => format!("{:.0} GB", mb / 1e3),
        mb => format!("{mb:.0} MB"),
    }
}

/// `MemAvailable` of `/proc/meminfo`, where the system has it.
fn available_bytes() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Subwords;
    use crate::train::{BackendKind, ModelKind, OptimizerKind, Word2VecOptions};

    #[test]
    fn the_buckets_the_optimizers_state_and_the_softmaxs_scores_count() {
        let mut config = TrainConfig::default();
        assert_eq!(estimate(&config, 1000).bytes, 4.0 * 2000.0 * 100.0);
        if let ModelOptions::Word2Vec(w) = &mut config.model {
            w.subwords = Some(Subwords::FASTTEXT);
        }
        assert_eq!(estimate(&config, 1000).bytes, 4.0 * 2_002_000.0 * 100.0);
        config.optimizer = OptimizerKind::Adam;
        assert!(estimate(&config, 1000).bytes > 2.0 * 4.0 * 2_002_000.0 * 100.0);
        let softmax = ModelOptions::Word2Vec(Word2VecOptions {
            loss: LossKind::Softmax,
            ..Word2VecOptions::default()
        });
        let config = TrainConfig::for_model(softmax, None, BackendKind::Cpu);
        let scores = 4.0 * 3.0 * 1024.0 * 1000.0;
        assert!(estimate(&config, 1000).bytes > scores);
        let glove = ModelOptions::of_kind(ModelKind::Glove);
        let config = TrainConfig::for_model(glove, None, BackendKind::Cpu);
        assert_eq!(estimate(&config, 1000).bytes, 4.0 * 2000.0 * 202.0);
    }

    #[test]
    fn a_model_beyond_the_machine_is_refused_with_the_flag_to_lower() {
        if available_bytes().is_none() {
            eprintln!("skipped: no /proc/meminfo to say what memory is available");
            return;
        }
        let config = TrainConfig {
            dim: 1 << 40,
            ..TrainConfig::default()
        };
        let message = check(&config, 1, None).unwrap_err().to_string();
        assert!(message.contains("lower --dim"), "{message}");
    }
}
