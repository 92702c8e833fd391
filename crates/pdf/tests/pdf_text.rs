//! The PDFs read back as text: every kind of document is rendered, its text extracted with
//! poppler's `pdftotext -layout` (what an accountant's software or a search does with the
//! file), and the Cyrillic lines, numbers, totals, VAT and amount in words must be there.
//! A wrong ToUnicode map or a lost glyph shows here as garbled or missing words.

use chrono::NaiveDate;
use dealerdesk_domain::billing::document::{
    BankAccount, Document, DocumentKind, DocumentLine, DocumentRef, Requisites, Vat,
};
use dealerdesk_pdf::{PdfError, render, title};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use std::process::Command;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn platform() -> Requisites {
    Requisites {
        legal_name: "ООО \"ДилерДеск\"".into(),
        inn: "7704123456".into(),
        kpp: Some("770401001".into()),
        address: "119019, г. Москва, ул. Знаменка, д. 7, стр. 3".into(),
        bank: Some(BankAccount {
            bank_name: "ПАО Сбербанк".into(),
            bik: "044525225".into(),
            account: "40702810938000012345".into(),
            correspondent_account: "30101810400000000225".into(),
        }),
    }
}

fn dealer() -> Requisites {
    Requisites {
        legal_name: "ООО \"Автоцентр Север\"".into(),
        inn: "7801234567".into(),
        kpp: Some("780101001".into()),
        address: "194044, г. Санкт-Петербург, Выборгская наб., д. 61".into(),
        bank: None,
    }
}

fn lines() -> Vec<DocumentLine> {
    vec![
        DocumentLine::new(
            "ЦСО + мобильная версия, 4 квартал 2026",
            Decimal::ONE,
            "усл",
            dec!(29300),
        ),
        DocumentLine::new(
            "Пакет «15 часов» технической поддержки, 4 квартал 2026",
            Decimal::ONE,
            "усл",
            dec!(30000),
        ),
        DocumentLine::new("Работы сверх пакета", dec!(1.5), "ч", dec!(2000)),
    ]
}

fn document(kind: DocumentKind, vat: Vat) -> Document {
    Document {
        kind,
        number: "2026-0042".into(),
        date: day(2026, 12, 31),
        period_from: day(2026, 10, 1),
        period_to: day(2026, 12, 31),
        seller: platform(),
        buyer: dealer(),
        basis: Some("Договор № 17 от 01.02.2025".into()),
        lines: lines(),
        vat,
        due: match kind {
            DocumentKind::Invoice => Some(day(2027, 1, 15)),
            DocumentKind::Act => None,
        },
        corrects: None,
    }
}

/// The text `pdftotext -layout` extracts, with runs of spaces (the layout's columns) made
/// one, so a phrase can be looked for whatever column it sits in. Page breaks stay as the
/// form feeds pdftotext ends every page with.
///
/// With `DEALERDESK_PDF_KEEP=<folder>` the PDFs are also written there, to look at.
fn text_of(pdf: &[u8], name: &str) -> String {
    assert!(pdf.starts_with(b"%PDF-"), "not a PDF");
    if let Some(folder) = std::env::var_os("DEALERDESK_PDF_KEEP") {
        std::fs::write(
            std::path::Path::new(&folder).join(format!("{name}.pdf")),
            pdf,
        )
        .unwrap();
    }
    let path =
        std::env::temp_dir().join(format!("dealerdesk-pdf-{}-{name}.pdf", std::process::id()));
    std::fs::write(&path, pdf).unwrap();
    let output = Command::new("pdftotext")
        .arg("-layout")
        .arg("-enc")
        .arg("UTF-8")
        .arg(&path)
        .arg("-")
        .output();
    std::fs::remove_file(&path).ok();
    let output = output.expect("pdftotext (Debian poppler-utils) must be installed");
    assert!(
        output.status.success(),
        "pdftotext failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).unwrap();
    text.lines()
        .map(|line| {
            let words: Vec<&str> = line.split(' ').filter(|w| !w.is_empty()).collect();
            words.join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn assert_has(text: &str, expected: &[&str]) {
    for phrase in expected {
        assert!(text.contains(phrase), "no «{phrase}» in:\n{text}");
    }
}

fn pages(text: &str) -> usize {
    // pdftotext ends every page with a form feed.
    text.matches('\u{c}').count()
}

#[test]
fn an_invoice_under_vat_shows_requisites_lines_totals_vat_and_words() {
    let pdf = render(&document(DocumentKind::Invoice, Vat::russia_2026())).unwrap();
    let text = text_of(&pdf, "invoice-vat");
    assert_has(
        &text,
        &[
            "Счёт на оплату № 2026-0042 от 31 декабря 2026 г.",
            "ПАО Сбербанк",
            "БИК 044525225",
            "30101810400000000225",
            "40702810938000012345",
            "ИНН 7704123456",
            "КПП 770401001",
            "Поставщик (Исполнитель):",
            "Покупатель (Заказчик):",
            "ООО \"Автоцентр Север\", ИНН 7801234567, КПП 780101001",
            "Основание: Договор № 17 от 01.02.2025",
            "ЦСО + мобильная версия, 4 квартал 2026",
            "29 300,00",
            "Работы сверх пакета 1,5 ч 2 000,00 3 000,00",
            "Итого: 62 300,00",
            "В том числе НДС (22%): 11 234,43",
            "Всего к оплате: 62 300,00",
            "Всего наименований 3, на сумму 62 300,00 руб.",
            "Шестьдесят две тысячи триста рублей 00 копеек",
            "Оплатить не позднее 15.01.2027.",
            "Руководитель",
            "Бухгалтер",
        ],
    );
    assert_eq!(pages(&text), 1);
}

#[test]
fn an_invoice_without_vat_says_bez_nds() {
    let pdf = render(&document(DocumentKind::Invoice, Vat::None)).unwrap();
    let text = text_of(&pdf, "invoice-novat");
    assert_has(
        &text,
        &[
            "Счёт на оплату № 2026-0042",
            "Итого: 62 300,00",
            "Без НДС",
            "Всего к оплате: 62 300,00",
            "Шестьдесят две тысячи триста рублей 00 копеек",
        ],
    );
    assert!(!text.contains("НДС (22%)"), "{text}");
}

#[test]
fn an_invoice_with_vat_on_top_adds_it_to_the_total() {
    let vat = Vat::Rate {
        percent: dec!(22),
        included: false,
    };
    let pdf = render(&document(DocumentKind::Invoice, vat)).unwrap();
    let text = text_of(&pdf, "invoice-ontop");
    assert_has(
        &text,
        &[
            "Итого: 62 300,00",
            "НДС (22%): 13 706,00",
            "Всего к оплате: 76 006,00",
            "Семьдесят шесть тысяч шесть рублей 00 копеек",
        ],
    );
}

#[test]
fn an_act_under_vat_is_a_landscape_upd_with_status_1() {
    let pdf = render(&document(DocumentKind::Act, Vat::russia_2026())).unwrap();
    let text = text_of(&pdf, "upd-1");
    assert_has(
        &text,
        &[
            "Универсальный",
            "передаточный документ",
            "Статус: 1",
            "Счёт-фактура № 2026-0042 от 31 декабря 2026 г.",
            "Продавец: ООО \"ДилерДеск\"",
            "ИНН/КПП продавца: 7704123456/770401001",
            "Покупатель: ООО \"Автоцентр Север\"",
            "ИНН/КПП покупателя: 7801234567/780101001",
            "Российский рубль, 643",
            "ЦСО + мобильная версия, 4 квартал 2026",
            // 29 300 with 22 % inside: 5 283,61 VAT, 24 016,39 before it.
            "24 016,39 без акциза 22% 5 283,61 29 300,00",
            "Всего к оплате 51 065,57 X 11 234,43 62 300,00",
            "Всего к оплате: Шестьдесят две тысячи триста рублей 00 копеек",
            "В том числе НДС (22%): 11 234,43",
            "Период оказания услуг: 01.10.2026 — 31.12.2026",
            "Основание передачи (сдачи) / получения (приёмки): Договор № 17 от 01.02.2025",
            "Дата отгрузки, передачи (сдачи): 31.12.2026",
        ],
    );
    let landscape = pdf
        .windows(b"/MediaBox [0 0 841.89 595.28]".len())
        .any(|w| w == b"/MediaBox [0 0 841.89 595.28]");
    assert!(landscape, "the УПД is not landscape A4");
}

#[test]
fn an_act_without_vat_is_a_upd_with_status_2_and_act_lines() {
    let pdf = render(&document(DocumentKind::Act, Vat::None)).unwrap();
    let text = text_of(&pdf, "upd-2");
    assert_has(
        &text,
        &[
            "Статус: 2",
            "Акт выполненных работ (оказанных услуг) № 2026-0042 от 31 декабря 2026 г.",
            "Пакет «15 часов» технической поддержки, 4",
            "30 000,00 без акциза без НДС без НДС 30 000,00",
            "Всего к оплате 62 300,00 X без НДС 62 300,00",
            "Всего к оплате: Шестьдесят две тысячи триста рублей 00 копеек",
            "Без НДС",
        ],
    );
    assert!(!text.contains("Счёт-фактура №"), "{text}");
}

#[test]
fn a_corrective_document_names_the_one_it_corrects() {
    let mut invoice = document(DocumentKind::Invoice, Vat::russia_2026());
    invoice.number = "2026-0050".into();
    invoice.corrects = Some(DocumentRef {
        number: "2026-0042".into(),
        date: day(2026, 12, 31),
    });
    let text = text_of(&render(&invoice).unwrap(), "corrective-invoice");
    assert_has(
        &text,
        &[
            "Счёт на оплату № 2026-0050",
            "Исправляет счёт № 2026-0042 от 31.12.2026",
        ],
    );

    let mut act = document(DocumentKind::Act, Vat::russia_2026());
    act.number = "2026-0051".into();
    act.corrects = invoice.corrects.clone();
    let text = text_of(&render(&act).unwrap(), "corrective-act");
    assert_has(&text, &["Исправляет документ № 2026-0042 от 31.12.2026"]);
}

#[test]
fn a_long_table_continues_on_further_pages_under_its_header() {
    for kind in [DocumentKind::Invoice, DocumentKind::Act] {
        let mut long = document(kind, Vat::russia_2026());
        long.lines = (1..=120)
            .map(|i| {
                DocumentLine::new(
                    format!("Работы по заявке № {i}"),
                    Decimal::ONE,
                    "ч",
                    dec!(1000),
                )
            })
            .collect();
        let text = text_of(&render(&long).unwrap(), kind.code());
        assert!(pages(&text) >= 3, "{} pages", pages(&text));
        for i in 1..=120 {
            assert!(
                text.contains(&format!("Работы по заявке № {i} ")),
                "line {i} lost"
            );
        }
        assert_has(
            &text,
            &[
                "— продолжение",
                &format!("Страница 2 из {}", pages(&text)),
                "Сто двадцать тысяч рублей 00 копеек",
            ],
        );
        // The header is printed again over the rows on the next page.
        let header = match kind {
            DocumentKind::Invoice => "Товары (работы, услуги)",
            DocumentKind::Act => "Налоговая",
        };
        assert!(text.matches(header).count() >= pages(&text), "{text}");
    }
}

#[test]
fn the_same_document_gives_the_same_bytes() {
    let invoice = document(DocumentKind::Invoice, Vat::russia_2026());
    assert_eq!(render(&invoice).unwrap(), render(&invoice).unwrap());
}

#[test]
fn the_font_is_embedded_as_a_subset_with_a_unicode_map() {
    let pdf = render(&document(DocumentKind::Invoice, Vat::russia_2026())).unwrap();
    let has = |needle: &[u8]| pdf.windows(needle.len()).any(|w| w == needle);
    assert!(has(b"/FontFile2"));
    assert!(has(b"/ToUnicode"));
    assert!(has(b"+DejaVuSans"));
    // The cut-down fonts are some 45 KB; a subset of one document's glyphs is much less.
    assert!(pdf.len() < 60_000, "{} bytes", pdf.len());
}

#[test]
fn a_character_the_font_lacks_is_refused_by_name() {
    let mut invoice = document(DocumentKind::Invoice, Vat::None);
    invoice.buyer.legal_name = "ООО \"Дракон 龍\"".into();
    let error = render(&invoice).unwrap_err();
    assert_eq!(error, PdfError::MissingGlyph('龍'));
    assert!(error.to_string().contains("«龍»"));
}

#[test]
fn a_document_without_lines_is_refused() {
    let mut invoice = document(DocumentKind::Invoice, Vat::None);
    invoice.lines.clear();
    assert_eq!(render(&invoice), Err(PdfError::NoLines));
}

#[test]
fn the_title_names_kind_number_and_date() {
    let invoice = document(DocumentKind::Invoice, Vat::None);
    assert_eq!(
        title(&invoice),
        "Счёт на оплату № 2026-0042 от 31 декабря 2026 г."
    );
    let act = document(DocumentKind::Act, Vat::russia_2026());
    assert_eq!(
        title(&act),
        "Счёт-фактура № 2026-0042 от 31 декабря 2026 г."
    );
}
