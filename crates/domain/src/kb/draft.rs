//! «Создать статью из обращения»: a draft article from a ticket's question and support's
//! answer, with whoever could be recognised taken out — the dealer's name, people's names
//! (the ones the platform knows and the ones greetings, signatures and patronymics give
//! away), phone numbers and e-mail addresses. Support edits the draft before publishing;
//! this only makes sure nothing personal is carried over by accident.

use super::article::ArticleDraft;

/// What a draft is made from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TicketForArticle {
    /// The ticket's subject.
    pub title: String,
    /// The dealer's question (the ticket's text).
    pub question: String,
    /// Support's answer (their comments, oldest first, joined by blank lines).
    pub answer: String,
    /// Names of the dealer (the company) to take out.
    pub dealer_names: Vec<String>,
    /// Names of people the platform knows on this ticket (author, support, manager).
    pub people: Vec<String>,
    /// Tags to start with (the ticket's category).
    pub tags: Vec<String>,
}

const DEALER: &str = "[дилер]";
const PERSON: &str = "[имя]";
const PHONE: &str = "[телефон]";
const EMAIL: &str = "[e-mail]";

/// The draft: the title and both texts scrubbed, a Latin slug from the title, the first
/// sentence of the question as the summary; the section is the editor's choice.
pub fn draft_from_ticket(ticket: &TicketForArticle) -> ArticleDraft {
    let clean = |text: &str| scrub(text, &ticket.dealer_names, &ticket.people);
    let title = clean(&ticket.title);
    let question = clean(&ticket.question);
    let answer = clean(&ticket.answer);
    let summary = question
        .split_inclusive(['.', '?', '!', '\n'])
        .map(str::trim)
        .find(|s| !s.is_empty())
        .unwrap_or(&title)
        .chars()
        .take(300)
        .collect::<String>();
    let mut body = format!("## Вопрос\n\n{question}\n");
    if !answer.trim().is_empty() {
        body.push_str(&format!("\n## Ответ\n\n{answer}\n"));
    }
    ArticleDraft {
        slug: Some(slugify(&title)),
        section: None,
        title: Some(title),
        tags: Some(ticket.tags.clone()),
        summary: Some(summary),
        body: Some(body),
    }
}

/// `text` with e-mails, phone numbers, the dealer's names and people's names replaced by
/// placeholders, greeting lines and signatures dropped.
pub fn scrub(text: &str, dealer_names: &[String], people: &[String]) -> String {
    let text = drop_greetings_and_signatures(text);
    let text = replace_emails(&text);
    let text = replace_phones(&text);
    let text = replace_phrases(&text, dealer_names, DEALER);
    let text = replace_dealer_words(&text, dealer_names);
    let text = replace_people(&text, people);
    let text = replace_introduced_names(&text);
    collapse_placeholders(&text)
}

fn is_greeting(line: &str) -> bool {
    let l = line.trim().to_lowercase();
    const GREETINGS: [&str; 7] = [
        "здравствуйте",
        "добрый день",
        "добрый вечер",
        "доброе утро",
        "привет",
        "приветствую",
        "уважаемая",
    ];
    l.chars().count() <= 60
        && (GREETINGS.iter().any(|g| l.starts_with(g)) || l.starts_with("уважаемый"))
}

fn is_signature_start(line: &str) -> bool {
    let l = line.trim().to_lowercase();
    l.starts_with("с уважением")
        || l.starts_with("с наилучшими")
        || l.starts_with("best regards")
        || l == "--"
        || l == "—"
}

fn drop_greetings_and_signatures(text: &str) -> String {
    let mut lines = Vec::new();
    let mut in_signature = false;
    for line in text.lines() {
        if is_signature_start(line) {
            in_signature = true;
        }
        if in_signature {
            // A signature runs to the next blank line.
            if line.trim().is_empty() {
                in_signature = false;
            }
            continue;
        }
        if is_greeting(line) {
            continue;
        }
        lines.push(line);
    }
    lines.join("\n").trim().to_string()
}

fn replace_emails(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let local = |c: char| c.is_alphanumeric() || "._%+-".contains(c);
    let domain = |c: char| c.is_alphanumeric() || c == '.' || c == '-';
    let mut out = String::new();
    let mut i = 0;
    let mut flushed = 0;
    while i < chars.len() {
        if chars[i] == '@' {
            let mut start = i;
            while start > flushed && local(chars[start - 1]) {
                start -= 1;
            }
            let mut end = i + 1;
            while end < chars.len() && domain(chars[end]) {
                end += 1;
            }
            while end > i + 1 && chars[end - 1] == '.' {
                end -= 1;
            }
            let host: String = chars[i + 1..end].iter().collect();
            if start < i && host.contains('.') {
                out.extend(&chars[flushed..start]);
                out.push_str(EMAIL);
                flushed = end;
                i = end;
                continue;
            }
        }
        i += 1;
    }
    out.extend(&chars[flushed..]);
    out
}

fn replace_phones(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let part = |c: char| c.is_ascii_digit() || "+()- \u{a0}.".contains(c);
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let starts = (chars[i] == '+' || chars[i] == '(' || chars[i].is_ascii_digit())
            && (i == 0 || !chars[i - 1].is_alphanumeric());
        if starts {
            let mut end = i;
            while end < chars.len() && part(chars[end]) {
                end += 1;
            }
            // Trailing separators belong to the sentence, not the number.
            while end > i && !chars[end - 1].is_ascii_digit() && chars[end - 1] != ')' {
                end -= 1;
            }
            let run: String = chars[i..end].iter().collect();
            let digits = run.chars().filter(char::is_ascii_digit).count();
            let local = digits == 7 && run.matches('-').count() == 2 && !run.contains(' ');
            if (10..=15).contains(&digits) && !looks_like_money_or_date(&run) || local {
                out.push_str(PHONE);
                i = end;
                continue;
            }
            if end > i {
                out.extend(&chars[i..end]);
                i = end;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// «1 000 000 000» (groups of three after spaces) is a sum, not a phone.
fn looks_like_money_or_date(run: &str) -> bool {
    let groups: Vec<&str> = run.split([' ', '\u{a0}']).collect();
    groups.len() > 1
        && groups[1..]
            .iter()
            .all(|g| g.len() == 3 && g.chars().all(|c| c.is_ascii_digit()))
        && !run.contains(['+', '(', '-'])
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '-'
}

/// Replaces every whole-word, case-insensitive occurrence of each phrase (longest first).
fn replace_phrases(text: &str, phrases: &[String], placeholder: &str) -> String {
    let mut phrases: Vec<String> = phrases
        .iter()
        .flat_map(|p| {
            let p = p.trim().to_string();
            // «Автоцентр «Север»» is also written as just «Север».
            let inner: Vec<String> = p
                .split(['«', '»', '"'])
                .map(str::trim)
                .filter(|s| s.chars().count() >= 3 && *s != p)
                .map(str::to_string)
                .collect();
            std::iter::once(p).chain(inner)
        })
        .filter(|p| p.chars().count() >= 3)
        .collect();
    phrases.sort_by_key(|p| std::cmp::Reverse(p.chars().count()));
    let mut text = text.to_string();
    for phrase in &phrases {
        text = replace_ci(&text, phrase, placeholder);
    }
    text
}

fn replace_ci(text: &str, phrase: &str, placeholder: &str) -> String {
    let lower: Vec<char> = text.chars().flat_map(char::to_lowercase).collect();
    let chars: Vec<char> = text.chars().collect();
    if lower.len() != chars.len() {
        return text.to_string();
    }
    let needle: Vec<char> = phrase.chars().flat_map(char::to_lowercase).collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let fits = i + needle.len() <= lower.len()
            && lower[i..i + needle.len()] == needle[..]
            && (i == 0 || !is_word_char(chars[i - 1]))
            && (i + needle.len() == chars.len() || !is_word_char(chars[i + needle.len()]));
        if fits {
            out.push_str(placeholder);
            i += needle.len();
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// Words of company names that name no one in particular.
const GENERIC_COMPANY_WORDS: [&str; 16] = [
    "автоцентр",
    "автосалон",
    "дилерский",
    "дилер",
    "центр",
    "ооо",
    "ао",
    "зао",
    "пао",
    "ип",
    "дц",
    "компания",
    "группа",
    "авто",
    "моторс",
    "motors",
];

/// The distinctive words of the dealer's names in any case: «Север» of «Автоцентр Север»
/// also as «Севера», «Северу» (the generic «Автоцентр» stays).
fn replace_dealer_words(text: &str, dealer_names: &[String]) -> String {
    let stems: Vec<String> = dealer_names
        .iter()
        .flat_map(|name| {
            name.split(|c: char| !c.is_alphanumeric())
                .filter(|w| w.chars().count() >= 3)
                .filter(|w| !GENERIC_COMPANY_WORDS.contains(&w.to_lowercase().as_str()))
                .map(name_stem)
                .collect::<Vec<_>>()
        })
        .collect();
    map_words(text, |word| {
        let lower = word.to_lowercase();
        let capitalised = word.chars().next().is_some_and(char::is_uppercase);
        (capitalised
            && stems.iter().any(|s| {
                lower.starts_with(s.as_str()) && lower.chars().count() <= s.chars().count() + 3
            }))
        .then_some(DEALER)
    })
}

/// The stem a name's inflected forms share: «Ирина» → «ирин» (Ирине, Ириной), «Петров» →
/// «петров» (Петрова, Петровым).
fn name_stem(word: &str) -> String {
    let lower = word.to_lowercase();
    let trimmed = lower.trim_end_matches(['а', 'я', 'й', 'ь', 'о', 'е', 'ы', 'и']);
    if trimmed.chars().count() >= 3 {
        trimmed.to_string()
    } else {
        lower
    }
}

fn replace_people(text: &str, people: &[String]) -> String {
    let stems: Vec<String> = people
        .iter()
        .flat_map(|p| p.split_whitespace().map(str::to_string).collect::<Vec<_>>())
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()).to_string())
        .filter(|w| w.chars().count() >= 3 && w.chars().next().is_some_and(char::is_uppercase))
        .map(|w| name_stem(&w))
        .collect();
    map_words(text, |word| {
        let lower = word.to_lowercase();
        let capitalised = word.chars().next().is_some_and(char::is_uppercase);
        (capitalised
            && stems.iter().any(|s| {
                lower.starts_with(s.as_str()) && lower.chars().count() <= s.chars().count() + 3
            }))
        .then_some(PERSON)
    })
}

fn is_patronymic(word: &str) -> bool {
    let l = word.to_lowercase();
    if !word.chars().next().is_some_and(char::is_uppercase) || l.chars().count() < 6 {
        return false;
    }
    // Петрович, Петровичу, Петровичем; Петровна, Петровной, Петровне; Ильинична.
    const SUFFIXES: [&str; 4] = ["ович", "евич", "овн", "евн"];
    let stem = l
        .strip_suffix("ем")
        .or_else(|| l.strip_suffix("ой"))
        .or_else(|| l.strip_suffix("а"))
        .or_else(|| l.strip_suffix("у"))
        .or_else(|| l.strip_suffix("е"))
        .or_else(|| l.strip_suffix("ы"))
        .unwrap_or(&l);
    SUFFIXES.iter().any(|s| stem.ends_with(s) || l.ends_with(s)) || stem.ends_with("ичн")
}

/// Names given away by context: «меня зовут Ирина», a name with a patronymic («Ирина
/// Петровна», «Иван Сергеевич Кузнецов»).
fn replace_introduced_names(text: &str) -> String {
    let words: Vec<(usize, usize)> = word_spans(text);
    let mut hide = vec![false; words.len()];
    let word = |k: usize| &text[words[k].0..words[k].1];
    let capital = |w: &str| w.chars().next().is_some_and(char::is_uppercase);
    for k in 0..words.len() {
        if is_patronymic(word(k)) {
            hide[k] = true;
            if k > 0 && capital(word(k - 1)) {
                hide[k - 1] = true;
            }
            if k + 1 < words.len()
                && capital(word(k + 1))
                && gap_is_space(text, words[k].1, words[k + 1].0)
            {
                hide[k + 1] = true;
            }
        }
        if k >= 2
            && word(k - 2).eq_ignore_ascii_case("меня")
            && word(k - 1).to_lowercase() == "зовут"
            && capital(word(k))
        {
            hide[k] = true;
            if k + 1 < words.len()
                && capital(word(k + 1))
                && gap_is_space(text, words[k].1, words[k + 1].0)
            {
                hide[k + 1] = true;
            }
        }
    }
    let mut out = String::new();
    let mut at = 0;
    for (k, &(s, e)) in words.iter().enumerate() {
        if hide[k] {
            out.push_str(&text[at..s]);
            out.push_str(PERSON);
            at = e;
        }
    }
    out.push_str(&text[at..]);
    out
}

fn gap_is_space(text: &str, from: usize, to: usize) -> bool {
    text[from..to].chars().all(char::is_whitespace)
}

fn word_spans(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_alphabetic(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                spans.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        spans.push((s, text.len()));
    }
    spans
}

fn map_words(text: &str, replace: impl Fn(&str) -> Option<&'static str>) -> String {
    let mut out = String::new();
    let mut at = 0;
    for (s, e) in word_spans(text) {
        if let Some(p) = replace(&text[s..e]) {
            out.push_str(&text[at..s]);
            out.push_str(p);
            at = e;
        }
    }
    out.push_str(&text[at..]);
    out
}

/// «[имя] [имя]» → «[имя]».
fn collapse_placeholders(text: &str) -> String {
    let mut text = text.to_string();
    for p in [PERSON, DEALER] {
        let double = format!("{p} {p}");
        while text.contains(&double) {
            text = text.replace(&double, p);
        }
    }
    text
}

/// A Latin address part from a Russian title: «Перенос новостей на новый сайт» →
/// `perenos-novostei-na-novyi-sait`.
pub fn slugify(title: &str) -> String {
    let mut slug = String::new();
    for c in title.to_lowercase().chars() {
        let latin = match c {
            'а' => "a",
            'б' => "b",
            'в' => "v",
            'г' => "g",
            'д' => "d",
            'е' | 'ё' | 'э' => "e",
            'ж' => "zh",
            'з' => "z",
            'и' | 'й' => "i",
            'к' => "k",
            'л' => "l",
            'м' => "m",
            'н' => "n",
            'о' => "o",
            'п' => "p",
            'р' => "r",
            'с' => "s",
            'т' => "t",
            'у' => "u",
            'ф' => "f",
            'х' => "kh",
            'ц' => "c",
            'ч' => "ch",
            'ш' => "sh",
            'щ' => "shch",
            'ъ' | 'ь' => "",
            'ы' => "y",
            'ю' => "yu",
            'я' => "ya",
            c if c.is_ascii_alphanumeric() => {
                slug.push(c);
                continue;
            }
            _ => "-",
        };
        slug.push_str(latin);
    }
    let words: Vec<&str> = slug.split('-').filter(|w| !w.is_empty()).collect();
    let mut out = String::new();
    for w in words {
        if out.len() + w.len() + 1 > 60 {
            break;
        }
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(w);
    }
    if out.is_empty() { "statya".into() } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ticket() -> TicketForArticle {
        TicketForArticle {
            title: "Не работает редирект со старой акции Автоцентра «Север»".into(),
            question: "Добрый день!\n\nМеня зовут Ирина Соколова, я маркетолог ДЦ «Север». После окончания зимней акции сделали редирект со страницы /akcii/zima/ на /akcii/, но по старой ссылке открывается 404.\nПерезвоните мне: +7 (912) 345-67-89 или 8 912 345 67 89, почта irina.sokolova@sever-auto.ru.\n\nС уважением,\nИрина Соколова\nАвтоцентр «Север», отдел маркетинга\ntel. 345-67-89".into(),
            answer: "Здравствуйте, Ирина!\nРедирект был добавлен с адресом без слэша на конце: /akcii/zima. Для адреса /akcii/zima/ нужно своё правило. Добавили правило 301, проверили — открывается список акций. Петр Иванович Кузнецов проверил и код ответа.\nИрине отправили инструкцию на i.sokolova@sever-auto.ru.\n\n--\nПётр Кузнецов, специалист поддержки".into(),
            dealer_names: vec!["Автоцентр «Север»".into()],
            people: vec!["Ирина Соколова".into(), "Пётр Кузнецов".into()],
            tags: vec!["Правки индивидуального контента".into()],
        }
    }

    #[test]
    fn the_draft_has_no_email_phone_name_or_dealer() {
        let d = draft_from_ticket(&ticket());
        let all = format!(
            "{}\n{}\n{}",
            d.title.as_deref().unwrap(),
            d.summary.as_deref().unwrap(),
            d.body.as_deref().unwrap()
        );
        for leak in [
            "@",
            "sever-auto",
            "912",
            "345",
            "67-89",
            "Ирин",
            "Соколов",
            "Пётр",
            "Петр",
            "Кузнецов",
            "Иванович",
            "Север",
        ] {
            assert!(!all.contains(leak), "«{leak}» leaked into:\n{all}");
        }
        // The substance stays.
        for kept in [
            "/akcii/zima/",
            "404",
            "301",
            "без слэша",
            "## Вопрос",
            "## Ответ",
        ] {
            assert!(all.contains(kept), "«{kept}» lost from:\n{all}");
        }
    }

    #[test]
    fn the_draft_gets_a_latin_slug_and_its_first_sentence_as_summary() {
        let d = draft_from_ticket(&ticket());
        let slug = d.slug.unwrap();
        assert!(
            slug.starts_with("ne-rabotaet-redirekt-so-staroi-akcii"),
            "{slug}"
        );
        assert!(crate::kb::article::valid_slug(&slug));
        let summary = d.summary.unwrap();
        assert!(
            summary.starts_with("Меня зовут [имя], я маркетолог ДЦ «[дилер]»."),
            "{summary}"
        );
        assert!(d.section.is_none());
    }

    #[test]
    fn sums_dates_and_prices_are_not_phones() {
        let s = scrub(
            "Пакет 45 000 ₽ против 30 000 ₽, итого 1 000 000 000 ₽, срок 2026-12-26, ставка 3 540 ₽/ч.",
            &[],
            &[],
        );
        assert!(!s.contains(PHONE), "{s}");
    }

    #[test]
    fn names_in_other_cases_are_found_by_their_stem() {
        let s = scrub(
            "Передайте Ирине и Соколовой, что Петров ответил.",
            &[],
            &["Ирина Соколова".into(), "Иван Петров".into()],
        );
        assert_eq!(s, "Передайте [имя] и [имя], что [имя] ответил.");
    }
}
