//! A small page layout: text placed at points measured from the page's top-left corner,
//! paragraphs that wrap, ruled tables whose rows flow onto further pages under a repeated
//! header. It produces [`Page`]s of drawing operations; the writer turns them into PDF.

use crate::font::{Fonts, Style};

/// A4 in points.
const A4_SHORT: f32 = 595.28;
const A4_LONG: f32 = 841.89;
/// Room kept at the foot of every page for its number.
const FOOTER: f32 = 18.0;

/// One drawing operation. Coordinates are points from the page's top-left corner; a text's
/// `y` is its baseline.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Op {
    Text {
        style: Style,
        size: f32,
        x: f32,
        y: f32,
        text: String,
    },
    Line {
        from: (f32, f32),
        to: (f32, f32),
        width: f32,
    },
}

/// A laid-out page.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Page {
    pub(crate) width: f32,
    pub(crate) height: f32,
    pub(crate) ops: Vec<Op>,
}

/// Which way the paper is turned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Orientation {
    Portrait,
    Landscape,
}

/// Where text sits inside its box.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Center,
    Right,
}

/// A table column: its header, width in points and the alignment of its cells.
pub(crate) struct Column<'a> {
    pub(crate) title: &'a str,
    pub(crate) width: f32,
    pub(crate) align: Align,
}

/// The text of a table cell, set in a style (the totals row is bold).
pub(crate) struct Row {
    pub(crate) cells: Vec<String>,
    pub(crate) style: Style,
}

/// Lays content out top to bottom, opening a new page when the next piece does not fit.
pub(crate) struct Flow<'f> {
    fonts: &'f Fonts,
    width: f32,
    height: f32,
    margin: f32,
    /// The line printed at the top of every page after the first («Счёт … — продолжение»),
    /// so a loose sheet still says which document it belongs to.
    running_head: String,
    pages: Vec<Page>,
    /// The cursor: the top of the next piece, in points from the page's top.
    pub(crate) y: f32,
}

/// The line height of text at `size`.
pub(crate) fn leading(size: f32) -> f32 {
    size * 1.25
}

/// The cell padding inside table borders.
const PAD: f32 = 2.5;

impl<'f> Flow<'f> {
    pub(crate) fn new(
        fonts: &'f Fonts,
        orientation: Orientation,
        margin: f32,
        running_head: String,
    ) -> Flow<'f> {
        let (width, height) = match orientation {
            Orientation::Portrait => (A4_SHORT, A4_LONG),
            Orientation::Landscape => (A4_LONG, A4_SHORT),
        };
        let mut flow = Flow {
            fonts,
            width,
            height,
            margin,
            running_head,
            pages: Vec::new(),
            y: margin,
        };
        flow.new_page();
        flow
    }

    pub(crate) fn left(&self) -> f32 {
        self.margin
    }

    pub(crate) fn right(&self) -> f32 {
        self.width - self.margin
    }

    pub(crate) fn content_width(&self) -> f32 {
        self.width - 2.0 * self.margin
    }

    fn bottom(&self) -> f32 {
        self.height - self.margin - FOOTER
    }

    fn new_page(&mut self) {
        self.pages.push(Page {
            width: self.width,
            height: self.height,
            ops: Vec::new(),
        });
        self.y = self.margin;
        if self.pages.len() > 1 {
            let head = self.running_head.clone();
            let x = self.left();
            self.text(x, self.y + 7.0, Style::Regular, 7.0, &head);
            self.y += 14.0;
        }
    }

    /// Opens a new page unless `height` more points fit on this one.
    pub(crate) fn ensure(&mut self, height: f32) {
        if self.y + height > self.bottom() {
            self.new_page();
        }
    }

    /// The width of `text` in one line.
    pub(crate) fn measure(&self, style: Style, size: f32, text: &str) -> f32 {
        self.fonts.width(style, size, text)
    }

    /// Moves the cursor down.
    pub(crate) fn gap(&mut self, height: f32) {
        self.y += height;
    }

    fn push(&mut self, op: Op) {
        if let Some(page) = self.pages.last_mut() {
            page.ops.push(op);
        }
    }

    /// Places one line of text with its left end at `x` and its baseline at `y`.
    pub(crate) fn text(&mut self, x: f32, y: f32, style: Style, size: f32, text: &str) {
        let text = printable(text);
        if text.trim().is_empty() {
            return;
        }
        self.push(Op::Text {
            style,
            size,
            x,
            y,
            text,
        });
    }

    /// Places one line of text inside `[x, x + width]` as `align` says.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn text_in(
        &mut self,
        x: f32,
        width: f32,
        y: f32,
        align: Align,
        style: Style,
        size: f32,
        text: &str,
    ) {
        let measured = self.fonts.width(style, size, text);
        let x = match align {
            Align::Left => x,
            Align::Center => x + (width - measured) / 2.0,
            Align::Right => x + width - measured,
        };
        self.text(x, y, style, size, text);
    }

    /// A straight line.
    pub(crate) fn line(&mut self, from: (f32, f32), to: (f32, f32), width: f32) {
        self.push(Op::Line { from, to, width });
    }

    /// A rectangle's outline; `top` is measured from the page's top.
    pub(crate) fn frame(&mut self, x: f32, top: f32, width: f32, height: f32, line: f32) {
        let (right, bottom) = (x + width, top + height);
        self.line((x, top), (right, top), line);
        self.line((right, top), (right, bottom), line);
        self.line((right, bottom), (x, bottom), line);
        self.line((x, bottom), (x, top), line);
    }

    /// A horizontal rule across the content at the cursor.
    pub(crate) fn rule(&mut self, width: f32) {
        let (l, r, y) = (self.left(), self.right(), self.y);
        self.line((l, y), (r, y), width);
    }

    /// `text` broken into lines no wider than `width` at words; a word wider than a whole
    /// line (an account number in a narrow cell) is broken between characters.
    pub(crate) fn wrap(&self, text: &str, style: Style, size: f32, width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for paragraph in text.split('\n') {
            let mut line = String::new();
            for word in paragraph.split_whitespace() {
                let candidate = if line.is_empty() {
                    word.to_owned()
                } else {
                    format!("{line} {word}")
                };
                if self.fonts.width(style, size, &candidate) <= width {
                    line = candidate;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                for ch in word.chars() {
                    line.push(ch);
                    if self.fonts.width(style, size, &line) > width && line.chars().count() > 1 {
                        line.pop();
                        lines.push(std::mem::take(&mut line));
                        line.push(ch);
                    }
                }
            }
            lines.push(line);
        }
        lines
    }

    /// A wrapped paragraph at the cursor, from `x` over `width`; the cursor moves below it.
    /// Each line goes onto a new page when it no longer fits.
    pub(crate) fn paragraph(&mut self, x: f32, width: f32, style: Style, size: f32, text: &str) {
        for line in self.wrap(text, style, size, width) {
            self.ensure(leading(size));
            let baseline = self.y + size;
            self.text(x, baseline, style, size, &line);
            self.y += leading(size);
        }
    }

    /// A label in bold and its value wrapped beside it: «Покупатель: ООО …».
    pub(crate) fn labelled(&mut self, label: &str, label_width: f32, size: f32, value: &str) {
        let x = self.left();
        let value_width = self.content_width() - label_width;
        let lines = self.wrap(value, Style::Regular, size, value_width);
        self.ensure(leading(size) * lines.len().max(1) as f32);
        let baseline = self.y + size;
        self.text(x, baseline, Style::Bold, size, label);
        for (i, line) in lines.iter().enumerate() {
            let y = baseline + leading(size) * i as f32;
            self.text(x + label_width, y, Style::Regular, size, line);
        }
        self.y += leading(size) * lines.len().max(1) as f32;
    }

    /// The height of a row of wrapped cells.
    fn row_height(&self, columns: &[Column], cells: &[String], style: Style, size: f32) -> f32 {
        let lines = columns
            .iter()
            .zip(cells)
            .map(|(column, cell)| self.wrap(cell, style, size, column.width - 2.0 * PAD).len())
            .max()
            .unwrap_or(1);
        lines as f32 * leading(size) + 2.0 * PAD
    }

    /// One ruled row at the cursor; the cursor moves below it.
    fn row(&mut self, columns: &[Column], cells: &[String], style: Style, size: f32, header: bool) {
        let height = self.row_height(columns, cells, style, size);
        let top = self.y;
        let mut x = self.left();
        for (column, cell) in columns.iter().zip(cells) {
            let align = if header { Align::Center } else { column.align };
            let inner = column.width - 2.0 * PAD;
            for (i, line) in self.wrap(cell, style, size, inner).iter().enumerate() {
                let baseline = top + PAD + size + leading(size) * i as f32;
                self.text_in(x + PAD, inner, baseline, align, style, size, line);
            }
            self.frame(x, top, column.width, height, 0.5);
            x += column.width;
        }
        self.y += height;
    }

    /// A ruled table at the cursor. A row that does not fit goes onto a new page, under the
    /// header printed again, so every sheet can be read on its own.
    pub(crate) fn table(&mut self, columns: &[Column], rows: &[Row], size: f32, header_size: f32) {
        let header: Vec<String> = columns.iter().map(|c| c.title.to_owned()).collect();
        let header_height = self.row_height(columns, &header, Style::Bold, header_size);
        let first_row = rows
            .first()
            .map(|r| self.row_height(columns, &r.cells, r.style, size))
            .unwrap_or(0.0);
        self.ensure(header_height + first_row);
        self.row(columns, &header, Style::Bold, header_size, true);
        for row in rows {
            let height = self.row_height(columns, &row.cells, row.style, size);
            if self.y + height > self.bottom() {
                self.new_page();
                self.row(columns, &header, Style::Bold, header_size, true);
            }
            self.row(columns, &row.cells, row.style, size, false);
        }
    }

    /// The pages, each numbered «Страница i из n» when there is more than one.
    pub(crate) fn finish(mut self) -> Vec<Page> {
        let count = self.pages.len();
        if count > 1 {
            for i in 0..count {
                let label = format!("Страница {} из {count}", i + 1);
                let measured = self.fonts.width(Style::Regular, 7.0, &label);
                let (x, y) = (self.right() - measured, self.height - self.margin);
                if let Some(page) = self.pages.get_mut(i) {
                    page.ops.push(Op::Text {
                        style: Style::Regular,
                        size: 7.0,
                        x,
                        y,
                        text: label,
                    });
                }
            }
        }
        self.pages
    }
}

/// Text as it can be printed: a tab, line break or other control character in a party's
/// name or a line's title becomes a space instead of a missing glyph.
fn printable(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fonts() -> Fonts {
        Fonts::load().unwrap()
    }

    #[test]
    fn a_long_text_wraps_within_its_width() {
        let fonts = fonts();
        let flow = Flow::new(&fonts, Orientation::Portrait, 40.0, String::new());
        let text = "ЦСО + мобильная версия, автомобили в наличии и с пробегом, 4 квартал 2026";
        let lines = flow.wrap(text, Style::Regular, 9.0, 120.0);
        assert!(lines.len() > 1, "{lines:?}");
        for line in &lines {
            assert!(fonts.width(Style::Regular, 9.0, line) <= 120.0, "{line}");
        }
        assert_eq!(lines.join(" "), text);
    }

    #[test]
    fn a_word_wider_than_the_cell_is_broken_between_characters() {
        let fonts = fonts();
        let flow = Flow::new(&fonts, Orientation::Portrait, 40.0, String::new());
        let lines = flow.wrap("40702810900000000001", Style::Regular, 9.0, 30.0);
        assert!(lines.len() > 1);
        assert_eq!(lines.concat(), "40702810900000000001");
    }

    #[test]
    fn rows_that_do_not_fit_flow_onto_a_new_page_under_the_header() {
        let fonts = fonts();
        let mut flow = Flow::new(&fonts, Orientation::Portrait, 40.0, "Счёт № 1".into());
        let columns = [
            Column {
                title: "№",
                width: 30.0,
                align: Align::Right,
            },
            Column {
                title: "Наименование",
                width: 200.0,
                align: Align::Left,
            },
        ];
        let rows: Vec<Row> = (1..=120)
            .map(|i| Row {
                cells: vec![i.to_string(), format!("Строка {i}")],
                style: Style::Regular,
            })
            .collect();
        flow.table(&columns, &rows, 9.0, 8.0);
        let pages = flow.finish();
        assert!(pages.len() >= 2, "{} pages", pages.len());
        let texts = |page: &Page| -> Vec<String> {
            page.ops
                .iter()
                .filter_map(|op| match op {
                    Op::Text { text, .. } => Some(text.clone()),
                    Op::Line { .. } => None,
                })
                .collect()
        };
        let second = texts(&pages[1]);
        assert!(second.contains(&"Счёт № 1".to_owned()));
        assert!(second.contains(&"Наименование".to_owned()));
        assert!(second.contains(&format!("Страница 2 из {}", pages.len())));
        let all: Vec<String> = pages.iter().flat_map(texts).collect();
        for i in 1..=120 {
            assert!(all.contains(&format!("Строка {i}")), "row {i} is lost");
        }
    }
}
