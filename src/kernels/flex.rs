//! Flex tensors as the CPU kernels need them: uniquely owned f32 storage to update in place, and
//! ids borrowed without a copy.

use std::borrow::Cow;

use burn::tensor::DType;
use burn_flex::FlexTensor;

/// Whether the tensor's storage is exactly its elements, in order (no view, no offset).
fn whole_storage(tensor: &FlexTensor) -> bool {
    tensor.is_contiguous()
        && tensor.layout().contiguous_offsets() == Some((0, tensor.layout().num_elements()))
}

/// A contiguous, uniquely owned f32 tensor whose storage can be updated in place.
pub(crate) fn owned_f32(tensor: FlexTensor) -> FlexTensor {
    if tensor.dtype() == DType::F32 && whole_storage(&tensor) {
        tensor
    } else {
        FlexTensor::from_data(tensor.into_data().convert::<f32>())
    }
}

/// The ids as i32, borrowed when the tensor already holds them so (no copy per chunk).
pub(crate) fn ids(tensor: &FlexTensor) -> Cow<'_, [i32]> {
    match tensor.dtype() {
        DType::I32 if whole_storage(tensor) => Cow::Borrowed(tensor.storage::<i32>()),
        _ => Cow::Owned(
            tensor
                .clone()
                .into_data()
                .convert::<i32>()
                .try_into_vec::<i32>()
                .expect("integer ids convert to i32"),
        ),
    }
}
