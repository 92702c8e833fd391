//! Pieces both layouts print: a party's requisites, the signature lines.

use crate::font::Style;
use crate::layout::{Flow, leading};
use dealerdesk_domain::billing::document::Requisites;

/// A party in one line: «ООО "Север", ИНН 7701234567, КПП 770101001, 101000, г. Москва, …».
pub(crate) fn party(requisites: &Requisites) -> String {
    let mut parts = vec![requisites.legal_name.clone()];
    if !requisites.inn.is_empty() {
        parts.push(format!("ИНН {}", requisites.inn));
    }
    if let Some(kpp) = requisites.kpp.as_deref().filter(|k| !k.is_empty()) {
        parts.push(format!("КПП {kpp}"));
    }
    if !requisites.address.is_empty() {
        parts.push(requisites.address.clone());
    }
    parts.join(", ")
}

/// «7701234567/770101001», or the ИНН alone for an entrepreneur (no КПП).
pub(crate) fn inn_kpp(requisites: &Requisites) -> String {
    match requisites.kpp.as_deref().filter(|k| !k.is_empty()) {
        Some(kpp) => format!("{}/{kpp}", requisites.inn),
        None => requisites.inn.clone(),
    }
}

/// A signature line: the role, a rule to sign on with «(подпись)» under it, a rule for the
/// name with «(ф.и.о.)», from `x` over `width` at the cursor's line.
pub(crate) fn signature(flow: &mut Flow, x: f32, width: f32, role: &str, size: f32) {
    let baseline = flow.y + size;
    let role_lines = flow.wrap(role, Style::Regular, size, width * 0.38);
    for (i, line) in role_lines.iter().enumerate() {
        flow.text(
            x,
            baseline + leading(size) * i as f32,
            Style::Regular,
            size,
            line,
        );
    }
    let last = baseline + leading(size) * (role_lines.len().max(1) - 1) as f32;
    let sign_from = x + width * 0.40;
    let sign_to = x + width * 0.64;
    let name_from = x + width * 0.68;
    let name_to = x + width;
    flow.line((sign_from, last + 1.5), (sign_to, last + 1.5), 0.5);
    flow.line((name_from, last + 1.5), (name_to, last + 1.5), 0.5);
    let note = size - 2.5;
    let under = last + 1.5 + note + 1.0;
    let center = crate::layout::Align::Center;
    flow.text_in(
        sign_from,
        sign_to - sign_from,
        under,
        center,
        Style::Regular,
        note,
        "(подпись)",
    );
    flow.text_in(
        name_from,
        name_to - name_from,
        under,
        center,
        Style::Regular,
        note,
        "(ф.и.о.)",
    );
}

/// The height [`signature`] takes for `role` in `width`.
pub(crate) fn signature_height(flow: &Flow, width: f32, role: &str, size: f32) -> f32 {
    let lines = flow
        .wrap(role, Style::Regular, size, width * 0.38)
        .len()
        .max(1);
    leading(size) * lines as f32 + size + 2.0
}
