// Returns desk: take back units of a sale (an order or a checkout sale) at this store, find a
// return, and resolve the units held for inspection (restock or write off).
import { call, mutate, num } from './api.js';
import { field, h, localTime, run, showNotice } from './ui.js';

const DISPOSITIONS = [
  ['DISPOSITION_RESTOCK', 'Back to the shelf'],
  ['DISPOSITION_DAMAGED', 'Damaged (write off)'],
  ['DISPOSITION_INSPECT', 'Hold for inspection'],
];
const WORDS = { RETURN_STATE_OPEN: 'Open (items in inspection)', RETURN_STATE_COMPLETED: 'Completed' };
const DISPOSITION_WORDS = Object.fromEntries(DISPOSITIONS);

export function renderReturns(view, ctx) {
  const errors = h('div', { class: 'messages', 'aria-live': 'polite' });
  const detail = h('div', { dataTest: 'return-detail' });
  const list = h('div', { dataTest: 'return-list' });
  const open = (id) => run(null, errors, async () => {
    const got = await call('ReturnService', 'GetReturn', { returnId: id });
    showReturn(detail, ctx, got.return, errors, refresh);
  });
  const refresh = () => run(null, errors, () => drawList(list, ctx, open));
  const findId = h('input', { type: 'text', dataTest: 'find-return-id', autocomplete: 'off' });
  const find = h('button', { type: 'submit', dataTest: 'find-return' }, 'Find');
  view.replaceChildren(
    h('div', { class: 'screen-head' }, h('h1', {}, 'Returns ', h('span', { class: 'sub' }, ctx.storeName(ctx.store)))),
    errors,
    createForm(ctx, errors, (created) => { showReturn(detail, ctx, created, errors, refresh); refresh(); }),
    detail,
    h('section', { class: 'panel' }, h('h2', {}, 'Returns at this store'),
      h('form', { class: 'inline', onsubmit: (e) => { e.preventDefault(); if (findId.value.trim()) open(findId.value.trim()); } },
        field('Return number', findId), find),
      list));
  refresh();
}

async function drawList(list, ctx, open) {
  const reply = await call('ReturnService', 'ListReturns', { locationId: ctx.store, pageSize: 50 });
  const returns = reply.returns || [];
  if (returns.length === 0) return list.replaceChildren(h('p', { class: 'empty' }, 'No returns here yet.'));
  return list.replaceChildren(h('table', { class: 'lines' },
    h('thead', {}, h('tr', {}, ['Return', 'Sale', 'Customer', 'State', 'Items', 'When'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, returns.map((r) => h('tr', { dataTest: 'return-row', 'data-return-id': r.returnId },
      h('td', {}, h('button', { type: 'button', class: 'link', onclick: () => open(r.returnId) }, r.returnId)),
      h('td', {}, r.orderId || r.reservationId),
      h('td', {}, r.customerId || '—'),
      h('td', { 'data-state': r.state }, WORDS[r.state] || r.state),
      h('td', {}, (r.lines || []).map((l) => `${num(l.quantity)}× ${l.sku}`).join(', ')),
      h('td', {}, localTime(r.createTime)))))));
}

function lineRow() {
  return h('div', { class: 'return-line', dataTest: 'return-line' },
    field('SKU', h('input', { type: 'text', dataTest: 'return-sku', required: true, spellcheck: 'false' })),
    field('Units', h('input', { type: 'number', min: 1, step: 1, value: 1, class: 'qty', dataTest: 'return-qty', required: true })),
    field('What happens', h('select', { dataTest: 'return-disposition' },
      DISPOSITIONS.map(([v, label]) => h('option', { value: v }, label)))));
}

function createForm(ctx, errors, created) {
  const kind = h('select', { dataTest: 'return-source-kind' },
    h('option', { value: 'order' }, 'Pickup order'), h('option', { value: 'reservation' }, 'Checkout sale (reservation)'));
  const source = h('input', { type: 'text', dataTest: 'return-source', required: true, autocomplete: 'off' });
  const customer = h('input', { type: 'text', dataTest: 'return-customer' });
  const lines = h('div', { class: 'return-lines' }, lineRow());
  const reason = h('input', { type: 'text', maxlength: 256, dataTest: 'return-reason' });
  const reference = h('input', { type: 'text', maxlength: 256, dataTest: 'return-reference' });
  const submit = h('button', { type: 'submit', class: 'primary', dataTest: 'return-create' }, 'Take back');
  const load = h('button', { type: 'button', dataTest: 'return-load-order', onclick: () => run(load, errors, async () => {
    if (kind.value !== 'order' || !source.value.trim()) return;
    const got = await call('OrderService', 'GetOrder', { orderId: source.value.trim() });
    const rows = (got.order.lines || []).filter((l) => num(l.quantity) - num(l.returned) > 0).map((l) => {
      const row = lineRow();
      row.querySelector('[data-test=return-sku]').value = l.sku;
      row.querySelector('[data-test=return-qty]').value = num(l.quantity) - num(l.returned);
      return row;
    });
    if (rows.length === 0) showNotice(errors, 'Everything of this order has already come back.');
    else lines.replaceChildren(...rows);
  }) }, 'Fill in its items');
  return h('form', { class: 'panel', dataTest: 'return-form', onsubmit: (e) => {
    e.preventDefault();
    const request = {
      locationId: ctx.store,
      customerId: customer.value.trim(),
      reason: reason.value.trim(),
      reference: reference.value.trim(),
      lines: [...lines.querySelectorAll('[data-test=return-line]')].map((row) => ({
        sku: row.querySelector('[data-test=return-sku]').value.trim(),
        quantity: row.querySelector('[data-test=return-qty]').value,
        disposition: row.querySelector('[data-test=return-disposition]').value,
      })),
    };
    request[kind.value === 'order' ? 'orderId' : 'reservationId'] = source.value.trim();
    run(submit, errors, async () => {
      const reply = await mutate('ReturnService', 'CreateReturn', request);
      showNotice(errors, `Return ${reply.return.returnId} recorded.`);
      created(reply.return);
    });
  } },
  h('h2', {}, 'Take back items'),
  h('div', { class: 'inline' }, field('Sold as', kind), field('Order or sale number', source), load,
    field('Customer (optional)', customer)),
  lines,
  h('button', { type: 'button', dataTest: 'return-add-line', onclick: () => lines.append(lineRow()) }, 'Add another item'),
  h('div', { class: 'inline' }, field('Why is it coming back?', reason), field('Receipt or note', reference), submit));
}

function showReturn(detail, ctx, r, errors, refresh) {
  const held = (r.lines || []).filter((l) => num(l.quarantined) > 0);
  const inputs = held.map((l) => ({
    line: l,
    qty: h('input', { type: 'number', min: 1, max: num(l.quarantined), value: num(l.quarantined), class: 'qty', dataTest: 'resolve-qty', 'data-sku': l.sku }),
    to: h('select', { dataTest: 'resolve-disposition', 'data-sku': l.sku },
      h('option', { value: 'DISPOSITION_RESTOCK' }, 'Back to the shelf'), h('option', { value: 'DISPOSITION_DAMAGED' }, 'Write off')),
  }));
  const resolve = h('button', { type: 'submit', class: 'primary', dataTest: 'resolve-return' }, 'Resolve');
  detail.replaceChildren(h('section', { class: 'panel', dataTest: 'return', 'data-return-id': r.returnId, 'data-state': r.state },
    h('h2', {}, `Return ${r.returnId}`),
    h('p', {}, `${WORDS[r.state] || r.state} · from ${r.orderId || r.reservationId}${r.customerId ? ` · customer ${r.customerId}` : ''} · ${localTime(r.createTime)}`),
    r.reason ? h('p', {}, `Reason: ${r.reason}`) : null,
    h('table', { class: 'lines' },
      h('thead', {}, h('tr', {}, ['SKU', 'Units', 'Asked', 'In inspection', 'Restocked', 'Written off'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, (r.lines || []).map((l) => h('tr', { dataTest: 'return-detail-line', 'data-sku': l.sku },
        h('td', {}, l.sku), h('td', { class: 'num' }, num(l.quantity)), h('td', {}, DISPOSITION_WORDS[l.disposition] || l.disposition),
        h('td', { class: 'num' }, num(l.quarantined)), h('td', { class: 'num' }, num(l.restocked)), h('td', { class: 'num' }, num(l.writtenOff)))))),
    inputs.length === 0 ? null : h('form', { class: 'inline resolve', dataTest: 'resolve-form', onsubmit: (e) => {
      e.preventDefault();
      run(resolve, errors, async () => {
        const lines = inputs.map((i) => ({ sku: i.line.sku, quantity: i.qty.value, disposition: i.to.value }));
        const reply = await mutate('ReturnService', 'ResolveReturn', { returnId: r.returnId, lines });
        showNotice(errors, `Return ${r.returnId} resolved.`);
        showReturn(detail, ctx, reply.return, errors, refresh);
        refresh();
      });
    } }, h('h3', {}, 'Inspection done'), inputs.map((i) => h('div', { class: 'inline' },
      h('span', { class: 'sku' }, i.line.sku), field('Units', i.qty), field('Goes', i.to))), resolve)));
}
