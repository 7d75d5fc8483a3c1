//! Stopping a run whose weights broke: a read-back loss that is no longer finite becomes an error
//! that says where and at what rate.

use crate::error::{Error, Result};
use crate::kernels::LossSum;

/// Fails with a clear message once a read-back loss shows broken weights (see
/// [`LossSum::diverged`]), at `words` words with rate `lr`.
pub(crate) fn check_loss(loss: LossSum, words: u64, lr: f64) -> Result<()> {
    if !loss.diverged() {
        return Ok(());
    }
    let value = if loss.sum.is_finite() {
        f64::INFINITY
    } else {
        loss.sum
    };
    Err(Error::Diverged {
        loss: value,
        step: words,
        lr,
        checkpoint: None,
    })
}
