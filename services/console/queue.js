// The pickup queue of one store: ListOrders for the open states, kept live by the orders
// Server-Sent Events stream. New orders ring a short tone and raise the count in the
// navigation until someone marks them seen.
import { ApiError, eventSource, listAll, num } from './api.js';
import { h, showError, STATE_WORDS, tickClocks } from './ui.js';

const OPEN_STATES = ['ORDER_STATE_PLACED', 'ORDER_STATE_PICKING', 'ORDER_STATE_READY_FOR_PICKUP'];
// Errors a reconnect cannot cure: the stream is closed and the error shown.
const FATAL = new Set(['unauthenticated', 'permission_denied', 'invalid_argument', 'not_found']);

// Orders only move forward, each move adds a history entry: the longer history is the newer.
function version(order) {
  return (order.history || []).length;
}

export class Queue {
  constructor(ctx, store) {
    this.ctx = ctx;
    this.store = store;
    this.orders = new Map();
    this.fresh = new Set(); // ids of orders that arrived live and nobody has seen yet
    this.status = 'connecting';
    this.error = null;
    this.view = null;
    this.source = null;
    this.touched = null;
    this.retry = 0;
  }

  start() {
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.retry);
    if (this.source) this.source.close();
    this.source = null;
    this.updateBadge(0);
  }

  connect() {
    if (this.source) this.source.close();
    const source = eventSource('/v1/watch/orders', { pickup_location_id: this.store });
    this.source = source;
    source.addEventListener('open', () => {
      this.status = 'live';
      this.error = null;
      // Read the queue after the stream is open: nothing committed in between is missed.
      this.resync();
    });
    source.addEventListener('order', (e) => this.apply(JSON.parse(e.data)));
    source.addEventListener('error', (e) => this.onError(source, e));
  }

  // Either the server's `event: error` (with the Connect error as data) or a dropped
  // connection (no data), which EventSource retries by itself with Last-Event-ID.
  onError(source, e) {
    if (this.stopped || source !== this.source) return;
    let body = null;
    if (e.data) {
      try {
        body = JSON.parse(e.data);
      } catch {
        body = { code: 'unknown', message: e.data };
      }
    }
    const error = body ? new ApiError(0, body) : null;
    if (error && FATAL.has(error.code)) {
      source.close();
      this.status = 'stopped';
      this.error = error;
    } else if (error && (error.reason === 'EVENTS_PRUNED' || error.reason === 'SEQUENCE_AHEAD')) {
      // The resume point is gone: start a new stream from now and read the queue again.
      this.status = 'connecting';
      this.connect();
    } else if (source.readyState === EventSource.CLOSED) {
      this.status = 'reconnecting';
      this.retry = setTimeout(() => this.connect(), 3000);
    } else {
      this.status = 'reconnecting';
    }
    this.refresh();
  }

  async resync() {
    const touched = new Set();
    this.touched = touched;
    let listed;
    try {
      listed = await listAll('OrderService', 'ListOrders',
        { pickupLocationId: this.store, states: OPEN_STATES }, 'orders');
    } catch (error) {
      this.error = error;
      this.refresh();
      return;
    }
    if (this.touched !== touched) return; // a newer resync is under way
    this.touched = null;
    const next = new Map(listed.map((o) => [o.orderId, o]));
    // Events that came in while the list was read may be newer than what it says.
    for (const id of touched) {
      const live = this.orders.get(id);
      const read = next.get(id);
      if (live && (!read || version(live) > version(read))) next.set(id, live);
    }
    this.orders = next;
    this.refresh();
  }

  apply(event) {
    const order = event.order;
    if (!order || !order.orderId) return;
    const known = this.orders.get(order.orderId);
    if (known && version(known) > version(order)) return;
    if (this.touched) this.touched.add(order.orderId);
    this.orders.set(order.orderId, order);
    window.dispatchEvent(new CustomEvent('oms-order', { detail: order }));
    if (!known && order.state === 'ORDER_STATE_PLACED') {
      this.fresh.add(order.orderId);
      this.chime();
    }
    if (!OPEN_STATES.includes(order.state)) this.fresh.delete(order.orderId);
    this.refresh();
  }

  seen(id) {
    if (id === undefined) this.fresh.clear();
    else this.fresh.delete(id);
    this.refresh();
  }

  chime() {
    const audio = this.ctx.audio;
    if (!audio || audio.state !== 'running') return;
    try {
      const tone = audio.createOscillator();
      const gain = audio.createGain();
      tone.frequency.value = 880;
      gain.gain.setValueAtTime(0.15, audio.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.25);
      tone.connect(gain).connect(audio.destination);
      tone.start();
      tone.stop(audio.currentTime + 0.25);
      // Counted on the badge, so a test (or support) can tell the tone was played.
      const badge = document.querySelector('[data-test=queue-badge]');
      if (badge) badge.dataset.chimes = String(Number(badge.dataset.chimes || 0) + 1);
    } catch {
      // No sound is better than a broken queue.
    }
  }

  updateBadge(count) {
    const badge = document.querySelector('[data-test=queue-badge]');
    if (!badge) return;
    badge.textContent = count > 0 ? `${count} new` : '';
    badge.hidden = count === 0;
  }

  refresh() {
    if (this.stopped) return;
    this.updateBadge(this.fresh.size);
    if (this.view && this.view.isConnected) this.draw();
  }

  render(view) {
    this.view = view;
    this.draw();
  }

  draw() {
    const focused = document.activeElement && document.activeElement.dataset.orderId;
    const open = [...this.orders.values()].filter((o) => OPEN_STATES.includes(o.state));
    // Oldest first: the customer who has waited longest is served first.
    open.sort((a, b) => Date.parse(a.createTime) - Date.parse(b.createTime));
    const errors = h('div', {});
    if (this.error) showError(errors, this.error);
    const statusWords = { live: 'Live', connecting: 'Connecting…', reconnecting: 'Reconnecting…', stopped: 'Not live' };
    this.view.replaceChildren(
      h('div', { class: 'screen-head' },
        h('h1', {}, 'Pickup queue ', h('span', { class: 'sub' }, this.ctx.storeName(this.store))),
        h('span', { class: `live ${this.status}`, dataTest: 'live-status', 'data-state': this.status },
          statusWords[this.status]),
        h('span', { class: 'count', dataTest: 'queue-count' }, `${open.length} open`),
        this.fresh.size > 0 &&
          h('button', { type: 'button', dataTest: 'mark-seen', onclick: () => this.seen() },
            `Mark ${this.fresh.size} new as seen`)),
      errors,
      h('div', { class: 'columns', dataTest: 'queue' },
        OPEN_STATES.map((state) => this.column(state, open.filter((o) => o.state === state)))),
    );
    if (focused) this.view.querySelector(`[data-order-id="${CSS.escape(focused)}"]`)?.focus();
    tickClocks();
  }

  column(state, orders) {
    const key = { ORDER_STATE_PLACED: 'placed', ORDER_STATE_PICKING: 'picking', ORDER_STATE_READY_FOR_PICKUP: 'ready' }[state];
    return h('section', { class: `column ${key}`, dataTest: `queue-${key}`, 'aria-label': STATE_WORDS[state] },
      h('h2', {}, STATE_WORDS[state], ' ', h('span', { class: 'pill', dataTest: `queue-${key}-count` }, orders.length)),
      orders.length === 0 ? h('p', { class: 'empty' }, 'Nothing here') : null,
      h('ul', { class: 'cards' }, orders.map((o) => h('li', {}, this.card(o)))));
  }

  card(o) {
    const units = (o.lines || []).reduce((sum, l) => sum + num(l.quantity), 0);
    const ready = o.state === 'ORDER_STATE_READY_FOR_PICKUP';
    const isNew = this.fresh.has(o.orderId);
    return h('a', {
      class: `card${isNew ? ' new' : ''}`,
      href: `#/order/${encodeURIComponent(o.orderId)}`,
      dataTest: 'order-card',
      'data-order-id': o.orderId,
      'data-state': o.state,
      onclick: () => this.seen(o.orderId),
    },
    h('span', { class: 'id' }, o.orderId, isNew ? h('span', { class: 'tag' }, 'New') : null),
    h('span', { class: 'customer' }, o.customerId || 'no customer id'),
    h('span', { class: 'units' }, `${units} item${units === 1 ? '' : 's'} · ${(o.lines || []).length} line${(o.lines || []).length === 1 ? '' : 's'}`),
    h('span', { class: 'age' }, 'Waiting ', h('span', { 'data-since': o.createTime, dataTest: 'age' })),
    ready && o.pickupDeadline
      ? h('span', { class: 'deadline' }, 'Pickup: ', h('span', { 'data-until': o.pickupDeadline, dataTest: 'time-left' }))
      : null);
  }
}
