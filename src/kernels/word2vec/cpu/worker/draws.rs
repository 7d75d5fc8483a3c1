//! The output rows a worker's examples train: the centre and its noise words, or the inner
//! nodes of its path; drawn now, or one example early so their rows are in the cache in time.

use rand::RngCore;

use super::Worker;
use crate::kernels::simd::prefetch_row;
use crate::kernels::word2vec::MAX_NOISE_REDRAWS;
use crate::kernels::word2vec::cpu::targets::{NoiseTables, OutputTargets};

impl Worker<'_> {
    #[inline(always)]
    pub(super) fn draw_noise(&mut self, noise: NoiseTables<'_>) -> u32 {
        let r = self.rng.next_u64();
        let len = noise.accept.len() as u64;
        let bucket = (((r >> 32) * len) >> 32) as usize;
        let u = (r as u32 >> 8) as f32 * (1.0 / 16_777_216.0);
        let id = if u < noise.accept[bucket] {
            bucket as i32
        } else {
            noise.alias[bucket]
        };
        id.clamp(0, self.shared.rows() as i32 - 1) as u32
    }

    /// The output rows `center` trains with, `count` of them in `targets` with their `labels`:
    /// the centre itself and its noise words, or the inner nodes of its path.
    #[inline(always)]
    pub(super) fn draw_targets(&mut self, center: u32, negative: u32) -> usize {
        let count = match self.outputs {
            OutputTargets::Noise(noise) => {
                self.targets[0] = center;
                self.labels[0] = 1.0;
                let mut count = 1;
                for _ in 0..negative {
                    let mut w = self.draw_noise(noise);
                    // fastText draws again a noise word that is the target, and the subword
                    // model follows it; word2vec skips it.
                    let mut redraws = 0;
                    while self.redraws_noise && w == center && redraws < MAX_NOISE_REDRAWS {
                        w = self.draw_noise(noise);
                        redraws += 1;
                    }
                    if w != center {
                        self.targets[count] = w;
                        self.labels[count] = 0.0;
                        count += 1;
                    }
                }
                count
            }
            OutputTargets::Tree(tree) => {
                let c = center as usize;
                let path = tree.offsets[c] as usize..tree.offsets[c + 1] as usize;
                let count = path.len().min(self.targets.len());
                // The centre's path is already in place, its rows cached, for each of its
                // window's contexts after the first.
                if self.path_of == Some(center) {
                    return count;
                }
                let rows = self.shared.rows() as i32 - 1;
                for (k, (&node, &label)) in tree.nodes[path.clone()]
                    .iter()
                    .zip(&tree.labels[path])
                    .take(count)
                    .enumerate()
                {
                    self.targets[k] = node.clamp(0, rows) as u32;
                    self.labels[k] = label;
                }
                self.path_of = Some(center);
                count
            }
        };
        let state = &self.shared.output_state;
        for &t in &self.targets[..count] {
            prefetch_row(self.output_row(t).as_ptr(), self.shared.dim());
            if state.rows() > 0 {
                prefetch_row(state.row_address(t as usize), state.width());
            }
        }
        count
    }

    /// [`Worker::draw_targets`] for an example centred on `center`, from the draw the example
    /// before made for it where there was one; then, under negative sampling, the `next`
    /// centre's noise words are drawn into `targets_ahead`, so their rows are on their way into
    /// the cache while this example trains (the draws are the same, one centre earlier in the
    /// stream).
    #[inline(always)]
    pub(super) fn centre_targets(
        &mut self,
        center: u32,
        next: Option<u32>,
        negative: u32,
    ) -> usize {
        let count = match self.ahead_of.take() {
            Some((c, count)) if c == center => {
                std::mem::swap(&mut self.targets, &mut self.targets_ahead);
                count
            }
            _ => self.draw_targets(center, negative),
        };
        if let (OutputTargets::Noise(_), Some(next)) = (self.outputs, next) {
            self.ahead_of = Some((next, self.draw_ahead(next, negative)));
        }
        count
    }

    /// [`Worker::draw_targets`] of negative sampling into `targets_ahead`, leaving `targets`
    /// as it is (the labels are the same for every such draw: the word, then its noise).
    #[inline(always)]
    pub(super) fn draw_ahead(&mut self, word: u32, negative: u32) -> usize {
        std::mem::swap(&mut self.targets, &mut self.targets_ahead);
        let count = self.draw_targets(word, negative);
        std::mem::swap(&mut self.targets, &mut self.targets_ahead);
        count
    }
}
