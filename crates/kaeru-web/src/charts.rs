//! Charts drawn on the server as SVG: no JavaScript, a title and description for screen readers, dark on
//! light (readable in print), scaled to the width of the screen. Every chart has its data table beside it in
//! the page; the SVG only draws it.

use std::fmt::Write;

/// Series colours: dark enough for text contrast on white, told apart by lightness as well as hue.
const COLOURS: [&str; 4] = ["#1f4e79", "#c55a11", "#6b7280", "#2e7d32"];
const W: f64 = 560.0;
const H: f64 = 250.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 30.0;
const BOTTOM: f64 = 36.0;

use kaeru_messaging::compose::escape as esc;

pub struct Series {
    pub name: String,
    pub values: Vec<Option<f64>>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Side by side per label.
    Bars,
    /// One bar per label, series stacked.
    Stacked,
    /// Steps (a survival curve), x being the label index.
    Steps,
}

pub struct Chart<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub desc: &'a str,
    pub labels: &'a [String],
    pub series: &'a [Series],
    pub kind: Kind,
    /// Appended to axis values: "%", "円" or "".
    pub unit: &'a str,
    /// The axis top when known (100 for shares).
    pub max: Option<f64>,
}

/// A round number at or above `v` for the axis top.
fn nice_max(v: f64) -> f64 {
    if v <= 0.0 {
        return 1.0;
    }
    let p = 10f64.powf(v.log10().floor());
    for m in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if v <= m * p {
            return m * p;
        }
    }
    10.0 * p
}

/// An axis value: 1.2万 style for large yen, one decimal for small shares.
pub fn short(v: f64, unit: &str) -> String {
    let n = if v.abs() >= 100_000_000.0 {
        format!("{}億", trim(v / 100_000_000.0))
    } else if v.abs() >= 10_000.0 {
        format!("{}万", trim(v / 10_000.0))
    } else {
        trim(v)
    };
    format!("{n}{unit}")
}

fn trim(v: f64) -> String {
    let s = format!("{v:.1}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

pub fn svg(c: &Chart) -> String {
    let mut s = String::new();
    let id = esc(c.id);
    let _ = write!(
        s,
        r#"<svg class="chart" viewBox="0 0 {W} {H}" role="img" aria-labelledby="{id}-t {id}-d" xmlns="http://www.w3.org/2000/svg" font-family="sans-serif" font-size="13"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
        esc(c.title),
        esc(c.desc)
    );
    let data_max = match c.kind {
        Kind::Stacked => (0..c.labels.len())
            .map(|i| {
                c.series
                    .iter()
                    .filter_map(|se| se.values.get(i).copied().flatten())
                    .sum::<f64>()
            })
            .fold(0.0, f64::max),
        _ => c
            .series
            .iter()
            .flat_map(|se| se.values.iter().flatten().copied())
            .fold(0.0, f64::max),
    };
    let mut top = c.max.unwrap_or_else(|| nice_max(data_max));
    // Small counts: a top divisible by four keeps the four grid lines on whole numbers.
    if c.max.is_none() && c.unit.is_empty() && top < 20.0 {
        top = (top / 4.0).ceil() * 4.0;
    }
    let (pw, ph) = (W - LEFT - RIGHT, H - TOP - BOTTOM);
    let y = |v: f64| TOP + ph - (v / top).clamp(0.0, 1.0) * ph;
    // Legend.
    if c.series.len() > 1 {
        let mut x = LEFT;
        for (i, se) in c.series.iter().enumerate() {
            let _ = write!(
                s,
                r##"<rect x="{x}" y="8" width="12" height="12" fill="{}"/><text x="{}" y="18" fill="#111">{}</text>"##,
                COLOURS[i % COLOURS.len()],
                x + 16.0,
                esc(&se.name)
            );
            x += 28.0 + se.name.chars().count() as f64 * 12.0;
        }
    }
    // Grid and axis values.
    for k in 0..=4 {
        let v = top * f64::from(k) / 4.0;
        let yy = y(v);
        let _ = write!(
            s,
            r##"<line x1="{LEFT}" x2="{}" y1="{yy:.1}" y2="{yy:.1}" stroke="#d1d5db"/><text x="{}" y="{:.1}" text-anchor="end" fill="#374151">{}</text>"##,
            W - RIGHT,
            LEFT - 6.0,
            yy + 4.0,
            esc(&short(v, c.unit))
        );
    }
    let n = c.labels.len().max(1);
    let band = pw / n as f64;
    // Label every k-th so they do not overlap.
    let every = ((n as f64 * 44.0 / pw).ceil() as usize).max(1);
    match c.kind {
        Kind::Bars | Kind::Stacked => {
            let groups = if c.kind == Kind::Bars {
                c.series.len().max(1)
            } else {
                1
            };
            let bw = (band * 0.8) / groups as f64;
            for i in 0..c.labels.len() {
                let x0 = LEFT + band * i as f64 + band * 0.1;
                let mut base = 0.0;
                for (j, se) in c.series.iter().enumerate() {
                    let Some(v) = se.values.get(i).copied().flatten() else {
                        continue;
                    };
                    let (x, from, to) = if c.kind == Kind::Bars {
                        (x0 + bw * j as f64, 0.0, v)
                    } else {
                        (x0, base, base + v)
                    };
                    base += v;
                    let (ya, yb) = (y(to), y(from));
                    let _ = write!(
                        s,
                        r#"<rect x="{x:.1}" y="{ya:.1}" width="{:.1}" height="{:.1}" fill="{}"><title>{} {}: {}</title></rect>"#,
                        (bw - 1.0).max(1.0),
                        (yb - ya).max(0.0),
                        COLOURS[j % COLOURS.len()],
                        esc(&c.labels[i]),
                        esc(&se.name),
                        esc(&short(v, c.unit))
                    );
                }
            }
        }
        Kind::Steps => {
            for (j, se) in c.series.iter().enumerate() {
                let mut d = String::new();
                let mut last: Option<f64> = None;
                for (i, v) in se.values.iter().enumerate() {
                    let Some(v) = v else { continue };
                    let x = LEFT + pw * i as f64 / (n.max(2) - 1) as f64;
                    match last {
                        None => {
                            let _ = write!(d, "M{x:.1},{:.1}", y(*v));
                        }
                        Some(_) => {
                            let _ = write!(d, " H{x:.1} V{:.1}", y(*v));
                        }
                    }
                    last = Some(*v);
                }
                let _ = write!(
                    s,
                    r#"<path d="{d}" fill="none" stroke="{}" stroke-width="2.5"{}/>"#,
                    COLOURS[j % COLOURS.len()],
                    if j == 1 {
                        r#" stroke-dasharray="6 3""#
                    } else {
                        ""
                    }
                );
            }
        }
    }
    for (i, l) in c.labels.iter().enumerate() {
        if i % every != 0 {
            continue;
        }
        let x = if c.kind == Kind::Steps {
            LEFT + pw * i as f64 / (n.max(2) - 1) as f64
        } else {
            LEFT + band * (i as f64 + 0.5)
        };
        let _ = write!(
            s,
            r##"<text x="{x:.1}" y="{}" text-anchor="middle" fill="#374151">{}</text>"##,
            H - BOTTOM + 16.0,
            esc(l)
        );
    }
    let _ = write!(
        s,
        r##"<line x1="{LEFT}" x2="{}" y1="{:.1}" y2="{:.1}" stroke="#111"/></svg>"##,
        W - RIGHT,
        TOP + ph,
        TOP + ph
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_escaped_and_the_chart_is_titled() {
        let labels = vec!["<script>".to_string(), "𠮷田部".to_string()];
        let series = vec![Series {
            name: "a&b".into(),
            values: vec![Some(1.0), None],
        }];
        let out = svg(&Chart {
            id: "x",
            title: "離職率",
            desc: "年ごと",
            labels: &labels,
            series: &series,
            kind: Kind::Bars,
            unit: "%",
            max: None,
        });
        assert!(out.contains("<title id=\"x-t\">離職率</title>"));
        assert!(out.contains("&lt;script&gt;"));
        assert!(!out.contains("<script>"));
        assert!(out.contains("𠮷田部"));
        assert_eq!(short(1_200_000.0, "円"), "120万円");
        assert_eq!(short(12.5, "%"), "12.5%");
        assert_eq!(nice_max(37.0), 50.0);
    }
}
