//! An article's Markdown rendered to safe HTML: no raw HTML passes through (it is shown as
//! text), links and images only to `http(s)`/`mailto`/`tel` or to other articles, and links
//! between articles (`../<section>/<slug>/`, as the content writes them) are rewritten to
//! the page's own way to the site's root, so they work wherever the site is served.

use pulldown_cmark::{CowStr, Event, LinkType, Options, Parser, Tag, TagEnd, html};

/// An article body as HTML and what its links point at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    pub html: String,
    /// The articles it links to, as `(section, slug)`.
    pub links: Vec<(String, String)>,
    /// Links that lead nowhere on the site (an article that is not there, a path outside
    /// it); they are rendered as plain text.
    pub missing: Vec<String>,
}

/// What a link destination is.
enum Target {
    /// Another article: its section, slug and anchor.
    Article(String, String, String),
    /// Somewhere else on the web (or an anchor on this page): kept as it is.
    External,
    /// Neither: rendered as text.
    Refused,
}

fn classify(dest: &str) -> Target {
    let lower = dest.trim().to_ascii_lowercase();
    if lower.starts_with("http://")
        || lower.starts_with("https://")
        || lower.starts_with("mailto:")
        || lower.starts_with("tel:")
        || (lower.starts_with('#') && lower.len() > 1)
    {
        return Target::External;
    }
    let mut rest = dest.trim();
    let mut climbed = false;
    while let Some(r) = rest.strip_prefix("../") {
        rest = r;
        climbed = true;
    }
    if !climbed {
        return Target::Refused;
    }
    let (path, anchor) = match rest.split_once('#') {
        Some((p, a)) => (p, format!("#{a}")),
        None => (rest, String::new()),
    };
    let parts: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    match parts.as_slice() {
        [section, slug]
            if super::article::valid_slug(section) && super::article::valid_slug(slug) =>
        {
            Target::Article(section.to_string(), slug.to_string(), anchor)
        }
        _ => Target::Refused,
    }
}

/// Renders `markdown` for a page whose way to the site's root is `root` (`"../../"` for an
/// article page); `exists(section, slug)` says whether an article will be on the site.
pub fn render(markdown: &str, root: &str, exists: &dyn Fn(&str, &str) -> bool) -> Rendered {
    let mut links = Vec::new();
    let mut missing = Vec::new();
    // Whether each open link was kept (so its end is kept or dropped alike).
    let mut open_links: Vec<bool> = Vec::new();
    let mut events = Vec::new();
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    for event in Parser::new_ext(markdown, options) {
        match event {
            Event::Html(raw) | Event::InlineHtml(raw) => events.push(Event::Text(raw)),
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let kept = match classify(&dest_url) {
                    Target::External => Some(dest_url),
                    Target::Article(section, slug, anchor) => {
                        if exists(&section, &slug) {
                            let href = format!("{root}{section}/{slug}/{anchor}");
                            links.push((section, slug));
                            Some(CowStr::from(href))
                        } else {
                            missing.push(dest_url.to_string());
                            None
                        }
                    }
                    Target::Refused => {
                        missing.push(dest_url.to_string());
                        None
                    }
                };
                open_links.push(kept.is_some());
                if let Some(dest_url) = kept {
                    let link_type = match link_type {
                        LinkType::Email => LinkType::Email,
                        _ => LinkType::Inline,
                    };
                    events.push(Event::Start(Tag::Link {
                        link_type,
                        dest_url,
                        title,
                        id,
                    }));
                }
            }
            Event::End(TagEnd::Link) => {
                if open_links.pop().unwrap_or(false) {
                    events.push(Event::End(TagEnd::Link));
                }
            }
            Event::Start(Tag::Image { ref dest_url, .. }) => {
                // Only images on the web; otherwise the alt text inside is shown as text.
                let kept =
                    matches!(classify(dest_url), Target::External) && !dest_url.starts_with('#');
                if !kept {
                    missing.push(dest_url.to_string());
                }
                open_links.push(kept);
                if kept {
                    events.push(event);
                }
            }
            Event::End(TagEnd::Image) => {
                if open_links.pop().unwrap_or(false) {
                    events.push(event);
                }
            }
            other => events.push(other),
        }
    }
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, events.into_iter());
    Rendered {
        html: out,
        links,
        missing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(section: &str, slug: &str) -> bool {
        (section, slug) == ("rabota-s-saitom", "meta-tegi")
    }

    #[test]
    fn links_between_articles_lead_from_the_page_to_the_article() {
        let r = render(
            "См. [Мета-теги](../rabota-s-saitom/meta-tegi/) и [раздел](../rabota-s-saitom/meta-tegi/#title).",
            "../../",
            &known,
        );
        assert!(
            r.html
                .contains(r#"<a href="../../rabota-s-saitom/meta-tegi/">Мета-теги</a>"#),
            "{}",
            r.html
        );
        assert!(
            r.html
                .contains(r#"href="../../rabota-s-saitom/meta-tegi/#title""#)
        );
        assert_eq!(r.links.len(), 2);
        assert!(r.missing.is_empty());
    }

    #[test]
    fn a_link_to_a_missing_article_is_text_and_reported() {
        let r = render("[Нет такой](../moduli/net-takoi/)", "../../", &known);
        assert!(!r.html.contains("<a"), "{}", r.html);
        assert!(r.html.contains("Нет такой"));
        assert_eq!(r.missing, vec!["../moduli/net-takoi/"]);
    }

    #[test]
    fn no_raw_html_or_script_link_passes_through() {
        let r = render(
            "<script>alert(1)</script>\n\nТекст <b onclick=\"x()\">жирный</b> [клик](javascript:alert(1)) ![img](javascript:x)",
            "../../",
            &known,
        );
        assert!(!r.html.contains("<script"), "{}", r.html);
        assert!(!r.html.contains("<b "), "{}", r.html);
        assert!(!r.html.contains("javascript:"), "{}", r.html);
        assert!(r.html.contains("&lt;script&gt;"));
    }

    #[test]
    fn web_links_tables_and_code_render() {
        let r = render(
            "[Яндекс](https://webmaster.yandex.ru/)\n\n| A | B |\n|---|---|\n| 1 | 2 |\n\n`/akcii/`",
            "../../",
            &known,
        );
        assert!(
            r.html
                .contains(r#"<a href="https://webmaster.yandex.ru/">"#)
        );
        assert!(r.html.contains("<table>"));
        assert!(r.html.contains("<code>/akcii/</code>"));
    }
}
