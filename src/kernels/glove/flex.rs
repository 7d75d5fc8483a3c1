//! The GloVe step on Flex: the CPU kernel ([`super::cpu`]) on the tensors' own memory.

use burn::backend::Flex;
use burn::tensor::TensorData;
use burn_flex::FlexTensor;

use super::cpu::{GloveRows, train_glove_chunk};
use super::{GloveBackend, GloveSettings};
use crate::kernels::flex::{ids, owned_f32};

impl GloveBackend for Flex {
    fn glove_chunk(
        word: FlexTensor,
        context: FlexTensor,
        word_sq: FlexTensor,
        context_sq: FlexTensor,
        pairs: FlexTensor,
        counts: FlexTensor,
        settings: GloveSettings,
    ) -> (FlexTensor, FlexTensor, FlexTensor, FlexTensor, FlexTensor) {
        let (mut word, mut context) = (owned_f32(word), owned_f32(context));
        let (mut word_sq, mut context_sq) = (owned_f32(word_sq), owned_f32(context_sq));
        let dim = word.layout().shape()[1] - 1;
        let pairs = ids(&pairs);
        let counts = owned_f32(counts);
        let loss = train_glove_chunk(
            GloveRows {
                word: word.storage_mut::<f32>(),
                context: context.storage_mut::<f32>(),
                word_sq: word_sq.storage_mut::<f32>(),
                context_sq: context_sq.storage_mut::<f32>(),
            },
            dim,
            &pairs,
            counts.storage::<f32>(),
            &settings,
        );
        let row = vec![
            loss.loss.sum as f32,
            loss.loss.pairs as f32,
            loss.non_finite as f32,
        ];
        let loss = FlexTensor::from_data(TensorData::new(row, [1, 3]));
        (word, context, word_sq, context_sq, loss)
    }
}
