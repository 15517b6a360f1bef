// The store console in Debian's chromium against a real omsd without tokens (started and
// seeded by run.sh): sign in, the live pickup queue, picking with a short line, a wrong then the
// right pickup code, stock lookup here and at the group's other stores, a receipt, and the
// returns desk. Every step the console shows is checked against a gRPC read with omsctl.
import { availability, check, control, ctl, n, order, runSteps, waitForServer } from './support.mjs';

await runSteps(async (t) => {
  const { page } = t;
  const waitState = (state) => t.wait(`[data-test=order-state][data-state=${state}]`);
  // An order placed before the console opens is in the queue when it loads.
  const first = ctl('orders', 'place', 'carol', 'store-1', 'socks:1')[0].order;

  await t.signIn('');
  await t.wait('[data-test=store-select]');
  check((await t.text('[data-test=signed-in-as]')).includes('admin'), 'a server without tokens signs in as admin');
  await page.select('[data-test=store-select]', 'store-1');
  await t.wait('[data-test=live-status][data-state=live]');
  await t.wait(`[data-test=queue-placed] [data-order-id="${first.order_id}"]`);
  check(true, 'the pickup queue lists the order placed before it opened');

  // A new order over gRPC shows up in the open queue within a second, without a reload.
  await page.evaluate(() => { window.__sameDocument = true; });
  // The second counts from the order's commit (its create_time; server and browser share this
  // machine's clock), not from omsctl's own start-up.
  const placed = ctl('orders', 'place', 'alice', 'store-1', 'jacket:2', 'socks:1')[0].order;
  const placedAt = Date.parse(placed.create_time);
  await t.wait(`[data-test=queue-placed] [data-test=order-card][data-order-id="${placed.order_id}"]`,
    Math.max(1, 1000 - (Date.now() - placedAt)));
  check(true, `the new order appeared in ${Date.now() - placedAt} ms (limit 1000 ms)`);
  check(await page.evaluate(() => window.__sameDocument === true), 'the page was not reloaded');
  check((await t.text('[data-test=queue-badge]')) === '1 new', 'the queue counts one new order');
  check((await page.$eval('[data-test=queue-badge]', (el) => el.dataset.chimes)) === '1', 'a tone was played for it');
  check((await t.text('[data-test=queue-placed-count]')) === '2', 'two orders wait in Placed');
  await t.shot('queue');

  // The order page and picking.
  await t.click(`[data-test=order-card][data-order-id="${placed.order_id}"]`);
  await waitState('ORDER_STATE_PLACED');
  const skus = await page.$$eval('[data-test=pick-line]', (rows) => rows.map((r) => r.dataset.sku).sort());
  check(JSON.stringify(skus) === '["jacket","socks"]', 'the pick list shows both SKUs');
  check((await t.text('[data-test=pick-line][data-sku=jacket] [data-test=line-quantity]')) === '2', 'the pick list shows 2 jackets');
  await t.shot('order');
  await t.click('[data-test=start-picking]');
  await waitState('ORDER_STATE_PICKING');
  check(order(placed.order_id).state === 'ORDER_STATE_PICKING', 'gRPC: the order is PICKING');

  // Mark ready with one jacket short: the line drops to 1 and one unit goes back to stock.
  const reservedBefore = n(availability('jacket', '--location', 'store-1').locations[0].reserved);
  await t.type('[data-test=picked-qty][data-sku=jacket]', 1);
  await t.click('[data-test=mark-ready]');
  await waitState('ORDER_STATE_READY_FOR_PICKUP');
  const ready = order(placed.order_id);
  check(ready.state === 'ORDER_STATE_READY_FOR_PICKUP', 'gRPC: the order is READY_FOR_PICKUP');
  const jacket = ready.lines.find((l) => l.sku === 'jacket');
  check(n(jacket.quantity) === 1 && n(jacket.ordered_quantity) === 2, 'gRPC: the short line holds 1 of 2 ordered');
  check(n(ready.lines.find((l) => l.sku === 'socks').quantity) === 1, 'gRPC: the full line is untouched');
  check(n(availability('jacket', '--location', 'store-1').locations[0].reserved) === reservedBefore - 1,
    'gRPC: the missing jacket was released');
  const left = await t.text('[data-test=time-left]');
  check(left.endsWith('left'), `the page shows the time to the pickup deadline (${left})`);
  await page.waitForFunction((was) => document.querySelector('[data-test=time-left]').textContent !== was,
    { timeout: 3000 }, left);
  check(true, 'the time left counts down each second');
  await t.shot('ready');

  // A wrong code: refused, with the attempts left from the error's metadata.
  const wrong = ready.pickup_code === 'AAAAAA' ? 'BBBBBB' : 'AAAAAA';
  t.expectedFailures.add('/oms.v1.OrderService/ConfirmPickup');
  await t.type('[data-test=pickup-code]', wrong);
  await t.click('[data-test=confirm-pickup]');
  const refusal = await t.text('[data-test=error-text]');
  check(refusal.includes('4 attempts left'), `a wrong code shows the attempts left ("${refusal}")`);
  check((await t.text('[data-test=error-reason]')).includes('PICKUP_CODE_MISMATCH'), 'the reason code is shown for support');
  const afterWrong = order(placed.order_id);
  check(afterWrong.state === 'ORDER_STATE_READY_FOR_PICKUP' && n(afterWrong.failed_pickup_attempts) === 1,
    'gRPC: still ready, one failed attempt');
  t.expectedFailures.clear();
  // By keyboard: the code field submits with Enter.
  await t.type('[data-test=pickup-code]', ready.pickup_code);
  await page.keyboard.press('Enter');
  await waitState('ORDER_STATE_PICKED_UP');
  check(order(placed.order_id).state === 'ORDER_STATE_PICKED_UP', 'gRPC: the order is PICKED_UP');

  // Stock lookup: here, and the other stores of the group, as GetAvailability answers.
  await t.click('[data-test=nav-stock]');
  await t.type('[data-test=stock-sku]', 'jacket');
  await t.click('[data-test=stock-lookup]');
  await t.wait('[data-test=stock-here][data-sku=jacket]');
  const here = availability('jacket', '--location', 'store-1');
  check(n(await t.text('[data-test=stock-atp]')) === n(here.atp), `ATP here equals gRPC (${n(here.atp)})`);
  check(n(await t.text('[data-test=stock-on-hand]')) === n(here.locations[0].on_hand), 'on hand here equals gRPC');
  check(n(await t.text('[data-test=stock-reserved]')) === n(here.locations[0].reserved), 'held here equals gRPC');
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
  await t.shot('stock');

  // Receiving stock changes on_hand as gRPC reads it.
  await t.type('[data-test=receive-qty]', 3);
  await t.type('[data-test=receive-reference]', 'PO-2');
  await t.click('[data-test=receive-submit]');
  await t.wait('[data-test=notice]');
  const received = availability('jacket', '--location', 'store-1');
  check(n(received.locations[0].on_hand) === n(here.locations[0].on_hand) + 3, 'gRPC: 3 jackets received');
  check(n(await t.text('[data-test=stock-on-hand]')) === n(received.locations[0].on_hand), 'the page shows the new on hand');

  // Returns desk: the picked up jacket comes back for inspection.
  await t.click('[data-test=nav-returns]');
  await t.type('[data-test=return-source]', placed.order_id);
  await t.click('[data-test=return-load-order]');
  await page.waitForFunction(() => document.querySelectorAll('[data-test=return-line]').length === 2, { timeout: 10000 });
  const lines = await page.$$('[data-test=return-line]');
  for (const line of lines) {
    const sku = await line.$eval('[data-test=return-sku]', (el) => el.value);
    await line.$eval('[data-test=return-disposition]', (el, v) => { el.value = v; },
      sku === 'jacket' ? 'DISPOSITION_INSPECT' : 'DISPOSITION_RESTOCK');
  }
  await t.type('[data-test=return-reason]', 'wrong size');
  await t.click('[data-test=return-create]');
  await t.wait('[data-test=return][data-state=RETURN_STATE_OPEN]');
  const returnId = await page.$eval('[data-test=return]', (el) => el.dataset.returnId);
  const created = ctl('returns', 'show', returnId)[0].return;
  check(created.state === 'RETURN_STATE_OPEN' && created.order_id === placed.order_id, 'gRPC: the return is open for the order');
  check(n(availability('jacket', '--location', 'store-1').locations[0].quarantined) === 1, 'gRPC: one jacket waits for inspection');
  await t.wait(`[data-test=return-row][data-return-id="${returnId}"]`);
  await t.shot('returns');
  await t.click('[data-test=resolve-return]');
  await t.wait('[data-test=return][data-state=RETURN_STATE_COMPLETED]');
  check(ctl('returns', 'show', returnId)[0].return.state === 'RETURN_STATE_COMPLETED', 'gRPC: the return is completed');
  check(n(availability('jacket', '--location', 'store-1').locations[0].quarantined) === 0, 'gRPC: nothing left in inspection');

  // The queue has moved on: the picked up order left it, the first one still waits.
  await t.click('[data-test=nav-queue]');
  await t.wait(`[data-test=queue-placed] [data-order-id="${first.order_id}"]`);
  check(await page.$(`[data-test=order-card][data-order-id="${placed.order_id}"]`) === null, 'the picked up order left the queue');

  // The server restarts under the open queue: the page notices, reconnects by itself and
  // shows an order placed after the restart, without a reload. While it is down the browser
  // reports the stream's failed retries, which are expected.
  t.expectedFailures.add('/v1/watch/orders');
  control('restart');
  await t.wait('[data-test=live-status]:not([data-state=live])');
  check(true, 'the queue shows it is no longer live');
  await waitForServer();
  const later = ctl('orders', 'place', 'erin', 'store-1', 'socks:1')[0].order;
  await t.wait(`[data-test=queue-placed] [data-order-id="${later.order_id}"]`, 15000);
  await t.wait('[data-test=live-status][data-state=live]');
  check(await page.evaluate(() => window.__sameDocument === true), 'after a server restart the queue is live again without a reload');
});
console.log('console_test: all checks passed');
