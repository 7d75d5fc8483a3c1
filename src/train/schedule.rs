//! The learning-rate schedule.

use super::{LrSchedule, TrainConfig};

/// word2vec's rate: lr · (1 − done/total), never below lr · 1e-4; or lr throughout.
pub fn linear_lr(lr: f64, linear: bool, words_done: u64, total_words: u64) -> f64 {
    if !linear {
        return lr;
    }
    let left = 1.0 - words_done as f64 / (total_words as f64 + 1.0);
    (lr * left).max(lr * 1e-4)
}

/// A run's schedule: its rate at any point, counted in corpus words.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Schedule {
    lr: f64,
    linear: bool,
    total_words: u64,
}

impl Schedule {
    /// The schedule of `config` over `total_words` words.
    pub fn new(config: &TrainConfig, total_words: u64) -> Self {
        Schedule {
            lr: config.lr,
            linear: config.lr_schedule == LrSchedule::Linear,
            total_words,
        }
    }

    /// The same schedule, every rate `scale` times as high (a distributed run's processes').
    pub fn scaled(self, scale: f64) -> Self {
        Schedule {
            lr: self.lr * scale,
            ..self
        }
    }

    /// The rate once `words` words are done.
    pub fn at(&self, words: u64) -> f64 {
        linear_lr(self.lr, self.linear, words, self.total_words)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decays_linearly_to_the_floor() {
        assert_eq!(linear_lr(0.025, true, 0, 1000), 0.025);
        assert!((linear_lr(0.025, true, 500, 999) - 0.0125).abs() < 1e-9);
        assert_eq!(linear_lr(0.025, true, 2000, 1000), 0.025 * 1e-4);
        assert_eq!(linear_lr(0.025, false, 900, 1000), 0.025);
    }
}
