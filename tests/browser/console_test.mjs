// The store console in Debian's chromium against a real omsd (started and seeded by run.sh):
// sign in, the live pickup queue, picking with a short line, a wrong then the right pickup
// code, stock lookup here and at the group's other stores, a receipt, and the returns desk.
// Every step the console shows is checked against a gRPC read with omsctl. Any console error
// or page error fails the test, except the HTTP errors a step expects.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import puppeteer from 'puppeteer-core';

const { OMS_URL, OMS_GRPC, OMSCTL, CHROMIUM, ARTIFACTS } = process.env;
const STEP_TIMEOUT_MS = 10000;

function ctl(...args) {
  const out = execFileSync(OMSCTL, ['--server', OMS_GRPC, '--json', ...args], { encoding: 'utf8', timeout: 15000 });
  return out.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line));
}
const order = (id) => ctl('orders', 'show', id)[0].order;
const availability = (sku, ...scope) => ctl('availability', sku, ...scope, '--channel', 'pos')[0].availability[0];
const n = (v) => Number(v ?? 0);

function check(condition, what) {
  if (!condition) throw new Error(`check failed: ${what}`);
  console.log(`ok - ${what}`);
}

const problems = [];
// HTTP errors a step provokes on purpose (the wrong pickup code): the browser reports each as a
// console error "Failed to load resource", which is expected only for these URLs.
const expectedFailures = new Set();

const browser = await puppeteer.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--autoplay-policy=no-user-gesture-required'],
  protocolTimeout: 30000,
});
let page;
// Each screen saved, and checked to fit the tablet's width without sideways scrolling.
async function shot(name) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  if (width > 768) problems.push(`${name}: the page is ${width} px wide at a 768 px viewport`);
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}
async function text(selector) {
  await page.waitForSelector(selector, { timeout: STEP_TIMEOUT_MS });
  return page.$eval(selector, (el) => el.textContent.trim());
}
async function waitState(state) {
  await page.waitForSelector(`[data-test=order-state][data-state=${state}]`, { timeout: STEP_TIMEOUT_MS });
}
async function click(selector) {
  await page.waitForSelector(selector, { visible: true, timeout: STEP_TIMEOUT_MS });
  await page.click(selector);
}
async function type(selector, value) {
  await page.waitForSelector(selector, { visible: true, timeout: STEP_TIMEOUT_MS });
  await page.$eval(selector, (el) => { el.value = ''; });
  await page.type(selector, String(value));
}

try {
  page = await browser.newPage();
  // A tablet held upright: the console must work at 768 px.
  await page.setViewport({ width: 768, height: 1024 });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const url = (msg.location() && msg.location().url) || '';
    if (msg.text().startsWith('Failed to load resource') && [...expectedFailures].some((u) => url.endsWith(u))) return;
    problems.push(`console error: ${msg.text()} ${url}`);
  });

  // An order placed before the console opens is in the queue when it loads.
  const first = ctl('orders', 'place', 'carol', 'store-1', 'socks:1')[0].order;

  await page.goto(`${OMS_URL}/`, { waitUntil: 'load' });
  await type('[data-test=token]', '');
  await click('[data-test=sign-in]');
  await page.waitForSelector('[data-test=store-select]', { timeout: STEP_TIMEOUT_MS });
  check((await text('[data-test=signed-in-as]')).includes('admin'), 'a server without tokens signs in as admin');
  await page.select('[data-test=store-select]', 'store-1');
  await page.waitForSelector('[data-test=live-status][data-state=live]', { timeout: STEP_TIMEOUT_MS });
  await page.waitForSelector(`[data-test=queue-placed] [data-order-id="${first.order_id}"]`, { timeout: STEP_TIMEOUT_MS });
  check(true, 'the pickup queue lists the order placed before it opened');

  // A new order over gRPC shows up in the open queue within a second, without a reload.
  await page.evaluate(() => { window.__sameDocument = true; });
  const placed = ctl('orders', 'place', 'alice', 'store-1', 'jacket:2', 'socks:1')[0].order;
  const placedAt = Date.now();
  await page.waitForSelector(`[data-test=queue-placed] [data-test=order-card][data-order-id="${placed.order_id}"]`, { timeout: 1000 });
  check(true, `the new order appeared in ${Date.now() - placedAt} ms (limit 1000 ms)`);
  check(await page.evaluate(() => window.__sameDocument === true), 'the page was not reloaded');
  check((await text('[data-test=queue-badge]')) === '1 new', 'the queue counts one new order');
  check((await text('[data-test=queue-placed-count]')) === '2', 'two orders wait in Placed');
  await shot('queue');

  // The order page and picking.
  await click(`[data-test=order-card][data-order-id="${placed.order_id}"]`);
  await waitState('ORDER_STATE_PLACED');
  const skus = await page.$$eval('[data-test=pick-line]', (rows) => rows.map((r) => r.dataset.sku).sort());
  check(JSON.stringify(skus) === '["jacket","socks"]', 'the pick list shows both SKUs');
  check((await text('[data-test=pick-line][data-sku=jacket] [data-test=line-quantity]')) === '2', 'the pick list shows 2 jackets');
  await shot('order');
  await click('[data-test=start-picking]');
  await waitState('ORDER_STATE_PICKING');
  check(order(placed.order_id).state === 'ORDER_STATE_PICKING', 'gRPC: the order is PICKING');

  // Mark ready with one jacket short: the line drops to 1 and one unit goes back to stock.
  const reservedBefore = n(availability('jacket', '--location', 'store-1').locations[0].reserved);
  await type('[data-test=picked-qty][data-sku=jacket]', 1);
  await click('[data-test=mark-ready]');
  await waitState('ORDER_STATE_READY_FOR_PICKUP');
  const ready = order(placed.order_id);
  check(ready.state === 'ORDER_STATE_READY_FOR_PICKUP', 'gRPC: the order is READY_FOR_PICKUP');
  const jacket = ready.lines.find((l) => l.sku === 'jacket');
  check(n(jacket.quantity) === 1 && n(jacket.ordered_quantity) === 2, 'gRPC: the short line holds 1 of 2 ordered');
  check(n(ready.lines.find((l) => l.sku === 'socks').quantity) === 1, 'gRPC: the full line is untouched');
  check(n(availability('jacket', '--location', 'store-1').locations[0].reserved) === reservedBefore - 1,
    'gRPC: the missing jacket was released');
  check((await text('[data-test=time-left]')).endsWith('left'), 'the page counts down to the pickup deadline');
  await shot('ready');

  // A wrong code: refused, with the attempts left from the error's metadata.
  const wrong = ready.pickup_code === 'AAAAAA' ? 'BBBBBB' : 'AAAAAA';
  expectedFailures.add('/oms.v1.OrderService/ConfirmPickup');
  await type('[data-test=pickup-code]', wrong);
  await click('[data-test=confirm-pickup]');
  const refusal = await text('[data-test=error-text]');
  check(refusal.includes('4 attempts left'), `a wrong code shows the attempts left ("${refusal}")`);
  check((await text('[data-test=error-reason]')).includes('PICKUP_CODE_MISMATCH'), 'the reason code is shown for support');
  const afterWrong = order(placed.order_id);
  check(afterWrong.state === 'ORDER_STATE_READY_FOR_PICKUP' && n(afterWrong.failed_pickup_attempts) === 1,
    'gRPC: still ready, one failed attempt');
  expectedFailures.clear();
  await type('[data-test=pickup-code]', ready.pickup_code);
  await click('[data-test=confirm-pickup]');
  await waitState('ORDER_STATE_PICKED_UP');
  check(order(placed.order_id).state === 'ORDER_STATE_PICKED_UP', 'gRPC: the order is PICKED_UP');

  // Stock lookup: here, and the other stores of the group, as GetAvailability answers.
  await click('[data-test=nav-stock]');
  await type('[data-test=stock-sku]', 'jacket');
  await click('[data-test=stock-lookup]');
  await page.waitForSelector('[data-test=stock-here][data-sku=jacket]', { timeout: STEP_TIMEOUT_MS });
  const here = availability('jacket', '--location', 'store-1');
  check(n(await text('[data-test=stock-atp]')) === n(here.atp), `ATP here equals gRPC (${n(here.atp)})`);
  check(n(await text('[data-test=stock-on-hand]')) === n(here.locations[0].on_hand), 'on hand here equals gRPC');
  check(n(await text('[data-test=stock-reserved]')) === n(here.locations[0].reserved), 'held here equals gRPC');
  const group = availability('jacket', '--group', 'north');
  const others = group.locations.filter((l) => l.location_id !== 'store-1');
  const shown = await page.$$eval('[data-test=stock-other-row]', (rows) => rows.map((r) => ({
    id: r.dataset.location,
    atp: Number(r.querySelector('[data-test=other-atp]').textContent),
    onHand: Number(r.querySelector('[data-test=other-on-hand]').textContent),
  })));
  check(shown.length === others.length && others.length === 2, 'the two other stores of the group are listed');
  for (const l of others) {
    const row = shown.find((s) => s.id === l.location_id);
    check(row && row.atp === n(l.atp) && row.onHand === n(l.on_hand), `${l.location_id} shows ATP ${n(l.atp)} as gRPC does`);
  }
  check(!shown.some((s) => s.id === 'wh-1'), 'a location outside the group is not listed');
  await shot('stock');

  // Receiving stock changes on_hand as gRPC reads it.
  await type('[data-test=receive-qty]', 3);
  await type('[data-test=receive-reference]', 'PO-2');
  await click('[data-test=receive-submit]');
  await page.waitForSelector('[data-test=notice]', { timeout: STEP_TIMEOUT_MS });
  const received = availability('jacket', '--location', 'store-1');
  check(n(received.locations[0].on_hand) === n(here.locations[0].on_hand) + 3, 'gRPC: 3 jackets received');
  check(n(await text('[data-test=stock-on-hand]')) === n(received.locations[0].on_hand), 'the page shows the new on hand');

  // Returns desk: the picked up jacket comes back for inspection.
  await click('[data-test=nav-returns]');
  await type('[data-test=return-source]', placed.order_id);
  await click('[data-test=return-load-order]');
  await page.waitForFunction(() => document.querySelectorAll('[data-test=return-line]').length === 2, { timeout: STEP_TIMEOUT_MS });
  const lines = await page.$$('[data-test=return-line]');
  for (const line of lines) {
    const sku = await line.$eval('[data-test=return-sku]', (el) => el.value);
    await line.$eval('[data-test=return-disposition]', (el, v) => { el.value = v; },
      sku === 'jacket' ? 'DISPOSITION_INSPECT' : 'DISPOSITION_RESTOCK');
  }
  await type('[data-test=return-reason]', 'wrong size');
  await click('[data-test=return-create]');
  await page.waitForSelector('[data-test=return][data-state=RETURN_STATE_OPEN]', { timeout: STEP_TIMEOUT_MS });
  const returnId = await page.$eval('[data-test=return]', (el) => el.dataset.returnId);
  const created = ctl('returns', 'show', returnId)[0].return;
  check(created.state === 'RETURN_STATE_OPEN' && created.order_id === placed.order_id, 'gRPC: the return is open for the order');
  check(n(availability('jacket', '--location', 'store-1').locations[0].quarantined) === 1, 'gRPC: one jacket waits for inspection');
  await page.waitForSelector(`[data-test=return-row][data-return-id="${returnId}"]`, { timeout: STEP_TIMEOUT_MS });
  await shot('returns');
  await click('[data-test=resolve-return]');
  await page.waitForSelector('[data-test=return][data-state=RETURN_STATE_COMPLETED]', { timeout: STEP_TIMEOUT_MS });
  check(ctl('returns', 'show', returnId)[0].return.state === 'RETURN_STATE_COMPLETED', 'gRPC: the return is completed');
  check(n(availability('jacket', '--location', 'store-1').locations[0].quarantined) === 0, 'gRPC: nothing left in inspection');

  // The queue has moved on: the picked up order left it, the first one still waits.
  await click('[data-test=nav-queue]');
  await page.waitForSelector(`[data-test=queue-placed] [data-order-id="${first.order_id}"]`, { timeout: STEP_TIMEOUT_MS });
  check(await page.$(`[data-test=order-card][data-order-id="${placed.order_id}"]`) === null, 'the picked up order left the queue');
} catch (error) {
  problems.push(error.stack || String(error));
  if (page) await shot('failure').catch(() => {});
} finally {
  await browser.close();
}

if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log('console_test: all checks passed');
