//! The ways of training, each a [`Step`](super::driver::Step) for the one driver: word2vec and
//! GloVe, each fused (the backend's kernel updates the touched rows in place) or autodiff (the
//! Burn module's loss, `backward()`, any Burn optimizer).

mod autodiff;
mod glove_autodiff;
mod glove_fused;
mod word2vec_autodiff;
mod word2vec_fused;

use std::sync::Arc;

use burn::prelude::*;

use self::glove_autodiff::AutodiffGlove;
use self::glove_fused::FusedGlove;
use self::word2vec_autodiff::AutodiffWord2Vec;
use self::word2vec_fused::FusedWord2Vec;
use super::driver::drive;
use super::glove_entries::Entries;
use super::memory;
use super::monitor::RunControl;
use super::start::Word2VecStart;
use super::trained::Trained;
use super::{ModelOptions, TrainConfig, UpdateKind};
use crate::error::Result;
use crate::text::{Corpus, Vocab};

/// Trains the model of `config` (validated) on `corpus` and `device` with the step its model and
/// update path call for.
pub(crate) fn train(
    config: &TrainConfig,
    corpus: &Corpus,
    vocab: Arc<Vocab>,
    device: &Device,
    control: &mut RunControl,
) -> Result<Trained> {
    config.validate_for_words(vocab.len())?;
    memory::check(config, vocab.len(), Some(&control.progress))?;
    match (&config.model, config.update) {
        (ModelOptions::Word2Vec(options), update) => {
            let resuming = control.resume.is_some();
            let start = match control.start.take() {
                Some(start) => start,
                None => Word2VecStart::new(config, &vocab, resuming, &control.progress)?,
            };
            let (options, vocab_ref) = (*options, vocab.clone());
            match update {
                UpdateKind::Fused => {
                    let step = FusedWord2Vec::new(
                        config, options, start, corpus, vocab_ref, device, control,
                    )?;
                    drive(step, config, vocab, control)
                }
                UpdateKind::Autodiff => {
                    let step =
                        AutodiffWord2Vec::new(config, options, start, corpus, vocab_ref, device)?;
                    drive(step, config, vocab, control)
                }
            }
        }
        (ModelOptions::Glove(options), update) => {
            let entries = Entries::count(config, options, corpus, &vocab, &control.progress)?;
            match update {
                UpdateKind::Fused => {
                    let step = FusedGlove::new(config, options, &entries, vocab.clone(), device);
                    drive(step, config, vocab, control)
                }
                UpdateKind::Autodiff => {
                    let step =
                        AutodiffGlove::new(config, options, &entries, vocab.clone(), device)?;
                    drive(step, config, vocab, control)
                }
            }
        }
    }
}
