//! Laid-out pages to PDF bytes.
//!
//! Each face is embedded as a CID-keyed TrueType font (Type0 over CIDFontType2, Identity-H)
//! holding only the glyphs the document uses; a ToUnicode CMap maps every glyph back to its
//! character, so the text can be selected, searched and extracted (`pdftotext`) in Cyrillic.

use crate::PdfError;
use crate::font::{Fonts, Style};
use crate::layout::{Op, Page};
use pdf_writer::types::{CidFontType, FontFlags, SystemInfo};
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use std::collections::BTreeMap;
use subsetter::GlyphRemapper;

/// The glyphs one face uses: old glyph → new glyph (the CID), and the character each new
/// glyph stands for.
struct Usage {
    remapper: GlyphRemapper,
    chars: BTreeMap<u16, char>,
}

impl Usage {
    fn new() -> Usage {
        Usage {
            remapper: GlyphRemapper::new(),
            chars: BTreeMap::new(),
        }
    }
}

/// Hands out object numbers in order.
struct Refs(i32);

impl Refs {
    fn next(&mut self) -> Ref {
        self.0 += 1;
        Ref::new(self.0)
    }
}

/// Writes `pages` as a PDF whose document title is `title`.
pub(crate) fn write(fonts: &Fonts, pages: &[Page], title: &str) -> Result<Vec<u8>, PdfError> {
    // First pass: which glyphs each face needs, and each text run in the new glyph numbers.
    let mut usage: BTreeMap<Style, Usage> = BTreeMap::new();
    let mut encoded: Vec<Vec<Vec<u8>>> = Vec::with_capacity(pages.len());
    for page in pages {
        let mut runs = Vec::new();
        for op in &page.ops {
            if let Op::Text { style, text, .. } = op {
                let used = usage.entry(*style).or_insert_with(Usage::new);
                let mut bytes = Vec::with_capacity(text.len() * 2);
                for ch in text.chars() {
                    let glyph = fonts.glyph(*style, ch)?;
                    let cid = used.remapper.remap(glyph.0);
                    used.chars.entry(cid).or_insert(ch);
                    bytes.extend_from_slice(&cid.to_be_bytes());
                }
                runs.push(bytes);
            }
        }
        encoded.push(runs);
    }

    let mut refs = Refs(0);
    let mut pdf = Pdf::new();
    let catalog = refs.next();
    let tree = refs.next();
    let info = refs.next();
    pdf.catalog(catalog).pages(tree);
    pdf.document_info(info)
        .title(TextStr(title))
        .producer(TextStr("DealerDesk"));

    let mut font_refs: Vec<(Style, Ref)> = Vec::new();
    for (&style, used) in &usage {
        let font = embed(&mut pdf, &mut refs, fonts, style, used)?;
        font_refs.push((style, font));
    }

    let page_refs: Vec<(Ref, Ref)> = pages.iter().map(|_| (refs.next(), refs.next())).collect();
    pdf.pages(tree)
        .kids(page_refs.iter().map(|(page, _)| *page))
        .count(i32::try_from(pages.len()).map_err(|_| PdfError::TooLarge)?);

    for ((page, runs), (page_ref, content_ref)) in pages.iter().zip(&encoded).zip(&page_refs) {
        let mut writer = pdf.page(*page_ref);
        writer
            .parent(tree)
            .media_box(Rect::new(0.0, 0.0, page.width, page.height))
            .contents(*content_ref);
        let mut resources = writer.resources();
        let mut dict = resources.fonts();
        for (style, font) in &font_refs {
            dict.pair(Name(style.resource()), *font);
        }
        dict.finish();
        resources.finish();
        writer.finish();

        let content = draw(page, runs);
        pdf.stream(*content_ref, &content);
    }
    Ok(pdf.finish())
}

/// The content stream of one page; `runs` are its texts in glyph numbers, in order.
fn draw(page: &Page, runs: &[Vec<u8>]) -> Vec<u8> {
    let mut content = Content::new();
    let mut runs = runs.iter();
    for op in &page.ops {
        match op {
            Op::Text {
                style, size, x, y, ..
            } => {
                let Some(run) = runs.next() else { break };
                content
                    .begin_text()
                    .set_font(Name(style.resource()), *size)
                    .next_line(*x, page.height - *y)
                    .show(Str(run))
                    .end_text();
            }
            Op::Line { from, to, width } => {
                content
                    .set_line_width(*width)
                    .move_to(from.0, page.height - from.1)
                    .line_to(to.0, page.height - to.1)
                    .stroke();
            }
        }
    }
    content.finish().into_vec()
}

/// Embeds one face's subset with its widths and ToUnicode map; returns the Type0 font.
fn embed(
    pdf: &mut Pdf,
    refs: &mut Refs,
    fonts: &Fonts,
    style: Style,
    used: &Usage,
) -> Result<Ref, PdfError> {
    let (type0, cid, descriptor, file, cmap) = (
        refs.next(),
        refs.next(),
        refs.next(),
        refs.next(),
        refs.next(),
    );
    let face = fonts.face(style);
    let base = Name(style.base_font());
    let system = SystemInfo {
        registry: Str(b"Adobe"),
        ordering: Str(b"Identity"),
        supplement: 0,
    };

    pdf.type0_font(type0)
        .base_font(base)
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(cid)
        .to_unicode(cmap);

    let widths: Vec<f32> = used
        .remapper
        .remapped_gids()
        .map(|old| fonts.advance(style, ttf_parser::GlyphId(old)))
        .collect();
    let mut cid_font = pdf.cid_font(cid);
    cid_font
        .subtype(CidFontType::Type2)
        .base_font(base)
        .system_info(system)
        .font_descriptor(descriptor)
        .default_width(0.0)
        .cid_to_gid_map_predefined(Name(b"Identity"));
    cid_font.widths().consecutive(0, widths);
    cid_font.finish();

    let scale = 1000.0 / f32::from(face.units_per_em());
    let bbox = face.global_bounding_box();
    let ascent = f32::from(face.ascender()) * scale;
    let descent = f32::from(face.descender()) * scale;
    let cap_height = face
        .capital_height()
        .map(|h| f32::from(h) * scale)
        .unwrap_or(ascent);
    pdf.font_descriptor(descriptor)
        .name(base)
        .flags(FontFlags::NON_SYMBOLIC)
        .bbox(Rect::new(
            f32::from(bbox.x_min) * scale,
            f32::from(bbox.y_min) * scale,
            f32::from(bbox.x_max) * scale,
            f32::from(bbox.y_max) * scale,
        ))
        .italic_angle(0.0)
        .ascent(ascent)
        .descent(descent)
        .cap_height(cap_height)
        .stem_v(match style {
            Style::Regular => 80.0,
            Style::Bold => 140.0,
        })
        .font_file2(file);

    let subset = subsetter::subset(style.data(), 0, &used.remapper).map_err(|_| PdfError::Font)?;
    let mut stream = pdf.stream(file, &subset);
    stream.pair(
        Name(b"Length1"),
        i32::try_from(subset.len()).map_err(|_| PdfError::TooLarge)?,
    );
    stream.finish();

    let mut unicode = pdf_writer::types::UnicodeCmap::new(Name(b"Custom"), system);
    for (&cid, &ch) in &used.chars {
        unicode.pair(cid, ch);
    }
    pdf.cmap(cmap, unicode.finish().as_slice());
    Ok(type0)
}
