//! word2vec's fused step on CubeCL backends (wgpu, cuda), laid out as Burn lays out its own
//! kernels: the backend implementation here chooses between the per-pair kernel ([`pair`], every
//! optimizer) and the windowed one ([`window`], SGD with f32 atomic adds); the device functions
//! they share ([`device`]), the stateful rules ([`rule`]) and the launch arguments ([`args`])
//! live apart.

mod args;
mod device;
mod pair;
mod rule;
mod window;

use burn::backend::tensor::{FloatTensor, IntTensor};
use burn_cubecl::CubeBackend;

use self::args::StepTensors;
pub(super) use self::window::runs_on;
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
