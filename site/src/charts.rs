//! Charts as pure functions from data to an SVG string (plotters' SVG backend, no font
//! dependency). Plotters' SVG backend writes labels as SVG `<text>` elements that the browser
//! lays out with its own fonts; only plotters' size estimates are approximate without a font
//! backend, so label areas are sized generously. Every text is escaped by the backend.
//!
//! Status is shown by marker shape as well as colour, so the charts read in print and for
//! colour-blind readers.

use plotters::prelude::*;

/// Why a chart could not be drawn (never expected; the report shows the data table anyway).
#[derive(Debug, thiserror::Error)]
#[error("drawing the {chart} chart: {message}")]
pub struct ChartError {
    chart: &'static str,
    message: String,
}

fn err<E: std::fmt::Debug>(chart: &'static str) -> impl Fn(E) -> ChartError {
    move |e| ChartError {
        chart,
        message: format!("{e:?}"),
    }
}

/// The status of one migration on the timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PointStatus {
    /// Applied and matching.
    Applied,
    /// success = false.
    Failed,
    /// Applied, but the local file changed since.
    Edited,
    /// Applied with execution_time -1 (skipped or interrupted).
    NotTimed,
    /// Not applied.
    Pending,
}

/// One migration on the timeline.
#[derive(Debug, Clone)]
pub struct TimelinePoint {
    /// The version label, e.g. "0013".
    pub label: String,
    /// installed_on as Unix seconds; None for pending migrations.
    pub installed_at: Option<i64>,
    /// Execution time in milliseconds, when known.
    pub execution_ms: Option<f64>,
    /// Its status.
    pub status: PointStatus,
}

const GREEN: RGBColor = RGBColor(46, 125, 50);
const RED_: RGBColor = RGBColor(198, 40, 40);
const ORANGE: RGBColor = RGBColor(230, 81, 0);
const GREY: RGBColor = RGBColor(97, 97, 97);
const BLUE_: RGBColor = RGBColor(21, 101, 192);

fn date(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

fn duration(ms: f64) -> String {
    if ms >= 1000.0 {
        format!("{:.1}s", ms / 1000.0)
    } else {
        format!("{ms:.0}ms")
    }
}

/// Migrations over time: y is the migration (in version order), x when it was installed.
/// Pending migrations sit in a "pending" column at the right edge.
pub fn migration_timeline(points: &[TimelinePoint]) -> Result<String, ChartError> {
    let e = err("migration timeline");
    let times: Vec<i64> = points.iter().filter_map(|p| p.installed_at).collect();
    let (mut lo, mut hi) = match (times.iter().min(), times.iter().max()) {
        (Some(a), Some(b)) => (*a, *b),
        _ => (0, 86_400),
    };
    if hi - lo < 86_400 {
        lo -= 43_200;
        hi += 43_200;
    }
    let pad = (hi - lo) / 8;
    let pending_x = hi + pad * 2;
    let x_range = (lo - pad)..(pending_x + pad);
    let n = points.len().max(1) as i32;
    let height = (120 + 22 * n).clamp(220, 900) as u32;
    let labels: Vec<String> = points.iter().map(|p| p.label.clone()).collect();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (760, height)).into_drawing_area();
        root.fill(&WHITE).map_err(&e)?;
        let mut chart = ChartBuilder::on(&root)
            .caption("Migrations by install time", ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(64)
            .build_cartesian_2d(x_range, -1..n)
            .map_err(&e)?;
        chart
            .configure_mesh()
            .x_labels(5)
            .y_labels(points.len().min(40) + 1)
            .x_label_formatter(&|x| {
                if *x > hi + pad {
                    "pending".into()
                } else {
                    date(*x)
                }
            })
            .y_label_formatter(&|y| {
                usize::try_from(*y)
                    .ok()
                    .and_then(|i| labels.get(i).cloned())
                    .unwrap_or_default()
            })
            .x_desc("installed on (UTC)")
            .y_desc("migration")
            .light_line_style(RGBColor(230, 230, 230))
            .draw()
            .map_err(&e)?;
        let placed: Vec<(i64, i32, &TimelinePoint)> = points
            .iter()
            .enumerate()
            .map(|(i, p)| (p.installed_at.unwrap_or(pending_x), i as i32, p))
            .collect();
        let series: [(PointStatus, &str, RGBColor); 5] = [
            (PointStatus::Applied, "applied", GREEN),
            (PointStatus::Failed, "failed", RED_),
            (PointStatus::Edited, "edited since applied", ORANGE),
            (PointStatus::NotTimed, "not timed (-1)", BLUE_),
            (PointStatus::Pending, "pending", GREY),
        ];
        for (status, name, color) in series {
            let mine: Vec<(i64, i32)> = placed
                .iter()
                .filter(|(_, _, p)| p.status == status)
                .map(|(x, y, _)| (*x, *y))
                .collect();
            if mine.is_empty() {
                continue;
            }
            let dot = move |(x, y): (i32, i32)| {
                EmptyElement::at((x, y)) + Circle::new((0, 0), 5, color.filled())
            };
            match status {
                PointStatus::Applied => {
                    chart
                        .draw_series(mine.iter().map(|c| Circle::new(*c, 5, color.filled())))
                        .map_err(&e)?
                        .label(name)
                        .legend(dot);
                }
                PointStatus::Failed => {
                    chart
                        .draw_series(
                            mine.iter()
                                .map(|c| Cross::new(*c, 6, color.stroke_width(3))),
                        )
                        .map_err(&e)?
                        .label(name)
                        .legend(move |(x, y)| {
                            EmptyElement::at((x, y)) + Cross::new((0, 0), 5, color.stroke_width(3))
                        });
                }
                PointStatus::Edited => {
                    chart
                        .draw_series(
                            mine.iter()
                                .map(|c| TriangleMarker::new(*c, 7, color.filled())),
                        )
                        .map_err(&e)?
                        .label(name)
                        .legend(move |(x, y)| {
                            EmptyElement::at((x, y))
                                + TriangleMarker::new((0, 0), 6, color.filled())
                        });
                }
                PointStatus::NotTimed => {
                    chart
                        .draw_series(
                            mine.iter()
                                .map(|c| Circle::new(*c, 5, color.stroke_width(2))),
                        )
                        .map_err(&e)?
                        .label(name)
                        .legend(move |(x, y)| {
                            EmptyElement::at((x, y)) + Circle::new((0, 0), 5, color.stroke_width(2))
                        });
                }
                PointStatus::Pending => {
                    let square = move |(x, y): (i32, i32)| {
                        EmptyElement::at((x, y))
                            + Rectangle::new([(-5, -5), (5, 5)], color.stroke_width(2))
                    };
                    chart
                        .draw_series(mine.iter().map(|c| {
                            EmptyElement::at(*c)
                                + Rectangle::new([(-5, -5), (5, 5)], color.stroke_width(2))
                        }))
                        .map_err(&e)?
                        .label(name)
                        .legend(square);
                }
            }
        }
        chart
            .draw_series(placed.iter().filter_map(|(x, y, p)| {
                p.execution_ms.map(|ms| {
                    Text::new(
                        duration(ms),
                        (*x, *y),
                        ("sans-serif", 11).into_font().color(&GREY),
                    )
                })
            }))
            .map_err(&e)?;
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.9))
            .border_style(GREY)
            .draw()
            .map_err(&e)?;
        root.present().map_err(&e)?;
    }
    Ok(svg)
}

/// Tables present / missing / unexpected as three labelled bars.
pub fn schema_coverage(
    present: usize,
    missing: usize,
    unexpected: usize,
) -> Result<String, ChartError> {
    let e = err("schema coverage");
    let bars = [
        ("present", present, GREEN),
        ("missing", missing, RED_),
        ("unexpected", unexpected, ORANGE),
    ];
    let max = bars.iter().map(|b| b.1).max().unwrap_or(0).max(1) as f64 * 1.15;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (760, 200)).into_drawing_area();
        root.fill(&WHITE).map_err(&e)?;
        let mut chart = ChartBuilder::on(&root)
            .caption("Expected tables in the live database", ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(90)
            .build_cartesian_2d(0.0..max, 0.0..3.0)
            .map_err(&e)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(4)
            .y_label_formatter(&|y: &f64| {
                let i = (*y - 0.5).round();
                if (*y - 0.5 - i).abs() < 0.01 && (0.0..3.0).contains(&i) {
                    bars[i as usize].0.to_string()
                } else {
                    String::new()
                }
            })
            .x_desc("tables")
            .draw()
            .map_err(&e)?;
        chart
            .draw_series(bars.iter().enumerate().map(|(i, (_, n, color))| {
                let y = i as f64;
                Rectangle::new([(0.0, y + 0.2), (*n as f64, y + 0.8)], color.filled())
            }))
            .map_err(&e)?;
        chart
            .draw_series(bars.iter().enumerate().map(|(i, (name, n, _))| {
                Text::new(
                    format!("{n} {name}"),
                    (*n as f64 + max * 0.01, i as f64 + 0.62),
                    ("sans-serif", 13).into_font(),
                )
            }))
            .map_err(&e)?;
        root.present().map_err(&e)?;
    }
    Ok(svg)
}

/// One signature's error counts per time bucket.
#[derive(Debug, Clone)]
pub struct LogSeries {
    /// The signature, shown in the legend (truncated).
    pub label: String,
    /// (bucket start as Unix seconds, count), sorted by time.
    pub points: Vec<(i64, u64)>,
}

/// Log errors over time, one line per signature.
pub fn log_errors(series: &[LogSeries]) -> Result<String, ChartError> {
    let e = err("log errors");
    let xs: Vec<i64> = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.0))
        .collect();
    let (mut lo, mut hi) = (
        xs.iter().min().copied().unwrap_or(0),
        xs.iter().max().copied().unwrap_or(3600),
    );
    if hi - lo < 600 {
        lo -= 300;
        hi += 300;
    }
    let ymax = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.1))
        .max()
        .unwrap_or(1)
        .max(1);
    let palette = [RED_, BLUE_, ORANGE, GREEN, GREY, RGBColor(106, 27, 154)];
    let span = hi - lo;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (760, 300)).into_drawing_area();
        root.fill(&WHITE).map_err(&e)?;
        let mut chart = ChartBuilder::on(&root)
            .caption("Database errors in the logs over time", ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(50)
            // Twice the highest count: the legend sits in the upper half, clear of the lines.
            .build_cartesian_2d(lo..hi, 0u64..ymax * 2 + 1)
            .map_err(&e)?;
        chart
            .configure_mesh()
            .x_labels(6)
            .x_label_formatter(&|x| {
                chrono::DateTime::from_timestamp(*x, 0)
                    .map(|d| {
                        if span > 3 * 86_400 {
                            d.format("%m-%d").to_string()
                        } else {
                            d.format("%H:%M").to_string()
                        }
                    })
                    .unwrap_or_default()
            })
            .x_desc("time (UTC)")
            .y_desc("lines")
            .light_line_style(RGBColor(230, 230, 230))
            .draw()
            .map_err(&e)?;
        for (i, s) in series.iter().enumerate().take(palette.len()) {
            let color = palette[i];
            let label: String = s.label.chars().take(60).collect();
            chart
                .draw_series(LineSeries::new(
                    s.points.iter().copied(),
                    color.stroke_width(2),
                ))
                .map_err(&e)?
                .label(label)
                .legend(move |(x, y)| {
                    PathElement::new([(x, y), (x + 16, y)], color.stroke_width(3))
                });
            chart
                .draw_series(s.points.iter().map(|p| Circle::new(*p, 3, color.filled())))
                .map_err(&e)?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.9))
            .border_style(GREY)
            .draw()
            .map_err(&e)?;
        root.present().map_err(&e)?;
    }
    Ok(svg)
}

/// Parses installed_on as sqlx and our collectors write it (RFC 3339, or SQLite's
/// `YYYY-MM-DD HH:MM:SS` in UTC) into Unix seconds.
pub fn parse_time(text: &str) -> Option<i64> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(text) {
        return Some(t.timestamp());
    }
    for fmt in [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S",
    ] {
        if let Ok(t) = chrono::NaiveDateTime::parse_from_str(text, fmt) {
            return Some(t.and_utc().timestamp());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timeline() -> Vec<TimelinePoint> {
        let mut v: Vec<TimelinePoint> = (1..=3)
            .map(|i| TimelinePoint {
                label: format!("{i:04}"),
                installed_at: Some(1_760_000_000 + i * 86_400 * 3),
                execution_ms: Some(12.0 * i as f64),
                status: PointStatus::Applied,
            })
            .collect();
        v[2].status = PointStatus::Failed;
        v.push(TimelinePoint {
            label: "0004".into(),
            installed_at: None,
            execution_ms: None,
            status: PointStatus::Pending,
        });
        v
    }

    #[test]
    fn timeline_renders_axis_labels_as_text() {
        let svg = migration_timeline(&timeline()).unwrap();
        assert!(svg.starts_with("<svg"), "{}", &svg[..80]);
        for label in [
            "0001",
            "0004",
            "pending",
            "installed on (UTC)",
            "failed",
            "36ms",
        ] {
            assert!(
                svg.contains(&format!(">\n{label}\n<")) || svg.contains(label),
                "missing {label}"
            );
        }
        assert!(svg.contains("<text"), "labels must be real text");
        assert!(svg.contains("2025-10-"), "dates on the x axis");
    }

    #[test]
    fn chart_text_is_escaped() {
        let svg = log_errors(&[LogSeries {
            label: "<script>alert(1)</script>".into(),
            points: vec![(1_760_000_000, 3), (1_760_000_600, 5)],
        }])
        .unwrap();
        assert!(!svg.contains("<script>"), "raw tag leaked into SVG");
        assert!(svg.contains("&lt;script&gt;"));
    }

    #[test]
    fn coverage_names_each_bar_with_its_count() {
        let svg = schema_coverage(38, 3, 1).unwrap();
        assert!(svg.contains("38 present"));
        assert!(svg.contains("3 missing"));
        assert!(svg.contains("1 unexpected"));
    }

    #[test]
    fn empty_inputs_still_draw() {
        assert!(migration_timeline(&[]).unwrap().contains("<svg"));
        assert!(log_errors(&[]).unwrap().contains("<svg"));
        assert!(schema_coverage(0, 0, 0).unwrap().contains("0 present"));
    }

    #[test]
    fn installed_on_formats_parse() {
        assert_eq!(parse_time("1970-01-01T00:01:00Z"), Some(60));
        assert_eq!(parse_time("1970-01-01 00:01:00"), Some(60));
        assert_eq!(parse_time("yesterday"), None);
    }
}
