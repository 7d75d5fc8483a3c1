//! word2vec's precomputed log-sigmoid: 1,000 steps over [−6, 6], exact limits outside. The CPU
//! kernel reads its loss from it (the gradient uses the exact sigmoid).

/// Scores beyond this magnitude take the limits of log σ.
const MAX_EXP: f32 = 6.0;
const SIZE: usize = 1000;

/// log σ(x) by table look-up.
#[derive(Debug, Clone)]
pub struct SigmoidTable {
    log_sigmoid: Vec<f32>,
}

impl Default for SigmoidTable {
    fn default() -> Self {
        let at = |i: usize| (i as f32 / SIZE as f32 * 2.0 - 1.0) * MAX_EXP;
        SigmoidTable {
            log_sigmoid: (0..=SIZE).map(|i| -(-at(i)).exp().ln_1p()).collect(),
        }
    }
}

impl SigmoidTable {
    /// The process's one table, built on first use.
    pub fn shared() -> &'static SigmoidTable {
        static TABLE: std::sync::LazyLock<SigmoidTable> =
            std::sync::LazyLock::new(SigmoidTable::default);
        &TABLE
    }

    #[inline]
    fn index(x: f32) -> usize {
        ((x + MAX_EXP) * (SIZE as f32 / MAX_EXP / 2.0)) as usize
    }

    /// log σ(x), linear (x) far on the left and 0 far on the right.
    #[inline]
    pub fn log_sigmoid(&self, x: f32) -> f32 {
        if x <= -MAX_EXP {
            x
        } else if x >= MAX_EXP {
            0.0
        } else {
            self.log_sigmoid[Self::index(x)]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_close_to_exact() {
        let t = SigmoidTable::default();
        for i in -599..600 {
            let x = i as f32 / 100.0;
            let exact = 1.0 / (1.0 + (-x).exp());
            assert!((t.log_sigmoid(x) - exact.ln()).abs() < 0.02, "{x}");
        }
        assert!((t.log_sigmoid(-30.0) - (-30.0)).abs() < 1e-6);
    }
}
