// Screenshot tests of the DealerDesk portal in a real headless Chromium.
//
// Run from the repo root after `cargo build --workspace --bins`:
//   (cd tests/browser && npm ci && node --test)
// It builds nothing: it starts target/debug/dealerdesk on a free port over a fresh temp data
// dir with a fixed clock, drives Chromium (/usr/bin/chromium, or $CHROMIUM) through the
// dealer's and the specialist's main path (filing, taking, mail), then time and cost
// («Детализация»), comments and files, the dealer's wishes, the dealer's leads (the list and the
// card's «Контакт» / «Договор»; the leads are posted with the demo site key) and the admin's working calendar,
// saves a screenshot of every step under
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

async function startServer(clock, { dir = dataDir, history = false } = {}) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(BIN, ['serve', '--port', String(port), '--data-dir', dir, '--scheduler-seconds', '0'], {
    cwd: ROOT,
    // No demo history: the walk starts from an empty ticket list and counts from there. The
    // lead reports' pages start a server of their own with it, over a data dir of their own.
    env: childEnv({ DEALERDESK_CLOCK: clock, DEALERDESK_DEMO_HISTORY: history ? '1' : '0' }),
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
  const screen = page.viewportSize().width;
  const m = await page.evaluate((screen) => {
    // The outermost elements that stick out past the screen's right edge, for the message.
    const out = [];
    const walk = (el) => {
      for (const child of el.children) {
        const r = child.getBoundingClientRect();
        if (r.right > screen + 0.5) {
          const cls = child.className && typeof child.className === 'string' ? `.${child.className.trim().split(/\s+/).join('.')}` : '';
          out.push(`${child.tagName.toLowerCase()}${cls} (${Math.round(r.left)}–${Math.round(r.right)}px)`);
        } else if (getComputedStyle(child).overflowX === 'visible') {
          walk(child); // what scrolls inside its own box widens nothing
        }
      }
    };
    walk(document.body);
    return {
      scrollWidth: document.scrollingElement.scrollWidth,
      innerWidth: window.innerWidth,
      wide: out.slice(0, 5),
    };
  }, screen);
  // A phone widens its layout viewport to the content, so innerWidth itself must stay the
  // screen's width too.
  assert.ok(
    m.scrollWidth <= m.innerWidth && m.innerWidth === screen,
    `${name}: the page is wider than the ${screen}px screen (scrollWidth ${m.scrollWidth}px, ` +
      `innerWidth ${m.innerWidth}px): it scrolls sideways; too wide: ${m.wide.join(', ') || '?'}`,
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

/** The new-ticket form's own submit button; «Примерная стоимость» is a second submit button. */
function fileButton(form) {
  return form.getByRole('button', { name: 'Отправить обращение', exact: true });
}

/** A ticket card's address (not /tickets/new), with or without a #fragment. */
function isTicketCard(url) {
  return /^\/tickets\/[^/]+$/.test(url.pathname) && url.pathname !== '/tickets/new';
}

/** The visible text of `locator` with runs of white space (NBSP too) made one space. */
async function words(locator) {
  return (await locator.innerText()).replace(/\s+/g, ' ').trim();
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
test('portal in Chromium: dealer files tickets, specialist takes and costs one, comments, wishes, calendar, mail', { timeout: 480_000 }, async (t) => {
  const title = 'Не обновляются цены в прайс-листе на странице модели Qashqai';
  const paidTitle = 'Разместить новость об акции на модели X-Trail';
  const note = 'Разместили новость об акции на странице модели';
  const commentText = 'Спасибо! Новость видна. Можно ли закрепить её наверху списка новостей?';
  const wishTitle = 'Выгрузка обращений за квартал в Excel';
  let dealer; // browser context of dealer1
  let specialist; // browser context of the specialist
  let admin; // browser context of the admin
  let dealerPage;
  let specialistPage;
  let ticketUrl;
  let ticketNumber;
  let paidUrl;
  let paidNumber;

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
    assert.equal(dealerPage.url(), `${server.base}/`, 'a dealer starts at its dashboard');
    await dealerPage.getByRole('heading', { name: 'Личный кабинет' }).waitFor();
    await Promise.all([
      dealerPage.waitForURL(`${server.base}/tickets`),
      dealerPage.getByRole('link', { name: 'Обращения', exact: true }).click(),
    ]);
    await dealerPage.getByRole('heading', { name: 'Мои обращения' }).waitFor();
    await dealerPage.getByText('Обращений нет.').waitFor();
    // The dealer's menu: tickets, wishes, leads, documents, reports, the knowledge base and the new-ticket button; no admin calendar.
    const nav = dealerPage.locator('header nav');
    assert.deepEqual(
      (await nav.getByRole('link').allInnerTexts()).map((s) => s.trim()),
      ['Обращения', 'Пожелания', 'Заявки', 'Документы', 'Отчёты', 'База знаний', 'Новое обращение'],
    );
    await shot(dealerPage, '02-dealer-tickets');
    await mobileShot(dealer, `${server.base}/tickets`, '02-dealer-tickets-mobile');
  });

  await t.test('the dealer\'s dashboard «Личный кабинет» and the quarterly survey', async () => {
    const page = await dealer.newPage();
    await page.goto(`${server.base}/`);
    await page.getByRole('heading', { name: 'Личный кабинет' }).waitFor();
    // The demo dealer has not answered this quarter's survey yet: the banner leads to it.
    await page.getByRole('link', { name: 'Ответить на опрос' }).waitFor();
    await page.getByText('Расходы на поддержку за квартал').waitFor();
    assert.equal(await page.locator('script').count(), 0, 'no script on the dashboard');
    compareWithBaseline(await shot(page, '02a-dashboard'), '02a-dashboard');
    compareWithBaseline(await mobileShot(dealer, `${server.base}/`, '02a-dashboard-mobile'), '02a-dashboard-mobile');
    await Promise.all([
      page.waitForURL(`${server.base}/surveys/2026-Q1`),
      page.getByRole('link', { name: 'Ответить на опрос' }).click(),
    ]);
    await page.getByRole('heading', { name: 'Квартальный опрос — I квартал 2026 г.' }).waitFor();
    compareWithBaseline(await shot(page, '02b-survey'), '02b-survey');
    compareWithBaseline(
      await mobileShot(dealer, `${server.base}/surveys/2026-Q1`, '02b-survey-mobile'),
      '02b-survey-mobile',
    );
    await page.close();
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
    // Two submit buttons: filing and the cost estimate (which posts elsewhere).
    assert.deepEqual(
      (await form.getByRole('button').allInnerTexts()).map((s) => s.trim()),
      ['Отправить обращение', 'Примерная стоимость'],
    );
    assert.equal(
      await form.getByRole('button', { name: 'Примерная стоимость', exact: true }).getAttribute('formaction'),
      '/tickets/new/estimate',
    );
    await form.getByLabel('Что нужно сделать').fill('На странице модели Qashqai показываются цены прошлого месяца.\nПрайс-лист загружен вчера.');
    await form.getByLabel('Категория').selectOption('platform_bug');
    await form.getByLabel('Критичность').selectOption('high');
    // Entirely empty: the browser itself holds the form back (required field).
    await fileButton(form).click();
    assert.equal(dealerPage.url(), `${server.base}/tickets/new`);
    assert.equal(await form.getByLabel('Тема').evaluate((el) => el.validity.valueMissing), true);
    // Blank (spaces only): the browser lets it through and the server refuses it.
    await form.getByLabel('Тема').fill('   ');
    await Promise.all([
      dealerPage.waitForURL(`${server.base}/tickets`),
      fileButton(form).click(),
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
      dealerPage.waitForURL(isTicketCard),
      fileButton(form).click(),
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
    assert.match(await words(page.locator('table.list thead')), /Срок реакции \(МСК\)/);
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
    assert.match(await page.locator('table.history:not(.audit)').innerText(), /Взять в работу/);
    await shot(page, '09-ticket-taken');
    await mobileShot(specialist, ticketUrl, '09-ticket-taken-mobile');
  });

  await t.test('the outbox job sends the letters; /dev/mail shows them', async () => {
    // The job opens the data dir itself, so the server steps aside while it runs.
    await stopServer(server);
    const job = await run(BIN, ['job', 'outbox', '--data-dir', dataDir, '--at', OUTBOX_AT], childEnv({}));
    assert.equal(job.code, 0, `dealerdesk job outbox failed (${job.code}):\n${job.out}\n${job.err}`);
    server = await startServer(OUTBOX_AT);

    // Cookies belong to the host, not the port: the dealer is still logged in, and is refused
    // the mailbox — only the admin reads every letter of the network.
    const refused = await dealer.newPage();
    const answer = await refused.goto(`${server.base}/dev/mail`);
    assert.equal(answer.status(), 403);
    await refused.close();
    admin = await newDesktop();
    const page = await admin.newPage();
    await logIn(page, 'admin@demo.local');
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
    await mobileShot(admin, `${server.base}/dev/mail`, '10-dev-mail-mobile');
    await admin.close();
  });

  await t.test('the bill run issues the quarter\'s invoice and act; the dealer downloads them on «Документы»', async () => {
    await stopServer(server);
    const job = await run(BIN, ['job', 'quarterly_bills', '--data-dir', dataDir, '--at', OUTBOX_AT], childEnv({}));
    assert.equal(job.code, 0, `dealerdesk job quarterly_bills failed (${job.code}):\n${job.out}\n${job.err}`);
    server = await startServer(OUTBOX_AT);
    const page = await dealer.newPage();
    await page.goto(`${server.base}/documents`);
    await page.getByRole('heading', { name: 'Документы' }).waitFor();
    const downloads = page.getByRole('link', { name: 'Скачать PDF' });
    assert.equal(await downloads.count(), 2, 'the invoice and the act of IV квартал 2025');
    assert.equal(await page.locator('script').count(), 0, 'no script on the documents page');
    compareWithBaseline(await shot(page, '02c-documents'), '02c-documents');
    compareWithBaseline(await mobileShot(dealer, `${server.base}/documents`, '02c-documents-mobile'), '02c-documents-mobile');
    const pdf = await page.request.get(`${server.base}${await downloads.first().getAttribute('href')}`);
    assert.equal(pdf.status(), 200);
    assert.equal(pdf.headers()['content-type'], 'application/pdf');
    await page.close();
  });

  await t.test('«Примерная стоимость» keeps the form; a paid ticket is filed through «Отправить обращение»', async () => {
    await dealerPage.goto(`${server.base}/tickets/new`);
    const form = dealerPage.locator('form[action="/tickets"]');
    await form.getByLabel('Тема').fill(paidTitle);
    await form.getByLabel('Что нужно сделать').fill('Разместите, пожалуйста, новость об акции на странице модели X-Trail.\nТекст и картинка во вложении письма.');
    await form.getByLabel('Категория').selectOption('individual_news');
    await form.getByLabel('Критичность').selectOption('high');
    // The estimate button posts the typed values elsewhere and comes back with them.
    await Promise.all([
      dealerPage.waitForURL(`${server.base}/tickets/new/estimate`),
      form.getByRole('button', { name: 'Примерная стоимость', exact: true }).click(),
    ]);
    await dealerPage.getByRole('heading', { name: 'Новое обращение' }).waitFor();
    // Too little similar work: no banner and no note at all (SPEC §2.5).
    assert.equal(await form.locator('p.banner').count(), 0);
    assert.equal(await form.locator('p.muted').count(), 0);
    assert.equal(await form.getByLabel('Тема').inputValue(), paidTitle);
    assert.match(await form.getByLabel('Что нужно сделать').inputValue(), /X-Trail/);
    assert.equal(await form.getByLabel('Категория').inputValue(), 'individual_news');
    assert.equal(await form.getByLabel('Критичность').inputValue(), 'high');
    await shot(dealerPage, '11-ticket-new-estimate');

    await Promise.all([dealerPage.waitForURL(isTicketCard), fileButton(form).click()]);
    paidUrl = dealerPage.url();
    await dealerPage.getByRole('heading', { name: paidTitle }).waitFor();
    paidNumber = (await dealerPage.locator('h1 .number').innerText()).trim();
    assert.match(paidNumber, /^DD-\d+$/);
    assert.notEqual(paidNumber, ticketNumber);
    assert.equal((await dealerPage.locator('dl.facts .badge').first().innerText()).trim(), 'Новая');
    const cost = dealerPage.locator('section#cost');
    assert.match(await words(cost), /Затрачено времени 0 мин/);
    assert.match(await words(cost), /Время по обращению ещё не списывалось\./);
  });

  await t.test('specialist takes it and logs 10 minutes: «Детализация» shows 590 ₽', async () => {
    specialistPage = await specialist.newPage();
    await specialistPage.goto(paidUrl);
    await specialistPage.getByRole('heading', { name: paidTitle }).waitFor();
    await Promise.all([
      specialistPage.waitForURL(paidUrl),
      specialistPage.getByRole('button', { name: 'Взять в работу', exact: true }).click(),
    ]);
    await specialistPage.locator('dl.facts dd.status', { hasText: 'В стадии решения' }).waitFor();

    const cost = specialistPage.locator('section#cost');
    await cost.getByRole('heading', { name: 'Стоимость и трудозатраты' }).waitFor();
    const logForm = cost.locator('form[action$="/time-entries"]');
    await logForm.getByLabel('Минут', { exact: true }).fill('10');
    await logForm.getByLabel('Что сделано', { exact: true }).fill(note);
    await Promise.all([
      specialistPage.waitForURL((url) => isTicketCard(url) && url.hash === '#cost'),
      logForm.getByRole('button', { name: 'Списать время', exact: true }).click(),
    ]);
    await cost.getByRole('heading', { name: 'Детализация', exact: true }).waitFor();
    const facts = await words(cost.locator('dl.facts'));
    assert.match(facts, /Затрачено времени 10 мин/);
    assert.match(facts, /Стоимость 590 ₽/);
    assert.equal((await cost.locator('dl.facts strong').innerText()).replace(/\s/g, ' '), '590 ₽');
    const entry = cost.locator('table.history tbody tr', { hasText: note });
    await entry.waitFor();
    const cells = (await entry.locator('td').allInnerTexts()).map((s) => s.trim());
    assert.equal(cells[1], 'Анна Поддержкина', `the entry's specialist: ${JSON.stringify(cells)}`);
    assert.equal(cells[2], '10');
    assert.equal(cells[3], note);
    assert.match(await words(cost.locator('table.history thead').first()), /Когда \(МСК\) Специалист Минуты Что сделано/);
    await shot(specialistPage, '12-ticket-cost-specialist');
    await mobileShot(specialist, paidUrl, '12-ticket-cost-specialist-mobile');
  });

  await t.test('dealer sees 590 ₽ in «Детализация», writes a comment and attaches a file', async () => {
    await dealerPage.goto(paidUrl);
    const cost = dealerPage.locator('section#cost');
    await cost.getByRole('heading', { name: 'Детализация', exact: true }).waitFor();
    assert.match(await words(cost.locator('dl.facts')), /Затрачено времени 10 мин Стоимость 590 ₽/);
    assert.match(await words(cost.locator('table.history tbody')), new RegExp(`10 ${note}`));
    // A dealer logs no time and corrects nothing.
    assert.equal(await cost.getByRole('button', { name: 'Списать время' }).count(), 0);
    assert.equal(await cost.getByRole('button', { name: 'Исправить' }).count(), 0);

    const comments = dealerPage.locator('section#comments');
    await comments.getByRole('heading', { name: 'Комментарии', exact: true }).waitFor();
    assert.equal(await words(comments.locator('p.empty')), 'Комментариев пока нет.');
    await comments.getByLabel('Новый комментарий').fill(commentText);
    await Promise.all([
      dealerPage.waitForURL((url) => isTicketCard(url) && url.hash.startsWith('#comment-')),
      comments.getByRole('button', { name: 'Отправить комментарий', exact: true }).click(),
    ]);
    const item = comments.locator('li.comment', { hasText: commentText });
    await item.waitFor();
    assert.match(await words(item.locator('.meta')), /^Ирина Северова .*\(МСК\)$/);
    // A file for the specialist, in the block under the comments.
    const files = dealerPage.locator('section#files');
    await files.getByRole('heading', { name: 'Файлы', exact: true }).waitFor();
    assert.equal(await words(files.locator('p.empty')), 'Файлов нет.');
    await files.getByLabel('Прикрепить файл').setInputFiles({
      name: 'akciya-x-trail.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('Акция на X-Trail: выгода до 300 000 ₽ до конца марта.\n'.repeat(40)),
    });
    await Promise.all([
      dealerPage.waitForURL((url) => isTicketCard(url) && url.hash === '#files'),
      files.getByRole('button', { name: 'Загрузить файл', exact: true }).click(),
    ]);
    const file = files.locator('table.files tbody tr', { hasText: 'akciya-x-trail.txt' });
    await file.waitFor();
    const fileCells = (await file.locator('td').allInnerTexts()).map((s) => s.trim());
    assert.match(fileCells[1], /^\d+ КБ$/, `the file's size: ${JSON.stringify(fileCells)}`);
    assert.equal(fileCells[2], 'Ирина Северова (Дилерский центр)');
    assert.match(await words(files.locator('table.files thead')), /^Файл Размер Кто добавил Когда \(МСК\)$/);
    // The comment is still there after the upload.
    await comments.locator('li.comment', { hasText: commentText }).waitFor();
    await shot(dealerPage, '13-ticket-cost-comment-dealer');
    await mobileShot(dealer, paidUrl, '13-ticket-cost-comment-dealer-mobile');
  });

  await t.test('specialist sees the dealer\'s comment and file', async () => {
    await specialistPage.goto(paidUrl);
    const comments = specialistPage.locator('section#comments');
    const item = comments.locator('li.comment', { hasText: commentText });
    await item.waitFor();
    assert.equal(await words(item.locator('.text')), commentText.replace(/\s+/g, ' '));
    assert.match(await words(item.locator('.meta')), /^Ирина Северова/);
    assert.equal(await comments.locator('li.comment').count(), 1);
    await specialistPage.locator('section#files').getByRole('link', { name: 'akciya-x-trail.txt' }).waitFor();
    await comments.getByRole('button', { name: 'Отправить комментарий', exact: true }).waitFor();
    await shot(specialistPage, '14-ticket-comment-specialist');
    await mobileShot(specialist, paidUrl, '14-ticket-comment-specialist-mobile');
  });

  await t.test('dealer submits a wish on «Пожелания»', async () => {
    await dealerPage.goto(`${server.base}/tickets`);
    await Promise.all([
      dealerPage.waitForURL(`${server.base}/wishes`),
      dealerPage.locator('header nav').getByRole('link', { name: 'Пожелания', exact: true }).click(),
    ]);
    await dealerPage.getByRole('heading', { name: 'Мои пожелания по доработкам' }).waitFor();
    assert.equal(await words(dealerPage.locator('main > p.empty')), 'Пожеланий пока нет.');
    const section = dealerPage.locator('section#new-wish');
    await section.getByRole('heading', { name: 'Новое пожелание' }).waitFor();
    await section.getByLabel('Кратко').fill(wishTitle);
    await section.getByLabel('Что и зачем доработать').fill('Бухгалтерии нужен список обращений за квартал со стоимостью, чтобы сверять закрывающие документы.');
    await Promise.all([
      dealerPage.waitForURL((url) => /^\/wishes\/[^/]+$/.test(url.pathname)),
      section.getByRole('button', { name: 'Отправить пожелание', exact: true }).click(),
    ]);
    await dealerPage.getByRole('heading', { name: wishTitle }).waitFor();
    assert.equal(await words(dealerPage.locator('dl.facts .badge')), 'Подано');
    assert.match(await words(dealerPage.locator('dl.facts')), /Дилер Автоцентр Север/);
    assert.match(await words(dealerPage.locator('p.notice')), /подано\. Аккаунт-менеджер рассмотрит его в течение 1–2 рабочих дней\./);
    assert.match(await words(dealerPage.locator('table.history:not(.audit) tbody')), /Ирина Северова \(Дилерский центр\) Пожелание подано — Подано/);
    await shot(dealerPage, '15-wish-dealer');
    await mobileShot(dealer, dealerPage.url(), '15-wish-dealer-mobile');

    await dealerPage.goto(`${server.base}/wishes`);
    const row = dealerPage.locator('table.list tbody tr', { hasText: wishTitle });
    await row.getByRole('link', { name: wishTitle }).waitFor();
    assert.equal(await words(row.locator('.badge')), 'Подано');
    assert.match(await words(dealerPage.locator('table.list thead')), /^Пожелание Статус Срок этапа Подано Изменено$/);
    await shot(dealerPage, '16-dealer-wishes');
    await mobileShot(dealer, `${server.base}/wishes`, '16-dealer-wishes-mobile');
  });

  await t.test('dealer opens «Заявки»: the list, and the card with «Контакт» and «Договор»', async () => {
    // Two leads from the dealer's own site, posted server to server with its secret key.
    for (const lead of [
      { type: 'preorder', name: 'Иван', surname: 'Петров', phone: '+7 912 345-67-89', email: 'ivan.petrov@example.ru', city: 'Москва', model: 'X-Trail', version: '2.5 CVT', trim: 'LE+', price: '3 150 000', consent: true },
      { type: 'test_drive', name: 'Анна', surname: 'Смирнова', phone: '8 916 111-22-33', city: 'Москва', model: 'Qashqai', consent: true },
    ]) {
      const res = await fetch(`${server.base}/api/leads`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Site-Key': 'demo-site-1' },
        body: JSON.stringify(lead),
      });
      assert.equal(res.status, 201, `POST /api/leads: ${await res.text()}`);
    }
    await dealerPage.goto(`${server.base}/tickets`);
    await Promise.all([
      dealerPage.waitForURL(`${server.base}/leads`),
      dealerPage.locator('header nav').getByRole('link', { name: 'Заявки', exact: true }).click(),
    ]);
    await dealerPage.getByRole('heading', { name: 'Заявки', exact: true }).waitFor();
    assert.match(await words(dealerPage.locator('table.list thead')), /^Клиент Эл\. почта Телефон Тип Цена Статус Дата и время \(МСК\) Последнее изменение$/);
    const row = dealerPage.locator('table.list tbody tr', { hasText: 'Иван Петров' });
    assert.equal(await words(row.locator('.badge')), 'Новый');
    assert.match(await words(row), /ivan\.petrov@example\.ru \+79123456789 Предзаказ X-Trail 3 150 000 ₽ Новый/);
    assert.equal(await dealerPage.locator('table.list tbody tr').count(), 2);
    await shot(dealerPage, '18-dealer-leads');
    await mobileShot(dealer, `${server.base}/leads`, '18-dealer-leads-mobile');

    await Promise.all([
      dealerPage.waitForURL((url) => /^\/leads\/[^/]+$/.test(url.pathname)),
      row.getByRole('link', { name: 'Иван Петров' }).click(),
    ]);
    await dealerPage.getByRole('heading', { name: 'Предзаказ: Иван Петров' }).waitFor();
    const contract = dealerPage.locator('section#contract');
    assert.match(await words(contract), /Блок «Договор» доступен после того, как в блоке «Контакт» выбрано «Да»\./);
    const contact = dealerPage.locator('section#contact');
    await contact.getByLabel('Да', { exact: true }).check();
    await contact.getByLabel('Комментарий к контакту').fill('Приедет в субботу к 11:00 на тест-драйв');
    await contact.getByRole('button', { name: 'Сохранить «Контакт»', exact: true }).click();
    await dealerPage.locator('dl.facts .badge', { hasText: 'Ожидание визита' }).waitFor();
    await contract.getByRole('button', { name: 'Сохранить «Договор»', exact: true }).waitFor();
    assert.match(await words(contact), /Время контакта: \d\d\.\d\d\.\d{4} \d\d:\d\d \(МСК\) — не изменяется/);
    assert.match(await words(dealerPage.locator('table.history:not(.audit) tbody')), /Контакт — Да/);
    await shot(dealerPage, '19-lead-card');
    await mobileShot(dealer, dealerPage.url(), '19-lead-card-mobile');
  });

  await t.test('admin opens «Рабочий календарь»: the year as a grid of months', async () => {
    admin = await newDesktop();
    const page = await admin.newPage();
    await logIn(page, 'admin@demo.local');
    const nav = page.locator('header nav');
    assert.deepEqual(
      (await nav.getByRole('link').allInnerTexts()).map((s) => s.trim()),
      [
        'Обращения',
        'Пожелания',
        'Заявки',
        'Документы',
        'Подписки',
        'Опрос дилеров',
        'Задачи по опросу',
        'Отчёты',
        'База знаний',
        'Просроченные заявки',
        'Правила распределения',
        'Часы работы дилеров',
        'Рабочий календарь',
        'Настройки',
        'Журнал изменений',
        'Подсказки',
        'Сайты',
      ],
    );
    await Promise.all([
      page.waitForURL(`${server.base}/admin/calendars`),
      nav.getByRole('link', { name: 'Рабочий календарь', exact: true }).click(),
    ]);
    await page.getByRole('heading', { name: 'Рабочий календарь платформы' }).waitFor();
    await page.getByRole('heading', { name: '2026 год', exact: true }).waitFor();
    assert.match(await words(page.locator('p.legend')), /^рабочий сокращённый нерабочий праздник \/ перенос рабочий выходной выходной$/);
    assert.deepEqual(
      (await page.locator('.months .month h3').allInnerTexts()).map((s) => s.trim()),
      ['Январь', 'Февраль', 'Март', 'Апрель', 'Май', 'Июнь', 'Июль', 'Август', 'Сентябрь', 'Октябрь', 'Ноябрь', 'Декабрь'],
    );
    const march = page.locator('.months .month', { has: page.getByRole('heading', { name: 'Март', exact: true }) });
    assert.deepEqual(
      (await march.locator('thead th').allInnerTexts()).map((s) => s.trim()),
      ['Пн', 'Вт', 'Ср', 'Чт', 'Пт', 'Сб', 'Вс'],
    );
    const days = (await march.locator('tbody td').allInnerTexts()).map((s) => s.trim()).filter(Boolean);
    assert.deepEqual(days, Array.from({ length: 31 }, (_, i) => String(i + 1)), 'March has its 31 days');
    // 1 March 2026 is a Sunday: six empty cells lead the first week.
    assert.equal(await march.locator('tbody tr').first().locator('td:not(:empty)').count(), 1);
    await page.getByRole('heading', { name: 'Изменить день' }).waitFor();
    await page.getByRole('heading', { name: 'Часы работы' }).waitFor();
    await shot(page, '17-admin-calendars');
    await mobileShot(admin, `${server.base}/admin/calendars`, '17-admin-calendars-mobile');
  });

  await t.test('admin opens «Подписки»: a dealer\'s subscription, its form and its history', async () => {
    const page = await admin.newPage();
    await page.goto(`${server.base}/`);
    await Promise.all([
      page.waitForURL(`${server.base}/subscriptions`),
      page.locator('header nav').getByRole('link', { name: 'Подписки', exact: true }).click(),
    ]);
    await Promise.all([
      page.waitForURL(`${server.base}/dealers/dealer-1/subscription`),
      page.getByRole('link', { name: 'Автоцентр Север', exact: true }).click(),
    ]);
    await page.getByRole('heading', { name: 'Изменить подписку' }).waitFor();
    await page.getByRole('heading', { name: 'История изменений' }).waitFor();
    assert.equal(await page.locator('script').count(), 0, 'no script on the subscription page');
    assert.equal(await page.getByLabel('ЦСО подключена с').inputValue(), '2024-03-01');
    compareWithBaseline(await shot(page, '18-subscription'), '18-subscription');
    compareWithBaseline(
      await mobileShot(admin, `${server.base}/dealers/dealer-1/subscription`, '18-subscription-mobile'),
      '18-subscription-mobile',
    );
    await page.close();
  });

  await dealer?.close();
  await specialist?.close();
  await admin?.close();
});

// Knowledge-base suggestions (SPEC §2.8): the new-ticket form lists articles for what the dealer
// types (kb-suggest.js, no inline script), and the admin's deflection page.
test('new-ticket form in Chromium: suggestions from the knowledge base while the dealer types', { timeout: 120_000 }, async () => {
  const context = await newDesktop();
  try {
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text()); });
    page.on('response', (r) => { if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) errors.push(`${r.status()} ${r.url()}`); });
    await logIn(page, 'dealer2@demo.local');
    await page.goto(`${server.base}/tickets/new`);
    const box = page.locator('[data-kb-suggest]');
    assert.equal(await box.isHidden(), true, 'no suggestions before the dealer types');
    await page.getByLabel('Тема').pressSequentially('Как настроить редирект со старой страницы', { delay: 10 });
    await box.locator('li a').first().waitFor();
    const first = box.locator('li a').first();
    assert.match(await first.innerText(), /Редиректы 301/);
    assert.match(await first.getAttribute('href'), /^\/kb-suggest\/open\/redirekty\?form=[0-9a-f]{64}$/);
    assert.ok(await box.locator('li mark').count() > 0, 'the matched words are marked');
    assert.equal(await words(box.locator('.kb-suggest-more')), 'Не нашли ответ? Отправьте обращение');
    // Opening a suggestion (a new tab, through the recording redirect) marks the form.
    const [article] = await Promise.all([context.waitForEvent('page'), first.click()]);
    await article.waitForLoadState();
    assert.match(article.url(), /\/kb\/rabota-s-saitom\/redirekty\/$/);
    await article.close();
    assert.equal(await page.locator('input[name=kb_opened]').inputValue(), '1');
    // The text field asks too: «ё» or «е», another word form.
    await page.getByLabel('Тема').fill('');
    await page.getByLabel('Что нужно сделать').pressSequentially('куда вставить счётчик метрики', { delay: 10 });
    await box.locator('li a', { hasText: 'Счётчики' }).first().waitFor();
    await shot(page, '20-ticket-new-suggestions');
    assert.deepEqual(errors, [], 'no script errors (CSP included)');

    const admin = await newDesktop();
    try {
      const adminPage = await admin.newPage();
      await logIn(adminPage, 'admin@demo.local');
      await adminPage.goto(`${server.base}/admin/kb-suggest`);
      await adminPage.getByRole('heading', { name: 'Подсказки базы знаний' }).waitFor();
      await adminPage.getByRole('heading', { name: 'Запросы без подсказок' }).waitFor();
      // The opened article's form is undecided for half an hour.
      assert.match(await words(adminPage.locator('table.kb-dealers tbody')), /^Автоцентр Юг — 0 0 1$/);
      assert.match(await words(adminPage.locator('table.kb-articles tbody')), /^Редиректы 301: когда и как настроить — 0 0 1$/);
      await shot(adminPage, '21-admin-kb-suggest');
    } finally {
      await admin.close();
    }
  } finally {
    await context.close();
  }
});

// Reports (SPEC §4.6): «Отчёты» and the report pages, each chart with its table of numbers,
// on a desktop and on a phone (nothing scrolls sideways: the wide tables scroll in their own
// box). The tickets are filed through the API first (the browser run has no demo history);
// the survey's scores are the demo's.
async function apiLogin(email) {
  const res = await fetch(`${server.base}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  assert.equal(res.status, 200, `login ${email}`);
  return (await res.json()).token;
}

async function apiCall(token, method, url, body) {
  const res = await fetch(`${server.base}${url}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await res.json();
  assert.ok(res.ok, `${method} ${url}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

test('report pages in Chromium: the list and the reports over tickets and the survey', { timeout: 120_000 }, async () => {
  const dealer1 = await apiLogin('dealer1@demo.local');
  const dealer2 = await apiLogin('dealer2@demo.local');
  const specialist = await apiLogin('specialist@demo.local');
  const file = (token, category, criticality) =>
    apiCall(token, 'POST', '/api/tickets', {
      title: 'Обращение для отчёта',
      text: 'Проверка отчётов по обращениям дилеров.',
      category,
      criticality,
    });
  let news = await file(dealer1, 'individual_news', 'high');
  await file(dealer1, 'hosting', 'medium');
  await file(dealer1, 'consultation', 'low');
  await file(dealer2, 'meta_tags', 'medium');
  const move = (token, t, action) =>
    apiCall(token, 'POST', `/api/tickets/${t.id}/actions`, { action, version: t.version, comment: 'Готово' });
  news = await move(specialist, news, 'take');
  news = await apiCall(specialist, 'POST', `/api/tickets/${news.id}/time-entries`, { minutes: 30, note: 'Разместили', version: news.version });
  news = await move(specialist, news, 'send_for_review');
  await move(dealer1, news, 'accept');

  const context = await newDesktop();
  try {
    const page = await context.newPage();
    await logIn(page, 'admin@demo.local');
    await page.getByRole('navigation').getByRole('link', { name: 'Отчёты', exact: true }).click();
    await page.waitForURL((url) => url.pathname === '/reports');
    for (const title of ['Обращения', 'Соблюдение времени реакции', 'Часы и стоимость работ', 'Квартальный опрос']) {
      await page.locator('ul.report-list').getByRole('link', { name: title, exact: true }).waitFor();
    }
    await shot(page, '30-reports');
    await mobileShot(context, `${server.base}/reports`, '30-reports-mobile');
    const pages = [
      ['31-report-tickets', '/reports/tickets?from=2026-03-01&to=2026-03-31'],
      ['32-report-ticket-sla', '/reports/ticket_sla?from=2026-03-01&to=2026-03-31&group_by=criticality'],
      ['33-report-ticket-costs', '/reports/ticket_costs?from=2026-01-01&to=2026-03-31&group_by=dealer'],
      ['34-report-ticket-survey', '/reports/ticket_survey?from=2025-04-01&to=2025-12-31&compare_from=2024-04-01&compare_to=2024-12-31'],
    ];
    for (const [name, url] of pages) {
      const res = await page.goto(`${server.base}${url}`);
      assert.equal(res.status(), 200, `${url} answered ${res.status()}`);
      // No late reaction yet, and zero is data: the breached share's line is drawn at 0 %.
      assert.ok(await page.locator('svg.chart rect[fill], svg.chart circle').count() > 0, `${name}: a drawn chart`);
      assert.equal(await page.locator('svg.chart', { hasText: 'Нет данных' }).count(), 0, `${name}: no empty chart`);
      await page.locator('table.chart-table').first().waitFor();
      const total = await words(page.locator('table.report-table tfoot tr'));
      assert.match(total, /^Итого .*[1-9]/, `${name}: the totals show the work: ${total}`);
      await page.getByRole('link', { name: 'Скачать XLSX' }).waitFor();
      await shot(page, name);
      await mobileShot(context, `${server.base}${url}`, `${name}-mobile`);
    }
  } finally {
    await context.close();
  }
});

// The lead reports (SPEC §4.6) over the demo's history — the network's leads of its last two
// weeks, with their contacts, refusals, a contract, escalations and four survey answers — on
// a server of its own (the walk above runs without the history), on a desktop and a phone.
// The history is played at the fixed clock, so the pages are the same on every run.
test('lead report pages in Chromium: the demo network\'s leads, processing time, overdue, survey answers, conversion, refusals', { timeout: 240_000 }, async () => {
  const main = server;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dealerdesk-browser-history-'));
  server = await startServer(CLOCK, { dir, history: true });
  const context = await newDesktop();
  try {
    const page = await context.newPage();
    await logIn(page, 'brand@demo.local');
    await page.goto(`${server.base}/reports`);
    for (const title of ['Заявки', 'Отказы и их причины', 'Конверсия заявок в договор', 'Время обработки заявок',
      'Просроченные заявки', 'Опрос клиентов по заявкам']) {
      await page.locator('ul.report-list').getByRole('link', { name: title, exact: true }).waitFor();
    }
    const weeks = 'from=2026-02-16&to=2026-03-02';
    const pages = [
      ['35-report-leads-region', `/reports/leads?${weeks}&group_by=region`, 'svg.chart rect[fill]'],
      ['36-report-lead-processing', `/reports/lead_processing_time?${weeks}`, 'svg.chart rect[fill]'],
      ['37-report-lead-processing-hours', `/reports/lead_processing_time?${weeks}&group_by=weekday_hour`, 'svg.chart rect[fill]'],
      ['38-report-lead-overdue', `/reports/lead_overdue?${weeks}`, 'svg.chart rect[fill]'],
      ['39-report-lead-survey', `/reports/lead_survey?${weeks}`, 'table.answers-table a[href^="/leads/"]'],
      ['40-report-lead-conversion', `/reports/lead_conversion?${weeks}`, 'svg.chart rect[fill]'],
      ['41-report-lead-refusals', `/reports/lead_refusals?${weeks}`, 'svg.chart rect[fill]'],
    ];
    for (const [name, url, drawn] of pages) {
      const res = await page.goto(`${server.base}${url}`);
      assert.equal(res.status(), 200, `${url} answered ${res.status()}`);
      assert.ok(await page.locator(drawn).count() > 0, `${name}: ${drawn} on the page`);
      const total = await words(page.locator('table.report-table:not(.answers-table) tfoot tr'));
      assert.match(total, /^Итого .*[1-9]/, `${name}: the totals show the demo's leads: ${total}`);
      assert.equal(await page.locator('script').count(), 0, `${name}: no script`);
      compareWithBaseline(await shot(page, name), name);
      compareWithBaseline(await mobileShot(context, `${server.base}${url}`, `${name}-mobile`), `${name}-mobile`);
    }
    // The survey's answers: a row per answer with the link to its lead, the dealer, the
    // observer and the comment.
    await page.goto(`${server.base}/reports/lead_survey?${weeks}`);
    const answers = page.locator('table.answers-table tbody tr');
    assert.equal(await answers.count(), 4);
    const text = await words(page.locator('table.answers-table'));
    assert.match(text, /Записали на сервис только через две недели/);
    assert.match(text, /Автоцентр Юг/);
    assert.match(text, /Сергей Регионов|Наталья Восточная/);

    // The ticket reports over the same demo history, as the admin sees the platform: the
    // network's weeks of support work, and the previous quarter's confirmed paid work.
    const admin = await context.newPage();
    await logIn(admin, 'admin@demo.local');
    const ticketPages = [
      ['42-report-tickets-demo', '/reports/tickets?from=2026-01-01&to=2026-03-02&group_by=category'],
      ['43-report-ticket-sla-demo', '/reports/ticket_sla?from=2026-01-01&to=2026-03-02&group_by=criticality'],
      ['44-report-ticket-costs-demo', '/reports/ticket_costs?from=2025-10-01&to=2026-03-31&group_by=dealer'],
    ];
    for (const [name, url] of ticketPages) {
      const res = await admin.goto(`${server.base}${url}`);
      assert.equal(res.status(), 200, `${url} answered ${res.status()}`);
      await admin.locator('table.chart-table').first().waitFor();
      const total = await words(admin.locator('table.report-table tfoot tr'));
      assert.match(total, /^Итого .*[1-9]/, `${name}: the totals show the demo's tickets: ${total}`);
      assert.equal(await admin.locator('script').count(), 0, `${name}: no script`);
      compareWithBaseline(await shot(admin, name), name);
      compareWithBaseline(await mobileShot(context, `${server.base}${url}`, `${name}-mobile`), `${name}-mobile`);
    }
  } finally {
    await context.close();
    await stopServer(server);
    server = main;
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
