//! The static site of the knowledge base: every page rendered from the published articles
//! with minijinja (home with sections, section pages, article pages, tags, search, a
//! sitemap, a 404 page), the Pagefind search index built over it (Russian stemming: the
//! pages say `lang="ru"`), and the output port — a folder locally (served at `/kb/`), the
//! site bucket in AWS (delivered by CloudFront).
//!
//! Every internal link is relative (`root` is the page's way back to the site's root), so
//! the same files work at `/kb/` on a laptop and at the root of the CloudFront domain.

use crate::AppState;
use crate::kernel::error::AppError;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, NaiveDate, Utc};
use dealerdesk_domain::kb::draft::slugify;
use dealerdesk_domain::kb::{Article, Section, render};
use minijinja::{Environment, context};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The site's Content-Security-Policy: its own files only, plus what Pagefind's search
/// needs (WebAssembly compiled in the page, a worker from the site).
pub const SITE_CSP: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; \
style-src 'self'; img-src 'self' https: data:; connect-src 'self'; worker-src 'self' blob:; \
form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// One file of the built site.
#[derive(Clone, Debug)]
pub struct SiteFile {
    /// Below the site's root: `rabota-s-saitom/redirekty/index.html`.
    pub path: String,
    pub bytes: Vec<u8>,
}

/// What a publish built.
#[derive(Clone, Debug, Serialize)]
pub struct Built {
    /// Rendered pages and files (before the search index).
    pub files: usize,
    /// Whether the Pagefind index was built (the `pagefind` tool was found).
    pub searchable: bool,
}

/// Where the site goes.
#[derive(Clone, Debug)]
pub enum SiteTarget {
    /// A folder (the local server: `<data dir>/site`, served at `/kb/`; tests).
    LocalDir(PathBuf),
    /// The site bucket behind CloudFront (AWS).
    S3 {
        client: aws_sdk_s3::Client,
        bucket: String,
    },
    /// None: a Lambda function whose `main` does not name the site port
    /// ([`crate::Ports::site`]); a publish is refused with [`AppError::Config`].
    Absent,
}

/// The output port of the site, with its public address.
#[derive(Debug)]
pub struct SiteOut {
    pub target: SiteTarget,
    /// Where people open the site, ending in `/` (sitemap addresses; the portal's link).
    pub url: String,
    /// One build at a time: two publishes never interleave their files.
    lock: tokio::sync::Mutex<()>,
}

impl SiteOut {
    /// A site in `dir`, opened at `url`.
    pub fn local(dir: PathBuf, url: impl Into<String>) -> SiteOut {
        SiteOut {
            target: SiteTarget::LocalDir(dir),
            url: with_slash(url.into()),
            lock: tokio::sync::Mutex::new(()),
        }
    }

    /// No output: a function that does not publish the site (see [`SiteTarget::Absent`]).
    pub fn absent(url: impl Into<String>) -> SiteOut {
        SiteOut {
            target: SiteTarget::Absent,
            url: with_slash(url.into()),
            lock: tokio::sync::Mutex::new(()),
        }
    }

    /// From the environment: `DEALERDESK_SITE_BUCKET` (the site bucket; else a folder,
    /// `DEALERDESK_SITE_DIR` or `default_dir`) and `DEALERDESK_SITE_URL` (else
    /// `default_url`). A retry variable of the AWS SDK that cannot be read
    /// (`dealerdesk_store::aws::sdk_config`) is a configuration error.
    pub async fn from_env(default_dir: &Path, default_url: &str) -> Result<SiteOut, AppError> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let url = with_slash(var("DEALERDESK_SITE_URL").unwrap_or_else(|| default_url.to_string()));
        let target = match var("DEALERDESK_SITE_BUCKET") {
            Some(bucket) => SiteTarget::S3 {
                client: aws_sdk_s3::Client::new(
                    &dealerdesk_store::aws::sdk_config("S3")
                        .map_err(|e| AppError::Config(e.to_string()))?,
                ),
                bucket,
            },
            None => SiteTarget::LocalDir(
                var("DEALERDESK_SITE_DIR")
                    .map(PathBuf::from)
                    .unwrap_or_else(|| default_dir.to_path_buf()),
            ),
        };
        Ok(SiteOut {
            target,
            url,
            lock: tokio::sync::Mutex::new(()),
        })
    }

    /// Renders the site from `published`, builds its search index and replaces the site
    /// with it.
    pub async fn publish(
        &self,
        published: &[Article],
        sections: &[Section],
        now: DateTime<Utc>,
    ) -> Result<Built, AppError> {
        if let SiteTarget::Absent = self.target {
            return Err(no_site_port());
        }
        let files = render_site(published, sections, &self.url, now)?;
        let _one_at_a_time = self.lock.lock().await;
        let staging = match &self.target {
            SiteTarget::LocalDir(dir) => sibling(dir, &format!(".building-{}", ulid::Ulid::new())),
            SiteTarget::S3 { .. } | SiteTarget::Absent => {
                std::env::temp_dir().join(format!("dealerdesk-site-{}", ulid::Ulid::new()))
            }
        };
        write_files(&staging, &files).await?;
        let searchable = index(&staging).await;
        let result = match &self.target {
            SiteTarget::LocalDir(dir) => swap_in(&staging, dir).await,
            SiteTarget::S3 { client, bucket } => {
                let r = upload(client, bucket, &staging).await;
                let _ = tokio::fs::remove_dir_all(&staging).await;
                r
            }
            SiteTarget::Absent => Err(no_site_port()),
        };
        result.map(|_| Built {
            files: files.len(),
            searchable,
        })
    }
}

fn no_site_port() -> AppError {
    AppError::Config("this function has no site port (its main does not name Ports::site)".into())
}

fn with_slash(url: String) -> String {
    if url.ends_with('/') {
        url
    } else {
        format!("{url}/")
    }
}

fn sibling(dir: &Path, name: &str) -> PathBuf {
    let file = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    dir.with_file_name(format!("{file}{name}"))
}

fn io(context: impl std::fmt::Display) -> impl FnOnce(std::io::Error) -> AppError {
    move |e| AppError::Blob(format!("{context}: {e}"))
}

async fn write_files(dir: &Path, files: &[SiteFile]) -> Result<(), AppError> {
    for file in files {
        let path = dir.join(&file.path);
        if let Some(parent) = path.parent() {
            tokio::fs::create_dir_all(parent)
                .await
                .map_err(io(parent.display()))?;
        }
        tokio::fs::write(&path, &file.bytes)
            .await
            .map_err(io(path.display()))?;
    }
    Ok(())
}

/// Where the `pagefind` tool is: `DEALERDESK_PAGEFIND`, else `site/node_modules/.bin/pagefind`
/// in this or a parent folder (a checkout after `npm ci` in `site/`), else `pagefind` on
/// the `PATH`.
pub fn pagefind_binary() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("DEALERDESK_PAGEFIND").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let cwd = std::env::current_dir().ok()?;
    for dir in cwd.ancestors() {
        let candidate = dir.join("site/node_modules/.bin/pagefind");
        if candidate.is_file() {
            return Some(candidate);
        }
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("pagefind"))
            .find(|p| p.is_file())
    })
}

/// Builds the Pagefind index into `<dir>/pagefind`; false (logged) when the tool is missing
/// or fails — the site is still published, its search page says search is not built.
async fn index(dir: &Path) -> bool {
    let Some(binary) = pagefind_binary() else {
        tracing::warn!(
            "pagefind not found (DEALERDESK_PAGEFIND, site/node_modules): the site is published without search"
        );
        return false;
    };
    let out = tokio::process::Command::new(&binary)
        .arg("--site")
        .arg(dir)
        .output()
        .await;
    match out {
        Ok(out) if out.status.success() => true,
        Ok(out) => {
            tracing::error!(
                binary = %binary.display(),
                stderr = %String::from_utf8_lossy(&out.stderr),
                "pagefind failed: the site is published without search"
            );
            false
        }
        Err(e) => {
            tracing::error!(binary = %binary.display(), error = %e, "pagefind could not run");
            false
        }
    }
}

/// Replaces `dir` with `staging` by two renames (the old site is served until the second).
async fn swap_in(staging: &Path, dir: &Path) -> Result<(), AppError> {
    let old = sibling(dir, &format!(".old-{}", ulid::Ulid::new()));
    let had_old = tokio::fs::try_exists(dir).await.unwrap_or(false);
    if had_old {
        tokio::fs::rename(dir, &old)
            .await
            .map_err(io(dir.display()))?;
    }
    tokio::fs::rename(staging, dir)
        .await
        .map_err(io(dir.display()))?;
    if had_old {
        let _ = tokio::fs::remove_dir_all(&old).await;
    }
    Ok(())
}

fn walk(dir: &Path, prefix: &str, out: &mut Vec<(String, PathBuf)>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let key = format!("{prefix}{name}");
        if entry.file_type()?.is_dir() {
            walk(&entry.path(), &format!("{key}/"), out)?;
        } else {
            out.push((key, entry.path()));
        }
    }
    Ok(())
}

/// Puts every file of `dir` into the bucket, then deletes what the new site no longer has.
/// Pages are cached for a minute at most (`Cache-Control`), so a publish reaches readers
/// within a minute; Pagefind's fragment and index files have content-hashed names, are cached
/// for good and are not uploaded again when the bucket has them. Sixteen requests at a time.
async fn upload(client: &aws_sdk_s3::Client, bucket: &str, dir: &Path) -> Result<(), AppError> {
    let mut files = Vec::new();
    walk(dir, "", &mut files).map_err(io(dir.display()))?;
    let existing = list_keys(client, bucket).await?;
    let immutable =
        |key: &str| key.starts_with("pagefind/fragment/") || key.starts_with("pagefind/index/");
    let mut tasks = tokio::task::JoinSet::new();
    for (key, path) in &files {
        if immutable(key) && existing.contains(key) {
            continue;
        }
        let bytes = tokio::fs::read(path).await.map_err(io(path.display()))?;
        let (client, bucket, key) = (client.clone(), bucket.to_string(), key.clone());
        let cache = if immutable(&key) {
            "public, max-age=31536000, immutable"
        } else {
            "public, max-age=60"
        };
        tasks.spawn(async move {
            client
                .put_object()
                .bucket(&bucket)
                .key(&key)
                .content_type(content_type(&key))
                .cache_control(cache)
                .body(bytes.into())
                .send()
                .await
                .map(|_| ())
                .map_err(|e| {
                    AppError::Blob(format!(
                        "S3 PutObject {bucket}/{key}: {}",
                        aws_sdk_s3::error::DisplayErrorContext(e)
                    ))
                })
        });
        if tasks.len() >= 16 {
            joined(tasks.join_next().await)?;
        }
    }
    while let Some(done) = tasks.join_next().await {
        joined(Some(done))?;
    }
    let keep: std::collections::HashSet<&str> = files.iter().map(|(k, _)| k.as_str()).collect();
    for key in existing.iter().filter(|k| !keep.contains(k.as_str())) {
        let (client, bucket, key) = (client.clone(), bucket.to_string(), key.clone());
        tasks.spawn(async move {
            client
                .delete_object()
                .bucket(&bucket)
                .key(&key)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| {
                    AppError::Blob(format!(
                        "S3 DeleteObject {bucket}/{key}: {}",
                        aws_sdk_s3::error::DisplayErrorContext(e)
                    ))
                })
        });
        if tasks.len() >= 16 {
            joined(tasks.join_next().await)?;
        }
    }
    while let Some(done) = tasks.join_next().await {
        joined(Some(done))?;
    }
    Ok(())
}

fn joined(
    done: Option<Result<Result<(), AppError>, tokio::task::JoinError>>,
) -> Result<(), AppError> {
    match done {
        Some(Ok(result)) => result,
        Some(Err(e)) => Err(AppError::Blob(format!("an upload task failed: {e}"))),
        None => Ok(()),
    }
}

/// Every key in the bucket.
async fn list_keys(
    client: &aws_sdk_s3::Client,
    bucket: &str,
) -> Result<std::collections::HashSet<String>, AppError> {
    let mut keys = std::collections::HashSet::new();
    let mut token = None;
    loop {
        let page = client
            .list_objects_v2()
            .bucket(bucket)
            .set_continuation_token(token)
            .send()
            .await
            .map_err(|e| {
                AppError::Blob(format!(
                    "S3 ListObjectsV2 {bucket}: {}",
                    aws_sdk_s3::error::DisplayErrorContext(e)
                ))
            })?;
        keys.extend(
            page.contents()
                .iter()
                .filter_map(|o| o.key())
                .map(str::to_string),
        );
        token = page.next_continuation_token().map(str::to_string);
        if token.is_none() {
            return Ok(keys);
        }
    }
}

/// The `Content-Type` of a site file by its name.
pub fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "wasm" => "application/wasm",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        _ => "application/octet-stream",
    }
}

// ---------------------------------------------------------------- rendering

/// `&`, `<`, `>`, `"` and `'` as entities: what HTML text and quoted attributes need (the
/// default escaper also writes `/` as `&#x2f;`, which made every relative link unreadable).
fn escape_html(text: &str) -> String {
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

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_formatter(|out, state, value| {
        let escaping = !matches!(state.auto_escape(), minijinja::AutoEscape::None);
        if value.is_undefined() || value.is_none() {
            Ok(())
        } else if value.is_safe() || !escaping {
            write!(out, "{value}")
                .map_err(|_| minijinja::Error::from(minijinja::ErrorKind::WriteFailure))
        } else {
            out.write_str(&escape_html(&value.to_string()))
                .map_err(|_| minijinja::Error::from(minijinja::ErrorKind::WriteFailure))
        }
    });
    for (name, source) in [
        ("base.html", include_str!("../../templates/kb/base.html")),
        ("home.html", include_str!("../../templates/kb/home.html")),
        (
            "section.html",
            include_str!("../../templates/kb/section.html"),
        ),
        (
            "article.html",
            include_str!("../../templates/kb/article.html"),
        ),
        ("tags.html", include_str!("../../templates/kb/tags.html")),
        ("tag.html", include_str!("../../templates/kb/tag.html")),
        (
            "search.html",
            include_str!("../../templates/kb/search.html"),
        ),
        ("404.html", include_str!("../../templates/kb/404.html")),
        (
            "sitemap.xml",
            include_str!("../../templates/kb/sitemap.xml"),
        ),
    ] {
        env.add_template(name, source)
            .unwrap_or_else(|e| panic!("knowledge-base template {name}: {e}"));
    }
    env
}

fn ru_date(d: NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

#[derive(Serialize, Clone, Debug)]
struct Listed {
    path: String,
    title: String,
    summary: String,
}

#[derive(Serialize, Clone, Debug)]
struct TagView {
    slug: String,
    label: String,
    articles: Vec<Listed>,
}

fn listed(a: &Article) -> Listed {
    Listed {
        path: a.path(),
        title: a.title.clone(),
        summary: a.summary.clone(),
    }
}

fn exists_in<'a>(published: &'a [Article]) -> impl Fn(&str, &str) -> bool + 'a {
    move |section, slug| {
        published
            .iter()
            .any(|a| a.section == section && a.slug == slug)
    }
}

/// `article`'s links that would lead nowhere on a site of `published`.
pub fn missing_links(article: &Article, published: &[Article]) -> Vec<String> {
    render(&article.body, "../../", &exists_in(published)).missing
}

/// The published articles other than `article` that link to it.
pub fn linking_to(article: &Article, all: &[Article]) -> Vec<String> {
    all.iter()
        .filter(|a| {
            a.slug != article.slug && a.status == dealerdesk_domain::kb::ArticleStatus::Published
        })
        .filter(|a| {
            render(&a.body, "../../", &|_, _| true)
                .links
                .iter()
                .any(|(section, slug)| *section == article.section && *slug == article.slug)
        })
        .map(|a| a.slug.clone())
        .collect()
}

/// Every file of the site of `published` articles, whose public address is `base_url`.
pub fn render_site(
    published: &[Article],
    sections: &[Section],
    base_url: &str,
    now: DateTime<Utc>,
) -> Result<Vec<SiteFile>, AppError> {
    let env = environment();
    // The day only: the pages of one day's publish are the same whatever the minute.
    let built = ru_date(dealerdesk_domain::platform_date(now));
    let page = |name: &str, ctx: minijinja::Value| -> Result<Vec<u8>, AppError> {
        env.get_template(name)
            .and_then(|t| t.render(ctx))
            .map(String::into_bytes)
            .map_err(|e| AppError::Blob(format!("rendering the site's {name}: {e:#}")))
    };
    let mut files = Vec::new();
    let mut urls: Vec<minijinja::Value> = vec![context! { path => "" }];
    let mut by_section: Vec<(Section, Vec<&Article>)> = sections
        .iter()
        .map(|s| {
            let mut articles: Vec<&Article> =
                published.iter().filter(|a| a.section == s.slug).collect();
            articles.sort_by(|a, b| a.title.cmp(&b.title));
            (s.clone(), articles)
        })
        .collect();
    by_section.retain(|(_, articles)| !articles.is_empty());
    let section_views: Vec<minijinja::Value> = by_section
        .iter()
        .map(|(s, articles)| {
            context! {
                slug => s.slug.clone(), title => s.title.clone(), description => s.description.clone(),
                articles => crate::kernel::templates::serde_value(articles.iter().map(|a| listed(a)).collect::<Vec<_>>()),
            }
        })
        .collect();
    files.push(SiteFile {
        path: "index.html".into(),
        bytes: page(
            "home.html",
            context! { root => "", built => built.clone(), sections => section_views.clone() },
        )?,
    });
    let mut tags: BTreeMap<String, TagView> = BTreeMap::new();
    let exists = exists_in(published);
    for ((section, articles), view) in by_section.iter().zip(&section_views) {
        files.push(SiteFile {
            path: format!("{}/index.html", section.slug),
            bytes: page(
                "section.html",
                context! { root => "../", built => built.clone(), section => view },
            )?,
        });
        urls.push(context! { path => format!("{}/", section.slug) });
        for article in articles {
            let rendered = render(&article.body, "../../", &exists);
            let tag_links: Vec<minijinja::Value> = article
                .tags
                .iter()
                .map(|t| {
                    let slug = slugify(t);
                    tags.entry(slug.clone())
                        .or_insert_with(|| TagView {
                            slug: slug.clone(),
                            label: t.clone(),
                            articles: Vec::new(),
                        })
                        .articles
                        .push(listed(article));
                    context! { slug, label => t.clone() }
                })
                .collect();
            let siblings: Vec<Listed> = articles
                .iter()
                .filter(|a| a.slug != article.slug)
                .map(|a| listed(a))
                .collect();
            files.push(SiteFile {
                path: format!("{}index.html", article.path()),
                bytes: page(
                    "article.html",
                    context! {
                        root => "../../", built => built.clone(),
                        section => context! { slug => section.slug.clone(), title => section.title.clone() },
                        article => context! {
                            title => article.title.clone(), summary => article.summary.clone(),
                            updated_ru => ru_date(article.updated), tags => tag_links,
                            html => rendered.html,
                        },
                        siblings => crate::kernel::templates::serde_value(&siblings),
                    },
                )?,
            });
            urls.push(context! { path => article.path(), lastmod => article.updated.to_string() });
        }
    }
    let tag_list: Vec<TagView> = tags.into_values().collect();
    files.push(SiteFile {
        path: "tags/index.html".into(),
        bytes: page("tags.html", context! { root => "../", built => built.clone(), tags => crate::kernel::templates::serde_value(&tag_list) })?,
    });
    urls.push(context! { path => "tags/" });
    for tag in &tag_list {
        files.push(SiteFile {
            path: format!("tags/{}/index.html", tag.slug),
            bytes: page("tag.html", context! { root => "../../", built => built.clone(), tag => crate::kernel::templates::serde_value(tag) })?,
        });
        urls.push(context! { path => format!("tags/{}/", tag.slug) });
    }
    files.push(SiteFile {
        path: "search/index.html".into(),
        bytes: page("search.html", context! { root => "../", built => built.clone(), searchable => pagefind_binary().is_some() })?,
    });
    files.push(SiteFile {
        path: "404.html".into(),
        // Served at any depth: its links go from the site's address, not from a relative root.
        bytes: page(
            "404.html",
            context! { root => base_path(base_url), built => built.clone() },
        )?,
    });
    files.push(SiteFile {
        path: "sitemap.xml".into(),
        bytes: page("sitemap.xml", context! { base_url, urls })?,
    });
    files.push(SiteFile {
        path: "robots.txt".into(),
        bytes: format!("User-agent: *\nAllow: /\nSitemap: {base_url}sitemap.xml\n").into_bytes(),
    });
    files.push(SiteFile {
        path: "assets/site.css".into(),
        bytes: include_bytes!("../../templates/kb/site.css").to_vec(),
    });
    files.push(SiteFile {
        path: "assets/search.js".into(),
        bytes: include_bytes!("../../templates/kb/search.js").to_vec(),
    });
    Ok(files)
}

/// The path part of the site's address: `http://127.0.0.1:8080/kb/` → `/kb/`.
fn base_path(url: &str) -> String {
    let after_scheme = url.split_once("://").map(|(_, rest)| rest).unwrap_or(url);
    match after_scheme.find('/') {
        Some(i) => after_scheme[i..].to_string(),
        None => "/".into(),
    }
}

// ---------------------------------------------------------------- serving at /kb/

fn site_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(SITE_CSP),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// `GET /kb/…`: the built site from its folder (the local server); in AWS, where the site
/// is in its bucket, a redirect to the site's address.
pub async fn serve(State(state): State<AppState>, uri: Uri) -> Response {
    let rest = uri.path().strip_prefix("/kb/").unwrap_or("");
    let dir = match &state.site.target {
        SiteTarget::LocalDir(dir) => dir.clone(),
        // The site is in its bucket, or this function does not hold it.
        SiteTarget::S3 { .. } | SiteTarget::Absent => {
            return Redirect::temporary(&format!("{}{rest}", state.site.url)).into_response();
        }
    };
    let safe = rest
        .split('/')
        .all(|part| !part.starts_with('.') && !part.contains('\\') && !part.contains('%'));
    if !safe {
        return not_found(&dir).await;
    }
    let file = if rest.is_empty() || rest.ends_with('/') {
        format!("{rest}index.html")
    } else {
        rest.to_string()
    };
    match tokio::fs::read(dir.join(&file)).await {
        Ok(bytes) => {
            site_headers(([(header::CONTENT_TYPE, content_type(&file))], bytes).into_response())
        }
        Err(_)
            if !rest.is_empty()
                && !rest.ends_with('/')
                && dir.join(rest).join("index.html").is_file() =>
        {
            Redirect::permanent(&format!("/kb/{rest}/")).into_response()
        }
        Err(_) => not_found(&dir).await,
    }
}

async fn not_found(dir: &Path) -> Response {
    let body = tokio::fs::read(dir.join("404.html"))
        .await
        .unwrap_or_else(|_| {
            "<!doctype html><meta charset=utf-8><title>Не найдено</title><p>Страница не найдена."
                .as_bytes()
                .to_vec()
        });
    site_headers(
        (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            body,
        )
            .into_response(),
    )
}

/// `GET /kb`: the site's home.
pub async fn serve_root() -> Redirect {
    Redirect::permanent("/kb/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_base_path_is_the_urls_path() {
        assert_eq!(base_path("http://127.0.0.1:8080/kb/"), "/kb/");
        assert_eq!(base_path("https://kb.example.ru/"), "/");
    }
}
