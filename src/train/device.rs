//! From `--backend` to a Burn `Device`: the only place that knows which backends exist.

use burn::prelude::Device;

use super::config::BackendKind;
use crate::error::{Error, Result};

/// The device for `kind`, or a clear error naming the cargo feature that would enable it.
pub fn select_device(kind: BackendKind) -> Result<Device> {
    match kind {
        BackendKind::Cpu => cpu(),
        BackendKind::Wgpu => wgpu(),
        BackendKind::Ndarray => ndarray(),
        BackendKind::Cuda => cuda(),
    }
}

#[cfg(feature = "flex")]
fn cpu() -> Result<Device> {
    Ok(Device::flex())
}

#[cfg(not(feature = "flex"))]
fn cpu() -> Result<Device> {
    Err(Error::BackendUnavailable {
        name: "cpu",
        feature: "flex",
    })
}

#[cfg(feature = "wgpu")]
fn wgpu() -> Result<Device> {
    let device = Device::wgpu(burn::tensor::DeviceKind::DefaultDevice);
    probe(&device)
        .then_some(device)
        .ok_or(Error::DeviceUnavailable {
            name: "wgpu",
            hint: "it needs a Vulkan (with the loader, libvulkan1), Metal, DirectX 12 or OpenGL ES \
               driver; on Linux without a GPU, Mesa's software driver (mesa-vulkan-drivers) works",
        })
}

/// Runs one tiny operation on `device`. Burn reports a missing driver by panicking on first use,
/// on its device thread and then on ours; that becomes an error here, before any work is done,
/// with the panic messages held back.
#[cfg(cubecl_backend)]
fn probe(device: &Device) -> bool {
    use burn::prelude::Tensor;
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let works = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        Tensor::<1>::zeros([1], device).into_data()
    }))
    .is_ok();
    std::panic::set_hook(hook);
    works
}

#[cfg(not(feature = "wgpu"))]
fn wgpu() -> Result<Device> {
    Err(Error::BackendUnavailable {
        name: "wgpu",
        feature: "wgpu",
    })
}

// Deprecated upstream in favour of Flex; kept because users compare against it on purpose.
#[cfg(feature = "ndarray")]
#[allow(deprecated)]
fn ndarray() -> Result<Device> {
    Ok(Device::ndarray())
}

#[cfg(not(feature = "ndarray"))]
fn ndarray() -> Result<Device> {
    Err(Error::BackendUnavailable {
        name: "ndarray",
        feature: "ndarray",
    })
}

#[cfg(feature = "cuda")]
fn cuda() -> Result<Device> {
    let device = Device::cuda(0usize);
    probe(&device)
        .then_some(device)
        .ok_or(Error::DeviceUnavailable {
            name: "cuda",
            hint: "it needs an NVIDIA GPU with its driver (libcuda) and NVRTC",
        })
}

#[cfg(not(feature = "cuda"))]
fn cuda() -> Result<Device> {
    Err(Error::BackendUnavailable {
        name: "cuda",
        feature: "cuda",
    })
}
