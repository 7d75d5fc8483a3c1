//! word2vec's fused step on CubeCL backends (wgpu, cuda), laid out as Burn lays out its own
//! kernels: the backend implementation here chooses between the per-pair kernel ([`pair`], every
//! optimizer) and the windowed one ([`window`], SGD with f32 atomic adds), and runs the subword
//! model's ([`subword`]); the device functions they share ([`device`], an example's output side
//! in [`targets`]), the stateful rules ([`rule`]) and the launch arguments ([`args`]) live apart.

mod args;
mod device;
mod pair;
mod rule;
mod subword;
mod targets;
mod window;

use burn::backend::tensor::{FloatTensor, IntTensor};
use burn_cubecl::CubeBackend;

use self::args::StepTensors;
pub(super) use self::window::runs_on;
use super::subwords::SubwordBackend;
use super::{Word2VecBackend, Word2VecSettings};

impl Word2VecBackend for CubeBackend {
    fn word2vec_chunk(
        input: FloatTensor<Self>,
        output: FloatTensor<Self>,
        tokens: IntTensor<Self>,
        values: FloatTensor<Self>,
        ids: IntTensor<Self>,
        locks: FloatTensor<Self>,
        settings: Word2VecSettings,
    ) -> (FloatTensor<Self>, FloatTensor<Self>, FloatTensor<Self>) {
        let step = StepTensors::new(input, output, tokens, values, ids, locks, &settings);
        if window::applies(&step, &settings) {
            return window::launch(step, &settings);
        }
        let (input, output, _, loss) = pair::launch(step, None, &settings);
        (input, output, loss)
    }

    fn word2vec_chunk_stateful(
        input: FloatTensor<Self>,
        output: FloatTensor<Self>,
        input_state: FloatTensor<Self>,
        output_state: FloatTensor<Self>,
        tokens: IntTensor<Self>,
        values: FloatTensor<Self>,
        ids: IntTensor<Self>,
        locks: FloatTensor<Self>,
        settings: Word2VecSettings,
    ) -> (
        FloatTensor<Self>,
        FloatTensor<Self>,
        FloatTensor<Self>,
        FloatTensor<Self>,
        FloatTensor<Self>,
    ) {
        let step = StepTensors::new(input, output, tokens, values, ids, locks, &settings);
        let state = Some((input_state, output_state));
        let (input, output, state, loss) = pair::launch(step, state, &settings);
        let (input_state, output_state) = state.expect("a stateful optimizer keeps its state");
        (input, output, input_state, output_state, loss)
    }
}

impl SubwordBackend for CubeBackend {
    fn word2vec_subword_chunk(
        input: FloatTensor<Self>,
        output: FloatTensor<Self>,
        input_state: FloatTensor<Self>,
        output_state: FloatTensor<Self>,
        tokens: IntTensor<Self>,
        values: FloatTensor<Self>,
        ids: IntTensor<Self>,
        bag_ids: IntTensor<Self>,
        bag_follow: FloatTensor<Self>,
        settings: Word2VecSettings,
    ) -> (
        FloatTensor<Self>,
        FloatTensor<Self>,
        FloatTensor<Self>,
        FloatTensor<Self>,
        FloatTensor<Self>,
    ) {
        // The subword model locks no rows (`TrainConfig::validate`): the follow factors stand
        // in for the locks the kernel never reads.
        let locks = bag_follow.clone();
        let step = StepTensors::new(input, output, tokens, values, ids, locks, &settings);
        let stateful = settings.optimizer.state_width(step.dim) > 0;
        let state = stateful.then(|| (input_state.clone(), output_state.clone()));
        let (input, output, state, loss) =
            subword::launch(step, bag_ids, bag_follow, state, &settings);
        let (input_state, output_state) = state.unwrap_or((input_state, output_state));
        (input, output, input_state, output_state, loss)
    }
}
