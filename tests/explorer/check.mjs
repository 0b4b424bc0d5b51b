#!/usr/bin/env node
// Headless-Chromium check of the gateway's web explorer (GET /explorer).
//
//   node check.mjs --url http://127.0.0.1:PORT --screenshot OUT.png \
//     --expect-chain ID [--expect-chain ID ...] [--address trib1...]
//
// Opens URL/explorer in Debian's Chromium ($CHROMIUM, else /usr/bin/chromium)
// with a fresh profile, waits until the chains table lists every expected
// chain as `up` with a height, screenshots the page and checks the picture is
// not blank, then walks chain → block → search (→ account). Prints one JSON
// line `{ok, checks:[{name, ok, detail}], screenshot}` and exits 0 only when
// every check passed. Every wait is bounded; the whole run is too.
import { chromium } from 'playwright-core';
import path from 'node:path';
import fs from 'node:fs';

const STEP_TIMEOUT_MS = 30_000;
const OVERALL_TIMEOUT_MS = 90_000;
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

function parseArgs(argv) {
  const out = { url: null, screenshot: null, chains: [], address: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--url') out.url = value();
    else if (a === '--screenshot') out.screenshot = value();
    else if (a === '--expect-chain') out.chains.push(value());
    else if (a === '--address') out.address = value();
    else throw new Error(`unknown argument ${a}`);
  }
  if (!out.url) throw new Error('--url is required');
  if (!out.screenshot) throw new Error('--screenshot is required');
  if (!out.chains.length) throw new Error('at least one --expect-chain is required');
  return out;
}

let opts;
try {
  opts = parseArgs(process.argv.slice(2));
} catch (e) {
  console.log(JSON.stringify({ ok: false, checks: [{ name: 'arguments', ok: false, detail: e.message }], screenshot: null }));
  console.error('usage: node check.mjs --url URL --screenshot OUT.png --expect-chain ID [--expect-chain ID ...] [--address trib1...]');
  process.exit(2);
}

const base = opts.url.replace(/\/+$/, '').replace(/\/graphql$/, '');
const screenshot = path.resolve(opts.screenshot);
const checks = [];
let browser = null;
let page = null;
let finished = false;
const pageErrors = [];

function record(name, ok, detail) {
  checks.push({ name, ok, detail: typeof detail === 'string' ? detail : JSON.stringify(detail) });
  console.error(`${ok ? 'ok  ' : 'FAIL'} ${name}: ${typeof detail === 'string' ? detail : JSON.stringify(detail)}`);
  return ok;
}

/** Run one check; an exception fails it with its message. Returns whether it passed. */
async function step(name, fn) {
  try {
    const detail = await fn();
    return record(name, true, detail ?? 'ok');
  } catch (e) {
    return record(name, false, (e && e.message ? e.message : String(e)).split('\n').slice(0, 6).join(' | '));
  }
}

/** The page's visible error banner (and notice), for failure reports. */
async function visibleErrorText() {
  if (!page) return null;
  try {
    return await page.evaluate(() => {
      const parts = [];
      for (const id of ['error', 'notice']) {
        const el = document.getElementById(id);
        if (el && !el.hidden && el.textContent.trim()) parts.push(`#${id}: ${el.textContent.trim()}`);
      }
      if (!parts.length) parts.push(`(no banner; view: ${(document.getElementById('view') || document.body).innerText.slice(0, 400)})`);
      return parts.join('\n');
    });
  } catch (e) {
    return `(could not read the page: ${e.message})`;
  }
}

async function finish(exitCode) {
  if (finished) return;
  finished = true;
  const ok = exitCode === 0 && checks.length > 0 && checks.every((c) => c.ok);
  const result = { ok, checks, screenshot: null };
  if (!ok) {
    if (page) {
      try {
        await page.screenshot({ path: screenshot, fullPage: true, timeout: 10_000 });
      } catch (e) {
        console.error(`could not save the failure screenshot: ${e.message}`);
      }
    }
    result.errorText = await visibleErrorText();
    if (result.errorText) console.error(`page error text: ${result.errorText}`);
    if (pageErrors.length) result.pageErrors = pageErrors.slice(0, 10);
  }
  result.screenshot = fs.existsSync(screenshot) ? screenshot : null;
  if (browser) {
    try {
      await Promise.race([browser.close(), new Promise((r) => setTimeout(r, 10_000))]);
    } catch (_) {
      /* already gone */
    }
  }
  console.log(JSON.stringify(result));
  process.exit(ok ? 0 : 1);
}

const overall = setTimeout(() => {
  record('overall timeout', false, `the check did not finish within ${OVERALL_TIMEOUT_MS / 1000} s`);
  finish(1);
}, OVERALL_TIMEOUT_MS);

/** Wait until the explorer shows `view` as rendered (data-ready) at a hash matching `hashRe`. */
async function waitForView(view, hashRe) {
  await page.waitForFunction(
    ([v, re]) => {
      const el = document.getElementById('view');
      return el && el.dataset.view === v && el.dataset.ready === 'true' && new RegExp(re).test(location.hash);
    },
    [view, hashRe.source],
    { timeout: STEP_TIMEOUT_MS },
  );
}

async function bannerText() {
  return page.evaluate(() => {
    const el = document.getElementById('error');
    return el && !el.hidden ? el.textContent.trim() : '';
  });
}

/** A value for a CSS attribute selector in double quotes. */
function cssString(text) {
  return text.replace(/["\\]/g, '\\$&');
}

function escapeRe(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Decode a PNG in the browser and measure it: how much is not white, how many colours. */
async function measurePng(buffer) {
  const blank = await browser.newPage();
  try {
    return await blank.evaluate(async (b64) => {
      const img = new Image();
      await new Promise((resolve, reject) => {
        img.onload = resolve;
        img.onerror = () => reject(new Error('the screenshot is not a decodable PNG'));
        img.src = `data:image/png;base64,${b64}`;
      });
      const canvas = document.createElement('canvas');
      canvas.width = img.naturalWidth;
      canvas.height = img.naturalHeight;
      const ctx = canvas.getContext('2d');
      ctx.drawImage(img, 0, 0);
      const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
      let nonWhite = 0;
      const colours = new Set();
      for (let i = 0; i < data.length; i += 4) {
        const [r, g, b] = [data[i], data[i + 1], data[i + 2]];
        if (r < 240 || g < 240 || b < 240) nonWhite++;
        if (colours.size < 4096) colours.add(((r >> 4) << 8) | ((g >> 4) << 4) | (b >> 4));
      }
      const pixels = data.length / 4;
      return { width: canvas.width, height: canvas.height, nonWhiteFraction: nonWhite / pixels, colours: colours.size };
    }, buffer.toString('base64'));
  } finally {
    await blank.close();
  }
}

async function main() {
  const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
  const launched = await step('launch chromium', async () => {
    if (!fs.existsSync(executablePath)) throw new Error(`${executablePath} does not exist (install Debian's chromium or set CHROMIUM)`);
    // No userDataDir: playwright gives every launch a fresh temporary profile.
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, timeout: STEP_TIMEOUT_MS });
    return `${executablePath} ${browser.version()}`;
  });
  if (!launched) return finish(1);

  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  page.on('pageerror', (e) => pageErrors.push(String(e && e.message ? e.message : e)));
  fs.mkdirSync(path.dirname(screenshot), { recursive: true });

  const steps = [
    ['open /explorer', async () => {
      const response = await page.goto(`${base}/explorer`, { waitUntil: 'load', timeout: STEP_TIMEOUT_MS });
      if (!response) throw new Error('no response');
      if (!response.ok()) throw new Error(`GET /explorer answered HTTP ${response.status()}`);
      const title = await page.textContent('header h1');
      if (!/Tributary explorer/.test(title || '')) throw new Error(`header is ${JSON.stringify(title)}`);
      return `HTTP ${response.status()}, ${response.headers()['content-type'] || 'no content-type'}`;
    }],
    ['every expected chain is up with a height', async () => {
      try {
        await page.waitForFunction(
          (ids) => ids.every((id) => {
            const row = Array.from(document.querySelectorAll('#chains tbody tr[data-chain-id]')).find((r) => r.dataset.chainId === id);
            if (!row) return false;
            const status = row.querySelector('[data-col=status]');
            const height = row.querySelector('[data-col=height]');
            return status && status.dataset.status === 'up' && height && /^\d+$/.test(height.textContent.trim());
          }),
          opts.chains,
          { timeout: STEP_TIMEOUT_MS, polling: 250 },
        );
      } catch (e) {
        const seen = await page.$$eval('#chains tbody tr[data-chain-id]', (rows) => rows.map((r) => `${r.dataset.chainId}:${r.dataset.status}`)).catch(() => []);
        throw new Error(`${e.message.split('\n')[0]}; rows seen: ${seen.join(', ') || 'none'}`);
      }
      const rows = await page.$$eval('#chains tbody tr[data-chain-id]', (rows) => rows.map((r) => ({
        id: r.dataset.chainId,
        status: r.dataset.status,
        height: r.querySelector('[data-col=height]').textContent.trim(),
      })));
      return rows.map((r) => `${r.id} ${r.status} @${r.height}`).join(', ');
    }],
    ['no error banner on the dashboard', async () => {
      const text = await bannerText();
      if (text) throw new Error(`error banner shows: ${text}`);
      return 'none';
    }],
    ['screenshot is not blank', async () => {
      const full = await page.screenshot({ path: screenshot, fullPage: true });
      const table = await page.locator('#chains').screenshot();
      const m = await measurePng(full);
      const detail = { bytes: full.length, chainsTableBytes: table.length, ...m, nonWhiteFraction: Number(m.nonWhiteFraction.toFixed(4)) };
      if (m.nonWhiteFraction < 0.01 || m.colours < 8) throw new Error(`the page looks blank: ${JSON.stringify(detail)}`);
      if (table.length < 1500) throw new Error(`the chains table renders as ${table.length} bytes: empty? ${JSON.stringify(detail)}`);
      return detail;
    }],
  ];

  const chainId = opts.chains[0];
  const block = { height: null, hash: null };
  steps.push(
    [`chain page of ${chainId} lists blocks`, async () => {
      await page.click(`#chains tbody tr[data-chain-id="${cssString(chainId)}"] [data-col=id] a`);
      await waitForView('chain', new RegExp(`^#/chain/${escapeRe(encodeURIComponent(chainId))}$`));
      await page.waitForSelector('#blocks tbody tr[data-height]', { timeout: STEP_TIMEOUT_MS });
      const rows = await page.$$eval('#blocks tbody tr[data-height]', (rs) => rs.map((r) => ({ height: r.dataset.height, hash: r.dataset.hash })));
      const text = await bannerText();
      if (text) throw new Error(`error banner shows: ${text}`);
      return `${rows.length} blocks, newest ${rows[0].height}`;
    }],
    [`governance page of ${chainId} shows every governed parameter`, async () => {
      await page.click('#governance-link');
      await waitForView('governance', new RegExp(`^#/governance/${escapeRe(encodeURIComponent(chainId))}$`));
      const paths = await page.$$eval('#configuration tbody tr[data-path]', (rs) => rs.map((r) => r.dataset.path));
      // The hub's: its own parameters, and the caps its child chains run under.
      for (const path of ['params.min_fee', 'gov.voting_period_blocks', 'child_limits.max_tx_bytes']) {
        if (!paths.includes(path)) throw new Error(`the configuration lacks ${path}: ${JSON.stringify(paths)}`);
      }
      if (!(await page.$('#proposals'))) throw new Error('no proposals table');
      const text = await bannerText();
      if (text) throw new Error(`error banner shows: ${text}`);
      await page.goBack();
      await waitForView('chain', new RegExp(`^#/chain/${escapeRe(encodeURIComponent(chainId))}$`));
      return `${paths.length} governed parameters`;
    }],
    [`identities of ${chainId} resolve to W3C DID documents`, async () => {
      await page.click('#identities-link');
      await waitForView('identities', new RegExp(`^#/identities/${escapeRe(encodeURIComponent(chainId))}$`));
      await page.waitForSelector('#identities tbody tr[data-address]', { timeout: STEP_TIMEOUT_MS });
      const address = await page.locator('#identities tbody tr[data-address]').first().getAttribute('data-address');
      await page.locator('#identities tbody tr[data-address] a.identity-link').first().click();
      await waitForView('identity', new RegExp(`^#/identity/${escapeRe(encodeURIComponent(chainId))}/`));
      const did = (await page.textContent('#did')).trim();
      if (did !== `did:trib:${chainId}:${address}`) throw new Error(`#did shows ${JSON.stringify(did)}`);
      if (!(await page.$('#keys tbody tr[data-key-id="owner"]'))) throw new Error('the document lists no owner key');
      const doc = JSON.parse(await page.textContent('#did-document'));
      if (doc.id !== did || !Array.isArray(doc['@context'])) throw new Error(`not a DID document: ${JSON.stringify(doc).slice(0, 200)}`);
      const text = await bannerText();
      if (text) throw new Error(`error banner shows: ${text}`);
      await page.goBack();
      await page.goBack();
      await waitForView('chain', new RegExp(`^#/chain/${escapeRe(encodeURIComponent(chainId))}$`));
      return `${did.slice(0, 40)}… with ${doc.verificationMethod.length} key(s)`;
    }],
    ['first block opens with its hash', async () => {
      const first = page.locator('#blocks tbody tr[data-height]').first();
      block.height = await first.getAttribute('data-height');
      block.hash = await first.getAttribute('data-hash');
      // The list refreshes every 2 s: open the block by its link's address.
      const href = await first.locator('a.block-link').getAttribute('href');
      await page.evaluate((h) => { location.hash = h; }, href);
      await waitForView('block', new RegExp(`^#/block/${escapeRe(encodeURIComponent(chainId))}/${block.height}$`));
      const shown = (await page.textContent('#block-hash')).trim();
      if (!/^[0-9a-f]{64}$/.test(shown)) throw new Error(`#block-hash shows ${JSON.stringify(shown)}`);
      if (shown !== block.hash) throw new Error(`#block-hash ${shown} differs from the listed hash ${block.hash}`);
      const height = (await page.textContent('#block-height')).trim();
      if (height !== block.height) throw new Error(`#block-height ${height}, expected ${block.height}`);
      const txs = await page.$$eval('#txs tbody tr[data-tx-hash]', (rs) => rs.length);
      const text = await bannerText();
      if (text) throw new Error(`error banner shows: ${text}`);
      return `${chainId} block ${block.height} ${block.hash.slice(0, 16)}…, ${txs} txs`;
    }],
    ['search by block hash finds the block', async () => {
      await page.goto(`${base}/explorer#/`, { waitUntil: 'load' });
      await waitForView('dashboard', /^(#\/?)?$/);
      await page.fill('#search-input', block.hash);
      await page.press('#search-input', 'Enter');
      await waitForView('block', new RegExp(`^#/block/${escapeRe(encodeURIComponent(chainId))}/${block.height}$`));
      const shown = (await page.textContent('#block-hash')).trim();
      if (shown !== block.hash) throw new Error(`search landed on a block showing ${shown}`);
      return `→ ${await page.evaluate(() => location.hash)}`;
    }],
    ['search by height finds a block at that height', async () => {
      await page.fill('#search-input', String(block.height));
      await page.press('#search-input', 'Enter');
      // The first hit may be another chain with the same height; the page must land on that height.
      await page.waitForFunction((h) => /^#\/block\/[^/]+\/(\d+)$/.exec(location.hash)?.[1] === h
        && document.getElementById('view').dataset.ready === 'true'
        && document.getElementById('block-height')?.textContent.trim() === h
        && /^[0-9a-f]{64}$/.test(document.getElementById('block-hash')?.textContent.trim() || ''), String(block.height), { timeout: STEP_TIMEOUT_MS });
      const text = await bannerText();
      if (text) throw new Error(`error banner shows: ${text}`);
      return `→ ${await page.evaluate(() => location.hash)} ${(await page.textContent('#block-hash')).trim().slice(0, 16)}…`;
    }],
    ['search by chain id opens the chain', async () => {
      await page.fill('#search-input', chainId);
      await page.press('#search-input', 'Enter');
      await waitForView('chain', new RegExp(`^#/chain/${escapeRe(encodeURIComponent(chainId))}$`));
      return `→ ${await page.evaluate(() => location.hash)}`;
    }],
  );
  if (opts.address) {
    steps.push([`account page lists ${opts.address} on every expected chain`, async () => {
      await page.fill('#search-input', opts.address);
      await page.press('#search-input', 'Enter');
      await waitForView('account', new RegExp(`^#/account/${escapeRe(encodeURIComponent(opts.address))}$`));
      const rows = await page.$$eval('#account tbody tr[data-chain-id]', (rs) => rs.map((r) => ({
        id: r.dataset.chainId,
        ok: r.dataset.ok,
        nonce: r.querySelector('[data-col=nonce]').textContent.trim(),
        balances: r.querySelectorAll('[data-col=balances] [data-denom]').length,
      })));
      const missing = opts.chains.filter((id) => !rows.some((r) => r.id === id && r.ok === 'true'));
      if (missing.length) throw new Error(`no answering row for ${missing.join(', ')}; rows: ${JSON.stringify(rows)}`);
      const text = await bannerText();
      if (text) throw new Error(`error banner shows: ${text}`);
      return rows.map((r) => `${r.id} nonce ${r.nonce}, ${r.balances} denoms`).join('; ');
    }]);
  }
  steps.push(['no script errors in the page', async () => {
    if (pageErrors.length) throw new Error(pageErrors.slice(0, 5).join(' | '));
    return 'none';
  }]);

  for (const [name, fn] of steps) {
    if (!(await step(name, fn))) return finish(1);
  }
  return finish(0);
}

main().catch((e) => {
  record('unexpected failure', false, e && e.stack ? e.stack.split('\n').slice(0, 4).join(' | ') : String(e));
  return finish(1);
}).finally(() => clearTimeout(overall));
