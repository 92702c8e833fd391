//! «Счёт на оплату» on portrait A4, in the form Russian accountants expect: the payee's bank
//! details in a ruled box, the title with number and date, supplier and buyer, the lines,
//! the totals with VAT (or «Без НДС»), the amount in words, the signatures.

use crate::font::{Fonts, Style};
use crate::format::{date, money, percent, quantity};
use crate::layout::{Align, Column, Flow, Orientation, Page, Row, leading};
use crate::parts::{party, signature, signature_height};
use dealerdesk_domain::billing::document::{BankAccount, Document, Requisites, Vat};
use dealerdesk_domain::billing::words::amount_in_words;

const MARGIN: f32 = 40.0;
const SIZE: f32 = 9.0;

/// Lays out the invoice.
pub(crate) fn layout(fonts: &Fonts, document: &Document) -> Vec<Page> {
    let title = crate::title(document);
    let mut flow = Flow::new(
        fonts,
        Orientation::Portrait,
        MARGIN,
        format!("{title} — продолжение"),
    );
    if let Some(bank) = &document.seller.bank {
        bank_box(&mut flow, &document.seller, bank);
        flow.gap(14.0);
    }

    let width = flow.content_width();
    let left = flow.left();
    flow.paragraph(left, width, Style::Bold, 14.0, &title);
    if let Some(original) = &document.corrects {
        let text = format!(
            "Исправляет счёт № {} от {}",
            original.number,
            date(original.date)
        );
        flow.paragraph(left, width, Style::Bold, SIZE, &text);
    }
    flow.gap(3.0);
    flow.rule(1.5);
    flow.gap(6.0);

    let label = 145.0;
    flow.labelled(
        "Поставщик (Исполнитель):",
        label,
        SIZE,
        &party(&document.seller),
    );
    flow.gap(3.0);
    flow.labelled(
        "Покупатель (Заказчик):",
        label,
        SIZE,
        &party(&document.buyer),
    );
    flow.gap(3.0);
    if let Some(basis) = &document.basis {
        flow.labelled("Основание:", label, SIZE, basis);
        flow.gap(3.0);
    }
    let period = format!(
        "{} — {}",
        date(document.period_from),
        date(document.period_to)
    );
    flow.labelled("Период:", label, SIZE, &period);
    flow.gap(8.0);

    lines_table(&mut flow, document);
    totals(&mut flow, document);
    flow.finish()
}

/// The payee's bank details as the ruled box at the top of every Russian invoice (the
/// layout of a payment order, so the accountant copies the fields in order).
fn bank_box(flow: &mut Flow, seller: &Requisites, bank: &BankAccount) {
    let lh = leading(SIZE);
    let small = 7.0;
    let (left, right) = (flow.left(), flow.right());
    let (name_width, key_width) = (300.0, 55.0);
    let (key_x, value_x) = (left + name_width, left + name_width + key_width);
    let bank_lines = flow.wrap(&bank.bank_name, Style::Regular, SIZE, name_width - 6.0);
    let payee_lines = flow.wrap(&seller.legal_name, Style::Regular, SIZE, name_width - 6.0);
    let row_a = (bank_lines.len().max(2) as f32) * lh + small + 6.0;
    let row_b = lh + 4.0;
    let row_c = payee_lines.len().max(1) as f32 * lh + small + 6.0;
    flow.ensure(row_a + row_b + row_c);
    let top = flow.y;
    let (b_top, c_top, bottom) = (
        top + row_a,
        top + row_a + row_b,
        top + row_a + row_b + row_c,
    );

    flow.frame(left, top, right - left, bottom - top, 0.5);
    flow.line((key_x, top), (key_x, bottom), 0.5);
    flow.line((value_x, top), (value_x, bottom), 0.5);
    flow.line((left, b_top), (right, b_top), 0.5);
    flow.line((key_x, top + lh + 3.0), (right, top + lh + 3.0), 0.5);
    flow.line((left, c_top), (key_x, c_top), 0.5);
    flow.line(
        (left + name_width / 2.0, b_top),
        (left + name_width / 2.0, c_top),
        0.5,
    );

    for (i, line) in bank_lines.iter().enumerate() {
        flow.text(
            left + 3.0,
            top + 2.0 + SIZE + lh * i as f32,
            Style::Regular,
            SIZE,
            line,
        );
    }
    flow.text(
        left + 3.0,
        b_top - 3.0,
        Style::Regular,
        small,
        "Банк получателя",
    );
    flow.text(key_x + 3.0, top + 2.0 + SIZE, Style::Regular, SIZE, "БИК");
    flow.text(
        value_x + 3.0,
        top + 2.0 + SIZE,
        Style::Regular,
        SIZE,
        &bank.bik,
    );
    flow.text(
        key_x + 3.0,
        top + 5.0 + SIZE + lh,
        Style::Regular,
        SIZE,
        "Сч. №",
    );
    let corr = &bank.correspondent_account;
    flow.text(
        value_x + 3.0,
        top + 5.0 + SIZE + lh,
        Style::Regular,
        SIZE,
        corr,
    );

    let b_base = b_top + 2.0 + SIZE;
    flow.text(
        left + 3.0,
        b_base,
        Style::Regular,
        SIZE,
        &format!("ИНН {}", seller.inn),
    );
    if let Some(kpp) = seller.kpp.as_deref().filter(|k| !k.is_empty()) {
        let x = left + name_width / 2.0 + 3.0;
        flow.text(x, b_base, Style::Regular, SIZE, &format!("КПП {kpp}"));
    }
    flow.text(key_x + 3.0, b_base, Style::Regular, SIZE, "Сч. №");
    flow.text(value_x + 3.0, b_base, Style::Regular, SIZE, &bank.account);

    for (i, line) in payee_lines.iter().enumerate() {
        let y = c_top + 2.0 + SIZE + lh * i as f32;
        flow.text(left + 3.0, y, Style::Regular, SIZE, line);
    }
    flow.text(
        left + 3.0,
        bottom - 3.0,
        Style::Regular,
        small,
        "Получатель",
    );
    flow.y = bottom;
}

fn lines_table(flow: &mut Flow, document: &Document) {
    let columns = [
        Column {
            title: "№",
            width: 25.0,
            align: Align::Right,
        },
        Column {
            title: "Товары (работы, услуги)",
            width: 235.0,
            align: Align::Left,
        },
        Column {
            title: "Кол-во",
            width: 50.0,
            align: Align::Right,
        },
        Column {
            title: "Ед.",
            width: 35.0,
            align: Align::Center,
        },
        Column {
            title: "Цена",
            width: 80.0,
            align: Align::Right,
        },
        Column {
            title: "Сумма",
            width: flow.content_width() - 425.0,
            align: Align::Right,
        },
    ];
    let rows: Vec<Row> = document
        .lines
        .iter()
        .enumerate()
        .map(|(i, line)| Row {
            cells: vec![
                (i + 1).to_string(),
                line.title.clone(),
                quantity(line.quantity),
                line.unit.clone(),
                money(line.price),
                money(line.amount),
            ],
            style: Style::Regular,
        })
        .collect();
    flow.table(&columns, &rows, SIZE, 8.0);
}

/// The totals under the table, the amount in words, the due date and the signatures —
/// kept together on one page.
fn totals(flow: &mut Flow, document: &Document) {
    let sums = document.totals();
    let mut rows: Vec<(String, String)> = Vec::new();
    match document.vat {
        Vat::None => {
            rows.push(("Итого:".into(), money(sums.total)));
            rows.push(("Без НДС".into(), "—".into()));
        }
        Vat::Rate {
            percent: rate,
            included: true,
        } => {
            rows.push(("Итого:".into(), money(sums.total)));
            let label = format!("В том числе НДС ({}):", percent(rate));
            rows.push((label, money(sums.vat)));
        }
        Vat::Rate {
            percent: rate,
            included: false,
        } => {
            rows.push(("Итого:".into(), money(sums.net)));
            rows.push((format!("НДС ({}):", percent(rate)), money(sums.vat)));
        }
    }
    rows.push(("Всего к оплате:".into(), money(sums.total)));

    let width = flow.content_width();
    let lh = leading(SIZE + 1.0);
    let summary = format!(
        "Всего наименований {}, на сумму {} руб.",
        document.lines.len(),
        money(sums.total)
    );
    let words = amount_in_words(sums.total);
    let words_lines = flow.wrap(&words, Style::Bold, SIZE + 1.0, width).len();
    let sign = signature_height(flow, width / 2.0 - 10.0, "Руководитель", SIZE);
    let needed = lh * (rows.len() + 2 + words_lines) as f32 + 30.0 + sign + 20.0;
    flow.ensure(needed);

    flow.gap(4.0);
    let (left, right) = (flow.left(), flow.right());
    for (label, value) in &rows {
        let baseline = flow.y + SIZE + 1.0;
        let value_x = right - 95.0;
        flow.text_in(
            left,
            value_x - left - 6.0,
            baseline,
            Align::Right,
            Style::Bold,
            SIZE + 1.0,
            label,
        );
        flow.text_in(
            value_x,
            95.0,
            baseline,
            Align::Right,
            Style::Bold,
            SIZE + 1.0,
            value,
        );
        flow.y += lh;
    }
    flow.gap(6.0);
    flow.paragraph(left, width, Style::Regular, SIZE, &summary);
    flow.paragraph(left, width, Style::Bold, SIZE + 1.0, &words);
    if let Some(due) = document.due {
        flow.gap(4.0);
        let text = format!("Оплатить не позднее {}.", date(due));
        flow.paragraph(left, width, Style::Regular, SIZE, &text);
    }
    flow.gap(4.0);
    flow.rule(1.5);
    flow.gap(16.0);
    let half = width / 2.0 - 10.0;
    signature(flow, left, half, "Руководитель", SIZE);
    signature(flow, left + half + 20.0, half, "Бухгалтер", SIZE);
    flow.gap(sign);
}
