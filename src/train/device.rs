//! From `--backend` to a Burn `Device`: the only place that knows which backends exist.

use burn::prelude::Device;

use super::config::BackendKind;
use crate::error::Result;

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
    Err(crate::Error::BackendUnavailable {
        name: "cpu",
        feature: "flex",
    })
}

#[cfg(feature = "wgpu")]
fn wgpu() -> Result<Device> {
    Ok(Device::wgpu(burn::tensor::DeviceKind::DefaultDevice))
}

#[cfg(not(feature = "wgpu"))]
fn wgpu() -> Result<Device> {
    Err(crate::Error::BackendUnavailable {
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
    Err(crate::Error::BackendUnavailable {
        name: "ndarray",
        feature: "ndarray",
    })
}

#[cfg(feature = "cuda")]
fn cuda() -> Result<Device> {
    Ok(Device::cuda(0usize))
}

#[cfg(not(feature = "cuda"))]
fn cuda() -> Result<Device> {
    Err(crate::Error::BackendUnavailable {
        name: "cuda",
        feature: "cuda",
    })
}
