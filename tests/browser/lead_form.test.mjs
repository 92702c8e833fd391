// A dealer's website form posting a lead, in a real headless Chromium.
//
// Run from the repo root after `cargo build --workspace --bins`:
//   (cd tests/browser && npm ci && node --test)
// It starts target/debug/dealerdesk on a free port over a fresh temp data dir (its scheduler
// delivers the outbox every second) and a tiny node http server on ANOTHER port: a plain HTML
// form of "the dealer's site" with the snippet of the README (a hidden `site` field, a hidden
// honeypot, the script tag of /static/lead-form.js). The admin registers that origin as a
// site of dealer-1 through the API. Then, in Chromium:
// - a person fills the form in and sends it: the browser lands on the site's thank-you page,
//   the lead is in dealer-1's list (API) with its observer, and the customer's confirmation
//   is in the local mailbox;
// - a bot sending the form faster than the minimum fill time, or filling the honeypot, also
//   lands on the thank-you page, but nothing is stored.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const BIN = path.join(ROOT, 'target', 'debug', 'dealerdesk');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SHOTS = path.join(ROOT, 'target', 'screenshots');
const PASSWORD = 'demo-password';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let dataDir;
let dd; // { child, base, log }
let site; // { server, origin }
let browser;
let formId;

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

async function startDealerDesk() {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = { ...process.env, RUST_LOG: 'warn', DEALERDESK_DEMO_HISTORY: '0' };
  for (const k of ['DEALERDESK_MAIL', 'DEALERDESK_MAILBOX_DIR', 'DEALERDESK_STORE', 'DEALERDESK_PORT',
    'DEALERDESK_DATA_DIR', 'DEALERDESK_SCHEDULER_SECONDS', 'DEALERDESK_COOKIE_SECURE', 'DEALERDESK_CLOCK']) {
    delete env[k];
  }
  const child = spawn(BIN, ['serve', '--port', String(port), '--data-dir', dataDir, '--scheduler-seconds', '1'], {
    cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const s = { child, base, log: '' };
  const keep = (chunk) => { s.log = (s.log + chunk.toString()).slice(-20000); };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`dealerdesk serve exited:\n${s.log}`);
    try {
      const res = await fetch(`${base}/login`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) { await res.arrayBuffer(); return s; }
    } catch { /* not yet */ }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`dealerdesk serve did not answer within 60 s:\n${s.log}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The dealer's website: its form page (the README's snippet) and its thank-you page. */
function sitePage(ddBase, form) {
  return `<!doctype html>
<html lang="ru"><head><meta charset="utf-8"><title>Автоцентр Север — заявка</title></head>
<body>
<h1>Запишитесь на тест-драйв</h1>
<form method="post" action="${ddBase}/api/leads">
  <input type="hidden" name="site" value="${form}">
  <input type="hidden" name="type" value="test_drive">
  <input type="hidden" name="consent_version" value="site-2026-03">
  <div style="position:absolute;left:-5000px" aria-hidden="true">
    <input type="text" name="website" tabindex="-1" autocomplete="off">
  </div>
  <label>Имя <input name="name" required></label>
  <label>Фамилия <input name="surname"></label>
  <label>Телефон <input name="phone" type="tel" required></label>
  <label>E-mail <input name="email" type="email"></label>
  <label>Модель <input name="model"></label>
  <label><input type="checkbox" name="consent" value="true" required> Согласен на обработку персональных данных</label>
  <button type="submit">Отправить</button>
</form>
<script src="${ddBase}/static/lead-form.js" defer></script>
</body></html>`;
}

function startSite(ddBase) {
  return new Promise((resolve) => {
    const server = http.createServer((req, res) => {
      const url = new URL(req.url, 'http://x');
      if (url.pathname === '/spasibo') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end('<!doctype html><meta charset="utf-8"><title>Спасибо</title><h1>Спасибо за заявку!</h1>');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(sitePage(ddBase, formId));
    });
    server.listen(0, '127.0.0.1', () => {
      resolve({ server, origin: `http://127.0.0.1:${server.address().port}` });
    });
  });
}

async function api(method, pathname, body, token) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${dd.base}${pathname}`, { method, headers, body: body ? JSON.stringify(body) : undefined });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function login(email) {
  const r = await api('POST', '/api/session', { email, password: PASSWORD });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.token;
}

async function dealerLeads(token) {
  const r = await api('GET', '/api/leads', null, token);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.items;
}

/** The admin's spam counters of the test's site. */
async function spamOf(admin) {
  const r = await api('GET', '/api/admin/sites', null, admin);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const s = r.body.items.find((x) => x.id === formId);
  return Object.fromEntries(s.spam.map((c) => [c.reason, c.count]));
}

function mailTo(address) {
  const dir = path.join(dataDir, 'mail');
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')))
    .filter((m) => JSON.stringify(m.to ?? m).includes(address));
}

before(async () => {
  assert.ok(fs.existsSync(BIN), `${BIN} is missing: run \`cargo build --workspace --bins\` first`);
  fs.accessSync(CHROMIUM, fs.constants.X_OK);
  fs.mkdirSync(SHOTS, { recursive: true });
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dealerdesk-leadform-'));
  dd = await startDealerDesk();
  process.on('exit', () => dd?.child.kill('SIGKILL'));
  site = await startSite(dd.base);
  // The admin registers the site's origin and thank-you page.
  const admin = await login('admin@demo.local');
  const issued = await api('POST', '/api/admin/sites', {
    name: 'Сайт «Автоцентр Север» (тест)',
    dealer_id: 'dealer-1',
    origins: [site.origin],
    thank_you_url: `${site.origin}/spasibo`,
    consent_version: 'site-2026-03',
  }, admin);
  assert.equal(issued.status, 201, JSON.stringify(issued.body));
  formId = issued.body.site.id;
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  site?.server.close();
  if (dd) {
    dd.child.kill('SIGTERM');
    await new Promise((r) => dd.child.once('exit', r));
  }
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

async function openForm() {
  const context = await browser.newContext({ locale: 'ru-RU' });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  await page.goto(`${site.origin}/`);
  // The script has fetched the token from DealerDesk (another origin, CORS).
  await page.waitForFunction(() => {
    const t = document.querySelector('input[name="form_token"]');
    return t && t.value.length > 0;
  });
  return { context, page };
}

async function fill(page, who) {
  await page.getByLabel('Имя').fill(who.name);
  await page.getByLabel('Фамилия').fill(who.surname);
  await page.getByLabel('Телефон').fill(who.phone);
  await page.getByLabel('E-mail').fill(who.email);
  await page.getByLabel('Модель').fill('X-Trail');
  await page.getByLabel('Согласен на обработку персональных данных').check();
}

test('a lead form on a dealer\'s site, in Chromium', { timeout: 180_000 }, async (t) => {
  const dealer = await login('dealer1@demo.local');
  const admin = await login('admin@demo.local');
  const before = (await dealerLeads(dealer)).length;

  await t.test('a person\'s lead reaches the dealer and the customer gets a letter', async () => {
    const { context, page } = await openForm();
    // People take longer than the minimum fill time (3 s).
    await page.waitForTimeout(3500);
    await fill(page, { name: 'Анна', surname: 'Браузерова', phone: '8 (912) 555-01-02', email: 'anna.browser@example.ru' });
    await Promise.all([page.waitForURL(`${site.origin}/spasibo`), page.getByRole('button', { name: 'Отправить' }).click()]);
    await page.getByRole('heading', { name: 'Спасибо за заявку!' }).waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'lead-form-thank-you.png') });
    await context.close();

    const leads = await dealerLeads(dealer);
    assert.equal(leads.length, before + 1, JSON.stringify(leads));
    const lead = leads.find((l) => JSON.stringify(l).includes('Браузерова'));
    assert.ok(lead, `the lead is in dealer-1's list: ${JSON.stringify(leads)}`);
    assert.equal(lead.status, 'new');
    assert.equal(lead.dealer_id, 'dealer-1');
    // Автоцентр Север's sales leads are observed by the demo representative rep@demo.local.
    assert.equal(lead.observer_id, 'user-rep', `the list names the observer: ${JSON.stringify(lead)}`);

    // The scheduler delivers the outbox every second, a batch at a time: the customer's letter and
    // the dealer's notice may leave in different ticks (the demo's bill letters share the queue).
    const noticeToDealer = () => mailTo('dealer1@demo.local').filter((m) => /Новая заявка: Тест-драйв — Анна Браузерова/.test(m.subject));
    const deadline = Date.now() + 30_000;
    while (mailTo('anna.browser@example.ru').length === 0 || noticeToDealer().length === 0) {
      assert.ok(Date.now() < deadline, `no letter to the customer or no notice to the dealer in ${path.join(dataDir, 'mail')}: ${JSON.stringify(mailTo('dealer1@demo.local').map((m) => m.subject))}\n${dd.log}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const letter = mailTo('anna.browser@example.ru')[0];
    assert.match(letter.subject, /Ваша заявка принята/);
    // The dealer's staff got the new-lead notice too, once.
    await new Promise((r) => setTimeout(r, 1500)); // a tick more: a duplicate would show now
    assert.equal(noticeToDealer().length, 1, JSON.stringify(mailTo('dealer1@demo.local').map((m) => m.subject)));
  });

  await t.test('a form sent faster than a person can type stores nothing', async () => {
    const { context, page } = await openForm();
    await fill(page, { name: 'Бот', surname: 'Быстрый', phone: '+7 912 555-01-03', email: 'fast.bot@example.ru' });
    await Promise.all([page.waitForURL(`${site.origin}/spasibo`), page.getByRole('button', { name: 'Отправить' }).click()]);
    await context.close();
    const leads = await dealerLeads(dealer);
    assert.ok(!JSON.stringify(leads).includes('Быстрый'), 'a too-fast post is not a lead');
    assert.deepEqual(await spamOf(admin), { too_fast: 1 });
    await new Promise((r) => setTimeout(r, 2500)); // a scheduler tick or two
    assert.equal(mailTo('fast.bot@example.ru').length, 0, 'nobody is told of spam');
  });

  await t.test('a form with the honeypot filled stores nothing', async () => {
    const { context, page } = await openForm();
    await page.waitForTimeout(3500);
    await fill(page, { name: 'Бот', surname: 'Медовый', phone: '+7 912 555-01-04', email: 'honey.bot@example.ru' });
    await page.evaluate(() => { document.querySelector('input[name="website"]').value = 'http://spam.example'; });
    await Promise.all([page.waitForURL(`${site.origin}/spasibo`), page.getByRole('button', { name: 'Отправить' }).click()]);
    await context.close();
    const leads = await dealerLeads(dealer);
    assert.ok(!JSON.stringify(leads).includes('Медовый'), 'a honeypot post is not a lead');
    assert.equal(leads.length, before + 1);
    assert.deepEqual(await spamOf(admin), { too_fast: 1, honeypot: 1 });
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(mailTo('honey.bot@example.ru').length, 0, 'nobody is told of spam');
  });
});
