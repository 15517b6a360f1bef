// One pickup order: its pick list and the store's steps — start picking, mark ready (with a
// short-pick quantity per line), confirm pickup with the customer's code, cancel with a reason.
import { call, mutate, num } from './api.js';
import { field, h, localTime, run, showError, showNotice, STATE_WORDS, tickClocks } from './ui.js';

const OPEN = ['ORDER_STATE_PLACED', 'ORDER_STATE_PICKING', 'ORDER_STATE_READY_FOR_PICKUP'];

export async function renderOrder(view, ctx, orderId) {
  const area = h('div', {});
  view.replaceChildren(h('p', { class: 'hint' }, 'Loading order…'), area);
  const got = await run(null, area, () => call('OrderService', 'GetOrder', { orderId }));
  if (!got) {
    view.prepend(back());
    view.querySelector('.hint')?.remove();
    return;
  }
  draw(view, ctx, got.order);
}

function back() {
  return h('a', { href: '#/queue', class: 'back', dataTest: 'back-to-queue' }, '← Pickup queue');
}

function draw(view, ctx, order, notice, failure) {
  const errors = h('div', { class: 'messages', 'aria-live': 'polite' });
  if (notice) showNotice(errors, notice);
  if (failure) showError(errors, failure);
  // Each step answers with the order as it is now: draw that, and tell the queue too.
  const step = async (button, service, method, request, done) => {
    errors.replaceChildren();
    button.disabled = true;
    // The stream may announce this very step before its answer arrives: not another's change.
    view.stepping = true;
    try {
      const reply = await mutate(service, method, { orderId: order.orderId, ...request });
      // Drawn before the queue hears of it: the page must not take its own step for another's.
      draw(view, ctx, reply.order, done);
      if (ctx.queue) ctx.queue.apply({ order: reply.order });
    } catch (error) {
      // A wrong code still counts against the order: show the count it has now.
      if (error.reason && error.reason.startsWith('PICKUP_')) {
        const got = await call('OrderService', 'GetOrder', { orderId: order.orderId }).catch(() => null);
        if (got) return draw(view, ctx, got.order, null, error);
      }
      showError(errors, error.code ? error : { code: 'unknown', message: String(error) });
    } finally {
      button.disabled = false;
      view.stepping = false;
    }
    return undefined;
  };
  view.replaceChildren(
    back(),
    h('div', { class: 'screen-head' },
      h('h1', {}, 'Order ', h('span', { dataTest: 'order-id' }, order.orderId)),
      h('span', { class: `state ${order.state}`, dataTest: 'order-state', 'data-state': order.state },
        STATE_WORDS[order.state] || order.state)),
    facts(order),
    errors,
    pickList(order),
    actions(order, step, errors),
    history(order),
  );
  tickClocks();
  view.querySelector('[data-autofocus]')?.focus();
  follow(view, ctx, order);
}

// Another associate may move the order on while this page is open: the queue's live stream
// announces it (queue.js), and the page redraws when the state changed.
function follow(view, ctx, order) {
  if (view.orderWatch) view.orderWatch.abort();
  const watch = new AbortController();
  view.orderWatch = watch;
  window.addEventListener('oms-order', (e) => {
    if (!view.isConnected) return watch.abort();
    const live = e.detail;
    if (view.stepping) return undefined;
    if (live.orderId === order.orderId && live.state !== order.state) {
      draw(view, ctx, live, 'This order was just changed on another device.');
    }
    return undefined;
  }, { signal: watch.signal });
}

function facts(order) {
  const rows = [
    ['Customer', order.customerId || '—'],
    ['Placed', h('span', {}, localTime(order.createTime), ' (', h('span', { 'data-since': order.createTime }), ' ago)')],
  ];
  if (order.readyTime) rows.push(['Ready since', localTime(order.readyTime)]);
  if (order.state === 'ORDER_STATE_READY_FOR_PICKUP' && order.pickupDeadline) {
    rows.push(['Pickup by', h('span', {}, localTime(order.pickupDeadline), ' · ',
      h('span', { 'data-until': order.pickupDeadline, dataTest: 'time-left' }))]);
  }
  if (num(order.failedPickupAttempts) > 0) rows.push(['Wrong codes', String(num(order.failedPickupAttempts))]);
  return h('dl', { class: 'facts' }, rows.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

function pickList(order) {
  const picking = order.state === 'ORDER_STATE_PICKING';
  return h('table', { class: 'lines', dataTest: 'pick-list' },
    h('caption', {}, picking ? 'Pick list — enter what you found if a line is short' : 'Items'),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'SKU'), h('th', { scope: 'col' }, 'Quantity'),
      picking ? h('th', { scope: 'col' }, 'Found') : null,
      h('th', { scope: 'col' }, 'Note'))),
    h('tbody', {}, (order.lines || []).map((l) => {
      const qty = num(l.quantity);
      const ordered = num(l.orderedQuantity) || qty;
      const note = [];
      if (ordered !== qty) note.push(`${ordered - qty} short of ${ordered} ordered`);
      if (num(l.returned) > 0) note.push(`${num(l.returned)} returned`);
      return h('tr', { dataTest: 'pick-line', 'data-sku': l.sku },
        h('td', { class: 'sku' }, l.sku),
        h('td', { class: 'num', dataTest: 'line-quantity' }, qty),
        picking
          ? h('td', {}, h('input', {
            type: 'number', min: 0, max: qty, value: qty, inputmode: 'numeric', class: 'qty',
            dataTest: 'picked-qty', 'data-sku': l.sku, 'aria-label': `Found of ${l.sku}`,
          }))
          : null,
        h('td', {}, note.join(' · ')));
    })));
}

function actions(order, step, errors) {
  const box = h('div', { class: 'actions' });
  if (order.state === 'ORDER_STATE_PLACED') {
    const start = h('button', { type: 'button', class: 'primary', dataTest: 'start-picking', 'data-autofocus': true,
      onclick: () => step(start, 'OrderService', 'StartPicking', {}, 'Picking started.') }, 'Start picking');
    box.append(start);
  }
  if (order.state === 'ORDER_STATE_PICKING') {
    const ready = h('button', { type: 'button', class: 'primary', dataTest: 'mark-ready',
      onclick: () => {
        const picked = [];
        for (const input of document.querySelectorAll('[data-test=picked-qty]')) {
          const line = order.lines.find((l) => l.sku === input.dataset.sku);
          const found = Number(input.value);
          if (!Number.isInteger(found) || found < 0 || found > num(line.quantity)) {
            showNotice(errors, `Found for ${input.dataset.sku} must be a whole number from 0 to ${num(line.quantity)}.`);
            input.focus();
            return;
          }
          if (found < num(line.quantity)) picked.push({ sku: line.sku, quantity: String(found) });
        }
        step(ready, 'OrderService', 'MarkReady', { picked },
          picked.length ? 'Ready for pickup; the missing units went back to stock.' : 'Ready for pickup.');
      } }, 'Mark ready');
    box.append(ready);
  }
  if (order.state === 'ORDER_STATE_READY_FOR_PICKUP') box.append(pickup(order, step));
  if (OPEN.includes(order.state)) box.append(cancel(step));
  return box;
}

function pickup(order, step) {
  const code = h('input', { type: 'text', dataTest: 'pickup-code', autocomplete: 'off', autocapitalize: 'characters',
    spellcheck: 'false', maxlength: 64, 'data-autofocus': true });
  const confirm = h('button', { type: 'submit', class: 'primary', dataTest: 'confirm-pickup' }, 'Confirm pickup');
  const override = h('button', { type: 'button', dataTest: 'staff-override',
    onclick: () => {
      if (window.confirm('Hand over without the code? Only after checking the customer\'s ID.')) {
        step(override, 'OrderService', 'ConfirmPickup', { staffOverride: true }, 'Picked up (staff override).');
      }
    } }, 'Confirm with ID check (no code)');
  return h('form', { class: 'inline', dataTest: 'pickup-form',
    onsubmit: (e) => {
      e.preventDefault();
      step(confirm, 'OrderService', 'ConfirmPickup', { pickupCode: code.value.trim().toUpperCase() }, 'Picked up. Thank you!');
    } },
  field('Customer\'s pickup code', code), confirm,
  num(order.failedPickupAttempts) >= 5 ? override : null);
}

function cancel(step) {
  const reason = h('input', { type: 'text', dataTest: 'cancel-reason', maxlength: 256, required: true });
  const button = h('button', { type: 'submit', class: 'danger', dataTest: 'cancel-order' }, 'Cancel order');
  return h('details', { class: 'cancel' }, h('summary', {}, 'Cancel this order'),
    h('form', { class: 'inline', onsubmit: (e) => {
      e.preventDefault();
      step(button, 'OrderService', 'CancelOrder', { reason: reason.value.trim() }, 'Order cancelled; its units are back in stock.');
    } }, field('Reason', reason), button));
}

function history(order) {
  return h('details', { class: 'history' }, h('summary', {}, 'History'),
    h('ol', {}, (order.history || []).map((t) => h('li', {},
      `${localTime(t.time)} · ${STATE_WORDS[t.state] || t.state}${t.actor ? ` · ${t.actor}` : ''}${t.reason ? ` · ${t.reason}` : ''}`))));
}
