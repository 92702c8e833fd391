// Screenshot tests of the DealerDesk portal in a real headless Chromium.
//
// Run from the repo root after `cargo build --workspace --bins`:
//   (cd tests/browser && npm ci && node --test)
// It builds nothing: it starts target/debug/dealerdesk on a free port over a fresh temp data
// dir with a fixed clock, drives Chromium (/usr/bin/chromium, or $CHROMIUM) through the
// dealer's and the specialist's main path, saves a screenshot of every step under
// target/screenshots/, checks that no page scrolls sideways, and compares the static pages
// pixel by pixel with tests/browser/baselines/*.png (UPDATE_BASELINES=1 rewrites them).
// A missing binary or browser fails the run; nothing is skipped.

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
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SHOTS = path.join(ROOT, 'target', 'screenshots');
const BASELINES = path.join(HERE, 'baselines');
const UPDATE = process.env.UPDATE_BASELINES === '1';

/** The portal's clock starts here, so every date on screen is the same on every run. */
const CLOCK = '2026-03-02T10:00:00+03:00';
/** The outbox job runs "at" this instant (the letters' times on /dev/mail). */
const OUTBOX_AT = '2026-03-02T10:05:00+03:00';
const PASSWORD = 'demo-password';

const DESKTOP = { width: 1280, height: 800 };
const MOBILE = { width: 390, height: 844 };
/** pixelmatch's per-pixel colour threshold and the share of pixels allowed to differ. */
const PIXEL_THRESHOLD = 0.1;
const MAX_DIFF_RATIO = 0.005;

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--font-render-hinting=none',
];

// ---------------------------------------------------------------------------------------
// The server

let dataDir;
let server; // { child, port, base, log }
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

function childEnv(extra) {
  const env = { ...process.env, RUST_LOG: 'warn', ...extra };
  // The local mailbox under the data dir, whatever the calling shell has set.
  for (const k of ['DEALERDESK_MAIL', 'DEALERDESK_MAILBOX_DIR', 'DEALERDESK_STORE', 'DEALERDESK_PORT',
    'DEALERDESK_DATA_DIR', 'DEALERDESK_SCHEDULER_SECONDS', 'DEALERDESK_COOKIE_SECURE']) {
    delete env[k];
  }
  return env;
}

async function startServer(clock) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(BIN, ['serve', '--port', String(port), '--data-dir', dataDir, '--scheduler-seconds', '0'], {
    cwd: ROOT,
    env: childEnv({ DEALERDESK_CLOCK: clock }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const s = { child, port, base, log: '', exited: null };
  const keep = (chunk) => { s.log = (s.log + chunk.toString()).slice(-20000); };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  s.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  let gone = null;
  s.exited.then((e) => { gone = e; });

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (gone) {
      throw new Error(`dealerdesk serve exited before answering (${JSON.stringify(gone)}); its output:\n${s.log}`);
    }
    try {
      const res = await fetch(`${base}/login`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) {
        await res.arrayBuffer();
        return s;
      }
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`dealerdesk serve did not answer on ${base}/login within 60 s; its output:\n${s.log}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function stopServer(s) {
  if (!s || s.child.exitCode !== null || s.child.signalCode !== null) return;
  s.child.kill('SIGTERM');
  const timer = setTimeout(() => s.child.kill('SIGKILL'), 10_000);
  await s.exited;
  clearTimeout(timer);
}

function run(cmd, args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => { out += c; });
    child.stderr.on('data', (c) => { err += c; });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}

// ---------------------------------------------------------------------------------------
// Screenshots, layout and baselines

function shotPath(name) {
  return path.join(SHOTS, `${name}.png`);
}

/** Fails when the page is wider than the window (a horizontal scrollbar). */
async function assertNoHorizontalScroll(page, name) {
  const m = await page.evaluate(() => ({
    scrollWidth: document.scrollingElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  const screen = page.viewportSize().width;
  // A phone widens its layout viewport to the content, so innerWidth itself must stay the
  // screen's width too.
  assert.ok(
    m.scrollWidth <= m.innerWidth && m.innerWidth === screen,
    `${name}: the page is wider than the ${screen}px screen (scrollWidth ${m.scrollWidth}px, ` +
      `innerWidth ${m.innerWidth}px): it scrolls sideways`,
  );
}

/** Checks the width, saves target/screenshots/<name>.png and returns the PNG bytes. */
async function shot(page, name) {
  await page.evaluate(() => document.fonts.ready);
  await assertNoHorizontalScroll(page, name);
  return page.screenshot({ path: shotPath(name), fullPage: true, animations: 'disabled', caret: 'hide' });
}

/** Compares a screenshot with tests/browser/baselines/<name>.png (or rewrites it). */
function compareWithBaseline(png, name) {
  const file = path.join(BASELINES, `${name}.png`);
  if (UPDATE) {
    fs.mkdirSync(BASELINES, { recursive: true });
    fs.writeFileSync(file, png);
    return;
  }
  assert.ok(
    fs.existsSync(file),
    `no baseline ${path.relative(ROOT, file)}; run with UPDATE_BASELINES=1 to create it`,
  );
  const actual = PNG.sync.read(png);
  const expected = PNG.sync.read(fs.readFileSync(file));
  assert.ok(
    actual.width === expected.width && actual.height === expected.height,
    `${name}: screenshot is ${actual.width}×${actual.height}, baseline ${expected.width}×${expected.height} ` +
      `(see ${path.relative(ROOT, shotPath(name))}; UPDATE_BASELINES=1 rewrites the baseline)`,
  );
  const diff = new PNG({ width: actual.width, height: actual.height });
  const differing = pixelmatch(actual.data, expected.data, diff.data, actual.width, actual.height, {
    threshold: PIXEL_THRESHOLD,
  });
  const ratio = differing / (actual.width * actual.height);
  const diffFile = path.join(SHOTS, `${name}.diff.png`);
  if (ratio > MAX_DIFF_RATIO) {
    fs.writeFileSync(diffFile, PNG.sync.write(diff));
    assert.fail(
      `${name}: ${(ratio * 100).toFixed(2)} % of pixels differ from the baseline (at most ` +
        `${MAX_DIFF_RATIO * 100} % allowed); see ${path.relative(ROOT, shotPath(name))} and ` +
        `${path.relative(ROOT, diffFile)}; UPDATE_BASELINES=1 rewrites the baseline`,
    );
  }
  fs.rmSync(diffFile, { force: true });
}

async function newDesktop() {
  const context = await browser.newContext({ viewport: DESKTOP, deviceScaleFactor: 1, locale: 'ru-RU', timezoneId: 'Europe/Moscow' });
  context.setDefaultTimeout(15_000);
  return context;
}

/** Opens `url` in a phone-sized context with the same cookies as `from` and shoots it. */
async function mobileShot(from, url, name) {
  const context = await browser.newContext({
    viewport: MOBILE,
    deviceScaleFactor: 1,
    isMobile: true,
    hasTouch: true,
    locale: 'ru-RU',
    timezoneId: 'Europe/Moscow',
    storageState: from ? await from.storageState() : undefined,
  });
  context.setDefaultTimeout(15_000);
  try {
    const page = await context.newPage();
    const res = await page.goto(url);
    assert.equal(res.status(), 200, `${name}: GET ${url} answered ${res.status()}`);
    return await shot(page, name);
  } finally {
    await context.close();
  }
}

async function logIn(page, email) {
  await page.goto(`${server.base}/login`);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Пароль').fill(PASSWORD);
  // The portal sends every role to its start page (a dealer's is the ticket list).
  await Promise.all([
    page.waitForURL((url) => url.pathname !== '/login'),
    page.getByRole('button', { name: 'Войти' }).click(),
  ]);
}

// ---------------------------------------------------------------------------------------

before(async () => {
  assert.ok(
    fs.existsSync(BIN),
    `${path.relative(ROOT, BIN)} is missing: build it first with \`cargo build --workspace --bins\` (the browser tests build nothing)`,
  );
  try {
    fs.accessSync(CHROMIUM, fs.constants.X_OK);
  } catch {
    assert.fail(
      `Chromium not found at ${CHROMIUM}: install Debian's chromium (apt-get install chromium fonts-dejavu-core, ` +
        'as .ci/run does) or point CHROMIUM at a Chromium binary',
    );
  }
  fs.mkdirSync(SHOTS, { recursive: true });
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dealerdesk-browser-'));
  server = await startServer(CLOCK);
  // Never leave a server behind, however the run ends.
  process.on('exit', () => server?.child.kill('SIGKILL'));
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  await stopServer(server);
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

// Steps share one server, one browser and the state they build (a ticket, two sessions), so
// they run in order as subtests of one test; a failing step usually fails the ones after it.
test('portal in Chromium: dealer files a ticket, specialist takes it, mail goes out', { timeout: 240_000 }, async (t) => {
  const title = 'Не обновляются цены в прайс-листе на странице модели Qashqai';
  let dealer; // browser context of dealer1
  let specialist; // browser context of the specialist
  let dealerPage;
  let ticketUrl;
  let ticketNumber;

  await t.test('login page', async () => {
    const context = await newDesktop();
    const page = await context.newPage();
    await page.goto(`${server.base}/login`);
    assert.equal(await page.title(), 'Вход — DealerDesk');
    await page.getByRole('heading', { name: 'Вход в DealerDesk' }).waitFor();
    compareWithBaseline(await shot(page, '01-login'), '01-login');
    compareWithBaseline(await mobileShot(null, `${server.base}/login`, '01-login-mobile'), '01-login-mobile');
    await context.close();
  });

  await t.test('dealer logs in and sees «Мои обращения»', async () => {
    dealer = await newDesktop();
    dealerPage = await dealer.newPage();
    await logIn(dealerPage, 'dealer1@demo.local');
    assert.equal(dealerPage.url(), `${server.base}/tickets`, 'a dealer starts at the ticket list');
    await dealerPage.getByRole('heading', { name: 'Мои обращения' }).waitFor();
    await dealerPage.getByText('Обращений нет.').waitFor();
    await shot(dealerPage, '02-dealer-tickets');
    await mobileShot(dealer, `${server.base}/tickets`, '02-dealer-tickets-mobile');
  });

  await t.test('new ticket form; an empty title is refused in Russian', async () => {
    await Promise.all([
      dealerPage.waitForURL(`${server.base}/tickets/new`),
      dealerPage.getByRole('link', { name: 'Новое обращение' }).click(),
    ]);
    await dealerPage.getByRole('heading', { name: 'Новое обращение' }).waitFor();
    compareWithBaseline(await shot(dealerPage, '03-ticket-new'), '03-ticket-new');
    compareWithBaseline(await mobileShot(dealer, `${server.base}/tickets/new`, '03-ticket-new-mobile'), '03-ticket-new-mobile');

    const form = dealerPage.locator('form[action="/tickets"]');
    await form.getByLabel('Что нужно сделать').fill('На странице модели Qashqai показываются цены прошлого месяца.\nПрайс-лист загружен вчера.');
    await form.getByLabel('Категория').selectOption('platform_bug');
    await form.getByLabel('Критичность').selectOption('high');
    // Entirely empty: the browser itself holds the form back (required field).
    await form.getByRole('button', { name: 'Отправить обращение' }).click();
    assert.equal(dealerPage.url(), `${server.base}/tickets/new`);
    assert.equal(await form.getByLabel('Тема').evaluate((el) => el.validity.valueMissing), true);
    // Blank (spaces only): the browser lets it through and the server refuses it.
    await form.getByLabel('Тема').fill('   ');
    await Promise.all([
      dealerPage.waitForURL(`${server.base}/tickets`),
      form.getByRole('button', { name: 'Отправить обращение' }).click(),
    ]);
    assert.equal((await dealerPage.getByRole('alert').innerText()).trim(), 'Укажите тему обращения.');
    assert.equal((await form.locator('.field-error').innerText()).trim(), 'Укажите тему обращения.');
    // What the dealer typed is kept.
    assert.match(await form.getByLabel('Что нужно сделать').inputValue(), /Qashqai/);
    await shot(dealerPage, '04-ticket-new-error');
  });

  await t.test('dealer files the ticket and sees «Новая» / «Принято к рассмотрению»', async () => {
    const form = dealerPage.locator('form[action="/tickets"]');
    await form.getByLabel('Тема').fill(title);
    await Promise.all([
      dealerPage.waitForURL(/\/tickets\/[^/]+$/),
      form.getByRole('button', { name: 'Отправить обращение' }).click(),
    ]);
    ticketUrl = dealerPage.url();
    assert.notEqual(ticketUrl, `${server.base}/tickets/new`);
    await dealerPage.getByRole('heading', { name: title }).waitFor();
    ticketNumber = (await dealerPage.locator('h1 .number').innerText()).trim();
    assert.match(ticketNumber, /^DD-\d+$/);
    assert.equal((await dealerPage.locator('dl.facts .badge').innerText()).trim(), 'Новая');
    assert.equal((await dealerPage.locator('dl.facts dd.status').innerText()).trim(), 'Принято к рассмотрению');
    await shot(dealerPage, '05-ticket-card-dealer');
    await mobileShot(dealer, ticketUrl, '05-ticket-card-dealer-mobile');

    await dealerPage.goto(`${server.base}/tickets`);
    await dealerPage.getByRole('link', { name: title }).waitFor();
    await shot(dealerPage, '06-dealer-tickets-one');
    await mobileShot(dealer, `${server.base}/tickets`, '06-dealer-tickets-one-mobile');
  });

  await t.test('specialist sees it in «Очередь обращений» and takes it: «В стадии решения»', async () => {
    specialist = await newDesktop();
    const page = await specialist.newPage();
    await logIn(page, 'specialist@demo.local');
    await page.goto(`${server.base}/tickets`);
    await page.getByRole('heading', { name: 'Очередь обращений' }).waitFor();
    const row = page.locator('table.list tbody tr', { hasText: ticketNumber });
    await row.waitFor();
    assert.match(await row.innerText(), /Автоцентр Север/);
    await shot(page, '07-specialist-queue');
    await mobileShot(specialist, `${server.base}/tickets`, '07-specialist-queue-mobile');

    await Promise.all([page.waitForURL(ticketUrl), row.getByRole('link', { name: title }).click()]);
    await page.getByRole('heading', { name: title }).waitFor();
    await shot(page, '08-ticket-card-specialist');

    await Promise.all([
      page.waitForURL(ticketUrl),
      page.getByRole('button', { name: 'Взять в работу' }).click(),
    ]);
    await page.locator('dl.facts dd.status', { hasText: 'В стадии решения' }).waitFor();
    assert.equal((await page.locator('dl.facts dd.status').innerText()).trim(), 'В стадии решения');
    assert.match(await page.locator('table.history').innerText(), /Взять в работу/);
    await shot(page, '09-ticket-taken');
    await mobileShot(specialist, ticketUrl, '09-ticket-taken-mobile');
  });

  await t.test('the outbox job sends the letters; /dev/mail shows them', async () => {
    // The job opens the data dir itself, so the server steps aside while it runs.
    await stopServer(server);
    const job = await run(BIN, ['job', 'outbox', '--data-dir', dataDir, '--at', OUTBOX_AT], childEnv({}));
    assert.equal(job.code, 0, `dealerdesk job outbox failed (${job.code}):\n${job.out}\n${job.err}`);
    server = await startServer(OUTBOX_AT);

    // Cookies belong to the host, not the port: the dealer is still logged in.
    const page = await dealer.newPage();
    await page.goto(`${server.base}/dev/mail`);
    await page.getByRole('heading', { name: 'Отправленные письма' }).waitFor();
    const subjects = await page.locator('section.mail h2').allInnerTexts();
    const ours = subjects.filter((s) => s.startsWith(`${ticketNumber}:`));
    assert.ok(
      ours.some((s) => s.includes('новое обращение')),
      `no letter about the new ticket among ${JSON.stringify(subjects)}`,
    );
    assert.ok(
      ours.some((s) => s.includes('В стадии решения')),
      `no letter about taking the ticket among ${JSON.stringify(subjects)}`,
    );
    await shot(page, '10-dev-mail');
    await mobileShot(dealer, `${server.base}/dev/mail`, '10-dev-mail-mobile');
  });

  await dealer?.close();
  await specialist?.close();
});
