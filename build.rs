//! One name for "a CubeCL backend is compiled in" (wgpu or cuda), so the condition is written once.

fn main() {
    cfg_aliases::cfg_aliases! {
        cubecl_backend: { any(feature = "wgpu", feature = "cuda") },
    }
}
