//! The random numbers of every sampler, initialiser and kernel: one generator type, and
//! independent streams of it from one seed, so single-threaded runs repeat bit for bit.

use rand::SeedableRng;

/// The generator: fast, small state, reproducible from a seed.
pub type Rng = rand_xoshiro::Xoshiro256PlusPlus;

/// An independent generator for stream `stream` (a thread, an epoch) of run `seed`.
pub fn rng_for(seed: u64, stream: u64) -> Rng {
    Rng::seed_from_u64(seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(17))
}
