// Small DOM helpers shared by the screens: elements built from data (never from HTML strings,
// so a SKU or a customer name can hold any character), error boxes, times and durations.
import { explain } from './words.js';

// h('button', {dataTest: 'x', onclick}, 'text', child...): an element. Keys starting with "on"
// are listeners; dataTest becomes data-test; others are attributes (false/null: left out).
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === false || value === null || value === undefined) continue;
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'dataTest') el.dataset.test = value;
    else if (key === 'value') el.value = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

// A labelled form control: the label wraps the control, so a tap on the words focuses it.
export function field(label, control) {
  return h('label', { class: 'field' }, h('span', {}, label), control);
}

// Replaces the contents of an error area with the associate-facing words and the reason code.
export function showError(area, error) {
  const { text, detail, message } = explain(error);
  area.replaceChildren(
    h('div', { class: 'error', role: 'alert', dataTest: 'error' },
      h('p', { dataTest: 'error-text' }, text),
      h('small', { dataTest: 'error-reason', title: message }, detail)),
  );
}

export function showNotice(area, text) {
  area.replaceChildren(h('div', { class: 'notice', role: 'status', dataTest: 'notice' }, text));
}

// Runs an action for a button: disabled while it runs (no double submit), errors shown in
// `area`. Resolves to the action's result, or undefined when it failed.
export async function run(button, area, action) {
  if (area) area.replaceChildren();
  if (button) button.disabled = true;
  try {
    return await action();
  } catch (error) {
    if (area && error && error.code) showError(area, error);
    else if (area) showError(area, { code: 'unknown', message: String(error) });
    return undefined;
  } finally {
    if (button) button.disabled = false;
  }
}

// "2 d 3 h 05 min 09 s", "4 min 09 s", "12 s": to the second, so a countdown visibly moves.
export function duration(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(s / 86400);
  const hr = Math.floor((s % 86400) / 3600);
  const min = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const pad = (n) => String(n).padStart(2, '0');
  if (d > 0) return `${d} d ${hr} h ${pad(min)} min ${pad(sec)} s`;
  if (hr > 0) return `${hr} h ${pad(min)} min ${pad(sec)} s`;
  if (min > 0) return `${min} min ${pad(sec)} s`;
  return `${sec} s`;
}

export function localTime(iso) {
  if (!iso) return '';
  return new Date(iso).toLocaleString([], { dateStyle: 'short', timeStyle: 'short' });
}

// Live clocks: every element with data-since (age) or data-until (time left) is refreshed each
// second, wherever it is on the page.
export function tickClocks() {
  const now = Date.now();
  for (const el of document.querySelectorAll('[data-since]')) {
    el.textContent = duration(now - Date.parse(el.dataset.since));
  }
  for (const el of document.querySelectorAll('[data-until]')) {
    const left = Date.parse(el.dataset.until) - now;
    el.textContent = left > 0 ? `${duration(left)} left` : 'past the deadline';
    el.classList.toggle('late', left <= 0);
    el.classList.toggle('soon', left > 0 && left < 3600 * 1000);
  }
}

export const STATE_WORDS = {
  ORDER_STATE_PLACED: 'Placed',
  ORDER_STATE_PICKING: 'Picking',
  ORDER_STATE_READY_FOR_PICKUP: 'Ready',
  ORDER_STATE_PICKED_UP: 'Picked up',
  ORDER_STATE_CANCELLED: 'Cancelled',
  ORDER_STATE_EXPIRED: 'Expired (not collected)',
};
