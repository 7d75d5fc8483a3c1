//! SIMD for the CPU kernels: their hot loops compiled again for AVX-512 and for AVX2 + FMA, the
//! best chosen at run time, and cache prefetch hints. The loops themselves are plain Rust (`crate::linalg`), which
//! the compiler vectorises for whichever target it compiles them for; the `unsafe` that choosing
//! a target at run time needs is here.

/// A kernel's hot loop, to compile for the best SIMD this CPU has. Its `run` must be
/// `inline(always)`, as must everything it calls, so that all of it is compiled into each copy
/// (a closure would not do: the compiler declines to inline a large one into the SIMD copies).
pub(crate) trait SimdWork {
    type Output;
    fn run(self) -> Self::Output;
}

/// Runs `work` compiled for AVX-512 (F and VL) when this CPU has it, else for AVX2 and FMA when it
/// has them, else for the baseline target. Float results are the same every way (Rust never fuses
/// a multiply and an add on its own, and the loops' partial sums do not depend on the vector
/// width); only the speed differs: AVX-512 halves the instructions of a 100-wide row, and
/// hierarchical softmax, whose steps wait on one another, gains most.
#[inline(always)]
pub(crate) fn with_best_simd<W: SimdWork>(work: W) -> W::Output {
    #[cfg(target_arch = "x86_64")]
    {
        if std::is_x86_feature_detected!("avx512f") && std::is_x86_feature_detected!("avx512vl") {
            // SAFETY: the CPU has the features the function is compiled for.
            return unsafe { avx512(work) };
        }
        if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
            // SAFETY: the CPU has the features the function is compiled for.
            return unsafe { avx2_fma(work) };
        }
    }
    work.run()
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512vl,avx2,fma")]
unsafe fn avx512<W: SimdWork>(work: W) -> W::Output {
    work.run()
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn avx2_fma<W: SimdWork>(work: W) -> W::Output {
    work.run()
}

/// Asks for the cache lines of a row of `len` floats starting at `p` (a hint: never faults,
/// whatever the address).
#[inline(always)]
pub(crate) fn prefetch_row(p: *const f32, len: usize) {
    #[cfg(target_arch = "x86_64")]
    for line in (0..len * 4).step_by(64) {
        // SAFETY: prefetching is a hint and never faults, whatever the address.
        unsafe {
            use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
            _mm_prefetch::<_MM_HINT_T0>(p.cast::<i8>().wrapping_add(line));
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (p, len);
}
