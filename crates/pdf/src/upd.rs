//! The act as a «Универсальный передаточный документ» on landscape A4, laid out after the
//! form the Federal Tax Service recommends (letter ММВ-20-3/96@): status 1 (счёт-фактура and
//! transfer document) when the platform charges VAT, status 2 (transfer document, an act
//! for services) when it does not. The numbered fields «(1)», «(2а)»… are the form's own.

use crate::font::{Fonts, Style};
use crate::format::{date, money, percent, quantity};
use crate::layout::{Align, Column, Flow, Orientation, Page, Row, leading};
use crate::parts::{inn_kpp, signature, signature_height};
use dealerdesk_domain::billing::document::{Document, Totals, Vat, kopecks};
use dealerdesk_domain::billing::words::amount_in_words;
use rust_decimal::Decimal;

const MARGIN: f32 = 28.0;
const SIZE: f32 = 7.5;
/// The width of the status box on the left of the header.
const STATUS_BOX: f32 = 150.0;
/// Room for a field's number («(2а)») at the right end of its line.
const CODE: f32 = 22.0;

/// Lays out the УПД with `status` (1 or 2).
pub(crate) fn layout(fonts: &Fonts, document: &Document, status: u8) -> Vec<Page> {
    let title = crate::title(document);
    let mut flow = Flow::new(
        fonts,
        Orientation::Landscape,
        MARGIN,
        format!("УПД (статус {status}): {title} — продолжение"),
    );
    header(&mut flow, document, status, &title);
    flow.gap(6.0);
    lines_table(&mut flow, document);
    flow.gap(4.0);
    totals(&mut flow, document);
    flow.gap(6.0);
    signatures(&mut flow, document);
    flow.finish()
}

/// The status box on the left and the numbered header fields beside it.
fn header(flow: &mut Flow, document: &Document, status: u8, title: &str) {
    let top = flow.y;
    let left = flow.left();
    let x = left + STATUS_BOX + 10.0;
    let width = flow.right() - x;

    flow.paragraph(x, width - CODE, Style::Bold, 10.0, title);
    code(flow, x, width, flow.y - leading(10.0) + 10.0, "(1)");
    let correction = match &document.corrects {
        Some(original) => format!(
            "Исправляет документ № {} от {}",
            original.number,
            date(original.date)
        ),
        None => "Исправление № — от —".to_owned(),
    };
    field(flow, x, width, &correction, "", "(1а)");
    flow.gap(2.0);

    let seller = &document.seller;
    let buyer = &document.buyer;
    let shipped = format!(
        "№ п/п 1–{} № {} от {}",
        document.lines.len(),
        document.number,
        date(document.date)
    );
    let fields: [(&str, String, &str); 12] = [
        ("Продавец:", seller.legal_name.clone(), "(2)"),
        ("Адрес:", seller.address.clone(), "(2а)"),
        ("ИНН/КПП продавца:", inn_kpp(seller), "(2б)"),
        ("Грузоотправитель и его адрес:", "—".into(), "(3)"),
        ("Грузополучатель и его адрес:", "—".into(), "(4)"),
        ("К платёжно-расчётному документу №", "— от —".into(), "(5)"),
        ("Документ об отгрузке:", shipped, "(5а)"),
        ("Покупатель:", buyer.legal_name.clone(), "(6)"),
        ("Адрес:", buyer.address.clone(), "(6а)"),
        ("ИНН/КПП покупателя:", inn_kpp(buyer), "(6б)"),
        (
            "Валюта: наименование, код",
            "Российский рубль, 643".into(),
            "(7)",
        ),
        (
            "Идентификатор государственного контракта, договора (соглашения) (при наличии):",
            "—".into(),
            "(8)",
        ),
    ];
    for (label, value, number) in &fields {
        field(flow, x, width, label, value, number);
    }
    let bottom = flow.y;

    // The status box, as tall as the fields beside it.
    let box_top = top;
    let mut y = box_top + 4.0;
    for line in flow.wrap(
        "Универсальный передаточный документ",
        Style::Bold,
        9.0,
        STATUS_BOX - 8.0,
    ) {
        y += leading(9.0);
        flow.text(left + 4.0, y, Style::Bold, 9.0, &line);
    }
    y += leading(9.0) + 6.0;
    flow.text(
        left + 4.0,
        y,
        Style::Bold,
        9.0,
        &format!("Статус: {status}"),
    );
    flow.frame(left + 2.0, y - 11.0, 56.0, 15.0, 0.8);
    y += 10.0;
    let legend = [
        "1 — счёт-фактура и передаточный документ (акт)",
        "2 — передаточный документ (акт)",
    ];
    for item in legend {
        for line in flow.wrap(item, Style::Regular, 6.5, STATUS_BOX - 8.0) {
            y += leading(6.5);
            flow.text(left + 4.0, y, Style::Regular, 6.5, &line);
        }
    }
    let box_bottom = bottom.max(y + 6.0);
    flow.line(
        (left + STATUS_BOX, box_top),
        (left + STATUS_BOX, box_bottom),
        1.0,
    );
    flow.y = box_bottom;
}

/// A header field: its label, its value in bold, its number at the line's right end.
fn field(flow: &mut Flow, x: f32, width: f32, label: &str, value: &str, number: &str) {
    let text_width = width - CODE;
    let first = flow.y + SIZE;
    let label_width = flow.measure(Style::Regular, SIZE, label);
    let value_width = flow.measure(Style::Bold, SIZE, value);
    if label_width + 4.0 + value_width <= text_width {
        flow.ensure(leading(SIZE));
        let baseline = flow.y + SIZE;
        flow.text(x, baseline, Style::Regular, SIZE, label);
        flow.text(x + label_width + 4.0, baseline, Style::Bold, SIZE, value);
        flow.y += leading(SIZE);
    } else {
        flow.paragraph(x, text_width, Style::Regular, SIZE, label);
        flow.paragraph(x + 10.0, text_width - 10.0, Style::Bold, SIZE, value);
    }
    code(flow, x, width, first, number);
    let y = flow.y - 1.0;
    flow.line((x, y), (x + text_width, y), 0.3);
}

fn code(flow: &mut Flow, x: f32, width: f32, baseline: f32, number: &str) {
    flow.text_in(
        x,
        width,
        baseline,
        Align::Right,
        Style::Regular,
        SIZE - 1.0,
        number,
    );
}

/// One line's figures as the УПД prints them: the price and cost before tax, the tax, the
/// cost with tax.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Figures {
    pub(crate) price_net: Decimal,
    pub(crate) net: Decimal,
    pub(crate) vat: Decimal,
    pub(crate) gross: Decimal,
}

/// Every line's figures, rounded to kopecks line by line. The document's VAT is computed on
/// its sum ([`Document::totals`], the contract with the bill run), so line-by-line rounding
/// can differ from it by kopecks; the difference goes to the largest line, and the columns
/// add up exactly to the totals row.
pub(crate) fn figures(document: &Document) -> Vec<Figures> {
    let totals: Totals = document.totals();
    let mut figures: Vec<Figures> = document
        .lines
        .iter()
        .map(|line| match document.vat {
            Vat::None => Figures {
                price_net: line.price,
                net: line.amount,
                vat: Decimal::ZERO,
                gross: line.amount,
            },
            Vat::Rate {
                percent,
                included: true,
            } => {
                let vat = kopecks(line.amount * percent / (Decimal::ONE_HUNDRED + percent));
                Figures {
                    price_net: kopecks(
                        line.price * Decimal::ONE_HUNDRED / (Decimal::ONE_HUNDRED + percent),
                    ),
                    net: line.amount - vat,
                    vat,
                    gross: line.amount,
                }
            }
            Vat::Rate {
                percent,
                included: false,
            } => {
                let vat = kopecks(line.amount * percent / Decimal::ONE_HUNDRED);
                Figures {
                    price_net: line.price,
                    net: line.amount,
                    vat,
                    gross: line.amount + vat,
                }
            }
        })
        .collect();
    let difference = totals.vat - figures.iter().map(|f| f.vat).sum::<Decimal>();
    let largest = document
        .lines
        .iter()
        .enumerate()
        .max_by_key(|(_, line)| line.amount.abs())
        .map(|(i, _)| i);
    if let (false, Some(i)) = (difference.is_zero(), largest)
        && let Some(f) = figures.get_mut(i)
    {
        f.vat += difference;
        match document.vat {
            Vat::Rate { included: true, .. } => f.net -= difference,
            Vat::Rate {
                included: false, ..
            } => f.gross += difference,
            Vat::None => {}
        }
    }
    figures
}

fn rate(vat: Vat) -> String {
    match vat {
        Vat::None => "без НДС".to_owned(),
        Vat::Rate { percent: p, .. } => percent(p),
    }
}

fn lines_table(flow: &mut Flow, document: &Document) {
    let columns = [
        Column {
            title: "№ п/п",
            width: 22.0,
            align: Align::Right,
        },
        Column {
            title: "Наименование товара (описание выполненных работ, оказанных услуг), имущественного права",
            width: 218.0,
            align: Align::Left,
        },
        Column {
            title: "Ед. изм.",
            width: 40.0,
            align: Align::Center,
        },
        Column {
            title: "Количество (объём)",
            width: 52.0,
            align: Align::Right,
        },
        Column {
            title: "Цена (тариф) за единицу измерения",
            width: 74.0,
            align: Align::Right,
        },
        Column {
            title: "Стоимость товаров (работ, услуг), имущественных прав без налога — всего",
            width: 96.0,
            align: Align::Right,
        },
        Column {
            title: "В том числе сумма акциза",
            width: 50.0,
            align: Align::Center,
        },
        Column {
            title: "Налоговая ставка",
            width: 50.0,
            align: Align::Center,
        },
        Column {
            title: "Сумма налога, предъявляемая покупателю",
            width: 80.0,
            align: Align::Right,
        },
        Column {
            title: "Стоимость товаров (работ, услуг), имущественных прав с налогом — всего",
            width: flow.content_width() - 682.0,
            align: Align::Right,
        },
    ];
    let figures = figures(document);
    let tax = |vat: Decimal| match document.vat {
        Vat::None => "без НДС".to_owned(),
        Vat::Rate { .. } => money(vat),
    };
    let mut rows: Vec<Row> = document
        .lines
        .iter()
        .zip(&figures)
        .enumerate()
        .map(|(i, (line, f))| Row {
            cells: vec![
                (i + 1).to_string(),
                line.title.clone(),
                line.unit.clone(),
                quantity(line.quantity),
                money(f.price_net),
                money(f.net),
                "без акциза".to_owned(),
                rate(document.vat),
                tax(f.vat),
                money(f.gross),
            ],
            style: Style::Regular,
        })
        .collect();
    let sums = document.totals();
    rows.push(Row {
        cells: vec![
            String::new(),
            "Всего к оплате".to_owned(),
            String::new(),
            String::new(),
            String::new(),
            money(sums.net),
            "X".to_owned(),
            String::new(),
            tax(sums.vat),
            money(sums.total),
        ],
        style: Style::Bold,
    });
    flow.table(&columns, &rows, SIZE, 6.5);
}

/// The sum in words, the VAT in it and the period of the services.
fn totals(flow: &mut Flow, document: &Document) {
    let sums = document.totals();
    let (left, width) = (flow.left(), flow.content_width());
    let words = format!("Всего к оплате: {}", amount_in_words(sums.total));
    flow.paragraph(left, width, Style::Bold, SIZE + 1.0, &words);
    let vat = match document.vat {
        Vat::None => "Без НДС".to_owned(),
        Vat::Rate { percent: p, .. } => {
            format!("В том числе НДС ({}): {}", percent(p), money(sums.vat))
        }
    };
    flow.paragraph(left, width, Style::Regular, SIZE + 1.0, &vat);
    let period = format!(
        "Период оказания услуг: {} — {}",
        date(document.period_from),
        date(document.period_to)
    );
    flow.paragraph(left, width, Style::Regular, SIZE + 1.0, &period);
}

/// The signature part: the seller's officers, the basis, then the seller's (left) and the
/// buyer's (right) columns, kept together on one page.
fn signatures(flow: &mut Flow, document: &Document) {
    let (left, width) = (flow.left(), flow.content_width());
    let half = width / 2.0 - 8.0;
    let right_x = left + half + 16.0;
    let officer = "Руководитель организации или иное уполномоченное лицо";
    let accountant = "Главный бухгалтер или иное уполномоченное лицо";
    let row = signature_height(flow, half, officer, SIZE) + 6.0;
    flow.ensure(row * 3.0 + leading(SIZE) * 12.0);

    flow.rule(1.0);
    flow.gap(4.0);
    signature(flow, left, half, officer, SIZE);
    signature(flow, right_x, half, accountant, SIZE);
    flow.gap(row);
    flow.rule(0.5);
    flow.gap(3.0);
    let basis = document.basis.clone().unwrap_or_else(|| "—".to_owned());
    field(
        flow,
        left,
        width,
        "Основание передачи (сдачи) / получения (приёмки):",
        &basis,
        "(8)",
    );
    field(
        flow,
        left,
        width,
        "Данные о транспортировке и грузе:",
        "—",
        "(9)",
    );
    flow.gap(4.0);

    let top = flow.y;
    let seller = format!(
        "{}, ИНН/КПП {}",
        document.seller.legal_name,
        inn_kpp(&document.seller)
    );
    let buyer = format!(
        "{}, ИНН/КПП {}",
        document.buyer.legal_name,
        inn_kpp(&document.buyer)
    );
    let seller_side = [
        Part::Sign(
            "Товар (груз) передал / услуги, результаты работ, права сдал",
            "(10)",
        ),
        Part::Field(
            "Дата отгрузки, передачи (сдачи):",
            date(document.date),
            "(11)",
        ),
        Part::Field("Иные сведения об отгрузке, передаче:", "—".into(), "(12)"),
        Part::Sign(
            "Ответственный за правильность оформления факта хозяйственной жизни",
            "(13)",
        ),
        Part::Field(
            "Наименование экономического субъекта — составителя документа:",
            seller,
            "(14)",
        ),
    ];
    let buyer_side = [
        Part::Sign(
            "Товар (груз) получил / услуги, результаты работ, права принял",
            "(15)",
        ),
        Part::Field(
            "Дата получения (приёмки):",
            "«___» ____________ 20___ г.".into(),
            "(16)",
        ),
        Part::Field("Иные сведения о получении, приёмке:", "—".into(), "(17)"),
        Part::Sign(
            "Ответственный за правильность оформления факта хозяйственной жизни",
            "(18)",
        ),
        Part::Field(
            "Наименование экономического субъекта — составителя документа:",
            buyer,
            "(19)",
        ),
    ];
    column(flow, left, half, &seller_side);
    let seller_bottom = flow.y;
    flow.y = top;
    column(flow, right_x, half, &buyer_side);
    flow.y = flow.y.max(seller_bottom);
    let divider = left + half + 8.0;
    flow.line((divider, top), (divider, flow.y), 0.5);
}

enum Part {
    Sign(&'static str, &'static str),
    Field(&'static str, String, &'static str),
}

fn column(flow: &mut Flow, x: f32, width: f32, parts: &[Part]) {
    for part in parts {
        match part {
            Part::Sign(role, number) => {
                let first = flow.y + SIZE;
                signature(flow, x, width - CODE, role, SIZE);
                code(flow, x, width, first, number);
                flow.gap(signature_height(flow, width - CODE, role, SIZE) + 3.0);
            }
            Part::Field(label, value, number) => field(flow, x, width, label, value, number),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use dealerdesk_domain::billing::document::{DocumentKind, DocumentLine, Requisites};
    use rust_decimal_macros::dec;

    fn act(vat: Vat, prices: &[Decimal]) -> Document {
        let day = NaiveDate::from_ymd_opt(2026, 12, 31).unwrap();
        Document {
            kind: DocumentKind::Act,
            number: "2026-0001".into(),
            date: day,
            period_from: NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
            period_to: day,
            seller: Requisites::default(),
            buyer: Requisites::default(),
            basis: None,
            lines: prices
                .iter()
                .map(|p| DocumentLine::new("Работы", Decimal::ONE, "усл", *p))
                .collect(),
            vat,
            due: None,
            corrects: None,
        }
    }

    #[test]
    fn line_vat_adds_up_to_the_documents_vat_to_the_kopeck() {
        // 0.05 ₽ three times: line by line 0.01 VAT each (0.03), on the sum 0.15 → 0.03;
        // 10.01 ₽ three times: line by line 1.81 each (5.43), on the sum 30.03 → 5.42.
        for prices in [[dec!(0.05); 3], [dec!(10.01); 3], [dec!(33.33); 3]] {
            let document = act(Vat::russia_2026(), &prices);
            let figures = figures(&document);
            let totals = document.totals();
            assert_eq!(figures.iter().map(|f| f.vat).sum::<Decimal>(), totals.vat);
            assert_eq!(figures.iter().map(|f| f.net).sum::<Decimal>(), totals.net);
            assert_eq!(
                figures.iter().map(|f| f.gross).sum::<Decimal>(),
                totals.total
            );
        }
    }

    #[test]
    fn vat_on_top_is_added_to_each_line() {
        let vat = Vat::Rate {
            percent: dec!(22),
            included: false,
        };
        let document = act(vat, &[dec!(30000)]);
        let f = figures(&document)[0];
        assert_eq!(
            (f.net, f.vat, f.gross),
            (dec!(30000), dec!(6600), dec!(36600))
        );
    }

    #[test]
    fn vat_included_is_taken_out_of_each_line_and_price() {
        let document = act(Vat::russia_2026(), &[dec!(30000)]);
        let f = figures(&document)[0];
        assert_eq!(f.vat, dec!(5409.84));
        assert_eq!(f.net, dec!(24590.16));
        assert_eq!(f.price_net, dec!(24590.16));
        assert_eq!(f.gross, dec!(30000));
    }

    #[test]
    fn without_vat_the_lines_carry_no_tax() {
        let document = act(Vat::None, &[dec!(29300), dec!(10900)]);
        let figures = figures(&document);
        assert!(figures.iter().all(|f| f.vat.is_zero() && f.net == f.gross));
    }
}
