// The store console: sign-in, the store picker, and the screens (pickup queue, order, stock,
// returns) behind hash routes, so the browser's back button and a reload keep the place.
import { ApiError, forgetToken, listAll, saveToken, savedToken, session } from './api.js';
import { renderOrder } from './order.js';
import { Queue } from './queue.js';
import { renderReturns } from './returns.js';
import { renderStock } from './stock.js';
import { h, showError, tickClocks } from './ui.js';

// What every screen needs: who is signed in, the store they work at, its name, the live queue.
const ctx = {
  session: null,
  store: '',
  locations: new Map(), // location_id -> Location
  queue: null,
  audio: null,
  navigate(hash) {
    if (location.hash === hash) route();
    else location.hash = hash;
  },
  storeName(id) {
    const l = this.locations.get(id);
    return l && l.name ? `${l.name} (${id})` : id;
  },
};

const main = document.getElementById('main');

// Sounds need an AudioContext created by a user gesture; made on the sign-in press, or on the
// first press after a reload.
function prepareAudio() {
  try {
    if (!ctx.audio && window.AudioContext) ctx.audio = new AudioContext();
    if (ctx.audio && ctx.audio.state === 'suspended') ctx.audio.resume().catch(() => {});
  } catch {
    ctx.audio = null;
  }
}
document.addEventListener('pointerdown', prepareAudio, { once: true });
document.addEventListener('keydown', prepareAudio, { once: true });

// The stores this sign-in may pick: a store token's own stores; anyone else every location.
async function loadStores() {
  let locations = [];
  try {
    locations = await listAll('LocationService', 'ListLocations', {}, 'locations');
  } catch (error) {
    if (ctx.session.role !== 'store') throw error;
  }
  ctx.locations = new Map(locations.map((l) => [l.locationId, l]));
  if (ctx.session.role === 'store') return ctx.session.stores || [];
  // Stores first: they are where associates work; warehouses are still pickable.
  const kind = (l) => (l.kind === 'LOCATION_KIND_WAREHOUSE' ? 1 : 0);
  return locations
    .slice()
    .sort((a, b) => kind(a) - kind(b) || a.locationId.localeCompare(b.locationId))
    .map((l) => l.locationId);
}

function renderHeader(stores) {
  const who = document.getElementById('who');
  const picker = h('select', {
    id: 'store',
    dataTest: 'store-select',
    onchange: (e) => selectStore(e.target.value),
  }, stores.map((id) => h('option', { value: id, selected: id === ctx.store }, ctx.storeName(id))));
  who.replaceChildren(
    h('label', { class: 'store-pick' }, h('span', {}, 'Store'), picker),
    h('span', { class: 'name', dataTest: 'signed-in-as' },
      `${ctx.session.name || 'signed in'} · ${ctx.session.role}`),
    h('button', { type: 'button', class: 'link', dataTest: 'sign-out', onclick: signOut }, 'Sign out'),
  );
  document.getElementById('nav').hidden = false;
}

function selectStore(id) {
  ctx.store = id;
  sessionStorage.setItem('oms.console.store', id);
  if (ctx.queue) ctx.queue.stop();
  ctx.queue = id ? new Queue(ctx, id) : null;
  if (ctx.queue) ctx.queue.start();
  route();
}

function signOut() {
  forgetToken();
  sessionStorage.removeItem('oms.console.store');
  if (ctx.queue) ctx.queue.stop();
  location.hash = '';
  location.reload();
}

async function signIn(errorArea) {
  try {
    ctx.session = await session();
    const stores = await loadStores();
    const remembered = sessionStorage.getItem('oms.console.store');
    ctx.store = stores.includes(remembered) ? remembered : stores[0] || '';
    renderHeader(stores);
    selectStore(ctx.store);
    if (!location.hash || location.hash === '#') ctx.navigate('#/queue');
    return true;
  } catch (error) {
    if (error instanceof ApiError && error.code === 'unauthenticated') forgetToken();
    showError(errorArea, error instanceof ApiError ? error : { code: 'unknown', message: String(error) });
    return false;
  }
}

function showSignIn() {
  const form = document.getElementById('sign-in');
  const errorArea = document.getElementById('sign-in-error');
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    prepareAudio();
    saveToken(document.getElementById('token').value.trim());
    form.querySelector('button').disabled = true;
    const ok = await signIn(errorArea);
    form.querySelector('button').disabled = false;
    if (ok) form.remove();
  });
  document.getElementById('token').focus();
}

function route() {
  if (!ctx.session) return;
  const [, screen, id] = (location.hash || '#/queue').split('/');
  for (const a of document.querySelectorAll('#nav a')) {
    a.toggleAttribute('aria-current', a.getAttribute('href') === `#/${screen}`);
  }
  const view = h('section', { class: 'screen' });
  main.replaceChildren(view);
  if (!ctx.store) {
    view.append(h('p', { class: 'notice', dataTest: 'no-store' }, 'This sign-in has no store to work at.'));
    return;
  }
  if (screen === 'order' && id) renderOrder(view, ctx, decodeURIComponent(id));
  else if (screen === 'stock') renderStock(view, ctx);
  else if (screen === 'returns') renderReturns(view, ctx);
  else if (ctx.queue) ctx.queue.render(view);
  main.focus({ preventScroll: true });
}

window.addEventListener('hashchange', route);
setInterval(tickClocks, 1000);

showSignIn();
// A reload keeps the sign-in of this tab (sessionStorage), so go straight back to work.
if (savedToken() !== null) {
  signIn(document.getElementById('sign-in-error')).then((ok) => {
    if (ok) document.getElementById('sign-in')?.remove();
  });
}
