// What both browser tests share: omsctl over gRPC, chromium through puppeteer-core, and a page
// that records every console error and page error (a test fails on any it did not expect).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import puppeteer from 'puppeteer-core';

export const { OMS_URL, OMS_GRPC, OMSCTL, CHROMIUM, ARTIFACTS, OMS_TOKEN } = process.env;
export const STEP_TIMEOUT_MS = 10000;

export function ctl(...args) {
  const auth = OMS_TOKEN ? ['--token', OMS_TOKEN] : [];
  const out = execFileSync(OMSCTL, ['--server', OMS_GRPC, ...auth, '--json', ...args], { encoding: 'utf8', timeout: 15000 });
  return out.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line));
}
export const order = (id) => ctl('orders', 'show', id)[0].order;
export const availability = (sku, ...scope) => ctl('availability', sku, ...scope, '--channel', 'pos')[0].availability[0];
export const n = (v) => Number(v ?? 0);

// Requests to run.sh, one line each on fd 3 ("restart": the same omsd database and ports anew).
export function control(line) {
  fs.writeSync(3, `${line}\n`);
}
// run.sh stops this process by its PID if it must give up early.
try {
  control(`pid ${process.pid}`);
} catch {
  // Run by hand without run.sh: nobody to tell.
}

// Polls omsctl until the server answers again (after a restart), up to `timeoutMs`.
export async function waitForServer(timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      ctl('locations', 'list');
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`the server did not come back: ${error.message}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

export function check(condition, what) {
  if (!condition) throw new Error(`check failed: ${what}`);
  console.log(`ok - ${what}`);
}

// A tablet held upright (768 px wide) in Debian's chromium. `expectedFailures` holds URL
// parts whose HTTP errors a step provokes on purpose: the browser reports each as a console
// error "Failed to load resource", which is expected only for those.
export async function openConsole() {
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--autoplay-policy=no-user-gesture-required'],
    protocolTimeout: 30000,
  });
  const page = await browser.newPage();
  await page.setViewport({ width: 768, height: 1024 });
  const t = { browser, page, problems: [], expectedFailures: new Set() };
  page.on('pageerror', (error) => t.problems.push(`page error: ${error.message}`));
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const url = (msg.location() && msg.location().url) || '';
    if (msg.text().startsWith('Failed to load resource') && [...t.expectedFailures].some((u) => url.includes(u))) return;
    t.problems.push(`console error: ${msg.text()} ${url}`);
  });
  // Each screen saved, and checked to fit the tablet's width without sideways scrolling.
  t.shot = async (name) => {
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    if (width > 768) t.problems.push(`${name}: the page is ${width} px wide at a 768 px viewport`);
    await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
  };
  t.text = async (selector) => {
    await page.waitForSelector(selector, { timeout: STEP_TIMEOUT_MS });
    return page.$eval(selector, (el) => el.textContent.trim());
  };
  t.wait = (selector, timeout = STEP_TIMEOUT_MS) => page.waitForSelector(selector, { timeout });
  t.click = async (selector) => {
    await page.waitForSelector(selector, { visible: true, timeout: STEP_TIMEOUT_MS });
    await page.click(selector);
  };
  t.type = async (selector, value) => {
    await page.waitForSelector(selector, { visible: true, timeout: STEP_TIMEOUT_MS });
    await page.$eval(selector, (el) => { el.value = ''; });
    await page.type(selector, String(value));
  };
  t.signIn = async (token) => {
    await page.goto(`${OMS_URL}/`, { waitUntil: 'load' });
    await t.type('[data-test=token]', token);
    await t.click('[data-test=sign-in]');
  };
  return t;
}

// Runs the steps, then fails (exit 1) on a failed check or any unexpected console or page error.
export async function runSteps(steps) {
  const t = await openConsole();
  try {
    await steps(t);
  } catch (error) {
    t.problems.push(error.stack || String(error));
    await t.shot('failure').catch(() => {});
  } finally {
    await t.browser.close();
  }
  if (t.problems.length > 0) console.error(t.problems.join('\n'));
  const result = t.problems.length > 0 ? 1 : 0;
  try {
    control(`result ${result}`);
  } catch {
    // Run by hand: the exit code says it.
  }
  if (result !== 0) process.exit(result);
}
