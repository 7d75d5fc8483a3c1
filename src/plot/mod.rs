//! Charts as PNG and SVG (plotters): lines of runs against words or time, and labelled scatter
//! plots of projected words. Text is drawn with an embedded DejaVu Sans, so PNGs look the same on
//! a machine without fonts; every file is written to a temporary name and renamed.

use std::path::{Path, PathBuf};
use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::error::{Error, Result};
use crate::files::atomic_write;

/// DejaVu Sans (Bitstream Vera licence, see `DejaVuSans-LICENSE.txt` beside it).
static FONT: &[u8] = include_bytes!("DejaVuSans.ttf");
const FAMILY: &str = "sans-serif";
const SIZE: (u32, u32) = (1000, 640);

/// Colours that stay apart on white and for common colour blindness (Okabe–Ito, then Tableau).
const COLORS: [RGBColor; 10] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(0, 0, 0),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(127, 127, 127),
];

fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        plotters::style::register_font(FAMILY, FontStyle::Normal, FONT)
            .unwrap_or_else(|_| panic!("the embedded font is a valid TrueType font"));
    });
}

/// One line of a chart.
#[derive(Debug, Clone)]
pub struct Series {
    pub name: String,
    pub points: Vec<(f64, f64)>,
}

/// What a line chart shows.
#[derive(Debug, Clone)]
pub struct LineChart<'a> {
    pub title: &'a str,
    pub x_label: &'a str,
    pub y_label: &'a str,
    pub series: &'a [Series],
}

/// Writes `chart` as `stem.png` and `stem.svg`; returns both paths.
pub fn line_chart(stem: &Path, chart: &LineChart) -> Result<Vec<PathBuf>> {
    let png = stem.with_extension("png");
    let svg = stem.with_extension("svg");
    render_png(&png, |area| draw_lines(area, chart))?;
    render_svg(&svg, |area| draw_lines(area, chart))?;
    Ok(vec![png, svg])
}

/// A labelled point of a scatter plot.
#[derive(Debug, Clone)]
pub struct Labelled {
    pub label: String,
    pub x: f64,
    pub y: f64,
}

/// Writes a scatter plot with a label beside each point, placed so labels do not overlap where
/// the space allows; the format follows the extension (`.png` or `.svg`).
pub fn scatter(path: &Path, title: &str, axes: (&str, &str), points: &[Labelled]) -> Result<()> {
    match path.extension().and_then(|e| e.to_str()) {
        Some("svg") => render_svg(path, |area| draw_scatter(area, title, axes, points)),
        Some("png") => render_png(path, |area| draw_scatter(area, title, axes, points)),
        _ => Err(Error::invalid(
            path,
            "plots are written as .png or .svg: give the output one of these extensions",
        )),
    }
}

type Drawn<DB> = std::result::Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

fn render_png(
    path: &Path,
    draw: impl for<'b> Fn(&DrawingArea<BitMapBackend<'b>, Shift>) -> Drawn<BitMapBackend<'b>>,
) -> Result<()> {
    register_font();
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    // The backend picks the encoder from the extension, so the temporary file keeps it.
    let tmp = tempfile::Builder::new()
        .prefix(".wordvec-")
        .suffix(".png")
        .tempfile_in(dir)
        .map_err(|e| Error::io(path, e))?;
    {
        let area = BitMapBackend::new(tmp.path(), SIZE).into_drawing_area();
        draw(&area).map_err(|e| render_error(path, e))?;
        area.present().map_err(|e| render_error(path, e))?;
    }
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}

fn render_svg(
    path: &Path,
    draw: impl for<'b> Fn(&DrawingArea<SVGBackend<'b>, Shift>) -> Drawn<SVGBackend<'b>>,
) -> Result<()> {
    register_font();
    let mut text = String::new();
    {
        let area = SVGBackend::with_string(&mut text, SIZE).into_drawing_area();
        draw(&area).map_err(|e| render_error(path, e))?;
        area.present().map_err(|e| render_error(path, e))?;
    }
    atomic_write(path, |w| std::io::Write::write_all(w, text.as_bytes()))
}

fn render_error(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::invalid(path, format!("could not draw the plot: {e}"))
}

/// The range of `values` with a margin, never empty.
fn padded(values: impl Iterator<Item = f64>) -> std::ops::Range<f64> {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if !lo.is_finite() {
        return 0.0..1.0;
    }
    let span = (hi - lo).max(hi.abs() * 1e-3).max(1e-9);
    (lo - 0.05 * span)..(hi + 0.05 * span)
}

fn draw_lines<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, chart: &LineChart) -> Drawn<DB> {
    area.fill(&WHITE)?;
    let points = || chart.series.iter().flat_map(|s| s.points.iter());
    let xs = padded(points().map(|p| p.0));
    let mut ys = padded(points().map(|p| p.1));
    // The legend goes in the corner the lines leave free (where they end, they are not), and the
    // y range grows by the legend's height, so the legend never covers a line.
    let ends_high = chart
        .series
        .iter()
        .filter_map(|s| s.points.last())
        .map(|p| p.1)
        .sum::<f64>()
        / chart.series.len().max(1) as f64
        > (ys.start + ys.end) / 2.0;
    let legend = (ys.end - ys.start) * (0.07 * chart.series.len() as f64 + 0.04);
    if ends_high {
        ys.start -= legend;
    } else {
        ys.end += legend;
    }
    let mut ctx = ChartBuilder::on(area)
        .caption(chart.title, (FAMILY, 26))
        .margin(20)
        .x_label_area_size(55)
        .y_label_area_size(80)
        .build_cartesian_2d(xs.clone(), ys.clone())?;
    ctx.configure_mesh()
        .x_desc(chart.x_label)
        .y_desc(chart.y_label)
        .label_style((FAMILY, 15))
        .axis_desc_style((FAMILY, 18))
        .light_line_style(RGBColor(235, 235, 235))
        .draw()?;
    for (i, series) in chart.series.iter().enumerate() {
        let color = COLORS[i % COLORS.len()];
        ctx.draw_series(LineSeries::new(
            series.points.iter().copied(),
            color.stroke_width(2),
        ))?
        .label(series.name.as_str())
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], color.stroke_width(3)));
        // Few points (evaluations) get markers, so a single point still shows.
        if series.points.len() <= 40 {
            ctx.draw_series(
                series
                    .points
                    .iter()
                    .map(|&p| Circle::new(p, 4, color.filled())),
            )?;
        }
    }
    ctx.configure_series_labels()
        .position(if ends_high {
            SeriesLabelPosition::LowerRight
        } else {
            SeriesLabelPosition::UpperRight
        })
        .background_style(WHITE.mix(0.9))
        .border_style(RGBColor(160, 160, 160))
        .label_font((FAMILY, 15))
        .draw()?;
    Ok(())
}

fn draw_scatter<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    axes: (&str, &str),
    points: &[Labelled],
) -> Drawn<DB> {
    area.fill(&WHITE)?;
    let xs = padded(points.iter().map(|p| p.x));
    let ys = padded(points.iter().map(|p| p.y));
    let mut ctx = ChartBuilder::on(area)
        .caption(title, (FAMILY, 24))
        .margin(20)
        .x_label_area_size(50)
        .y_label_area_size(70)
        .build_cartesian_2d(xs, ys)?;
    ctx.configure_mesh()
        .x_desc(axes.0)
        .y_desc(axes.1)
        .label_style((FAMILY, 14))
        .axis_desc_style((FAMILY, 16))
        .light_line_style(WHITE)
        .bold_line_style(RGBColor(230, 230, 230))
        .draw()?;
    let pixels: Vec<(i32, i32)> = points
        .iter()
        .map(|p| ctx.backend_coord(&(p.x, p.y)))
        .collect();
    let placed = place_labels(points, &pixels, 14);
    let color = COLORS[0];
    let leader = RGBColor(150, 150, 150);
    for (p, Placement { offset, size, far }) in points.iter().zip(placed) {
        let style = TextStyle::from((FAMILY, 14).into_font()).color(&BLACK);
        if far {
            // A label pushed away from a crowd keeps a thin line to its point.
            let end = (
                0.clamp(offset.0, offset.0 + size.0),
                0.clamp(offset.1, offset.1 + size.1),
            );
            ctx.draw_series(std::iter::once(
                EmptyElement::at((p.x, p.y))
                    + PathElement::new(vec![(0, 0), end], leader.stroke_width(1)),
            ))?;
        }
        ctx.draw_series(std::iter::once(
            EmptyElement::at((p.x, p.y))
                + Circle::new((0, 0), 4, color.filled())
                + Text::new(p.label.clone(), offset, style),
        ))?;
    }
    Ok(())
}

/// Where a label goes, relative to its point, in pixels.
#[derive(Debug, Clone, Copy)]
struct Placement {
    /// Top-left corner of the label.
    offset: (i32, i32),
    /// Estimated width and height.
    size: (i32, i32),
    /// Pushed away from its point (drawn with a leader line).
    far: bool,
}

/// A label's box in pixels: left, top, right, bottom.
type Box2 = (i32, i32, i32, i32);

fn overlaps(a: Box2, b: Box2) -> bool {
    a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
}

/// Offsets (from each point, in pixels) for the labels, and whether each was pushed away from its
/// point: the nearest of several positions around the point, on rings of growing distance, that
/// meets no other label or point, or else the least crowded one. The width of a label is
/// estimated from its length (DejaVu Sans averages about 0.6 em a character).
fn place_labels(points: &[Labelled], pixels: &[(i32, i32)], font: i32) -> Vec<Placement> {
    let dots: Vec<Box2> = pixels
        .iter()
        .map(|&(x, y)| (x - 4, y - 4, x + 4, y + 4))
        .collect();
    let mut boxes: Vec<Box2> = Vec::with_capacity(points.len());
    let mut offsets = Vec::with_capacity(points.len());
    for (p, &(x, y)) in points.iter().zip(pixels) {
        let w = (p.label.chars().count() as f64 * 0.6 * font as f64).ceil() as i32;
        let h = font + 2;
        let around = [
            ((6, -h / 2), (1, 0)),
            ((-w - 6, -h / 2), (-1, 0)),
            ((-w / 2, -h - 5), (0, -1)),
            ((-w / 2, 5), (0, 1)),
            ((6, -h - 3), (1, -1)),
            ((6, 3), (1, 1)),
            ((-w - 6, -h - 3), (-1, -1)),
            ((-w - 6, 3), (-1, 1)),
        ];
        let candidates: Vec<((i32, i32), bool)> = (0..4)
            .flat_map(|ring| {
                around.iter().map(move |&((dx, dy), (sx, sy))| {
                    let step = ring * (h + 4);
                    ((dx + sx * step, dy + sy * step), ring > 0)
                })
            })
            .collect();
        let crowding = |&((dx, dy), _): &((i32, i32), bool)| {
            let b = (x + dx, y + dy, x + dx + w, y + dy + h);
            boxes.iter().filter(|&&o| overlaps(b, o)).count() * 2
                + dots.iter().filter(|&&o| overlaps(b, o)).count()
        };
        // The first free place, nearest rings first; min_by_key keeps the first of equals.
        let best = candidates
            .iter()
            .min_by_key(|c| crowding(c))
            .copied()
            .expect("candidates are not empty");
        let (dx, dy) = best.0;
        boxes.push((x + dx, y + dy, x + dx + w, y + dy + h));
        offsets.push(Placement {
            offset: best.0,
            size: (w, h),
            far: best.1,
        });
    }
    offsets
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_of_close_points_move_apart() {
        let points: Vec<Labelled> = ["king", "queen", "prince"]
            .iter()
            .map(|w| Labelled {
                label: w.to_string(),
                x: 0.0,
                y: 0.0,
            })
            .collect();
        let pixels = [(100, 100), (102, 101), (101, 99)];
        let offsets = place_labels(&points, &pixels, 14);
        let boxes: Vec<Box2> = offsets
            .iter()
            .zip(pixels)
            .map(|(placement, (x, y))| {
                let ((dx, dy), (w, h)) = (placement.offset, placement.size);
                (x + dx, y + dy, x + dx + w, y + dy + h)
            })
            .collect();
        for i in 0..boxes.len() {
            for j in i + 1..boxes.len() {
                assert!(
                    !overlaps(boxes[i], boxes[j]),
                    "{:?} and {:?}",
                    boxes[i],
                    boxes[j]
                );
            }
        }
    }

    #[test]
    fn charts_are_written_as_png_and_svg() {
        let dir = tempfile::tempdir().unwrap();
        let series = [Series {
            name: "run a".into(),
            points: vec![(0.0, 3.0), (1.0, 2.0), (2.0, 1.5)],
        }];
        let chart = LineChart {
            title: "loss",
            x_label: "words",
            y_label: "loss",
            series: &series,
        };
        let files = line_chart(&dir.path().join("loss"), &chart).unwrap();
        let png = std::fs::read(&files[0]).unwrap();
        assert_eq!(&png[1..4], b"PNG");
        let svg = std::fs::read_to_string(&files[1]).unwrap();
        assert!(svg.contains("<svg") && svg.contains("run a"), "{svg}");
        // Nothing but the two plots is left in the folder.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }
}
