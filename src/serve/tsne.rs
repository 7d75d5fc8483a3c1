//! t-SNE (van der Maaten and Hinton, 2008) with every pair's force in the plane, so O(n²) a
//! step — right for the few thousand points a page draws. Perplexity-calibrated Gaussian
//! affinities among each point's nearest neighbours in the input, a Student-t kernel in the plane, early exaggeration, momentum and per-coordinate
//! gains as in the authors' reference implementation. Seeded, so a map is drawn the same twice.

use rand::Rng as _;

use crate::rng::rng_for;

/// Steps of the binary search for each point's Gaussian precision.
const CALIBRATION_STEPS: usize = 64;
/// The first steps pull clusters apart by this factor on the input affinities.
const EXAGGERATION: f64 = 12.0;
const EXAGGERATED_STEPS: usize = 100;

/// Places `points` (each of the same length) in the plane; `perplexity` is the effective number
/// of neighbours each point keeps (lowered to a third of the other points where they are few).
pub fn tsne(points: &[Vec<f32>], perplexity: f64, steps: usize, seed: u64) -> Vec<[f64; 2]> {
    let n = points.len();
    if n < 3 {
        return (0..n).map(|i| [i as f64, 0.0]).collect();
    }
    let p = affinities(points, perplexity.min((n - 1) as f64 / 3.0).max(1.0));
    let mut rng = rng_for(seed, 0);
    let mut y: Vec<[f64; 2]> = (0..n)
        .map(|_| [gaussian(&mut rng) * 1e-4, gaussian(&mut rng) * 1e-4])
        .collect();
    let mut velocity = vec![[0.0f64; 2]; n];
    let mut gains = vec![[1.0f64; 2]; n];
    let rate = (n as f64 / EXAGGERATION).max(50.0);
    let mut num = vec![0.0f64; n * n];
    for step in 0..steps {
        let exaggeration = if step < EXAGGERATED_STEPS {
            EXAGGERATION
        } else {
            1.0
        };
        let momentum = if step < 250 { 0.5 } else { 0.8 };
        // The Student-t kernel and the forces are symmetric: each pair once.
        let mut total = 0.0;
        for i in 0..n {
            for j in i + 1..n {
                let d = [y[i][0] - y[j][0], y[i][1] - y[j][1]];
                let q = 1.0 / (1.0 + d[0] * d[0] + d[1] * d[1]);
                num[i * n + j] = q;
                total += 2.0 * q;
            }
        }
        let mut grads = vec![[0.0f64; 2]; n];
        for i in 0..n {
            for j in i + 1..n {
                let q = num[i * n + j];
                let force = 4.0 * (exaggeration * p[i * n + j] - q / total) * q;
                let d = [y[i][0] - y[j][0], y[i][1] - y[j][1]];
                for k in 0..2 {
                    grads[i][k] += force * d[k];
                    grads[j][k] -= force * d[k];
                }
            }
        }
        for ((grad, gain), velocity) in grads.iter().zip(&mut gains).zip(&mut velocity) {
            for d in 0..2 {
                let same = (grad[d] > 0.0) == (velocity[d] > 0.0);
                gain[d] = if same {
                    (gain[d] * 0.8).max(0.01)
                } else {
                    gain[d] + 0.2
                };
                velocity[d] = momentum * velocity[d] - rate * gain[d] * grad[d];
            }
        }
        for (yi, vi) in y.iter_mut().zip(&velocity) {
            yi[0] += vi[0];
            yi[1] += vi[1];
        }
        let mean = y.iter().fold([0.0, 0.0], |m, p| [m[0] + p[0], m[1] + p[1]]);
        for yi in &mut y {
            yi[0] -= mean[0] / n as f64;
            yi[1] -= mean[1] / n as f64;
        }
    }
    y
}

/// The symmetric input affinities pᵢⱼ = (pⱼ|ᵢ + pᵢ|ⱼ) / 2n, each row's Gaussian calibrated to
/// `perplexity` over the point's nearest 3·perplexity.
fn affinities(points: &[Vec<f32>], perplexity: f64) -> Vec<f64> {
    let n = points.len();
    let mut distance = vec![0.0f64; n * n];
    for i in 0..n {
        for j in i + 1..n {
            let d: f64 = points[i]
                .iter()
                .zip(&points[j])
                .map(|(a, b)| ((a - b) as f64).powi(2))
                .sum();
            distance[i * n + j] = d;
            distance[j * n + i] = d;
        }
    }
    let target = perplexity.ln();
    let neighbours = ((3.0 * perplexity) as usize).clamp(1, n - 1);
    let mut p = vec![0.0f64; n * n];
    let mut nearest: Vec<(usize, f64)> = Vec::with_capacity(n);
    for i in 0..n {
        // Only the 3·perplexity nearest points get an affinity (van der Maaten, 2014): the
        // others' would be negligible, and calibrating over them is most of the cost.
        nearest.clear();
        nearest.extend((0..n).filter(|&j| j != i).map(|j| (j, distance[i * n + j])));
        nearest.select_nth_unstable_by(neighbours - 1, |a, b| a.1.total_cmp(&b.1));
        nearest.truncate(neighbours);
        let closest = nearest
            .iter()
            .map(|&(_, d)| d)
            .fold(f64::INFINITY, f64::min);
        let (mut low, mut high, mut beta) = (0.0f64, f64::INFINITY, 1.0f64);
        for _ in 0..CALIBRATION_STEPS {
            // Distances are shifted by the closest one, which cancels in the ratio and keeps
            // the exponentials from underflowing all at once.
            let (mut sum, mut weighted) = (0.0, 0.0);
            for &(j, d) in &nearest {
                let w = (-(d - closest) * beta).exp();
                p[i * n + j] = w;
                sum += w;
                weighted += w * (d - closest);
            }
            let entropy = sum.ln() + beta * weighted / sum;
            if (entropy - target).abs() < 1e-5 {
                break;
            }
            if entropy > target {
                low = beta;
                beta = if high.is_finite() {
                    (beta + high) / 2.0
                } else {
                    beta * 2.0
                };
            } else {
                high = beta;
                beta = (beta + low) / 2.0;
            }
        }
        let sum: f64 = p[i * n..(i + 1) * n].iter().sum();
        p[i * n..(i + 1) * n].iter_mut().for_each(|x| *x /= sum);
    }
    let mut symmetric = vec![0.0f64; n * n];
    for i in 0..n {
        for j in 0..n {
            symmetric[i * n + j] = ((p[i * n + j] + p[j * n + i]) / (2.0 * n as f64)).max(1e-12);
        }
    }
    symmetric
}

/// A standard normal draw (Box–Muller).
fn gaussian(rng: &mut crate::rng::Rng) -> f64 {
    let u: f64 = rng.random_range(f64::EPSILON..1.0);
    let v: f64 = rng.random();
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three tight clusters far apart in 10 dimensions.
    fn clusters() -> (Vec<Vec<f32>>, Vec<usize>) {
        let mut rng = rng_for(7, 0);
        let mut points = Vec::new();
        let mut labels = Vec::new();
        for c in 0..3 {
            for _ in 0..20 {
                let p = (0..10)
                    .map(|d| (if d == c { 10.0 } else { 0.0 }) + gaussian(&mut rng) as f32 * 0.3)
                    .collect();
                points.push(p);
                labels.push(c);
            }
        }
        (points, labels)
    }

    #[test]
    fn keeps_clusters_apart_in_the_plane() {
        let (points, labels) = clusters();
        let y = tsne(&points, 10.0, 400, 1);
        let dist = |a: [f64; 2], b: [f64; 2]| (a[0] - b[0]).hypot(a[1] - b[1]);
        for i in 0..y.len() {
            let nearest = (0..y.len())
                .filter(|&j| j != i)
                .min_by(|&a, &b| dist(y[i], y[a]).total_cmp(&dist(y[i], y[b])))
                .unwrap();
            assert_eq!(labels[i], labels[nearest], "point {i} at {:?}", y[i]);
        }
        // Clusters are farther apart than they are wide.
        let centre = |c: usize| {
            let members: Vec<_> = (0..y.len()).filter(|&i| labels[i] == c).collect();
            let s = members
                .iter()
                .fold([0.0, 0.0], |m, &i| [m[0] + y[i][0], m[1] + y[i][1]]);
            [s[0] / members.len() as f64, s[1] / members.len() as f64]
        };
        let width = (0..y.len())
            .map(|i| dist(y[i], centre(labels[i])))
            .fold(0.0, f64::max);
        assert!(dist(centre(0), centre(1)) > width, "{width}");
    }

    #[test]
    fn calibrates_each_row_to_the_perplexity() {
        let (points, _) = clusters();
        let p = affinities(&points, 5.0);
        let n = points.len();
        // Symmetric, and a distribution over all pairs.
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-6);
        assert!((p[3 * n + 17] - p[17 * n + 3]).abs() < 1e-15);
    }

    #[test]
    fn the_same_seed_draws_the_same_map() {
        let (points, _) = clusters();
        assert_eq!(tsne(&points, 5.0, 50, 3), tsne(&points, 5.0, 50, 3));
        assert_eq!(tsne(&points[..2], 5.0, 50, 3).len(), 2);
    }
}
