// The store console against a real omsd with a tokens file (run.sh's second server): a wrong
// token is refused in plain words, a store token works only at its own store, and a viewer
// token that tries to change stock is told so while the stock stays as it was.
import { availability, check, ctl, n, runSteps } from './support.mjs';

await runSteps(async (t) => {
  const { page } = t;

  t.expectedFailures.add('/v1/session');
  await t.signIn('not-a-token');
  check((await t.text('[data-test=error-reason]')).includes('unauthenticated'), 'a wrong token is refused');
  check((await t.text('[data-test=error-text]')).includes('Sign in again'), 'the refusal is in plain words');
  t.expectedFailures.clear();

  // A store token picks only from its own stores, and its queue is live.
  await t.signIn('riverside-token-0123456789');
  await t.wait('[data-test=live-status][data-state=live]');
  const stores = await page.$$eval('[data-test=store-select] option', (opts) => opts.map((o) => o.value));
  check(JSON.stringify(stores) === '["store-2"]', `a store token sees only its store (${stores})`);
  check((await t.text('[data-test=signed-in-as]')) === 'riverside · store', 'the header names the sign-in');
  const placed = ctl('orders', 'place', 'dave', 'store-2', 'jacket:1')[0].order;
  await t.wait(`[data-test=queue-placed] [data-order-id="${placed.order_id}"]`, 1000);
  check(true, 'a new order at the store appears in its queue');

  // Another device starts picking while the order is open here: the page follows it live.
  await t.click(`[data-test=order-card][data-order-id="${placed.order_id}"]`);
  await t.wait('[data-test=order-state][data-state=ORDER_STATE_PLACED]');
  ctl('orders', 'pick', placed.order_id);
  await t.wait('[data-test=order-state][data-state=ORDER_STATE_PICKING]', 2000);
  check((await t.text('[data-test=notice]')).includes('another device'), 'the open order page follows a change made elsewhere');
  // Cancel with a reason, as the store's own token.
  await page.click('details.cancel summary');
  await t.type('[data-test=cancel-reason]', 'customer called to cancel');
  await t.click('[data-test=cancel-order]');
  await t.wait('[data-test=order-state][data-state=ORDER_STATE_CANCELLED]');
  const cancelled = ctl('orders', 'show', placed.order_id)[0].order;
  check(cancelled.state === 'ORDER_STATE_CANCELLED', 'gRPC: the order is CANCELLED');
  check(cancelled.history.at(-1).reason === 'customer called to cancel' && cancelled.history.at(-1).actor === 'riverside',
    'gRPC: the cancel carries the reason and the store token as actor');
  await t.click('[data-test=sign-out]');
  await t.wait('[data-test=sign-in]');

  // A viewer may look up stock but not receive it: the 403 is explained, nothing changes.
  await t.signIn('auditor-token-0123456789');
  await t.wait('[data-test=store-select]');
  await page.select('[data-test=store-select]', 'store-2');
  await t.click('[data-test=nav-stock]');
  await t.type('[data-test=stock-sku]', 'jacket');
  await t.click('[data-test=stock-lookup]');
  await t.wait('[data-test=stock-here][data-sku=jacket]');
  const before = availability('jacket', '--location', 'store-2');
  check(n(await t.text('[data-test=stock-on-hand]')) === n(before.locations[0].on_hand), 'a viewer sees on hand as gRPC does');
  t.expectedFailures.add('/oms.v1.InventoryService/AdjustStock');
  await t.type('[data-test=receive-qty]', 5);
  await t.click('[data-test=receive-submit]');
  check((await t.text('[data-test=error-reason]')).includes('permission_denied'), 'receiving as a viewer is refused');
  check((await t.text('[data-test=error-text]')).includes('not allowed'), 'the refusal says the sign-in is not allowed');
  const after = availability('jacket', '--location', 'store-2');
  check(n(after.locations[0].on_hand) === n(before.locations[0].on_hand), 'gRPC: on hand unchanged');
  await t.shot('viewer-refused');
});
console.log('console_roles_test: all checks passed');
