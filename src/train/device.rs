//! From `--backend` to a Burn `Device`: the only place that knows which backends exist.

use burn::prelude::Device;

use super::config::BackendKind;
use crate::error::{Error, Result};

/// The device for `kind`, or a clear error naming the cargo feature that would enable it.
pub fn select_device(kind: BackendKind) -> Result<Device> {
    select_gpu(kind, 0).map(|(device, _)| device)
}

/// The device for `kind` of the process `gpu`th on its machine (a distributed run's processes
/// take a machine's GPUs in turn): its `gpu`th GPU, or, where the machine has fewer, the one a
/// lone process takes, with a line saying so for the log. GPU 0 is the one a lone process takes.
pub fn select_gpu(kind: BackendKind, gpu: usize) -> Result<(Device, Option<String>)> {
    let device = match kind {
        BackendKind::Cpu => return cpu().map(|d| (d, None)),
        BackendKind::Ndarray => return ndarray().map(|d| (d, None)),
        BackendKind::Wgpu => wgpu(gpu),
        BackendKind::Cuda => cuda(gpu),
    };
    match (device, gpu) {
        (Some(device), _) => Ok((device, None)),
        (None, 0) => Err(unavailable(kind)),
        (None, _) => {
            let shared = select_device(kind)?;
            let note = format!(
                "GPU {gpu} (this process's place among those on its machine) was not found: it shares the first GPU; start as many processes a machine as it has GPUs"
            );
            Ok((shared, Some(note)))
        }
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

/// The error of a GPU backend whose device is missing, or of one this build lacks.
fn unavailable(kind: BackendKind) -> Error {
    match kind {
        BackendKind::Wgpu if cfg!(feature = "wgpu") => Error::DeviceUnavailable {
            name: "wgpu",
            hint: "it needs a Vulkan (with the loader, libvulkan1), Metal, DirectX 12 or OpenGL ES \
               driver; on Linux without a GPU, Mesa's software driver (mesa-vulkan-drivers) works",
        },
        BackendKind::Cuda if cfg!(feature = "cuda") => Error::DeviceUnavailable {
            name: "cuda",
            hint: "it needs an NVIDIA GPU with its driver (libcuda) and NVRTC",
        },
        BackendKind::Cuda => Error::BackendUnavailable {
            name: "cuda",
            feature: "cuda",
        },
        _ => Error::BackendUnavailable {
            name: "wgpu",
            feature: "wgpu",
        },
    }
}

/// wgpu's best device for GPU 0, its `gpu`th discrete GPU otherwise; `None` where it is missing.
#[cfg(feature = "wgpu")]
fn wgpu(gpu: usize) -> Option<Device> {
    use burn::tensor::DeviceKind;
    let kind = match gpu {
        0 => DeviceKind::DefaultDevice,
        n => DeviceKind::DiscreteGpu(n),
    };
    let device = Device::wgpu(kind);
    probe(&device).then_some(device)
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
fn wgpu(_gpu: usize) -> Option<Device> {
    None
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
fn cuda(gpu: usize) -> Option<Device> {
    let device = Device::cuda(gpu);
    probe(&device).then_some(device)
}

#[cfg(not(feature = "cuda"))]
fn cuda(_gpu: usize) -> Option<Device> {
    None
}
