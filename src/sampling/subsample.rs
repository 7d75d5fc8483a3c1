//! Subsampling of frequent words (Mikolov et al. 2013, in word2vec's code form).

use rand::RngCore;

use crate::rng::Rng;

/// Decides, per occurrence, whether a word is kept for training.
#[derive(Debug, Clone)]
pub struct Subsampler {
    /// Keep probability scaled to 2^32; 2^32 or more means always.
    thresholds: Vec<u64>,
}

impl Subsampler {
    /// word2vec's rule: keep with probability (√(f/(s·T)) + 1)·(s·T)/f for a word seen f times
    /// among T, with `sample` = s; `sample` 0 keeps everything.
    pub fn new(counts: &[u64], sample: f64) -> Self {
        let total: u64 = counts.iter().sum();
        let thresholds = counts
            .iter()
            .map(|&f| Self::keep_probability(f, total, sample))
            .map(|p| (p.min(1.0) * 4_294_967_296.0).ceil() as u64)
            .collect();
        Subsampler { thresholds }
    }

    /// The probability of keeping one occurrence of a word seen `count` times among `total`.
    pub fn keep_probability(count: u64, total: u64, sample: f64) -> f64 {
        if sample <= 0.0 || count == 0 {
            return 1.0;
        }
        let st = sample * total as f64;
        let f = count as f64;
        ((f / st).sqrt() + 1.0) * st / f
    }

    #[inline]
    pub fn keep(&self, id: u32, rng: &mut Rng) -> bool {
        (rng.next_u32() as u64) < self.thresholds[id as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_match_the_formula_within_bounds() {
        // One very frequent word, one medium, one rare.
        let counts = [1_000_000u64, 20_000, 10];
        let total: u64 = counts.iter().sum();
        let s = Subsampler::new(&counts, 1e-3);
        let mut rng = crate::rng::rng_for(1, 0);
        let n = 200_000;
        for (id, &c) in counts.iter().enumerate() {
            let p = Subsampler::keep_probability(c, total, 1e-3).min(1.0);
            let kept = (0..n).filter(|_| s.keep(id as u32, &mut rng)).count() as f64;
            let sd = (n as f64 * p * (1.0 - p)).sqrt();
            assert!(
                (kept - n as f64 * p).abs() <= 5.0 * sd + 1.0,
                "word {id}: kept {kept}, p {p}"
            );
        }
        // The frequent word is kept at about 3.3%, the rare always.
        assert!((Subsampler::keep_probability(1_000_000, total, 1e-3) - 0.0333).abs() < 1e-3);
        assert_eq!(Subsampler::keep_probability(10, total, 1e-3).min(1.0), 1.0);
        assert_eq!(Subsampler::keep_probability(10, total, 0.0), 1.0);
    }
}
