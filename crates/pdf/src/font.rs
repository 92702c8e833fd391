//! The two faces every document is set in (DejaVu Sans, regular and bold), built into the
//! binary so a Lambda needs no font files, and their metrics for the layout.

use crate::PdfError;
use ttf_parser::{Face, GlyphId};

/// DejaVu Sans cut down to Latin, Cyrillic and the punctuation of Russian documents
/// (see `fonts/README.md`).
const REGULAR: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
/// Its bold face, cut down the same way.
const BOLD: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

/// Which face a piece of text is set in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Style {
    Regular,
    Bold,
}

impl Style {
    /// The font's resource name on a page.
    pub(crate) fn resource(self) -> &'static [u8] {
        match self {
            Style::Regular => b"F1",
            Style::Bold => b"F2",
        }
    }

    /// The PostScript name, behind the subset tag PDF asks for (six capitals and «+»).
    pub(crate) fn base_font(self) -> &'static [u8] {
        match self {
            Style::Regular => b"DDPDFA+DejaVuSans",
            Style::Bold => b"DDPDFB+DejaVuSans-Bold",
        }
    }

    pub(crate) fn data(self) -> &'static [u8] {
        match self {
            Style::Regular => REGULAR,
            Style::Bold => BOLD,
        }
    }
}

/// The parsed faces.
pub(crate) struct Fonts {
    regular: Face<'static>,
    bold: Face<'static>,
}

impl Fonts {
    pub(crate) fn load() -> Result<Fonts, PdfError> {
        let parse = |style: Style| Face::parse(style.data(), 0).map_err(|_| PdfError::Font);
        Ok(Fonts {
            regular: parse(Style::Regular)?,
            bold: parse(Style::Bold)?,
        })
    }

    pub(crate) fn face(&self, style: Style) -> &Face<'static> {
        match style {
            Style::Regular => &self.regular,
            Style::Bold => &self.bold,
        }
    }

    /// The glyph of `ch`, or the error naming the character the font lacks.
    pub(crate) fn glyph(&self, style: Style, ch: char) -> Result<GlyphId, PdfError> {
        self.face(style)
            .glyph_index(ch)
            .ok_or(PdfError::MissingGlyph(ch))
    }

    /// A glyph's advance in thousandths of the font size, as PDF widths are given.
    pub(crate) fn advance(&self, style: Style, glyph: GlyphId) -> f32 {
        let face = self.face(style);
        let advance = face.glyph_hor_advance(glyph).unwrap_or(0);
        f32::from(advance) * 1000.0 / f32::from(face.units_per_em())
    }

    /// The width of `text` at `size` points. A character the font lacks measures as the
    /// missing glyph; the writer refuses it later with its name.
    pub(crate) fn width(&self, style: Style, size: f32, text: &str) -> f32 {
        let face = self.face(style);
        let units: f32 = text
            .chars()
            .map(|ch| {
                let glyph = face.glyph_index(ch).unwrap_or(GlyphId(0));
                self.advance(style, glyph)
            })
            .sum();
        units * size / 1000.0
    }
}
