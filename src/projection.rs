//! Principal components of a set of vectors, computed with Burn tensors: the 2-D view `plot`
//! draws. Power iteration on the covariance matrix (dim × dim), deflated after each component,
//! is exact enough for two components and needs no linear-algebra library.

use burn::prelude::*;

/// Points projected onto the leading principal components.
#[derive(Debug, Clone)]
pub struct Projection {
    /// One row of `components` coordinates per input vector.
    pub points: Vec<Vec<f64>>,
    /// Share of the total variance each component explains.
    pub explained: Vec<f64>,
}

/// Iterations of the power method per component; the error shrinks as (λ₂/λ₁)^n.
const ITERATIONS: usize = 500;

/// Projects `rows` (each of length `dim`) onto their first `components` principal components.
/// Signs follow the convention that each component's largest coordinate is positive, so the
/// same vectors always give the same picture.
pub fn pca(rows: &[&[f32]], dim: usize, components: usize, device: &Device) -> Projection {
    let n = rows.len();
    if n == 0 || dim == 0 {
        return Projection {
            points: vec![vec![0.0; components]; n],
            explained: vec![0.0; components],
        };
    }
    let flat: Vec<f32> = rows.iter().flat_map(|r| r.iter().copied()).collect();
    let x = Tensor::<2>::from_data(TensorData::new(flat, [n, dim]), device);
    let centred = x.clone() - x.mean_dim(0);
    let mut cov = centred.clone().transpose().matmul(centred.clone()) / (n.max(2) - 1) as f64;
    let total: f64 = scalar(cov.clone().mul(Tensor::eye(dim, device)).sum());
    let mut axes = Vec::with_capacity(components);
    let mut explained = Vec::with_capacity(components);
    for c in 0..components {
        // A fixed start that is not orthogonal to any axis in general.
        let start: Vec<f32> = (0..dim).map(|i| 1.0 + ((i + c) % 7) as f32 * 0.1).collect();
        let mut v = Tensor::<2>::from_data(TensorData::new(start, [dim, 1]), device);
        for _ in 0..ITERATIONS {
            let w = cov.clone().matmul(v.clone());
            let norm = w.clone().powi_scalar(2).sum().sqrt().clamp_min(1e-30);
            v = w / norm.unsqueeze();
        }
        let lambda = scalar(
            v.clone()
                .transpose()
                .matmul(cov.clone().matmul(v.clone()))
                .sum(),
        );
        explained.push(if total > 0.0 {
            lambda.max(0.0) / total
        } else {
            0.0
        });
        cov = cov - v.clone().matmul(v.clone().transpose()) * lambda;
        let values: Vec<f32> = v
            .clone()
            .into_data()
            .convert::<f32>()
            .try_into_vec::<f32>()
            .expect("f32 tensor");
        let largest = values
            .iter()
            .copied()
            .fold(0.0f32, |m, x| if x.abs() > m.abs() { x } else { m });
        axes.push(if largest < 0.0 { v.neg() } else { v });
    }
    let basis = Tensor::cat(axes, 1);
    let projected: Vec<f32> = centred
        .matmul(basis)
        .into_data()
        .convert::<f32>()
        .try_into_vec::<f32>()
        .expect("f32 tensor");
    Projection {
        points: projected
            .chunks_exact(components)
            .map(|p| p.iter().map(|&v| v as f64).collect())
            .collect(),
        explained,
    }
}

fn scalar(t: Tensor<1>) -> f64 {
    t.into_scalar::<f32>() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_axes_of_an_elongated_cloud() {
        // Points spread mostly along (1, 1, 0), a little along (1, -1, 0), not at all along z.
        let mut rows = Vec::new();
        for i in -10..=10 {
            for j in [-1.0f32, 1.0] {
                let (a, b) = (i as f32, 0.2 * j);
                rows.push(vec![a + b, a - b, 0.0]);
            }
        }
        let refs: Vec<&[f32]> = rows.iter().map(|r| r.as_slice()).collect();
        let device = crate::train::select_device(crate::train::BackendKind::Cpu).unwrap();
        let p = pca(&refs, 3, 2, &device);
        assert!(p.explained[0] > 0.99, "{:?}", p.explained);
        assert!(
            (p.explained[0] + p.explained[1] - 1.0).abs() < 1e-4,
            "{:?}",
            p.explained
        );
        // The first coordinate of each point is its position along (1,1,0)/√2.
        for (row, point) in rows.iter().zip(&p.points) {
            let along = (row[0] + row[1]) as f64 / 2f64.sqrt();
            assert!(
                (point[0].abs() - along.abs()).abs() < 1e-3,
                "{point:?} {row:?}"
            );
        }
    }
}
