//! Sentences of word ids, subsampled, ready for windowing.

use std::path::Path;

use crate::error::Result;
use crate::text::{MAX_SENTENCE_TOKENS, TokenSink, Vocab};

use super::Subsampler;
use crate::rng::Rng;

/// Maps tokens to ids, drops unknown words, subsamples frequent ones, and hands each sentence
/// (a line, or `MAX_SENTENCE_TOKENS` of it) to `on_sentence` with the number of vocabulary words
/// read for it before subsampling (the count word2vec's learning-rate schedule follows).
pub struct SentenceSink<'a, F> {
    vocab: &'a Vocab,
    subsampler: &'a Subsampler,
    rng: &'a mut Rng,
    sentence: Vec<u32>,
    words_read: u64,
    on_sentence: F,
}

impl<'a, F: FnMut(&[u32], u64, &mut Rng) -> Result<()>> SentenceSink<'a, F> {
    pub fn new(
        vocab: &'a Vocab,
        subsampler: &'a Subsampler,
        rng: &'a mut Rng,
        on_sentence: F,
    ) -> Self {
        SentenceSink {
            vocab,
            subsampler,
            rng,
            sentence: Vec::with_capacity(MAX_SENTENCE_TOKENS),
            words_read: 0,
            on_sentence,
        }
    }

    fn flush(&mut self) -> Result<()> {
        if self.words_read > 0 {
            (self.on_sentence)(&self.sentence, self.words_read, self.rng)?;
        }
        self.sentence.clear();
        self.words_read = 0;
        Ok(())
    }

    /// Hands over the last sentence; call once the scan ends.
    pub fn finish(mut self) -> Result<()> {
        self.flush()
    }
}

impl<F: FnMut(&[u32], u64, &mut Rng) -> Result<()>> TokenSink for SentenceSink<'_, F> {
    #[inline]
    fn token(&mut self, token: &[u8], _file: &Path, _line: u64) -> Result<()> {
        let Some(id) = self.vocab.id(token) else {
            return Ok(());
        };
        self.words_read += 1;
        if self.subsampler.keep(id, self.rng) {
            self.sentence.push(id);
        }
        if self.words_read as usize >= MAX_SENTENCE_TOKENS {
            self.flush()?;
        }
        Ok(())
    }

    fn line_end(&mut self) -> Result<()> {
        self.flush()
    }
}
