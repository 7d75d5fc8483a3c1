//! The fused word2vec steps on Flex, word-level and subword: the CPU kernel ([`super::cpu`]) on
//! the tensors' own memory.

use burn::backend::Flex;
use burn::tensor::TensorData;
use burn_flex::FlexTensor;

use super::cpu::{Bags, NoiseTables, OptimizerRows, OutputTargets, TreePaths, train_chunk};
use super::subwords::SubwordBackend;
use super::{Word2VecBackend, Word2VecSettings, spans};
use crate::kernels::flex::{ids, owned_f32};

/// The subword model's bag table (`[offsets | rows]` ids and each word's follow factor).
type BagTensors<'t> = (&'t FlexTensor, FlexTensor);

/// Runs the CPU kernel on the tensors' own memory; returns the loss tensor.
#[allow(clippy::too_many_arguments)]
fn run(
    input: &mut FlexTensor,
    output: &mut FlexTensor,
    state: Option<(&mut FlexTensor, &mut FlexTensor)>,
    tokens: &FlexTensor,
    values: FlexTensor,
    table_ids: &FlexTensor,
    bags: Option<BagTensors<'_>>,
    locks: FlexTensor,
    settings: &Word2VecSettings,
) -> FlexTensor {
    let locks = owned_f32(locks);
    let locks = match settings.lock_rows {
        true => locks.storage::<f32>(),
        false => &[],
    };
    let dim = input.layout().shape()[1];
    let words = output.layout().shape()[0];
    let tokens = ids(tokens);
    let values = owned_f32(values);
    let table_ids = ids(table_ids);
    let values = values.storage::<f32>();
    let targets = match settings.hierarchical {
        false => OutputTargets::Noise(NoiseTables {
            accept: values,
            alias: &table_ids,
        }),
        true => OutputTargets::Tree(TreePaths::new(&table_ids, values, words)),
    };
    let bag_ids = bags.as_ref().map(|(ids_tensor, _)| ids(ids_tensor));
    let follow = bags.map(|(_, follow)| owned_f32(follow));
    let bags = bag_ids
        .as_deref()
        .zip(follow.as_ref())
        .map(|(ids, follow)| Bags::new(ids, follow.storage::<f32>()));
    let state = state.map(|(i, o)| OptimizerRows {
        input: i.storage_mut::<f32>(),
        output: o.storage_mut::<f32>(),
    });
    let loss = train_chunk(
        input.storage_mut::<f32>(),
        output.storage_mut::<f32>(),
        state,
        dim,
        &tokens,
        targets,
        bags,
        locks,
        settings,
    );
    let mut rows = vec![0.0f32; spans(tokens.len(), settings).1 * 2];
    rows[0] = loss.sum as f32;
    rows[1] = loss.pairs as f32;
    let n = rows.len() / 2;
    FlexTensor::from_data(TensorData::new(rows, [n, 2]))
}

impl Word2VecBackend for Flex {
    fn word2vec_chunk(
        input: FlexTensor,
        output: FlexTensor,
        tokens: FlexTensor,
        values: FlexTensor,
        table_ids: FlexTensor,
        locks: FlexTensor,
        settings: Word2VecSettings,
    ) -> (FlexTensor, FlexTensor, FlexTensor) {
        let (mut input, mut output) = (owned_f32(input), owned_f32(output));
        let loss = run(
            &mut input,
            &mut output,
            None,
            &tokens,
            values,
            &table_ids,
            None,
            locks,
            &settings,
        );
        (input, output, loss)
    }

    fn word2vec_chunk_stateful(
        input: FlexTensor,
        output: FlexTensor,
        input_state: FlexTensor,
        output_state: FlexTensor,
        tokens: FlexTensor,
        values: FlexTensor,
        table_ids: FlexTensor,
        locks: FlexTensor,
        settings: Word2VecSettings,
    ) -> (FlexTensor, FlexTensor, FlexTensor, FlexTensor, FlexTensor) {
        let (mut input, mut output) = (owned_f32(input), owned_f32(output));
        let (mut input_state, mut output_state) = (owned_f32(input_state), owned_f32(output_state));
        let loss = run(
            &mut input,
            &mut output,
            Some((&mut input_state, &mut output_state)),
            &tokens,
            values,
            &table_ids,
            None,
            locks,
            &settings,
        );
        (input, output, input_state, output_state, loss)
    }
}

impl SubwordBackend for Flex {
    fn word2vec_subword_chunk(
        input: FlexTensor,
        output: FlexTensor,
        input_state: FlexTensor,
        output_state: FlexTensor,
        tokens: FlexTensor,
        values: FlexTensor,
        table_ids: FlexTensor,
        bag_ids: FlexTensor,
        bag_follow: FlexTensor,
        settings: Word2VecSettings,
    ) -> (FlexTensor, FlexTensor, FlexTensor, FlexTensor, FlexTensor) {
        let (mut input, mut output) = (owned_f32(input), owned_f32(output));
        let (mut input_state, mut output_state) = (owned_f32(input_state), owned_f32(output_state));
        let stateful = settings.optimizer.state_width(input.layout().shape()[1]) > 0;
        let loss = run(
            &mut input,
            &mut output,
            stateful.then_some((&mut input_state, &mut output_state)),
            &tokens,
            values,
            &table_ids,
            Some((&bag_ids, bag_follow)),
            // The subword model locks no rows (`TrainConfig::validate`).
            FlexTensor::from_data(TensorData::new(vec![1.0f32], [1])),
            &settings,
        );
        (input, output, input_state, output_state, loss)
    }
}
