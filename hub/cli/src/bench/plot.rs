//! Line charts as SVG, written by `hub bench` beside its JSON report so a
//! reader sees how cost grows with work at a glance (BENCHMARKS.md links
//! them). Pure: a chart in, a string out; no I/O, no dependency.

use std::fmt::Write as _;

/// One line of a chart: its name (the legend) and its points (x, y).
#[derive(Clone, Debug)]
pub struct Series {
    pub name: String,
    pub points: Vec<(f64, f64)>,
}

/// A chart with one or two y axes: `left` series against the left axis,
/// `right` series (if any) against the right one.
#[derive(Clone, Debug)]
pub struct Chart {
    pub title: String,
    pub x_label: String,
    /// Logarithmic x axis (for sizes that grow tenfold).
    pub log_x: bool,
    pub left_label: String,
    pub left: Vec<Series>,
    pub right_label: String,
    pub right: Vec<Series>,
}

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 360.0;
const LEFT: f64 = 70.0;
const RIGHT: f64 = 70.0;
const TOP: f64 = 40.0;
const BOTTOM: f64 = 80.0;
const COLORS: [&str; 6] = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"];

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A round step for about five ticks from 0 to `max`.
fn nice_step(max: f64) -> f64 {
    if max <= 0.0 || !max.is_finite() {
        return 1.0;
    }
    let raw = max / 5.0;
    let magnitude = 10f64.powf(raw.log10().floor());
    let fraction = raw / magnitude;
    let nice = if fraction <= 1.0 {
        1.0
    } else if fraction <= 2.0 {
        2.0
    } else if fraction <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * magnitude
}

/// A number as a tick label: 1.5k, 20k, 1M, 0.5, 12.
pub fn label(value: f64) -> String {
    let abs = value.abs();
    let (scaled, suffix) = if abs >= 1e6 {
        (value / 1e6, "M")
    } else if abs >= 1e3 {
        (value / 1e3, "k")
    } else {
        (value, "")
    };
    let text = if (scaled - scaled.round()).abs() < 1e-9 { format!("{scaled:.0}") } else { format!("{scaled:.1}") };
    format!("{text}{suffix}")
}

impl Chart {
    fn x_range(&self) -> (f64, f64) {
        let xs = self.left.iter().chain(&self.right).flat_map(|s| s.points.iter().map(|p| p.0));
        let (min, max) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| (a.min(x), b.max(x)));
        if !min.is_finite() {
            return (0.0, 1.0);
        }
        if self.log_x {
            (min.max(1e-9).log10().floor(), max.max(1e-9).log10().ceil().max(min.max(1e-9).log10().floor() + 1.0))
        } else {
            (0.0, if max > 0.0 { max } else { 1.0 })
        }
    }

    fn x_of(&self, x: f64, range: (f64, f64)) -> f64 {
        let v = if self.log_x { x.max(1e-9).log10() } else { x };
        LEFT + (v - range.0) / (range.1 - range.0) * (WIDTH - LEFT - RIGHT)
    }

    /// The chart as a standalone SVG document.
    pub fn svg(&self) -> String {
        let mut out = String::new();
        let _ = write!(
            out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{HEIGHT}\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n<text x=\"{}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">{}</text>\n",
            WIDTH / 2.0,
            escape(&self.title)
        );
        let plot_bottom = HEIGHT - BOTTOM;
        let x_range = self.x_range();
        // Axes.
        let _ = writeln!(
            out,
            "<line x1=\"{LEFT}\" y1=\"{plot_bottom}\" x2=\"{}\" y2=\"{plot_bottom}\" stroke=\"black\"/>\n<line x1=\"{LEFT}\" y1=\"{TOP}\" x2=\"{LEFT}\" y2=\"{plot_bottom}\" stroke=\"black\"/>",
            WIDTH - RIGHT
        );
        // X ticks.
        let x_ticks: Vec<f64> = if self.log_x {
            (x_range.0 as i32..=x_range.1 as i32).map(|e| 10f64.powi(e)).collect()
        } else {
            let step = nice_step(x_range.1);
            (0..=((x_range.1 / step).ceil() as usize).min(20))
                .map(|i| i as f64 * step)
                .filter(|v| *v <= x_range.1 * 1.0001)
                .collect()
        };
        for x in x_ticks {
            let px = self.x_of(x, x_range);
            let _ = writeln!(
                out,
                "<line x1=\"{px:.1}\" y1=\"{plot_bottom}\" x2=\"{px:.1}\" y2=\"{}\" stroke=\"black\"/><text x=\"{px:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                plot_bottom + 5.0,
                plot_bottom + 18.0,
                label(x)
            );
        }
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            (LEFT + WIDTH - RIGHT) / 2.0,
            plot_bottom + 36.0,
            escape(&self.x_label)
        );
        let mut color = 0;
        let mut legend = Vec::new();
        for (side, series, axis_label) in [(0, &self.left, &self.left_label), (1, &self.right, &self.right_label)] {
            if series.is_empty() {
                continue;
            }
            let max = series.iter().flat_map(|s| s.points.iter().map(|p| p.1)).fold(0.0f64, f64::max);
            let step = nice_step(max);
            let top = (max / step).ceil().max(1.0) * step;
            let y_of = |y: f64| plot_bottom - y / top * (plot_bottom - TOP);
            let axis_x = if side == 0 { LEFT } else { WIDTH - RIGHT };
            let (tick_dx, anchor) = if side == 0 { (-5.0, "end") } else { (5.0, "start") };
            if side == 1 {
                let _ = writeln!(
                    out,
                    "<line x1=\"{axis_x}\" y1=\"{TOP}\" x2=\"{axis_x}\" y2=\"{plot_bottom}\" stroke=\"black\"/>"
                );
            }
            let mut tick = 0.0;
            while tick <= top * 1.0001 {
                let py = y_of(tick);
                let _ = writeln!(
                    out,
                    "<line x1=\"{axis_x}\" y1=\"{py:.1}\" x2=\"{:.1}\" y2=\"{py:.1}\" stroke=\"black\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\">{}</text>",
                    axis_x + tick_dx,
                    axis_x + 2.0 * tick_dx,
                    py + 4.0,
                    label(tick)
                );
                if side == 0 && tick > 0.0 {
                    let _ = writeln!(
                        out,
                        "<line x1=\"{LEFT}\" y1=\"{py:.1}\" x2=\"{}\" y2=\"{py:.1}\" stroke=\"#ddd\"/>",
                        WIDTH - RIGHT
                    );
                }
                tick += step;
            }
            let (label_x, rotate) = if side == 0 { (18.0, -90) } else { (WIDTH - 14.0, 90) };
            let mid = (TOP + plot_bottom) / 2.0;
            let _ = writeln!(
                out,
                "<text x=\"{label_x}\" y=\"{mid}\" text-anchor=\"middle\" transform=\"rotate({rotate} {label_x} {mid})\">{}</text>",
                escape(axis_label)
            );
            for s in series.iter() {
                let stroke = COLORS[color % COLORS.len()];
                let dash = if side == 1 { " stroke-dasharray=\"6 3\"" } else { "" };
                color += 1;
                let points: Vec<String> =
                    s.points.iter().map(|&(x, y)| format!("{:.1},{:.1}", self.x_of(x, x_range), y_of(y))).collect();
                let _ = writeln!(
                    out,
                    "<polyline fill=\"none\" stroke=\"{stroke}\" stroke-width=\"2\"{dash} points=\"{}\"/>",
                    points.join(" ")
                );
                for &(x, y) in &s.points {
                    let _ = writeln!(
                        out,
                        "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3.5\" fill=\"{stroke}\"><title>{}: {} at {}</title></circle>",
                        self.x_of(x, x_range),
                        y_of(y),
                        escape(&s.name),
                        label(y),
                        label(x)
                    );
                }
                legend.push((stroke, dash, s.name.clone()));
            }
        }
        for (i, (stroke, dash, name)) in legend.iter().enumerate() {
            let x = LEFT + (i % 3) as f64 * 180.0;
            let y = HEIGHT - 24.0 + (i / 3) as f64 * 14.0 - if legend.len() > 3 { 8.0 } else { 0.0 };
            let _ = writeln!(
                out,
                "<line x1=\"{x}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"{stroke}\" stroke-width=\"2\"{dash}/><text x=\"{}\" y=\"{}\">{}</text>",
                x + 20.0,
                x + 25.0,
                y + 4.0,
                escape(name)
            );
        }
        out.push_str("</svg>\n");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(log_x: bool) -> Chart {
        Chart {
            title: "transfers/s as state grows".into(),
            x_label: "accounts".into(),
            log_x,
            left_label: "transfers/s".into(),
            left: vec![Series {
                name: "execute + commit".into(),
                points: vec![(1e4, 40_000.0), (1e5, 31_000.0), (1e6, 18_000.0)],
            }],
            right_label: "ms".into(),
            right: vec![Series {
                name: "JMT commit <per block>".into(),
                points: vec![(1e4, 4.0), (1e5, 6.5), (1e6, 11.0)],
            }],
        }
    }

    #[test]
    fn a_chart_draws_every_point_in_its_frame_with_escaped_text() {
        for log_x in [true, false] {
            let svg = chart(log_x).svg();
            assert!(svg.starts_with("<svg ") && svg.trim_end().ends_with("</svg>"));
            assert_eq!(svg.matches("<polyline").count(), 2);
            assert_eq!(svg.matches("<circle").count(), 6);
            assert!(svg.contains("JMT commit &lt;per block&gt;"), "legend text is escaped");
            assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
            // Every point lies inside the plot area.
            for circle in svg.split("<circle").skip(1) {
                let attr = |name: &str| -> f64 {
                    let start = circle.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
                    circle[start..].split('"').next().unwrap().parse().unwrap()
                };
                let (x, y) = (attr("cx"), attr("cy"));
                assert!((LEFT..=WIDTH - RIGHT).contains(&x), "x {x}");
                assert!((TOP..=HEIGHT - BOTTOM).contains(&y), "y {y}");
            }
        }
        // On a log axis, 10k, 100k and 1M are evenly spaced.
        let c = chart(true);
        let range = c.x_range();
        let (a, b, d) = (c.x_of(1e4, range), c.x_of(1e5, range), c.x_of(1e6, range));
        assert!(((b - a) - (d - b)).abs() < 1e-6);
    }

    #[test]
    fn labels_are_short() {
        assert_eq!(label(1_000_000.0), "1M");
        assert_eq!(label(1_500.0), "1.5k");
        assert_eq!(label(20_000.0), "20k");
        assert_eq!(label(12.0), "12");
        assert_eq!(label(0.5), "0.5");
        assert_eq!(nice_step(9_000.0), 2_000.0);
        assert_eq!(nice_step(0.0), 1.0);
    }
}
