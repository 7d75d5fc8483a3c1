//! Negative words drawn from the unigram distribution raised to 3/4, by Walker's alias method:
//! exact probabilities, O(1) per draw, memory proportional to the vocabulary.

use rand::RngCore;

use crate::rng::Rng;

/// Draws word ids with probability ∝ count^power.
#[derive(Debug, Clone)]
pub struct NegativeSampler {
    /// Acceptance threshold of each bucket, scaled to 2^32.
    accept: Vec<u32>,
    alias: Vec<u32>,
}

impl NegativeSampler {
    /// word2vec uses `power` = 0.75.
    pub fn new(counts: &[u64], power: f64) -> Self {
        let n = counts.len();
        assert!(n > 0, "a sampler needs at least one word");
        let weights: Vec<f64> = counts.iter().map(|&c| (c as f64).powf(power)).collect();
        let total: f64 = weights.iter().sum();
        let mut scaled: Vec<f64> = weights.iter().map(|w| w * n as f64 / total).collect();
        let mut alias: Vec<u32> = (0..n as u32).collect();
        let (mut small, mut large): (Vec<usize>, Vec<usize>) =
            (0..n).partition(|&i| scaled[i] < 1.0);
        while let (Some(&s), Some(&l)) = (small.last(), large.last()) {
            small.pop();
            alias[s] = l as u32;
            scaled[l] -= 1.0 - scaled[s];
            if scaled[l] < 1.0 {
                large.pop();
                small.push(l);
            }
        }
        // Leftovers are 1 up to rounding.
        for i in small.into_iter().chain(large) {
            scaled[i] = 1.0;
        }
        let accept = scaled
            .iter()
            .map(|&p| (p * 4_294_967_296.0).min(u32::MAX as f64) as u32)
            .collect();
        NegativeSampler { accept, alias }
    }

    /// One draw.
    #[inline]
    pub fn sample(&self, rng: &mut Rng) -> u32 {
        let r = rng.next_u64();
        let bucket = ((r >> 32) * self.accept.len() as u64) >> 32;
        if (r as u32) < self.accept[bucket as usize] {
            bucket as u32
        } else {
            self.alias[bucket as usize]
        }
    }

    /// The alias tables for samplers elsewhere (a GPU kernel): each bucket's acceptance
    /// probability and its alias.
    pub fn tables(&self) -> (Vec<f32>, Vec<u32>) {
        let accept = self
            .accept
            .iter()
            .map(|&a| (a as f64 / 4_294_967_296.0) as f32)
            .collect();
        (accept, self.alias.clone())
    }

    pub fn len(&self) -> usize {
        self.accept.len()
    }

    pub fn is_empty(&self) -> bool {
        self.accept.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distribution_is_the_unigram_to_the_chosen_power() {
        // word2vec's 3/4, the unigram itself, uniform, and one favouring rare words.
        for power in [0.75, 1.0, 0.0, -0.5] {
            draws_in_proportion_to(power);
        }
    }

    fn draws_in_proportion_to(power: f64) {
        let counts = [10_000u64, 3_000, 500, 80, 7, 1];
        let s = NegativeSampler::new(&counts, power);
        let mut rng = crate::rng::rng_for(3, 0);
        let n = 1_000_000;
        let mut hist = [0u64; 6];
        for _ in 0..n {
            hist[s.sample(&mut rng) as usize] += 1;
        }
        let z: f64 = counts.iter().map(|&c| (c as f64).powf(power)).sum();
        for (i, &c) in counts.iter().enumerate() {
            let p = (c as f64).powf(power) / z;
            let sd = (n as f64 * p * (1.0 - p)).sqrt();
            let dev = (hist[i] as f64 - n as f64 * p).abs();
            assert!(
                dev <= 5.0 * sd + 1.0,
                "power {power}, word {i}: {} vs {}",
                hist[i],
                n as f64 * p
            );
        }
    }
}
