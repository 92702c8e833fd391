// The knowledge-base site in a real headless Chromium: the site `dealerdesk serve` builds from
// the seed articles and serves at /kb/, the home page and an article on a desktop and a phone
// (screenshots, no sideways scrolling, pixel baselines), and a Pagefind search in the browser
// for a word form no article contains («редиректов» → «редирект», Russian stemming).
//
// Run from the repo root after `cargo build --workspace --bins` and `(cd site && npm ci)`
// (Pagefind): `(cd tests/browser && npm ci && node --test)`. Nothing is skipped.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';
import { PNG } from 'pngjs';
import pixelmatch from 'pixelmatch';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const BIN = path.join(ROOT, 'target', 'debug', 'dealerdesk');
const PAGEFIND = path.join(ROOT, 'site', 'node_modules', '.bin', 'pagefind');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SHOTS = path.join(ROOT, 'target', 'screenshots');
const BASELINES = path.join(HERE, 'baselines');
const UPDATE = process.env.UPDATE_BASELINES === '1';
const CLOCK = '2026-12-02T10:00:00+03:00';
const DESKTOP = { width: 1280, height: 800 };
const MOBILE = { width: 390, height: 844 };
const PIXEL_THRESHOLD = 0.1;
const MAX_DIFF_RATIO = 0.005;
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--font-render-hinting=none'];

let dataDir;
let server;
let browser;

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function startServer() {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = { ...process.env, RUST_LOG: 'warn', DEALERDESK_CLOCK: CLOCK, DEALERDESK_DEMO_HISTORY: '0',
    DEALERDESK_PAGEFIND: PAGEFIND };
  for (const k of ['DEALERDESK_STORE', 'DEALERDESK_PORT', 'DEALERDESK_DATA_DIR', 'DEALERDESK_SITE_BUCKET',
    'DEALERDESK_SITE_DIR', 'DEALERDESK_SITE_URL', 'DEALERDESK_PUBLIC_URL']) {
    delete env[k];
  }
  const child = spawn(BIN, ['serve', '--port', String(port), '--data-dir', dataDir, '--scheduler-seconds', '0'],
    { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const s = { child, base, log: '' };
  const keep = (chunk) => { s.log = (s.log + chunk.toString()).slice(-20000); };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  s.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`dealerdesk serve exited; its output:\n${s.log}`);
    try {
      const res = await fetch(`${base}/kb/`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) {
        await res.arrayBuffer();
        return s;
      }
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`dealerdesk serve did not serve /kb/ within 60 s; its output:\n${s.log}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function assertNoHorizontalScroll(page, name) {
  const screen = page.viewportSize().width;
  const m = await page.evaluate(() => ({
    scrollWidth: document.scrollingElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  assert.ok(m.scrollWidth <= m.innerWidth && m.innerWidth === screen,
    `${name}: the page is wider than the ${screen}px screen (scrollWidth ${m.scrollWidth}px)`);
}

async function shot(page, name) {
  await page.evaluate(() => document.fonts.ready);
  await assertNoHorizontalScroll(page, name);
  return page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true, animations: 'disabled', caret: 'hide' });
}

function compareWithBaseline(png, name) {
  const file = path.join(BASELINES, `${name}.png`);
  if (UPDATE) {
    fs.mkdirSync(BASELINES, { recursive: true });
    fs.writeFileSync(file, png);
    return;
  }
  assert.ok(fs.existsSync(file), `no baseline ${path.relative(ROOT, file)}; run with UPDATE_BASELINES=1 to create it`);
  const actual = PNG.sync.read(png);
  const expected = PNG.sync.read(fs.readFileSync(file));
  assert.ok(actual.width === expected.width && actual.height === expected.height,
    `${name}: screenshot is ${actual.width}×${actual.height}, baseline ${expected.width}×${expected.height} (UPDATE_BASELINES=1 rewrites it)`);
  const diff = new PNG({ width: actual.width, height: actual.height });
  const differing = pixelmatch(actual.data, expected.data, diff.data, actual.width, actual.height, { threshold: PIXEL_THRESHOLD });
  const ratio = differing / (actual.width * actual.height);
  const diffFile = path.join(SHOTS, `${name}.diff.png`);
  if (ratio > MAX_DIFF_RATIO) {
    fs.writeFileSync(diffFile, PNG.sync.write(diff));
    assert.fail(`${name}: ${(ratio * 100).toFixed(2)} % of pixels differ from the baseline; see ${path.relative(ROOT, diffFile)}`);
  }
  fs.rmSync(diffFile, { force: true });
}

/** A page that records every console error and refused request (a CSP violation shows as both). */
async function openPage(viewport, mobile = false) {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1, isMobile: mobile, hasTouch: mobile,
    locale: 'ru-RU', timezoneId: 'Europe/Moscow' });
  context.setDefaultTimeout(15_000);
  // Nothing but the local server: the site must work without any external network.
  await context.route((url) => !url.href.startsWith(server.base), (route) => route.abort());
  const page = await context.newPage();
  page.errors = [];
  page.on('console', (msg) => { if (msg.type() === 'error') page.errors.push(msg.text()); });
  page.on('pageerror', (e) => page.errors.push(String(e)));
  return { context, page };
}

before(async () => {
  assert.ok(fs.existsSync(BIN), `${path.relative(ROOT, BIN)} is missing: run \`cargo build --workspace --bins\` first`);
  assert.ok(fs.existsSync(PAGEFIND), `${path.relative(ROOT, PAGEFIND)} is missing: run \`(cd site && npm ci)\` first`);
  fs.accessSync(CHROMIUM, fs.constants.X_OK);
  fs.mkdirSync(SHOTS, { recursive: true });
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dealerdesk-kb-browser-'));
  server = await startServer();
  process.on('exit', () => server?.child.kill('SIGKILL'));
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  if (server && server.child.exitCode === null) {
    server.child.kill('SIGTERM');
    await server.exited;
  }
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

test('knowledge base in Chromium: home, an article, Russian search with Pagefind', { timeout: 180_000 }, async (t) => {
  await t.test('the home page lists the sections, on a desktop and a phone', async () => {
    for (const [viewport, mobile, name] of [[DESKTOP, false, 'kb-home'], [MOBILE, true, 'kb-home-mobile']]) {
      const { context, page } = await openPage(viewport, mobile);
      const res = await page.goto(`${server.base}/kb/`);
      assert.equal(res.status(), 200);
      assert.match(res.headers()['content-security-policy'], /'wasm-unsafe-eval'/);
      await page.getByRole('heading', { name: 'База знаний поддержки дилерских сайтов' }).waitFor();
      assert.ok(await page.getByRole('link', { name: 'Работа с сайтом' }).isVisible());
      compareWithBaseline(await shot(page, name), name);
      assert.deepEqual(page.errors, [], `${name}: console errors`);
      await context.close();
    }
  });

  await t.test('an article opens from its section and reads well on a phone', async () => {
    const { context, page } = await openPage(DESKTOP);
    await page.goto(`${server.base}/kb/`);
    await page.getByRole('link', { name: 'Работа с сайтом' }).first().click();
    await page.getByRole('link', { name: 'Редиректы 301: когда и как настроить' }).first().click();
    await page.waitForURL(/\/kb\/rabota-s-saitom\/redirekty\/$/);
    await page.getByRole('heading', { level: 1, name: 'Редиректы 301: когда и как настроить' }).waitFor();
    compareWithBaseline(await shot(page, 'kb-article'), 'kb-article');
    await context.close();
    const phone = await openPage(MOBILE, true);
    await phone.page.goto(`${server.base}/kb/rabota-s-saitom/redirekty/`);
    compareWithBaseline(await shot(phone.page, 'kb-article-mobile'), 'kb-article-mobile');
    await phone.context.close();
  });

  await t.test('a Pagefind search for «редиректов» finds the redirect article', async () => {
    const { context, page } = await openPage(DESKTOP);
    await page.goto(`${server.base}/kb/`);
    await page.getByRole('searchbox', { name: 'Поиск по базе знаний' }).fill('редиректов');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/kb\/search\/\?q=/);
    const first = page.locator('#search-results li a').first();
    await first.waitFor();
    const links = await page.locator('#search-results li a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    assert.ok(links.slice(0, 3).includes('/kb/rabota-s-saitom/redirekty/'), `top results: ${links.join(', ')}`);
    assert.match(await page.locator('#search-results').innerText(), /редирект/i);
    await shot(page, 'kb-search');
    assert.deepEqual(page.errors, [], 'console errors (a CSP refusal shows here)');
    // The result leads to the article.
    await page.locator('#search-results li a[href="/kb/rabota-s-saitom/redirekty/"]').click();
    await page.getByRole('heading', { level: 1, name: 'Редиректы 301: когда и как настроить' }).waitFor();
    await context.close();
  });
});
