// The oms.v1 API over HTTP/JSON as the gateway serves it (API.md "HTTP and JSON"): unary calls,
// the session, and Server-Sent Events. Every other module talks to the server through here.

const TOKEN_KEY = 'oms.console.token';

// The token lives in sessionStorage: it survives a reload but not closing the tab, so a shared
// store tablet does not keep an associate signed in overnight.
export function savedToken() {
  return sessionStorage.getItem(TOKEN_KEY);
}
export function saveToken(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
}
export function forgetToken() {
  sessionStorage.removeItem(TOKEN_KEY);
}

function authHeaders() {
  const token = savedToken();
  // A server without a tokens file accepts no token at all: send no header then.
  return token ? { Authorization: `Bearer ${token}` } : {};
}

// A failed call, with the parts an associate and support need: the Connect code, the
// ErrorInfo reason and metadata (e.g. attempts_left), and the server's message.
export class ApiError extends Error {
  constructor(httpStatus, body) {
    super(body.message || `HTTP ${httpStatus}`);
    this.httpStatus = httpStatus;
    this.code = body.code || 'unknown';
    const info = (body.details || []).find((d) => d.type === 'google.rpc.ErrorInfo');
    const debug = (info && info.debug) || {};
    this.reason = debug.reason || '';
    this.metadata = debug.metadata || {};
  }
}

async function parse(response) {
  const text = await response.text();
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch {
    return { code: 'unknown', message: text.slice(0, 200) };
  }
}

async function send(url, init) {
  let response;
  try {
    response = await fetch(url, init);
  } catch {
    throw new ApiError(0, { code: 'unavailable', message: 'the server cannot be reached' });
  }
  const body = await parse(response);
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}

// A unary RPC, e.g. call('OrderService', 'GetOrder', {orderId}).
export function call(service, method, request = {}) {
  return send(`/oms.v1.${service}/${method}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...authHeaders() },
    body: JSON.stringify(request),
  });
}

// crypto.randomUUID exists only in secure contexts; a console opened over plain HTTP on the
// store network still needs unique request ids.
function newRequestId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

// A mutation: a fresh request_id each time, so a press of the button is one change.
export function mutate(service, method, request = {}) {
  return call(service, method, { requestId: newRequestId(), ...request });
}

// Who the token is: {name, role, stores}.
export function session() {
  return send('/v1/session', { headers: authHeaders() });
}

// EventSource cannot send headers: the token goes as access_token, as API.md allows.
export function eventSource(path, params) {
  const query = new URLSearchParams(params);
  const token = savedToken();
  if (token) query.set('access_token', token);
  return new EventSource(`${path}?${query}`);
}

// int64 fields arrive as strings and zero values are left out: read them as numbers.
export function num(value) {
  const n = Number(value ?? 0);
  return Number.isFinite(n) ? n : 0;
}

// Every page of a List* call.
export async function listAll(service, method, request, field) {
  const all = [];
  let pageToken = '';
  do {
    const page = await call(service, method, { ...request, pageSize: 1000, pageToken });
    all.push(...(page[field] || []));
    pageToken = page.nextPageToken || '';
  } while (pageToken);
  return all;
}
