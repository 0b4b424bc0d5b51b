#!/usr/bin/env node
// Headless-Chromium check of the gateway's web explorer (GET /explorer).
//
//   node check.mjs --url http://127.0.0.1:PORT --screenshot OUT.png \
//     --expect-chain ID [--expect-chain ID ...] [--address trib1...] \
//     [--map-screenshot MAP.png] [--charts-screenshot CHARTS.png] [--handshake DIR]
//
// Opens URL/explorer in Debian's Chromium ($CHROMIUM, else /usr/bin/chromium)
// with a fresh profile, waits until the chains table lists every expected
// chain as `up` with a height, screenshots the page and checks the picture is
// not blank, then walks chain → block → search (→ account). With the
// screenshots of the map and the charts asked for, it goes on to every other
// page: the network map against the chains and channels the gateway
// reports, the charts against the blocks and node stats the gateway
// reports, a child chain's committee and anchoring, a validator's stake and
// duties, an account's history on every chain, a transaction's details, and
// search for a validator and a transfer. With --handshake DIR, once the map's
// packet subscription is open it writes DIR/map-open and waits for the
// caller to send a transfer and write DIR/transfer.json
// ({id, sourceChain, destinationChain, channel, sequence}); the map must
// then show that packet's send, receipt and acknowledgement on its channel.
// Every request the page makes must stay on the gateway's origin. Prints one
// JSON line `{ok, checks:[{name, ok, detail}], screenshot}` and exits 0 only
// when every check passed. Every wait is bounded; the whole run is too.
import { chromium } from 'playwright-core';
import path from 'node:path';
import fs from 'node:fs';

const STEP_TIMEOUT_MS = 30_000;
const OVERALL_TIMEOUT_MS = 240_000;
/** How long the caller may take to send the transfer after the map is open. */
const HANDSHAKE_TIMEOUT_MS = 90_000;
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

function parseArgs(argv) {
  const out = { url: null, screenshot: null, chains: [], address: null, mapScreenshot: null, chartsScreenshot: null, handshake: null };
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
    else if (a === '--map-screenshot') out.mapScreenshot = value();
    else if (a === '--charts-screenshot') out.chartsScreenshot = value();
    else if (a === '--handshake') out.handshake = value();
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
/** Every URL the page asked for (requests and WebSockets). */
const requested = [];

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

/** Ask the gateway directly (not through the page): what the page must agree with. */
async function ask(query, variables) {
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables: variables || {} }),
    signal: AbortSignal.timeout(STEP_TIMEOUT_MS),
  });
  const body = await response.json();
  if (body.errors && body.errors.length) throw new Error(`the gateway answered errors: ${JSON.stringify(body.errors).slice(0, 300)}`);
  return body.data;
}

/** Every channel the gateway reports, as the map keys it: "chain/channel|chain/channel", both ends sorted. */
async function channelKeys(chainIds) {
  const keys = new Set();
  for (const id of chainIds) {
    const data = await ask('query($id: String!) { chain(id: $id) { ibcChannels { channelId counterpartyChannel clientId } ibcClients { clientId chainId } } }', { id });
    const clients = new Map(data.chain.ibcClients.map((c) => [c.clientId, c.chainId]));
    for (const ch of data.chain.ibcChannels) {
      const other = clients.get(ch.clientId);
      if (other && chainIds.includes(other)) keys.add([`${id}/${ch.channelId}`, `${other}/${ch.counterpartyChannel}`].sort().join('|'));
    }
  }
  return keys;
}

/** Wait (bounded) until `file` exists and parses as JSON. */
async function waitForFile(file, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`${file} did not appear within ${timeoutMs / 1000} s (${e.message})`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
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
  page.on('request', (r) => requested.push(r.url()));
  page.on('websocket', (ws) => requested.push(ws.url()));
  fs.mkdirSync(path.dirname(screenshot), { recursive: true });

  const steps = [
    ['open /explorer', async () => {
      const response = await page.goto(`${base}/explorer`, { waitUntil: 'load', timeout: STEP_TIMEOUT_MS });
      if (!response) throw new Error('no response');
      if (!response.ok()) throw new Error(`GET /explorer answered HTTP ${response.status()}`);
      const title = await page.textContent('header h1');
      if (!/Tributary explorer/.test(title || '')) throw new Error(`header is ${JSON.stringify(title)}`);
      const policy = response.headers()['content-security-policy'] || '';
      if (!/script-src 'self'/.test(policy) || !/default-src 'self'/.test(policy)) throw new Error(`Content-Security-Policy is ${JSON.stringify(policy)}`);
      return `HTTP ${response.status()}, ${response.headers()['content-type'] || 'no content-type'}, CSP ${policy.split(';')[0]}`;
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
  if (opts.mapScreenshot && opts.chartsScreenshot) {
    const hub = (await ask('{ chains { id kind } }')).chains.find((c) => c.kind === 'hub');
    const child = opts.chains.find((id) => id !== hub.id);
    let transfer = null;
    steps.push(
      ['the network map shows every chain and channel the gateway reports', async () => {
        await page.click('#nav-map');
        await waitForView('map', /^#\/map$/);
        await page.waitForFunction(() => document.getElementById('map-stream')?.dataset.state === 'open', null, { timeout: STEP_TIMEOUT_MS });
        const chains = (await ask('{ chains { id status } }')).chains.filter((c) => c.status === 'up').map((c) => c.id);
        const expected = await channelKeys(chains);
        const shown = await page.$$eval('#network-map path.channel', (ps) => ps.map((p) => p.dataset.channelKey));
        const nodes = await page.$$eval('#network-map .map-node', (ns) => ns.map((n) => n.dataset.chainId));
        const missingChains = chains.filter((id) => !nodes.includes(id));
        if (missingChains.length) throw new Error(`the map lacks chains ${missingChains.join(', ')}; it shows ${nodes.join(', ')}`);
        for (const id of opts.chains) if (!nodes.includes(id)) throw new Error(`the map lacks ${id}`);
        const missing = [...expected].filter((k) => !shown.includes(k));
        const extra = shown.filter((k) => !expected.has(k));
        if (missing.length || extra.length || !expected.size) {
          throw new Error(`channels differ: missing ${JSON.stringify(missing)}, extra ${JSON.stringify(extra)}, gateway ${JSON.stringify([...expected])}`);
        }
        const serves = await page.$eval('#map-relayer', (r) => Number(r.dataset.serves));
        const served = new Set([...expected].flatMap((k) => k.split('|').map((end) => end.split('/')[0])));
        if (serves !== served.size) throw new Error(`the relayer is drawn serving ${serves} chains; channels join ${served.size}`);
        return `${nodes.length} chains, ${shown.length} channels (${shown.join(', ')}), relayer serving ${serves}`;
      }],
    );
    if (opts.handshake) {
      steps.push(['a transfer sent while the map is open moves along its channel', async () => {
        fs.writeFileSync(path.join(opts.handshake, 'map-open'), 'open\n');
        // The first packet in flight, caught as it moves: the picture for the README.
        await page.waitForFunction(() => [...document.querySelectorAll('#map-dots circle.packet-dot')]
          .some((d) => Number(d.dataset.progress) >= 0.4 && Number(d.dataset.progress) < 1), null, { timeout: HANDSHAKE_TIMEOUT_MS, polling: 'raf' });
        const shot = await page.locator('#map').screenshot({ path: path.resolve(opts.mapScreenshot) });
        transfer = await waitForFile(path.join(opts.handshake, 'transfer.json'), HANDSHAKE_TIMEOUT_MS);
        const row = (kind, chain) => `#packet-log tbody tr[data-kind="${kind}"][data-chain-id="${cssString(chain)}"][data-sequence="${transfer.sequence}"][data-source-channel="${cssString(transfer.channel)}"][data-on-map="true"]`;
        await page.waitForSelector(row('recv_packet', transfer.destinationChain), { timeout: STEP_TIMEOUT_MS * 2 });
        await page.waitForSelector(row('acknowledge_packet', transfer.sourceChain), { timeout: STEP_TIMEOUT_MS * 2 });
        if (!(await page.$(row('send_packet', transfer.sourceChain)))) throw new Error('the log lacks the send_packet event');
        const key = [`${transfer.sourceChain}/${transfer.channel}`, `${transfer.destinationChain}/${transfer.destinationChannel}`].sort().join('|');
        const packets = await page.$eval(`#network-map path.channel[data-channel-key="${cssString(key)}"]`, (p) => Number(p.dataset.packets));
        if (packets < 3) throw new Error(`channel ${key} counted ${packets} packet events, expected at least 3`);
        const relayers = await page.$eval('#map-relayer', (r) => r.dataset.accounts || '');
        if (!/^trib1/.test(relayers)) throw new Error(`the relayer box names no account: ${JSON.stringify(relayers)}`);
        return `transfer ${transfer.id}: send, receive, acknowledge on ${key} (${packets} events), relayer ${relayers.slice(0, 20)}…, map ${shot.length} bytes`;
      }]);
    } else {
      steps.push(['map screenshot', async () => {
        const shot = await page.locator('#map').screenshot({ path: path.resolve(opts.mapScreenshot) });
        return `${shot.length} bytes`;
      }]);
    }
    steps.push(
      [`charts of ${hub.id} draw one point a block fetched, as the gateway reports them`, async () => {
        await page.evaluate((h) => { location.hash = h; }, `#/charts/${encodeURIComponent(hub.id)}`);
        await waitForView('charts', new RegExp(`^#/charts/${escapeRe(encodeURIComponent(hub.id))}$`));
        const text = await bannerText();
        if (text) throw new Error(`error banner shows: ${text}`);
        const drawn = await page.evaluate(() => {
          const box = document.getElementById('charts');
          const chart = (id) => {
            const svg = document.querySelector(`svg[data-chart="${id}"]`);
            const path = svg.querySelector('path.line');
            return {
              points: Number(svg.dataset.points), first: Number(svg.dataset.first), last: Number(svg.dataset.last),
              commands: path ? (path.getAttribute('d').match(/[ML]/g) || []).length : 0,
              bars: [...svg.querySelectorAll('g.bars rect')].map((r) => [Number(r.dataset.x), Number(r.dataset.y)]),
            };
          };
          return { blocks: Number(box.dataset.blocks), stats: Number(box.dataset.stats), time: chart('block-time'), txs: chart('txs'), finality: chart('finality'), mempool: chart('mempool') };
        });
        const n = drawn.blocks;
        if (n < 10) throw new Error(`only ${n} blocks charted`);
        if (drawn.txs.points !== n || drawn.txs.bars.length !== n) throw new Error(`transactions chart has ${drawn.txs.points} points / ${drawn.txs.bars.length} bars for ${n} blocks`);
        const times = drawn.txs.first === 1 ? n - 1 : n;
        if (drawn.time.points !== times || drawn.time.commands !== times) throw new Error(`block-time chart has ${drawn.time.points} points (${drawn.time.commands} drawn), expected ${times}`);
        if (drawn.finality.points !== drawn.stats || drawn.finality.commands !== drawn.stats || drawn.mempool.points !== drawn.stats) {
          throw new Error(`finality/mempool charts have ${drawn.finality.points}/${drawn.mempool.points} points for ${drawn.stats} stats`);
        }
        if (drawn.stats < 10) throw new Error(`only ${drawn.stats} node stats charted`);
        // The bars are the blocks' own transaction counts, height by height.
        const counts = new Map();
        let after = null;
        while (counts.size < n) {
          const data = await ask('query($id: String!, $min: Int!, $max: Int!, $after: String) { chain(id: $id) { blocksConnection(first: 100, after: $after, minHeight: $min, maxHeight: $max) { edges { node { height txCount } } pageInfo { hasNextPage endCursor } } } }',
            { id: hub.id, min: drawn.txs.first, max: drawn.txs.last, after });
          const conn = data.chain.blocksConnection;
          conn.edges.forEach((e) => counts.set(e.node.height, e.node.txCount));
          if (!conn.pageInfo.hasNextPage) break;
          after = conn.pageInfo.endCursor;
        }
        const wrong = drawn.txs.bars.filter(([h, y]) => counts.get(h) !== y);
        if (wrong.length || counts.size !== n) throw new Error(`bars differ from the blocks at ${JSON.stringify(wrong.slice(0, 5))} (${counts.size} blocks read)`);
        // Finality as the node recorded it for the same heights.
        const stats = (await ask('query($id: String!) { chain(id: $id) { recentBlockStats(last: 1024) { height finalityMs } } }', { id: hub.id })).chain.recentBlockStats;
        const byHeight = new Map(stats.map((s) => [s.height, s.finalityMs]));
        const shownFinality = await page.$$eval('svg[data-chart="finality"]', (svgs) => svgs.map((s) => [Number(s.dataset.first), Number(s.dataset.last)]));
        const [f0, f1] = shownFinality[0];
        for (let h = f0; h <= f1; h++) {
          const v = byHeight.get(h);
          if (v === undefined) throw new Error(`the node has no stat for height ${h} it charted`);
          if (!(v >= 0 && v < 60_000)) throw new Error(`finality of block ${h} is ${v} ms`);
        }
        const shot = await page.locator('#charts').screenshot({ path: path.resolve(opts.chartsScreenshot) });
        return `${n} blocks (#${drawn.txs.first}-#${drawn.txs.last}), ${times} block times, ${drawn.stats} finality/mempool points; charts ${shot.length} bytes`;
      }],
      [`chain page of ${child} shows its committee, term and anchoring on the hub`, async () => {
        await page.evaluate((h) => { location.hash = h; }, `#/chain/${encodeURIComponent(child)}`);
        await waitForView('chain', new RegExp(`^#/chain/${escapeRe(encodeURIComponent(child))}$`));
        await page.waitForSelector('#committee tbody tr[data-address]');
        const committee = (await ask('query($id: String!) { chain(id: $id) { committee { term active { address power } } } }', { id: child })).chain.committee;
        const shown = await page.$$eval('#committee tbody tr[data-address]', (rs) => rs.map((r) => r.dataset.address));
        const expected = committee.active.map((m) => m.address);
        if (JSON.stringify([...shown].sort()) !== JSON.stringify([...expected].sort())) throw new Error(`committee ${JSON.stringify(shown)}, API ${JSON.stringify(expected)}`);
        const term = (await page.textContent('#committee-term')).trim();
        if (term !== String(committee.term)) throw new Error(`term ${term}, API ${committee.term}`);
        const anchored = await page.$eval('#anchoring', (a) => Number(a.dataset.anchoredHeight));
        const record = (await ask('query($hub: String!, $c: String!) { chain(id: $hub) { childChain(id: $c) { anchoredHeight } } }', { hub: hub.id, c: child })).chain.childChain;
        if (!(anchored > 0 && anchored <= record.anchoredHeight)) throw new Error(`anchored height ${anchored}, the hub now says ${record.anchoredHeight}`);
        const anchors = await page.$$eval('#anchors tbody tr[data-height]', (rs) => rs.length);
        if (!anchors) throw new Error('no anchored header listed');
        return `${shown.length} members, term ${term}, anchored at ${anchored} (hub now ${record.anchoredHeight}), ${anchors} anchors listed`;
      }],
      ['search finds a validator, whose page shows its stake, duties and committees as the API reports them', async () => {
        const q = 'query($hub: String!) { chain(id: $hub) { validators { address selfBond delegated power windowDuties windowMissed } childChains { chainId committee { address } } } }';
        const before = (await ask(q, { hub: hub.id })).chain;
        const v = before.validators[0];
        await page.fill('#search-input', v.address);
        await page.press('#search-input', 'Enter');
        await waitForView('validator', new RegExp(`^#/validator/${escapeRe(encodeURIComponent(v.address))}$`));
        const text = await bannerText();
        if (text) throw new Error(`error banner shows: ${text}`);
        const shown = await page.evaluate(() => ({
          selfBond: document.getElementById('validator-self-bond').textContent.trim(),
          delegated: document.getElementById('validator-delegated').textContent.trim(),
          stake: document.getElementById('validator-stake').textContent.trim(),
          missed: Number(document.getElementById('validator-missed').dataset.missed),
          duties: Number(document.getElementById('validator-missed').dataset.duties),
          committees: [...document.querySelectorAll('#validator-committees tbody tr[data-chain-id]')].map((r) => r.dataset.chainId),
        }));
        if (shown.selfBond !== v.selfBond || shown.delegated !== v.delegated) throw new Error(`shows ${JSON.stringify(shown)}, API ${JSON.stringify(v)}`);
        if (shown.stake !== String(BigInt(v.selfBond) + BigInt(v.delegated))) throw new Error(`stake ${shown.stake}`);
        const after = (await ask(q, { hub: hub.id })).chain.validators.find((x) => x.address === v.address);
        // The window moves on (and restarts) while we look: the page's count is one the API had between the two reads.
        const between = (x) => (v.windowDuties <= after.windowDuties ? x >= v.windowDuties && x <= after.windowDuties : true);
        if (!between(shown.duties) || shown.missed > shown.duties) throw new Error(`duties ${shown.missed}/${shown.duties}, API before ${v.windowMissed}/${v.windowDuties}, after ${after.windowMissed}/${after.windowDuties}`);
        const sits = [hub.id, ...before.childChains.filter((c) => c.committee.some((m) => m.address === v.address)).map((c) => c.chainId)];
        for (const id of sits) if (!shown.committees.includes(id)) throw new Error(`committees ${JSON.stringify(shown.committees)} lack ${id}`);
        return `stake ${shown.stake} (${shown.selfBond} + ${shown.delegated}), missed ${shown.missed} of ${shown.duties}, sits on ${shown.committees.join(', ')}`;
      }],
    );
    if (opts.address) {
      steps.push([`account page lists ${opts.address}'s history on every chain, and a transaction opens with its details`, async () => {
        await page.evaluate((h) => { location.hash = h; }, `#/account/${encodeURIComponent(opts.address)}`);
        await waitForView('account', new RegExp(`^#/account/${escapeRe(encodeURIComponent(opts.address))}$`));
        await page.waitForFunction((ids) => ids.every((id) => document.getElementById('history-' + id)?.dataset.loaded === 'true'), opts.chains, { timeout: STEP_TIMEOUT_MS });
        const counts = {};
        for (const id of opts.chains) {
          const data = await ask('query($c: String!, $a: String!) { history(chainId: $c, address: $a, first: 10) { edges { node { hash } } } }', { c: id, a: opts.address });
          const expected = data.history.edges.map((e) => e.node.hash);
          const shown = await page.$$eval(`#history-${cssString(id)} tbody tr[data-tx-hash]`, (rs) => rs.map((r) => r.dataset.txHash));
          // Nothing touches the address while the check runs (the transfer to it is settled before).
          if (shown.join() !== expected.join()) throw new Error(`${id}: the page lists ${JSON.stringify(shown)}, the gateway ${JSON.stringify(expected)}`);
          counts[id] = shown.length;
        }
        const any = Object.entries(counts).find(([, n]) => n > 0);
        if (!any) throw new Error(`no history anywhere: ${JSON.stringify(counts)}`);
        const [chainId] = any;
        const hash = await page.$eval(`#history-${cssString(chainId)} tbody tr[data-tx-hash]`, (r) => r.dataset.txHash);
        await page.click(`#history-${cssString(chainId)} tbody tr[data-tx-hash="${hash}"] a`);
        await waitForView('tx', new RegExp(`^#/tx/${escapeRe(encodeURIComponent(chainId))}/${hash}$`));
        const shownHash = (await page.textContent('#tx-hash')).trim();
        if (shownHash !== hash) throw new Error(`#tx-hash ${shownHash}`);
        const tx = (await ask('query($c: String!, $h: String!) { chain(id: $c) { tx(hash: $h) { kind receipt { events { kind } } } } }', { c: chainId, h: hash })).chain.tx;
        const kind = await page.$eval('#tx-fields td[data-field=kind]', (td) => td.textContent.trim());
        const events = await page.$$eval('#events .event', (es) => es.map((e) => e.dataset.kind));
        if (kind !== tx.kind || events.join() !== tx.receipt.events.map((e) => e.kind).join()) throw new Error(`shows ${kind} ${events}, API ${tx.kind} ${tx.receipt.events.map((e) => e.kind)}`);
        return `${Object.entries(counts).map(([k, n]) => `${k}: ${n}`).join(', ')}; tx ${hash.slice(0, 12)}… ${kind} with ${events.length} events`;
      }]);
    }
    steps.push(['search by transfer id shows the transfer hop by hop', async () => {
      let id = transfer && transfer.id;
      if (!id) {
        const listed = (await ask('{ transfers(first: 1) { edges { node { id } } } }')).transfers.edges;
        if (!listed.length) return 'no transfer on this network to search for';
        id = listed[0].node.id;
      }
      await page.fill('#search-input', id);
      await page.press('#search-input', 'Enter');
      await waitForView('transfer', new RegExp(`^#/transfer/${id.split('/').map((p) => escapeRe(encodeURIComponent(p))).join('/')}$`));
      const api = (await ask('query($t: String!) { transfer(id: $t) { status hops { chainId step txHash } } }', { t: id })).transfer;
      const hops = await page.$$eval('#hops tbody tr[data-step]', (rs) => rs.map((r) => `${r.dataset.chainId}:${r.dataset.step}`));
      const expected = api.hops.map((h) => `${h.chainId}:${h.step}`);
      if (hops.join() !== expected.join()) throw new Error(`hops ${JSON.stringify(hops)}, API ${JSON.stringify(expected)}`);
      if (transfer && hops.length !== 3) throw new Error(`an acknowledged transfer has 3 hops, the page shows ${hops.length}`);
      const status = await page.$eval('#transfer-status', (s) => s.dataset.status);
      return `${id}: ${status}, ${hops.join(' → ')}`;
    }]);
  }
  steps.push(['every request stayed on the gateway', async () => {
    const origin = new URL(base);
    const away = requested.filter((u) => {
      const url = new URL(u);
      // data: is the page's own (empty) favicon, no fetch.
      return url.protocol !== 'data:' && (url.host !== origin.host || !['http:', 'ws:', 'https:', 'wss:'].includes(url.protocol));
    });
    if (away.length) throw new Error(`the page asked ${away.slice(0, 5).join(', ')}`);
    const modules = [...new Set(requested.filter((u) => /\/explorer\/[a-z]+\.js$/.test(u)).map((u) => new URL(u).pathname))];
    return `${requested.length} requests to ${origin.host} (modules ${modules.join(', ')})`;
  }]);
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
