//! Server-rendered charts for the reports: bars, grouped bars (a period against another),
//! a line (a trend) and a heat map (weekday × hour) as inline SVG, each with the HTML table
//! of the same numbers under it.
//!
//! Every chart is a pure function of its data, so a test reads the SVG as text. The SVG has
//! a `viewBox` and `width="100%"`: it scales to the width of a phone or a desktop page
//! without a script. Colours are presentation attributes, not `style`, so the portal's
//! Content-Security-Policy (`style-src 'self'`) lets them through. A `<title>` and `<desc>`
//! name the chart for screen readers (`role="img"`, `aria-labelledby`), and every bar,
//! point and cell carries its own `<title>` with its label and value (a tooltip on a mouse,
//! a label for a reader); the table under it is the same numbers for those who read rather
//! than look. Labels are escaped.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use std::fmt::Write as _;

/// The width of every chart's drawing, in SVG units (scaled to the page).
const WIDTH: f64 = 640.0;
/// Room on the left for the value axis.
const LEFT: f64 = 56.0;
/// Room on the right.
const RIGHT: f64 = 12.0;
/// Room at the top for the legend.
const TOP: f64 = 28.0;
/// Room at the bottom for the category labels.
const BOTTOM: f64 = 44.0;
/// The plot's height.
const PLOT: f64 = 220.0;
/// The series' colours, in order: the period itself, then the comparison.
const COLOURS: [&str; 4] = ["#2f6fba", "#a3b8d6", "#d9822b", "#5b9a68"];
/// Category labels longer than this are cut with «…» under the axis (the full one is in
/// the bar's own title and in the table).
const LABEL_CHARS: usize = 14;
/// About how wide one character of a label is at the chart's font size.
const CHAR_WIDTH: f64 = 6.5;
/// The slant of category labels that would overlap side by side (degrees, upwards to the right).
const SLANT: f64 = 40.0;

/// A named row of values, one per category.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// The series' name in the legend and the table's header, e.g. «Декабрь 2026».
    pub name: String,
    /// One value per category, in the categories' order.
    pub values: Vec<Decimal>,
}

/// What a bar, grouped bar or line chart draws.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartData {
    /// An id unique on the page (for `aria-labelledby`), e.g. `leads-by-dealer`.
    pub id: String,
    /// The chart's title, e.g. «Заявки по дилерам».
    pub title: String,
    /// The categories along the axis: dealers, months, types.
    pub categories: Vec<String>,
    /// One series for plain bars and a line; two (the period and the one it is compared
    /// with) for grouped bars.
    pub series: Vec<Series>,
}

/// A chart as the page shows it: the SVG and the table of the same numbers, both HTML
/// ready to insert unescaped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Figure {
    /// The `<svg>` element.
    pub svg: String,
    /// The `<table>` element.
    pub table: String,
}

/// Escapes text for HTML and SVG content and attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A number as the reports print it: digit groups split by a no-break space, a decimal
/// comma, at most two decimals, no trailing zeros: `12345.50` → «12 345,5».
pub fn number(value: Decimal) -> String {
    let rounded = value
        .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
        .normalize();
    let negative = rounded.is_sign_negative() && !rounded.is_zero();
    let text = rounded.abs().to_string();
    let (whole, fraction) = match text.split_once('.') {
        Some((w, f)) => (w.to_owned(), Some(f.to_owned())),
        None => (text, None),
    };
    let mut out = String::new();
    if negative {
        out.push('−');
    }
    for (i, ch) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            out.push('\u{a0}');
        }
        out.push(ch);
    }
    if let Some(fraction) = fraction {
        out.push(',');
        out.push_str(&fraction);
    }
    out
}

/// The change from `base` to `value` in percent, «+12,5 %», «−3 %»; «—» without a base.
pub fn change(value: Decimal, base: Decimal) -> String {
    if base.is_zero() {
        return "—".to_owned();
    }
    let percent = (value - base) * Decimal::ONE_HUNDRED / base.abs();
    let percent = percent.round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero);
    let sign = if percent > Decimal::ZERO { "+" } else { "" };
    format!("{sign}{}\u{a0}%", number(percent))
}

fn float(value: Decimal) -> f64 {
    value.to_f64().unwrap_or(0.0)
}

/// Rounds `max` up to 1, 2 or 5 times a power of ten, so the axis reads in round steps.
fn nice_ceiling(max: f64) -> f64 {
    if max <= 0.0 || !max.is_finite() {
        return 1.0;
    }
    let power = 10f64.powf(max.log10().floor());
    for step in [1.0, 2.0, 5.0, 10.0] {
        if max <= step * power {
            return step * power;
        }
    }
    10.0 * power
}

fn short(label: &str) -> String {
    if label.chars().count() <= LABEL_CHARS {
        return label.to_owned();
    }
    let mut cut: String = label.chars().take(LABEL_CHARS - 1).collect();
    cut.push('…');
    cut
}

/// A number drawn on the chart with at most one decimal.
fn coordinate(value: f64) -> String {
    let rounded = (value * 10.0).round() / 10.0;
    if rounded.fract() == 0.0 {
        format!("{rounded:.0}")
    } else {
        format!("{rounded:.1}")
    }
}

/// The opening of a chart's SVG with its accessible name and description.
fn open(id: &str, title: &str, desc: &str, height: f64) -> String {
    let id = escape(id);
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 {w} {h}\" \
         width=\"100%\" preserveAspectRatio=\"xMidYMid meet\" role=\"img\" \
         aria-labelledby=\"{id}-title {id}-desc\" font-family=\"sans-serif\" font-size=\"11\">\
         <title id=\"{id}-title\">{title}</title><desc id=\"{id}-desc\">{desc}</desc>",
        w = coordinate(WIDTH),
        h = coordinate(height),
        title = escape(title),
        desc = escape(desc),
    )
}

/// The empty chart: its frame and «Нет данных», so a page keeps its layout.
fn empty(data: &ChartData) -> Figure {
    let height = TOP + PLOT + BOTTOM;
    let mut svg = open(&data.id, &data.title, "Нет данных за период", height);
    let _ = write!(
        svg,
        "<text x=\"{x}\" y=\"{y}\" text-anchor=\"middle\" fill=\"#666\">Нет данных</text></svg>",
        x = coordinate(WIDTH / 2.0),
        y = coordinate(TOP + PLOT / 2.0),
    );
    let table = format!(
        "<table class=\"chart-table\"><caption>{}</caption><tbody><tr><td>Нет данных</td></tr>\
         </tbody></table>",
        escape(&data.title)
    );
    Figure { svg, table }
}

/// Whether there is anything to draw: a category with a value. Zero is a value (a month
/// without a breach is a bar at 0 % on its axis, not «Нет данных»).
fn has_data(data: &ChartData) -> bool {
    !data.categories.is_empty() && data.series.iter().any(|s| !s.values.is_empty())
}

/// The value of `series` at `index`, zero where the series is short.
fn at(series: &Series, index: usize) -> Decimal {
    series.values.get(index).copied().unwrap_or(Decimal::ZERO)
}

/// The value axis: grid lines and their labels from 0 to `top`.
fn value_axis(svg: &mut String, top: f64) {
    for step in 0..=4 {
        let value = top * f64::from(step) / 4.0;
        let y = TOP + PLOT - PLOT * f64::from(step) / 4.0;
        let label = Decimal::try_from(value)
            .map(number)
            .unwrap_or_else(|_| coordinate(value));
        let _ = write!(
            svg,
            "<line x1=\"{l}\" y1=\"{y}\" x2=\"{r}\" y2=\"{y}\" stroke=\"#ddd\"/>\
             <text x=\"{tx}\" y=\"{ty}\" text-anchor=\"end\" fill=\"#444\">{label}</text>",
            l = coordinate(LEFT),
            r = coordinate(WIDTH - RIGHT),
            y = coordinate(y),
            tx = coordinate(LEFT - 6.0),
            ty = coordinate(y + 4.0),
        );
    }
}

/// The legend above the plot, one swatch per series (drawn only for two or more).
fn legend(svg: &mut String, series: &[Series]) {
    if series.len() < 2 {
        return;
    }
    let mut x = LEFT;
    for (i, s) in series.iter().enumerate() {
        let colour = COLOURS[i % COLOURS.len()];
        let _ = write!(
            svg,
            "<rect x=\"{x}\" y=\"8\" width=\"12\" height=\"12\" fill=\"{colour}\"/>\
             <text x=\"{tx}\" y=\"18\" fill=\"#222\">{name}</text>",
            x = coordinate(x),
            tx = coordinate(x + 16.0),
            name = escape(&s.name),
        );
        x += 30.0 + 6.5 * s.name.chars().count() as f64;
    }
}

/// Whether the category labels, side by side, would run into each other: then they are
/// slanted (many categories, e.g. the fifteen ticket categories, on one axis).
fn slanted(categories: &[String], slot: f64) -> bool {
    widest(categories) > slot - 4.0
}

/// The width of the widest category label as drawn (cut to [`LABEL_CHARS`]).
fn widest(categories: &[String]) -> f64 {
    let chars = categories
        .iter()
        .map(|label| short(label).chars().count())
        .max()
        .unwrap_or(0);
    chars as f64 * CHAR_WIDTH
}

/// The room under the plot that the category labels need: a slanted label reaches down by
/// its width times the slant's sine.
fn bottom(categories: &[String], slot: f64) -> f64 {
    if slanted(categories, slot) {
        (widest(categories) * SLANT.to_radians().sin() + 24.0).max(BOTTOM)
    } else {
        BOTTOM
    }
}

/// The category labels under the plot, centred on each slot, or ending under it and slanted
/// when they would overlap.
fn category_axis(svg: &mut String, categories: &[String], slot: f64) {
    let slant = slanted(categories, slot);
    for (i, label) in categories.iter().enumerate() {
        let x = coordinate(LEFT + slot * (i as f64 + 0.5));
        let y = coordinate(TOP + PLOT + 16.0);
        let label = escape(&short(label));
        let _ = if slant {
            write!(
                svg,
                "<text x=\"{x}\" y=\"{y}\" text-anchor=\"end\" fill=\"#222\" \
                 transform=\"rotate(-{SLANT} {x} {y})\">{label}</text>",
            )
        } else {
            write!(
                svg,
                "<text x=\"{x}\" y=\"{y}\" text-anchor=\"middle\" fill=\"#222\">{label}</text>",
            )
        };
    }
}

/// The table of a bar, grouped bar or line chart: a row per category, a column per series,
/// and with two series the change from the second (the comparison) to the first.
fn table(data: &ChartData) -> String {
    let mut html = format!(
        "<table class=\"chart-table\"><caption>{}</caption><thead><tr><th scope=\"col\"></th>",
        escape(&data.title)
    );
    for s in &data.series {
        let _ = write!(html, "<th scope=\"col\">{}</th>", escape(&s.name));
    }
    let compared = data.series.len() == 2;
    if compared {
        html.push_str("<th scope=\"col\">Изменение</th>");
    }
    html.push_str("</tr></thead><tbody>");
    for (i, category) in data.categories.iter().enumerate() {
        let _ = write!(html, "<tr><th scope=\"row\">{}</th>", escape(category));
        for s in &data.series {
            let _ = write!(html, "<td>{}</td>", number(at(s, i)));
        }
        if compared {
            let _ = write!(
                html,
                "<td>{}</td>",
                change(at(&data.series[0], i), at(&data.series[1], i))
            );
        }
        html.push_str("</tr>");
    }
    html.push_str("</tbody></table>");
    html
}

/// Bars: one series, a bar per category, heights proportional to the values.
pub fn bars(data: &ChartData) -> Figure {
    grouped_bars(data)
}

/// Grouped bars: a group per category, a bar per series side by side (the period and the
/// one it is compared with); the table adds the change.
pub fn grouped_bars(data: &ChartData) -> Figure {
    if !has_data(data) {
        return empty(data);
    }
    let max = data
        .series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .map(float)
        .fold(0.0, f64::max);
    let top = nice_ceiling(max);
    let slot = (WIDTH - LEFT - RIGHT) / data.categories.len() as f64;
    let height = TOP + PLOT + bottom(&data.categories, slot);
    let desc = format!(
        "Столбцы: {} значений, наибольшее {}",
        data.categories.len(),
        Decimal::try_from(max)
            .map(number)
            .unwrap_or_else(|_| coordinate(max))
    );
    let mut svg = open(&data.id, &data.title, &desc, height);
    value_axis(&mut svg, top);
    legend(&mut svg, &data.series);
    let group = slot * 0.8;
    let bar = group / data.series.len().max(1) as f64;
    for (i, category) in data.categories.iter().enumerate() {
        for (k, s) in data.series.iter().enumerate() {
            let value = at(s, i);
            let h = (float(value).max(0.0) / top * PLOT).min(PLOT);
            let x = LEFT + slot * i as f64 + (slot - group) / 2.0 + bar * k as f64;
            let _ = write!(
                svg,
                "<rect x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\" fill=\"{c}\">\
                 <title>{label}: {value}</title></rect>",
                x = coordinate(x),
                y = coordinate(TOP + PLOT - h),
                w = coordinate(bar),
                h = coordinate(h),
                c = COLOURS[k % COLOURS.len()],
                label = escape(&if data.series.len() > 1 {
                    format!("{category}, {}", s.name)
                } else {
                    category.clone()
                }),
                value = number(value),
            );
        }
    }
    category_axis(&mut svg, &data.categories, slot);
    svg.push_str("</svg>");
    Figure {
        svg,
        table: table(data),
    }
}

/// A line per series over the categories (months, weeks): the trend.
pub fn line(data: &ChartData) -> Figure {
    if !has_data(data) {
        return empty(data);
    }
    let max = data
        .series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .map(float)
        .fold(0.0, f64::max);
    let top = nice_ceiling(max);
    let slot = (WIDTH - LEFT - RIGHT) / data.categories.len() as f64;
    let height = TOP + PLOT + bottom(&data.categories, slot);
    let desc = format!("Линия: {} точек", data.categories.len());
    let mut svg = open(&data.id, &data.title, &desc, height);
    value_axis(&mut svg, top);
    legend(&mut svg, &data.series);
    for (k, s) in data.series.iter().enumerate() {
        let colour = COLOURS[k % COLOURS.len()];
        let points: Vec<(f64, f64, Decimal)> = (0..data.categories.len())
            .map(|i| {
                let value = at(s, i);
                let x = LEFT + slot * (i as f64 + 0.5);
                let y = TOP + PLOT - (float(value).max(0.0) / top * PLOT).min(PLOT);
                (x, y, value)
            })
            .collect();
        let path: Vec<String> = points
            .iter()
            .map(|(x, y, _)| format!("{},{}", coordinate(*x), coordinate(*y)))
            .collect();
        let _ = write!(
            svg,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"/>",
            path.join(" ")
        );
        for ((x, y, value), category) in points.iter().zip(&data.categories) {
            let _ = write!(
                svg,
                "<circle cx=\"{x}\" cy=\"{y}\" r=\"3.5\" fill=\"{colour}\">\
                 <title>{label}: {value}</title></circle>",
                x = coordinate(*x),
                y = coordinate(*y),
                label = escape(category),
                value = number(*value),
            );
        }
    }
    category_axis(&mut svg, &data.categories, slot);
    svg.push_str("</svg>");
    Figure {
        svg,
        table: table(data),
    }
}

/// The weekdays of a heat map's rows, Monday first.
pub const WEEKDAYS: [&str; 7] = ["Пн", "Вт", "Ср", "Чт", "Пт", "Сб", "Вс"];

/// A heat map of weekday × hour (e.g. how long leads waited by when they came): a row per
/// weekday from Monday, a column per hour from 0 to 23, darker for more. `values[d][h]` is
/// weekday `d` (0 = Monday) and hour `h`.
pub fn heat_map(id: &str, title: &str, values: &[[Decimal; 24]; 7]) -> Figure {
    let max = values
        .iter()
        .flat_map(|row| row.iter().copied())
        .map(float)
        .fold(0.0, f64::max);
    let data = ChartData {
        id: id.to_owned(),
        title: title.to_owned(),
        categories: Vec::new(),
        series: Vec::new(),
    };
    if max <= 0.0 {
        return empty(&data);
    }
    let cell_w = (WIDTH - LEFT - RIGHT) / 24.0;
    let cell_h = 24.0;
    let height = TOP + cell_h * 7.0 + 24.0;
    let mut svg = open(
        id,
        title,
        "Тепловая карта: дни недели по строкам, часы по столбцам",
        height,
    );
    for (d, row) in values.iter().enumerate() {
        let y = TOP + cell_h * d as f64;
        let _ = write!(
            svg,
            "<text x=\"{x}\" y=\"{ty}\" text-anchor=\"end\" fill=\"#222\">{day}</text>",
            x = coordinate(LEFT - 6.0),
            ty = coordinate(y + cell_h / 2.0 + 4.0),
            day = WEEKDAYS[d],
        );
        for (h, value) in row.iter().enumerate() {
            let share = (float(*value).max(0.0) / max).min(1.0);
            // From a pale to a saturated blue; zero stays almost white.
            let opacity = if value.is_zero() {
                0.04
            } else {
                0.15 + 0.85 * share
            };
            let _ = write!(
                svg,
                "<rect x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{hh}\" fill=\"{c}\" \
                 fill-opacity=\"{o:.2}\" stroke=\"#fff\"><title>{day} {h:02}:00: {v}</title></rect>",
                x = coordinate(LEFT + cell_w * h as f64),
                y = coordinate(y),
                w = coordinate(cell_w),
                hh = coordinate(cell_h),
                c = COLOURS[0],
                o = opacity,
                day = WEEKDAYS[d],
                v = number(*value),
            );
        }
    }
    for h in (0..24).step_by(3) {
        let _ = write!(
            svg,
            "<text x=\"{x}\" y=\"{y}\" text-anchor=\"middle\" fill=\"#222\">{h:02}</text>",
            x = coordinate(LEFT + cell_w * (h as f64 + 0.5)),
            y = coordinate(TOP + cell_h * 7.0 + 14.0),
        );
    }
    svg.push_str("</svg>");

    let mut table = format!(
        "<table class=\"chart-table\"><caption>{}</caption><thead><tr><th scope=\"col\"></th>",
        escape(title)
    );
    for h in 0..24 {
        let _ = write!(table, "<th scope=\"col\">{h:02}</th>");
    }
    table.push_str("</tr></thead><tbody>");
    for (d, row) in values.iter().enumerate() {
        let _ = write!(table, "<tr><th scope=\"row\">{}</th>", WEEKDAYS[d]);
        for value in row {
            let _ = write!(table, "<td>{}</td>", number(*value));
        }
        table.push_str("</tr>");
    }
    table.push_str("</tbody></table>");
    Figure { svg, table }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn data(categories: &[&str], series: &[(&str, &[Decimal])]) -> ChartData {
        ChartData {
            id: "leads".into(),
            title: "Заявки по дилерам".into(),
            categories: categories.iter().map(|c| (*c).to_owned()).collect(),
            series: series
                .iter()
                .map(|(name, values)| Series {
                    name: (*name).to_owned(),
                    values: values.to_vec(),
                })
                .collect(),
        }
    }

    /// The `height` attributes of the chart's bars, in order.
    fn bar_heights(svg: &str) -> Vec<f64> {
        svg.split("<rect ")
            .skip(1)
            .filter(|r| r.contains("<title>"))
            .map(|r| {
                let start = r.find("height=\"").unwrap() + 8;
                let end = start + r[start..].find('"').unwrap();
                r[start..end].parse().unwrap()
            })
            .collect()
    }

    #[test]
    fn bar_heights_are_proportional_to_the_values() {
        let figure = bars(&data(
            &["Север", "Юг", "Запад"],
            &[("Декабрь", &[dec!(10), dec!(20), dec!(5)])],
        ));
        let heights = bar_heights(&figure.svg);
        assert_eq!(heights.len(), 3);
        // 20 is the axis top: the full plot height; 10 half of it; 5 a quarter.
        assert_eq!(heights, vec![PLOT / 2.0, PLOT, PLOT / 4.0]);
    }

    #[test]
    fn the_axis_ends_on_a_round_number_above_the_largest_value() {
        assert_eq!(nice_ceiling(7.0), 10.0);
        assert_eq!(nice_ceiling(13.0), 20.0);
        assert_eq!(nice_ceiling(420.0), 500.0);
        assert_eq!(nice_ceiling(1000.0), 1000.0);
        assert_eq!(nice_ceiling(0.0), 1.0);
        let figure = bars(&data(&["А"], &[("", &[dec!(13)])]));
        assert_eq!(bar_heights(&figure.svg), vec![PLOT * 13.0 / 20.0]);
        assert!(figure.svg.contains(">20</text>"));
    }

    #[test]
    fn the_chart_has_an_accessible_title_and_scales_to_the_width() {
        let figure = bars(&data(&["Север"], &[("Декабрь", &[dec!(3)])]));
        assert!(figure.svg.starts_with("<svg "));
        assert!(figure.svg.contains("viewBox=\"0 0 640 292\""));
        assert!(figure.svg.contains("width=\"100%\""));
        assert!(figure.svg.contains("role=\"img\""));
        assert!(
            figure
                .svg
                .contains("aria-labelledby=\"leads-title leads-desc\"")
        );
        assert!(
            figure
                .svg
                .contains("<title id=\"leads-title\">Заявки по дилерам</title>")
        );
        assert!(
            !figure.svg.contains("style="),
            "the CSP forbids inline styles"
        );
        assert!(figure.svg.ends_with("</svg>"));
    }

    #[test]
    fn labels_are_escaped_in_the_svg_and_the_table() {
        let mut chart = data(
            &["<script>alert(1)</script>", "ООО \"Север\" & Ко"],
            &[("Период", &[dec!(1), dec!(2)])],
        );
        chart.title = "Заявки <b>".into();
        let figure = bars(&chart);
        for html in [&figure.svg, &figure.table] {
            assert!(!html.contains("<script>"), "{html}");
            assert!(!html.contains("<b>"), "{html}");
        }
        assert!(
            figure
                .table
                .contains("&lt;script&gt;alert(1)&lt;/script&gt;")
        );
        assert!(figure.table.contains("ООО &quot;Север&quot; &amp; Ко"));
        assert!(
            figure
                .svg
                .contains("<title>ООО &quot;Север&quot; &amp; Ко: 2</title>")
        );
        assert!(figure.svg.contains("Заявки &lt;b&gt;"));
    }

    #[test]
    fn long_labels_are_cut_under_the_axis_but_whole_in_the_title_and_table() {
        let name = "Автоцентр Северо-Запад Премиум";
        let figure = bars(&data(&[name], &[("", &[dec!(4)])]));
        assert!(figure.svg.contains(">Автоцентр Сев…</text>"));
        assert!(figure.svg.contains(&format!("<title>{name}: 4</title>")));
        assert!(
            figure
                .table
                .contains(&format!("<th scope=\"row\">{name}</th>"))
        );
    }

    #[test]
    fn many_long_labels_are_slanted_under_a_taller_chart_and_few_stay_level() {
        let names: Vec<String> = (1..=15).map(|i| format!("Категория номер {i}")).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let values = vec![Decimal::ONE; 15];
        let many = bars(&data(&names, &[("Период", &values)]));
        assert_eq!(many.svg.matches("rotate(-40 ").count(), 15);
        let few = bars(&data(
            &["Москва", "Казань"],
            &[("Период", &[Decimal::ONE, Decimal::TWO])],
        ));
        assert!(!few.svg.contains("rotate("));
        let height = |svg: &str| {
            let view = svg.split("viewBox=\"0 0 640 ").nth(1).expect("a viewBox");
            view.split('"')
                .next()
                .expect("its height")
                .parse::<f64>()
                .expect("a number")
        };
        assert!(height(&many.svg) > height(&few.svg));
    }

    #[test]
    fn empty_data_draws_no_data_instead_of_dividing_by_zero() {
        for figure in [
            bars(&data(&[], &[])),
            grouped_bars(&data(&["Север"], &[("А", &[]), ("Б", &[])])),
            line(&data(&[], &[("А", &[])])),
            heat_map("h", "Время обработки", &[[Decimal::ZERO; 24]; 7]),
        ] {
            assert!(figure.svg.contains("Нет данных"), "{}", figure.svg);
            assert!(!figure.svg.contains("NaN") && !figure.svg.contains("inf"));
            assert!(figure.table.contains("<td>Нет данных</td>"));
        }
    }

    #[test]
    fn zero_is_data_a_month_without_a_breach_is_a_bar_at_zero_on_its_axis() {
        let figure = bars(&data(
            &["Октябрь 2026", "Ноябрь 2026"],
            &[("Нарушено", &[dec!(0), dec!(0)])],
        ));
        assert!(!figure.svg.contains("Нет данных"), "{}", figure.svg);
        assert!(figure.svg.contains("Ноябрь 2026"), "{}", figure.svg);
        assert!(!figure.svg.contains("NaN") && !figure.svg.contains("inf"));
        assert!(figure.table.contains("<td>0</td>"), "{}", figure.table);
        let trend = line(&data(&["Октябрь 2026"], &[("Нарушено", &[dec!(0)])]));
        assert!(!trend.svg.contains("Нет данных") && !trend.svg.contains("NaN"));
    }

    #[test]
    fn grouped_bars_compare_two_periods_and_the_table_shows_the_change() {
        let figure = grouped_bars(&data(
            &["Север", "Юг"],
            &[
                ("Декабрь 2026", &[dec!(15), dec!(8)]),
                ("Ноябрь 2026", &[dec!(10), dec!(0)]),
            ],
        ));
        assert_eq!(bar_heights(&figure.svg).len(), 4);
        assert!(figure.svg.contains("<title>Север, Ноябрь 2026: 10</title>"));
        assert!(figure.svg.contains(">Декабрь 2026</text>"), "a legend");
        assert!(figure.table.contains("<th scope=\"col\">Изменение</th>"));
        assert!(figure.table.contains(
            "<tr><th scope=\"row\">Север</th><td>15</td><td>10</td><td>+50\u{a0}%</td></tr>"
        ));
        assert!(figure.table.contains("<td>8</td><td>0</td><td>—</td>"));
    }

    #[test]
    fn a_line_has_a_point_per_category_at_its_value() {
        let figure = line(&data(
            &["Окт", "Ноя", "Дек"],
            &[("Заявки", &[dec!(0), dec!(50), dec!(100)])],
        ));
        assert_eq!(figure.svg.matches("<circle ").count(), 3);
        assert_eq!(figure.svg.matches("<polyline ").count(), 1);
        // 100 is the top of the plot, 0 its floor.
        let top = coordinate(TOP);
        let floor = coordinate(TOP + PLOT);
        assert!(figure.svg.contains(&format!("cy=\"{top}\"")));
        assert!(figure.svg.contains(&format!("cy=\"{floor}\"")));
        assert!(figure.table.contains("<td>100</td>"));
    }

    #[test]
    fn a_heat_map_has_a_cell_per_weekday_and_hour_darker_for_more() {
        let mut values = [[Decimal::ZERO; 24]; 7];
        values[0][9] = dec!(12);
        values[4][18] = dec!(3);
        let figure = heat_map("wait", "Время до контакта", &values);
        assert_eq!(figure.svg.matches("<rect ").count(), 7 * 24);
        assert!(figure.svg.contains("<title>Пн 09:00: 12</title>"));
        assert!(
            figure
                .svg
                .contains("fill-opacity=\"1.00\" stroke=\"#fff\"><title>Пн 09:00")
        );
        assert!(
            figure
                .svg
                .contains("fill-opacity=\"0.36\" stroke=\"#fff\"><title>Пт 18:00")
        );
        assert!(figure.table.contains("<th scope=\"row\">Вс</th>"));
        assert_eq!(figure.table.matches("<td>").count(), 7 * 24);
    }

    #[test]
    fn numbers_read_the_russian_way() {
        assert_eq!(number(dec!(12345.50)), "12\u{a0}345,5");
        assert_eq!(number(dec!(1000000)), "1\u{a0}000\u{a0}000");
        assert_eq!(number(dec!(0.333)), "0,33");
        assert_eq!(number(dec!(-1500)), "−1\u{a0}500");
        assert_eq!(change(dec!(15), dec!(10)), "+50\u{a0}%");
        assert_eq!(change(dec!(9), dec!(12)), "−25\u{a0}%");
        assert_eq!(change(dec!(5), Decimal::ZERO), "—");
    }
}
