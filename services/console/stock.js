// Stock lookup: one SKU here and at the other locations of this store's groups ("check another
// store"), and the stock room's changes — receive, adjust with a reason, count.
import { call, listAll, mutate, num } from './api.js';
import { field, h, run, showNotice } from './ui.js';

// The till's rule: the shopper in front of the associate can buy what is not held for anyone
// (safety stock is not kept back from a customer who is already in the shop).
const CHANNEL = 'CHANNEL_POS';

export function renderStock(view, ctx) {
  const sku = h('input', { type: 'text', dataTest: 'stock-sku', required: true, autocomplete: 'off', spellcheck: 'false' });
  const lookup = h('button', { type: 'submit', class: 'primary', dataTest: 'stock-lookup' }, 'Look up');
  const errors = h('div', { class: 'messages', 'aria-live': 'polite' });
  const results = h('div', { dataTest: 'stock-results' });
  const show = (value) => run(lookup, errors, () => showSku(results, ctx, value, errors));
  view.replaceChildren(
    h('div', { class: 'screen-head' }, h('h1', {}, 'Stock ', h('span', { class: 'sub' }, ctx.storeName(ctx.store)))),
    h('form', { class: 'inline', onsubmit: (e) => { e.preventDefault(); if (sku.value.trim()) show(sku.value.trim()); } },
      field('SKU', sku), lookup),
    errors,
    results);
  sku.focus();
}

async function showSku(results, ctx, sku, errors) {
  const here = await call('InventoryService', 'GetAvailability', { skus: [sku], locationId: ctx.store, channel: CHANNEL });
  const a = (here.availability || [])[0] || { sku, locations: [] };
  const level = (a.locations || []).find((l) => l.locationId === ctx.store) || {};
  const others = await otherStores(ctx, sku);
  results.replaceChildren(
    h('section', { class: 'panel', dataTest: 'stock-here', 'data-sku': sku },
      h('h2', {}, `${sku} here`),
      h('dl', { class: 'figures' },
        figure('Available to sell', num(a.atp), 'atp', true),
        figure('On hand', num(level.onHand), 'on-hand'),
        figure('Held for orders', num(level.reserved), 'reserved'),
        figure('Safety stock', num(level.safetyStock), 'safety-stock'),
        figure('Waiting for inspection', num(level.quarantined), 'quarantined'))),
    others,
    changes(results, ctx, sku, errors, num(level.onHand)));
}

function figure(label, value, key, big) {
  return h('div', { class: big ? 'figure big' : 'figure' },
    h('dt', {}, label), h('dd', { dataTest: `stock-${key}` }, value));
}

// The other locations of every group this store belongs to, each with its own figures.
async function otherStores(ctx, sku) {
  const box = h('section', { class: 'panel', dataTest: 'stock-other' }, h('h2', {}, 'Check another store'));
  const groups = (await listAll('LocationService', 'ListLocationGroups', {}, 'groups'))
    .filter((g) => (g.locationIds || []).includes(ctx.store));
  if (groups.length === 0) {
    box.append(h('p', { class: 'empty' }, 'This store is in no location group.'));
    return box;
  }
  const rows = new Map();
  for (const g of groups) {
    const reply = await call('InventoryService', 'GetAvailability', { skus: [sku], groupId: g.groupId, channel: CHANNEL });
    const a = (reply.availability || [])[0] || { locations: [] };
    for (const l of a.locations || []) {
      if (l.locationId !== ctx.store && !rows.has(l.locationId)) rows.set(l.locationId, { ...l, group: g.groupId });
    }
  }
  if (rows.size === 0) {
    box.append(h('p', { class: 'empty', dataTest: 'stock-other-none' }, `No other store of ${groups.map((g) => g.groupId).join(', ')} stocks ${sku}.`));
    return box;
  }
  const sorted = [...rows.values()].sort((x, y) => num(y.atp) - num(x.atp) || x.locationId.localeCompare(y.locationId));
  box.append(h('table', { class: 'lines' },
    h('thead', {}, h('tr', {}, ['Location', 'Available', 'On hand', 'Held', 'Group'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, sorted.map((l) => h('tr', { dataTest: 'stock-other-row', 'data-location': l.locationId },
      h('td', {}, ctx.storeName(l.locationId)),
      h('td', { class: 'num', dataTest: 'other-atp' }, num(l.atp)),
      h('td', { class: 'num', dataTest: 'other-on-hand' }, num(l.onHand)),
      h('td', { class: 'num' }, num(l.reserved)),
      h('td', {}, l.group))))));
  return box;
}

const ADJUST_REASONS = [
  ['MOVEMENT_REASON_DAMAGED', 'Damaged (remove)', -1],
  ['MOVEMENT_REASON_LOST', 'Lost or stolen (remove)', -1],
  ['MOVEMENT_REASON_FOUND', 'Found (add)', 1],
  ['MOVEMENT_REASON_CORRECTION', 'Correction (+ or −)', 0],
];

// Receive, adjust and count for the SKU on screen. The server decides who may; a sign-in that
// may not sees the reason in plain words.
function changes(results, ctx, sku, lookupErrors, onHand) {
  // Answers appear in this panel, next to the button that was pressed.
  const errors = h('div', { class: 'messages', 'aria-live': 'polite' });
  const redo = (message) => run(null, errors, async () => {
    await showSku(results, ctx, sku, lookupErrors);
    const area = results.querySelector('[data-test=stock-changes] .messages');
    if (area) showNotice(area, message);
  });
  const send = (button, method, request, words) => run(button, errors, async () => {
    const reply = await mutate('InventoryService', method, { sku, locationId: ctx.store, ...request });
    const level = reply.stockLevel || {};
    await redo(`${words} On hand now ${num(level.onHand)}.`);
  });
  const qty = (test) => h('input', { type: 'number', min: 1, step: 1, inputmode: 'numeric', class: 'qty', dataTest: test, required: true });
  const ref = (test) => h('input', { type: 'text', maxlength: 256, dataTest: test });

  const receiveQty = qty('receive-qty');
  const receiveRef = ref('receive-reference');
  const receive = h('button', { type: 'submit', dataTest: 'receive-submit' }, 'Receive');
  const reason = h('select', { dataTest: 'adjust-reason' }, ADJUST_REASONS.map(([v, label]) => h('option', { value: v }, label)));
  const adjustQty = h('input', { type: 'number', step: 1, inputmode: 'numeric', class: 'qty', dataTest: 'adjust-qty', required: true });
  const adjustRef = ref('adjust-reference');
  const adjust = h('button', { type: 'submit', dataTest: 'adjust-submit' }, 'Adjust');
  const counted = h('input', { type: 'number', min: 0, step: 1, inputmode: 'numeric', class: 'qty', dataTest: 'count-qty', required: true, value: onHand });
  const countRef = ref('count-reference');
  const count = h('button', { type: 'submit', dataTest: 'count-submit' }, 'Save count');
  const readOnly = ctx.session && (ctx.session.role === 'viewer' || ctx.session.role === 'checkout');

  return h('section', { class: 'panel', dataTest: 'stock-changes' },
    h('h2', {}, `Change stock of ${sku}`),
    readOnly ? h('p', { class: 'hint' }, 'Your sign-in may only look; changes will be refused.') : null,
    errors,
    h('form', { class: 'inline', onsubmit: (e) => {
      e.preventDefault();
      send(receive, 'AdjustStock', { delta: receiveQty.value, reason: 'MOVEMENT_REASON_RECEIVED', reference: receiveRef.value }, `Received ${receiveQty.value}.`);
    } }, field('Received units', receiveQty), field('Delivery note', receiveRef), receive),
    h('form', { class: 'inline', onsubmit: (e) => {
      e.preventDefault();
      const [, label, sign] = ADJUST_REASONS.find(([v]) => v === reason.value);
      const n = Number(adjustQty.value);
      const delta = sign === 0 ? n : sign * Math.abs(n);
      send(adjust, 'AdjustStock', { delta: String(delta), reason: reason.value, reference: adjustRef.value }, `${label.split(' (')[0]}: ${delta > 0 ? '+' : ''}${delta}.`);
    } }, field('Reason', reason), field('Units', adjustQty), field('Note', adjustRef), adjust),
    h('form', { class: 'inline', onsubmit: (e) => {
      e.preventDefault();
      send(count, 'SetStock', { onHand: counted.value, reference: countRef.value }, `Counted ${counted.value}.`);
    } }, field('Counted on the shelf', counted), field('Note', countRef), count));
}
