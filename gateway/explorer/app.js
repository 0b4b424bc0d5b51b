// The explorer: routes (#/chain/ID, #/block/ID/HEIGHT, …), one render
// function a page, each reading the gateway's GraphQL at this origin.
// Served by the gateway with the modules it imports; nothing else loads.
import {
  el, append, clear, route, link, mono, short, badge, fmtTime, fmtSpan, table, fieldsTable,
  chainLink, addressLink, validatorLink, transferHref, item,
} from '/explorer/dom.js';
import { gql, chainQuery } from '/explorer/graphql.js';
import { mountMap } from '/explorer/map.js';
import { chart } from '/explorer/charts.js';

// ---------------------------------------------------------------- banners

var errorBox = document.getElementById('error');
var noticeBox = document.getElementById('notice');

function showError(messages) {
  var list = (Array.isArray(messages) ? messages : [messages]).filter(Boolean).map(String);
  if (!list.length) { hideError(); return; }
  errorBox.textContent = list.join('\n');
  errorBox.hidden = false;
}

function hideError() { errorBox.textContent = ''; errorBox.hidden = true; }

function showNotice(content) {
  clear(noticeBox);
  append(noticeBox, content);
  noticeBox.hidden = false;
}

function hideNotice() { clear(noticeBox); noticeBox.hidden = true; }

// ---------------------------------------------------------------- routing

var view = document.getElementById('view');
var renderToken = 0;
var refreshTimer = null;
/** What the current view must stop when another replaces it (the map's subscription). */
var cleanup = null;
var keepNotice = false;

function parseRoute() {
  var hash = location.hash.replace(/^#\/?/, '');
  var parts = hash.split('/').filter(function (p, i) { return p !== '' || i === 0; }).map(function (p) {
    try { return decodeURIComponent(p); } catch (_) { return p; }
  });
  return { name: parts[0] || '', args: parts.slice(1) };
}

function stopRefresh() {
  if (refreshTimer) { clearInterval(refreshTimer); refreshTimer = null; }
  if (cleanup) { var stop = cleanup; cleanup = null; stop(); }
}

/** Start a view: returns a function telling whether this render is still the current one. */
function begin(name, title) {
  var token = ++renderToken;
  stopRefresh();
  view.dataset.view = name;
  view.dataset.ready = 'false';
  document.title = title ? title + ' · Tributary explorer' : 'Tributary explorer';
  return function () { return token === renderToken; };
}

function setView(content) {
  clear(view);
  append(view, content);
}

function ready() { view.dataset.ready = 'true'; }

function render() {
  hideError();
  if (!keepNotice) hideNotice();
  keepNotice = false;
  var r = parseRoute();
  var a = r.args;
  switch (r.name) {
    case '': return renderDashboard();
    case 'chain': return a[0] ? renderChain(a[0]) : renderDashboard();
    case 'block': return renderBlock(a[0], a[1]);
    case 'tx': return renderTx(a[0], a[1]);
    case 'account': return renderAccount(a[0]);
    case 'transfer': return renderTransfer(a.join('/'));
    case 'governance': return renderGovernance(a[0]);
    case 'identities': return renderIdentities(a[0]);
    case 'identity': return renderIdentity(a[0], a[1]);
    case 'map': return renderMap();
    case 'charts': return renderCharts(a[0]);
    case 'validator': return renderValidator(a[0]);
    default:
      begin('not-found', 'Not found');
      showError('Unknown page: ' + location.hash);
      setView(el('p', null, 'No such page. ', link('#/', 'Back to the chains')));
      ready();
  }
}

function loading(what) { return el('p', { class: 'muted' }, 'Loading ' + what + '…'); }

// ---------------------------------------------------------------- dashboard

function renderDashboard() {
  var current = begin('dashboard', 'Chains');
  var tbody = el('tbody');
  var tableEl = el('table', { id: 'chains' },
    el('thead', null, el('tr', null, ['Chain', 'Kind', 'Template', 'Height', 'Status'].map(function (h) { return el('th', null, h); }))),
    tbody);
  var updated = el('span', { id: 'updated', class: 'muted small' }, 'loading…');
  var transferInput = el('input', { id: 'transfer-input', placeholder: 'SOURCE_CHAIN/CHANNEL/SEQUENCE, e.g. tributary-devnet/channel-0/1', 'aria-label': 'Transfer id' });
  var transferForm = el('form', { class: 'inline', id: 'transfer-form' }, transferInput, el('button', { type: 'submit' }, 'Show transfer'));
  transferForm.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var id = transferInput.value.trim();
    if (id) location.hash = transferHref(id);
  });
  var transfersBox = el('div', { id: 'recent-transfers' }, el('p', { class: 'muted' }, 'Loading transfers…'));
  setView([
    el('h2', null, 'Chains'),
    el('p', { class: 'muted small' }, 'The hub and every child chain the gateway knows, refreshed every 2 s. ', updated),
    el('div', { class: 'panel' }, tableEl),
    el('h3', null, 'Recent cross-chain transfers'),
    transfersBox,
    el('p', { class: 'muted small' }, 'Follow a transfer by its source chain, channel and packet sequence:'),
    transferForm
  ]);

  var transfersRunning = false;
  function refreshTransfers() {
    if (transfersRunning) return;
    transfersRunning = true;
    gql('{ transfers(first: 10) { edges { node { id sourceChain destinationChain sequence sender receiver denom amount status } } } }').then(function (res) {
      transfersRunning = false;
      if (!current()) return;
      var edges = res.data && res.data.transfers && res.data.transfers.edges;
      clear(transfersBox);
      // Shown here rather than in the page banner: the chains above stay readable.
      if (res.errors.length) transfersBox.appendChild(el('div', { class: 'banner error-box', id: 'transfers-error' }, res.errors.join('\n')));
      if (!edges) return;
      var rows = edges.map(function (e) {
        var t = e.node;
        return el('tr', { dataset: { transferId: t.id, status: t.status } },
          el('td', null, link(transferHref(t.id), t.id, { class: 'mono' })),
          el('td', null, chainLink(t.sourceChain), ' → ', chainLink(t.destinationChain)),
          el('td', { class: 'mono' }, t.amount ? t.amount + ' ' + (t.denom || '') : '—'),
          el('td', null, t.receiver ? addressLink(t.receiver) : '—'),
          el('td', null, badge(t.status)));
      });
      transfersBox.appendChild(table('transfers', ['Transfer', 'Path', 'Amount', 'Receiver', 'Status'], rows, 'No cross-chain transfer yet.'));
    });
  }

  var running = false;
  function refresh() {
    if (running) return;
    running = true;
    gql('{ chains { id kind template graphql status height error } }').then(function (res) {
      running = false;
      if (!current()) return;
      if (res.errors.length) showError(res.errors); else hideError();
      var chains = res.data && res.data.chains;
      if (!chains) {
        updated.textContent = 'Last attempt failed at ' + new Date().toLocaleTimeString() + '; retrying.';
        ready();
        return;
      }
      clear(tbody);
      chains.forEach(function (c) {
        var statusCell = el('td', { dataset: { col: 'status', status: c.status } }, badge(c.status));
        if (c.error) statusCell.appendChild(el('div', { class: 'small muted why' }, c.error));
        tbody.appendChild(el('tr', { dataset: { chainId: c.id, status: c.status } },
          el('td', { dataset: { col: 'id' } }, link(route('chain', c.id), c.id, { class: 'mono' })),
          el('td', { dataset: { col: 'kind' } }, c.kind),
          el('td', { dataset: { col: 'template' } }, c.template || el('span', { class: 'muted' }, '—')),
          el('td', { dataset: { col: 'height' } }, c.height === null || c.height === undefined ? '—' : String(c.height)),
          statusCell));
      });
      if (!chains.length) tbody.appendChild(el('tr', null, el('td', { colspan: 5, class: 'muted' }, 'The gateway knows no chain yet.')));
      updated.textContent = 'Updated ' + new Date().toLocaleTimeString() + '.';
      ready();
    });
  }
  refresh();
  refreshTransfers();
  var ticks = 0;
  refreshTimer = setInterval(function () {
    refresh();
    if (++ticks % 5 === 0) refreshTransfers();
  }, 2000);
}

// ---------------------------------------------------------------- chain

var hubIdPromise = null;

/** The hub's chain id, read once (the gateway's `chains` asks every chain, so not on every refresh). */
function hubId() {
  if (!hubIdPromise) {
    hubIdPromise = gql('{ chains { id kind } }').then(function (res) {
      var hub = ((res.data && res.data.chains) || []).filter(function (c) { return c.kind === 'hub'; })[0];
      if (!hub) hubIdPromise = null;
      return hub ? hub.id : null;
    });
  }
  return hubIdPromise;
}

function chainSummary(c) {
  var s = c.status || {};
  return el('div', { class: 'summary', id: 'chain-summary', dataset: { chainId: c.id } },
    item('Chain', mono(c.id)),
    item('Kind', c.kind || '—'),
    item('Template', c.template || '—'),
    item('Height', s.height === null || s.height === undefined ? '—' : String(s.height), 'chain-height'),
    item('Mempool', c.chain ? String(c.chain.mempoolSize) : '—', 'chain-mempool'),
    item('Status', badge(s.status)));
}

function memberRows(members, extra) {
  return (members || []).map(function (m) {
    return el('tr', { dataset: { address: m.address } },
      el('td', null, validatorLink(m.address, m.address)),
      el('td', { dataset: { col: 'power' } }, String(m.power)),
      extra ? el('td', null, extra(m)) : null);
  });
}

/** A child chain's committee (from the child) and its anchoring on the hub (from the hub's registry). */
function childSections(c, record, hubChain) {
  var committee = c.committee;
  var pendingDiffers = committee && JSON.stringify((committee.pending || []).map(function (m) { return m.address; })) !==
    JSON.stringify((committee.active || []).map(function (m) { return m.address; }));
  var height = c.status && c.status.height;
  var anchors = ((record && record.anchoredHeaders) || []).slice().reverse().map(function (a) {
    return el('tr', { dataset: { height: a.height, hubHeight: a.hubHeight } },
      el('td', null, link(route('block', c.id, a.height), String(a.height))),
      el('td', null, hubChain ? link(route('block', hubChain, a.hubHeight), String(a.hubHeight)) : String(a.hubHeight)),
      el('td', { class: 'mono' }, short(a.headerHash, 16)),
      el('td', { class: 'small' }, fmtTime(a.timeMs)));
  });
  return [
    el('h3', null, 'Committee'),
    committee ? el('p', { class: 'small muted' }, 'Drawn by the hub for term ', el('b', { id: 'committee-term' }, String(committee.term)),
      record ? ' (the hub has drawn up to term ' + record.term + '; term ' + record.adoptedTerm + ' certified the last anchored header).' : '.')
      : el('p', { class: 'muted' }, 'This chain reports no committee.'),
    committee ? table('committee', ['Validator', 'Power'], memberRows(committee.active), 'No active members.') : null,
    pendingDiffers ? [el('p', { class: 'small muted' }, 'Taking over from the next block (a hand-over is under way):'),
      table('committee-pending', ['Validator', 'Power'], memberRows(committee.pending), 'None.')] : null,
    el('h3', null, 'Anchoring on the hub'),
    record ? el('div', { class: 'summary', id: 'anchoring', dataset: { anchoredHeight: record.anchoredHeight, stalled: record.stalled } },
      item('Anchored height', String(record.anchoredHeight), 'anchored-height'),
      item('Behind the tip', height === null || height === undefined ? '—' : String(Math.max(0, height - record.anchoredHeight)) + ' blocks'),
      item('Anchoring', badge(record.shutDownHeight ? 'shut_down' : record.stalled ? 'stalled' : 'up')),
      item('Registered at hub height', String(record.registeredHeight)))
      : el('p', { class: 'muted', id: 'anchoring' }, 'The hub has no record of this chain (or did not answer).'),
    record ? table('anchors', ['Child height', 'Hub height', 'Header hash', 'Time'], anchors, 'No header anchored yet.') : null
  ];
}

/** The hub's validators and the child chains anchored on it. */
function hubSections(h) {
  var validators = (h.validators || []).slice().sort(function (a, b) { return b.power - a.power; }).map(function (v) {
    return el('tr', { dataset: { address: v.address, power: v.power } },
      el('td', null, validatorLink(v.address, v.address)),
      el('td', null, String(v.power)),
      el('td', { class: 'mono' }, v.selfBond),
      el('td', { class: 'mono' }, v.delegated),
      el('td', null, badge(v.tombstoned ? 'tombstoned' : v.jailed ? 'jailed' : v.active ? 'active' : 'inactive')));
  });
  var children = (h.childChains || []).map(function (r) {
    return el('tr', { dataset: { chainId: r.chainId } },
      el('td', null, chainLink(r.chainId)),
      el('td', null, String(r.anchoredHeight)),
      el('td', null, String(r.adoptedTerm) + ' / ' + String(r.term)),
      el('td', null, badge(r.shutDownHeight ? 'shut_down' : r.stalled ? 'stalled' : 'up')));
  });
  return [
    el('h3', null, 'Validators'),
    table('validators', ['Validator', 'Power', 'Self bond', 'Delegated', 'Status'], validators, 'No validators.'),
    el('h3', null, 'Child chains anchored here'),
    table('child-chains', ['Chain', 'Anchored height', 'Term (certifying / drawn)', 'Anchoring'], children, 'No child chain registered.')
  ];
}

function renderChain(id) {
  var current = begin('chain', id);
  setView(loading('chain ' + id));
  var query = chainQuery('', 'chain { mempoolSize } committee { term active { address power } pending { address power } } ' +
    'blocks(last: 20) { height hash txCount header { timeMs proposer } }');
  var hubQuery = chainQuery('', 'validators { address power active jailed tombstoned selfBond delegated } ' +
    'childChains { chainId anchoredHeight stalled shutDownHeight term adoptedTerm }');
  var anchorQuery = 'query($hub: String!, $child: String!) { chain(id: $hub) { childChain(id: $child, limit: 5) { ' +
    'anchoredHeight stalled shutDownHeight registeredHeight term adoptedTerm anchoredHeaders { height headerHash timeMs hubHeight } } } }';
  var running = false;
  function refresh(first) {
    if (running) return;
    running = true;
    gql(query, { id: id }).then(function (res) {
      var c = res.data && res.data.chain;
      if (!c) return [res, null, null];
      if (c.kind === 'hub') return gql(hubQuery, { id: id }).then(function (h) { return [res, h, id]; });
      return hubId().then(function (hub) {
        if (!hub) return [res, { data: null, errors: ['The gateway knows no hub yet.'] }, null];
        return gql(anchorQuery, { hub: hub, child: id }).then(function (a) { return [res, a, hub]; });
      });
    }).then(function (answers) {
      running = false;
      if (!current()) return;
      var res = answers[0];
      var more = answers[1];
      var errors = res.errors.concat(more ? more.errors : []);
      if (errors.length) showError(errors); else hideError();
      var c = res.data && res.data.chain;
      if (!c) {
        if (first || !view.querySelector('#blocks')) {
          setView(el('p', null, res.errors.length ? 'Could not load chain ' : 'The gateway knows no chain ', mono(id), '. ', link('#/', 'Back to the chains')));
          if (!res.errors.length) showError('No chain "' + id + '" is known to the gateway.');
        }
        ready();
        return;
      }
      if (c.status && c.status.error && !errors.length) showError(c.id + ' is ' + c.status.status + ': ' + c.status.error);
      var rows = (c.blocks || []).map(function (b) {
        return el('tr', { dataset: { height: b.height, hash: b.hash } },
          el('td', null, link(route('block', c.id, b.height), b.height, { class: 'block-link' })),
          el('td', null, link(route('block', c.id, b.height), short(b.hash, 16), { class: 'mono', title: b.hash })),
          el('td', { dataset: { col: 'txs' } }, String(b.txCount)),
          el('td', { class: 'small' }, fmtTime(b.header && b.header.timeMs)),
          el('td', null, b.header ? link(route('validator', b.header.proposer), short(b.header.proposer, 20), { class: 'mono', title: b.header.proposer }) : '—'));
      });
      var extra = null;
      if (c.kind === 'hub') extra = hubSections((more && more.data && more.data.chain) || {});
      else extra = childSections(c, more && more.data && more.data.chain && more.data.chain.childChain, answers[2]);
      setView([
        el('h2', null, 'Chain ', mono(c.id)),
        chainSummary(c),
        el('p', null, link(route('charts', c.id), 'Charts', { id: 'charts-link' }),
          ' · ', link(route('governance', c.id), 'Governance and configuration', { id: 'governance-link' }),
          ' · ', link(route('identities', c.id), 'Identities', { id: 'identities-link' }),
          ' · ', link(route('map'), 'Network map')),
        el('h3', null, 'Recent blocks'),
        table('blocks', ['Height', 'Hash', 'Txs', 'Time', 'Proposer'], rows,
          c.blocks ? 'No blocks yet.' : 'The blocks could not be read (see the error above).'),
        extra
      ]);
      ready();
    });
  }
  refresh(true);
  refreshTimer = setInterval(function () { refresh(false); }, 2000);
}

// ---------------------------------------------------------------- charts

/** Blocks the charts cover. */
var CHART_BLOCKS = 300;
/** The node API's page size for blocksConnection. */
var BLOCKS_PAGE = 100;

/**
 * The last `count` blocks (and the one before, for the first block time),
 * newest first, paged through blocksConnection; only what a chart needs.
 */
function lastBlocks(id, count) {
  var q = chainQuery(', $after: String, $first: Int', 'blocksConnection(first: $first, after: $after) { ' +
    'edges { node { height txCount header { timeMs } } } pageInfo { hasNextPage endCursor } }');
  var blocks = [];
  var errors = [];
  function page(after) {
    var want = Math.min(BLOCKS_PAGE, count + 1 - blocks.length);
    return gql(q, { id: id, after: after, first: want }).then(function (res) {
      errors = errors.concat(res.errors);
      var conn = res.data && res.data.chain && res.data.chain.blocksConnection;
      if (!conn) return;
      conn.edges.forEach(function (e) { blocks.push(e.node); });
      if (conn.pageInfo.hasNextPage && blocks.length < count + 1 && conn.edges.length) return page(conn.pageInfo.endCursor);
    });
  }
  return page(null).then(function () { return { blocks: blocks, errors: errors }; });
}

function renderCharts(id) {
  var current = begin('charts', 'Charts of ' + id);
  setView(loading('charts of ' + id));
  var statsQuery = chainQuery(', $last: Int!', 'recentBlockStats(last: $last) { height timeMs committedMs finalityMs txCount mempoolSize }');
  var running = false;
  function refresh() {
    if (running) return;
    running = true;
    Promise.all([lastBlocks(id, CHART_BLOCKS), gql(statsQuery, { id: id, last: CHART_BLOCKS })]).then(function (answers) {
      running = false;
      if (!current()) return;
      var fetched = answers[0];
      var stats = answers[1];
      var errors = fetched.errors.concat(stats.errors);
      if (errors.length) showError(errors); else hideError();
      // Oldest first; the extra block at the bottom only gives the first block time.
      var blocks = fetched.blocks.slice().reverse();
      var charted = blocks.length > CHART_BLOCKS ? blocks.slice(1) : blocks;
      var times = [];
      blocks.forEach(function (b, i) {
        if (i === 0) return;
        var prev = blocks[i - 1];
        if (prev.height === b.height - 1) times.push({ x: b.height, y: b.header.timeMs - prev.header.timeMs });
      });
      var seen = (stats.data && stats.data.chain && stats.data.chain.recentBlockStats) || [];
      setView([
        el('h2', null, 'Charts of ', chainLink(id)),
        el('p', { class: 'small muted' }, 'The last ' + charted.length + ' blocks, refreshed every 10 s. Block time and transactions come from the blocks ' +
          '(blocksConnection); finality and the mempool are what the chain\'s node saw as it committed each block (recentBlockStats, ' +
          'kept in its memory: a restarted node starts over).'),
        el('div', { class: 'charts', id: 'charts', dataset: { blocks: charted.length, stats: seen.length } },
          chart({ id: 'block-time', title: 'Block time', unit: 'ms', note: 'Header time minus the previous header\'s.' }, times),
          chart({ id: 'txs', title: 'Transactions per block', unit: '', kind: 'bar' },
            charted.map(function (b) { return { x: b.height, y: b.txCount }; })),
          chart({ id: 'finality', title: 'Finality', unit: 'ms', note: 'When the node committed the block minus the header\'s time.' },
            seen.map(function (s) { return { x: s.height, y: s.finalityMs }; })),
          chart({ id: 'mempool', title: 'Mempool size', unit: 'txs', note: 'Transactions left waiting after each commit.' },
            seen.map(function (s) { return { x: s.height, y: s.mempoolSize }; })))
      ]);
      ready();
    });
  }
  refresh();
  refreshTimer = setInterval(refresh, 10000);
}

// ---------------------------------------------------------------- map

function renderMap() {
  var current = begin('map', 'Network map');
  var host = el('div');
  setView([
    el('h2', null, 'Network map'),
    el('p', { class: 'small muted' }, 'The hub, every child chain the gateway knows, the IBC channels between them and the relayer. ' +
      'Packets move along their channel as the chains commit them: sent to the middle, received on the far side, acknowledged back.'),
    host
  ]);
  cleanup = mountMap(host, {
    onError: function (list) { if (current()) showError(list); },
    onReady: function () { if (current()) ready(); }
  });
}

// ---------------------------------------------------------------- validator

function renderValidator(address) {
  var current = begin('validator', short(address, 14));
  if (!address) { showError('No address given (expected #/validator/trib1…)'); setView(link('#/', 'Back to the chains')); ready(); return; }
  setView(loading('validator ' + address));
  hubId().then(function (hub) {
    if (!current()) return;
    if (!hub) { showError('The gateway knows no hub yet.'); setView(link('#/', 'Back to the chains')); ready(); return; }
    var q = chainQuery('', 'validators { address publicKey power active selfBond delegated jailed jailedUntil tombstoned slashed ' +
      'commissionBps windowDuties windowMissed } configuration ' +
      'childChains { chainId term adoptedTerm committee { address power } nextCommittee { address power } } chain { height }');
    gql(q, { id: hub }).then(function (res) {
      if (!current()) return;
      showError(res.errors);
      var h = res.data && res.data.chain;
      var v = h && (h.validators || []).filter(function (x) { return x.address === address; })[0];
      if (!v) {
        if (!res.errors.length) showError(address + ' is not a validator on ' + hub + '.');
        setView([el('h2', null, 'Validator'), el('p', null, mono(address)), link(route('account', address), 'Its account on every chain')]);
        ready();
        return;
      }
      var downtimeWindow = null;
      try { downtimeWindow = (JSON.parse(h.configuration || '{}').staking || {}).downtime_window; } catch (_) { /* shown without it */ }
      var total = (h.validators || []).reduce(function (sum, x) { return sum + Number(x.power || 0); }, 0);
      var committees = [];
      if (v.active) committees.push({ chainId: hub, role: 'hub validator set', power: v.power, term: null });
      (h.childChains || []).forEach(function (r) {
        var serving = (r.committee || []).filter(function (m) { return m.address === address; })[0];
        var drawn = (r.nextCommittee || []).filter(function (m) { return m.address === address; })[0];
        if (serving) committees.push({ chainId: r.chainId, role: 'committee, term ' + r.adoptedTerm, power: serving.power });
        if (drawn) committees.push({ chainId: r.chainId, role: 'drawn for term ' + r.term + ', waiting to take over', power: drawn.power });
      });
      var rows = committees.map(function (m) {
        return el('tr', { dataset: { chainId: m.chainId } }, el('td', null, chainLink(m.chainId)), el('td', null, m.role), el('td', null, String(m.power)));
      });
      setView([
        el('h2', null, 'Validator ', mono(v.address, { id: 'validator-address' })),
        el('div', { class: 'summary' },
          item('Status', el('span', { id: 'validator-status' }, badge(v.tombstoned ? 'tombstoned' : v.jailed ? 'jailed' : v.active ? 'active' : 'inactive'))),
          item('Power', el('span', { id: 'validator-power' }, String(v.power) + (total ? ' (' + (100 * v.power / total).toFixed(1) + '%)' : ''))),
          item('Stake', el('span', { class: 'mono', id: 'validator-stake' }, String(BigInt(v.selfBond) + BigInt(v.delegated)))),
          item('Missed duties', el('span', { id: 'validator-missed', dataset: { missed: v.windowMissed, duties: v.windowDuties } },
            v.windowMissed + ' of ' + v.windowDuties))),
        fieldsTable('validator-fields', [
          ['Self bond', mono(v.selfBond, { id: 'validator-self-bond' }), 'selfBond'],
          ['Delegated', mono(v.delegated, { id: 'validator-delegated' }), 'delegated'],
          ['Commission', v.commissionBps === null || v.commissionBps === undefined ? null : (v.commissionBps / 100).toFixed(2) + ' %', 'commission'],
          ['Slashed', mono(v.slashed), 'slashed'],
          ['Jailed', v.jailed ? 'until hub height ' + v.jailedUntil : 'no', 'jailed'],
          ['Missed duties', v.windowMissed + ' missed of ' + v.windowDuties + ' duties counted in the current downtime window' +
            (downtimeWindow ? ' (a window closes after ' + downtimeWindow + ' duties)' : ''), 'window'],
          ['Public key', mono(v.publicKey), 'publicKey'],
          ['Account', link(route('account', v.address), 'balances and history on every chain'), 'account']
        ]),
        el('h3', null, 'Committees it sits on'),
        table('validator-committees', ['Chain', 'Role', 'Power'], rows, 'None: it certifies nothing now.')
      ]);
      ready();
    });
  });
}

// ---------------------------------------------------------------- governance

/** Every governed parameter as [path, value] rows, sections first to last. */
function configRows(config, prefix) {
  var rows = [];
  Object.keys(config || {}).sort().forEach(function (key) {
    var value = config[key];
    var path = prefix ? prefix + '.' + key : key;
    if (value && typeof value === 'object' && !Array.isArray(value)) rows = rows.concat(configRows(value, path));
    else rows.push([path, JSON.stringify(value)]);
  });
  return rows;
}

function renderGovernance(id) {
  var current = begin('governance', 'Governance of ' + id);
  setView(loading('governance of ' + id));
  var query = chainQuery('',
    'proposals(limit: 20) { id title action status deposit votingEndHeight failure tally { yes no abstain noWithVeto } } ' +
    'upgradePlan { name height proposalId } configuration paramHistory(limit: 20) { seq height proposalId path value }');
  gql(query, { id: id }).then(function (res) {
    if (!current()) return;
    if (res.errors.length) showError(res.errors);
    var c = res.data && res.data.chain;
    if (!c) {
      setView(el('p', null, 'Could not load chain ', mono(id), '. ', link('#/', 'Back to the chains')));
      ready();
      return;
    }
    var config = {};
    try { config = JSON.parse(c.configuration || '{}'); } catch (_) { showError('The configuration is not JSON.'); }
    var proposals = (c.proposals || []).slice().reverse().map(function (p) {
      var t = p.tally;
      return el('tr', { dataset: { proposal: p.id, status: p.status } },
        el('td', null, String(p.id)),
        el('td', null, p.title),
        el('td', { class: 'mono' }, p.action),
        el('td', null, badge(p.status), p.failure ? el('div', { class: 'small muted' }, p.failure) : null),
        el('td', { class: 'small' }, t ? 'yes ' + t.yes + ' · no ' + t.no + ' · abstain ' + t.abstain + ' · veto ' + t.noWithVeto : '—'),
        el('td', null, String(p.votingEndHeight)));
    });
    var settings = configRows(config, '').map(function (r) {
      return el('tr', { dataset: { path: r[0] } }, el('td', { class: 'mono' }, r[0]), el('td', { class: 'mono' }, r[1]));
    });
    var history = (c.paramHistory || []).slice().reverse().map(function (h) {
      return el('tr', null, el('td', null, String(h.height)), el('td', null, String(h.proposalId)),
        el('td', { class: 'mono' }, h.path), el('td', { class: 'mono' }, h.value));
    });
    var plan = c.upgradePlan;
    setView([
      el('h2', null, 'Governance of ', chainLink(c.id)),
      plan ? el('p', { id: 'upgrade-plan' }, 'Upgrade ', mono(plan.name), ' passed (proposal ' + plan.proposalId +
        '): the chain stops at height ' + (plan.height - 1) + ' until its nodes run a release that carries it out.') : null,
      el('h3', null, 'Proposals (the first 20)'),
      table('proposals', ['Id', 'Title', 'Action', 'Status', 'Tally', 'Voting ends'], proposals,
        'No proposals on this chain (or it runs no governance).'),
      el('h3', null, 'Configuration'),
      el('p', { class: 'small muted' }, 'Every governed parameter, by the path a proposal names (hub tx gov submit --set PATH=JSON).'),
      table('configuration', ['Path', 'Value'], settings, 'No governed parameters.'),
      el('h3', null, 'Changes (the first 20)'),
      table('param-history', ['Height', 'Proposal', 'Path', 'Value'], history, 'No parameter has changed since genesis.')
    ]);
    ready();
  });
}

// ---------------------------------------------------------------- identities

/** The validators of a chain, each with its DID (validators resolve without making one). */
function renderIdentities(id) {
  var current = begin('identities', 'Identities of ' + id);
  setView(loading('identities of ' + id));
  gql(chainQuery('', 'validators { address power active }'), { id: id }).then(function (res) {
    if (!current()) return;
    var c = res.data && res.data.chain;
    var validators = (c && c.validators) || [];
    var rows = validators.map(function (v) {
      return el('tr', { dataset: { address: v.address } },
        el('td', null, link(route('identity', id, v.address), 'did:trib:' + id + ':' + v.address, { class: 'mono identity-link' })),
        el('td', null, String(v.power)),
        el('td', null, badge(v.active ? 'active' : 'inactive')));
    });
    setView([
      el('h2', null, 'Identities of ', chainLink(id)),
      el('p', { class: 'small muted' }, 'Every account may make a DID document (hub tx did create); validators and feeders have one from the keys the chain knows. ' +
        'Search for a did:trib:… or open #/identity/CHAIN/ADDRESS.'),
      el('h3', null, 'Validators'),
      table('identities', ['DID', 'Power', 'Status'], rows,
        res.errors.length ? 'This chain lists no validators (a child chain\'s committee is the hub\'s).' : 'No validators.')
    ]);
    ready();
  });
}

function renderIdentity(chainId, id) {
  var current = begin('identity', id);
  if (!chainId || !id) { showError('Not an identity address: ' + location.hash + ' (expected #/identity/CHAIN/ADDRESS_OR_DID)'); setView(link('#/', 'Back to the chains')); ready(); return; }
  setView(loading('identity ' + id));
  gql(chainQuery(', $d: String!', 'did(id: $d) { did document deactivated implicit createdHeight updatedHeight ' +
    'delegations { delegate kinds expiresHeight spendLimit spent } }'), { id: chainId, d: id }).then(function (res) {
    if (!current()) return;
    showError(res.errors);
    var r = res.data && res.data.chain && res.data.chain.did;
    if (!r) {
      if (!res.errors.length) showError('No DID document for ' + id + ' on ' + chainId + '.');
      setView([el('h2', null, 'Identity ', mono(id)), link(route('identities', chainId), 'Identities of ' + chainId)]);
      ready();
      return;
    }
    var doc = r.document || {};
    var keys = (doc.verificationMethod || []).map(function (k) {
      var fragment = String(k.id).split('#')[1] || k.id;
      return el('tr', { dataset: { keyId: fragment } }, el('td', { class: 'mono' }, fragment), el('td', null, k.type),
        el('td', { class: 'mono small' }, k.publicKeyJwk ? k.publicKeyJwk.x : '—'));
    });
    var services = (doc.service || []).map(function (sv) {
      return el('tr', null, el('td', { class: 'mono' }, String(sv.id).split('#')[1] || sv.id), el('td', null, sv.type), el('td', { class: 'mono' }, sv.serviceEndpoint));
    });
    var delegations = (r.delegations || []).map(function (d) {
      return el('tr', { dataset: { delegate: d.delegate } }, el('td', null, link(route('account', d.delegate), short(d.delegate, 20), { class: 'mono', title: d.delegate })),
        el('td', { class: 'mono' }, d.kinds.join(', ')), el('td', null, String(d.expiresHeight)), el('td', { class: 'mono' }, d.spent + ' / ' + d.spendLimit));
    });
    setView([
      el('h2', null, 'Identity ', mono(r.did, { id: 'did' })),
      el('div', { class: 'summary' },
        item('Status', el('span', { id: 'did-status' }, badge(r.deactivated ? 'deactivated' : 'active'))),
        item('Document', r.implicit ? 'implicit (from the key the chain knows)' : 'created at ' + r.createdHeight + ', updated at ' + r.updatedHeight),
        item('Controllers', el('span', { class: 'mono small' }, (doc.controller || []).join(', ')))),
      el('h3', null, 'Keys'),
      table('keys', ['Id', 'Type', 'Public key (JWK x)'], keys, 'No keys.'),
      el('h3', null, 'Services'),
      table('services', ['Id', 'Type', 'Endpoint'], services, 'No service endpoints.'),
      el('h3', null, 'Delegations'),
      table('delegations', ['Delegate', 'Kinds', 'Expires at', 'Spent / limit'], delegations, 'Nobody acts for this identity.'),
      el('h3', null, 'W3C DID document'),
      el('pre', { id: 'did-document', class: 'mono small' }, JSON.stringify(doc, null, 2))
    ]);
    ready();
  });
}

// ---------------------------------------------------------------- block

function renderBlock(id, heightText) {
  var current = begin('block', id + ' #' + heightText);
  var height = Number(heightText);
  if (!id || !/^\d+$/.test(String(heightText || '')) || !Number.isSafeInteger(height)) {
    showError('Not a block address: ' + location.hash + ' (expected #/block/CHAIN/HEIGHT)');
    setView(el('p', null, link('#/', 'Back to the chains')));
    ready();
    return;
  }
  setView(loading('block ' + height + ' of ' + id));
  var query = chainQuery(', $h: Int!',
    'block(height: $h) { hash height txCount ' +
    'header { hash chainId height timeMs parentHash txRoot stateRoot proposer vrfOutput validatorSetHash nextValidatorSetHash } ' +
    'txs { hash index kind sender fee receipt { success error } } ' +
    'certificate { round blockHash signatures { validator } } }');
  gql(query, { id: id, h: height }).then(function (res) {
    if (!current()) return;
    showError(res.errors);
    var c = res.data && res.data.chain;
    var b = c && c.block;
    var nav = el('div', { class: 'pager' },
      height > 1 ? link(route('block', id, height - 1), '← block ' + (height - 1), { id: 'prev-block' }) : null,
      link(route('block', id, height + 1), 'block ' + (height + 1) + ' →', { id: 'next-block' }),
      link(route('chain', id), 'chain ' + id));
    if (!b) {
      if (!res.errors.length) showError(c ? 'Chain ' + id + ' has no block at height ' + height + '.' : 'No chain "' + id + '" is known to the gateway.');
      setView([el('h2', null, 'Block ' + height + ' of ', mono(id)), nav]);
      ready();
      return;
    }
    var h = b.header || {};
    var cert = b.certificate || {};
    var txRows = (b.txs || []).map(function (t) {
      var r = t.receipt || {};
      return el('tr', { dataset: { txHash: t.hash, success: r.success } },
        el('td', null, link(route('tx', id, t.hash), short(t.hash, 16), { class: 'mono', title: t.hash })),
        el('td', null, t.kind),
        el('td', null, link(route('account', t.sender), short(t.sender, 24), { class: 'mono', title: t.sender })),
        el('td', { class: 'mono' }, t.fee),
        el('td', null, badge(r.success), r.error ? el('div', { class: 'small muted' }, r.error) : null));
    });
    setView([
      el('h2', null, 'Block ', el('span', { id: 'block-height' }, String(b.height)), ' of ', link(route('chain', id), id, { class: 'mono', id: 'block-chain' })),
      nav,
      fieldsTable('block-header', [
        ['Hash', mono(b.hash, { id: 'block-hash' }), 'hash'],
        ['Height', String(b.height), 'height'],
        ['Chain', h.chainId, 'chainId'],
        ['Time', fmtTime(h.timeMs), 'time'],
        ['Proposer', h.proposer ? link(route('validator', h.proposer), h.proposer, { class: 'mono' }) : null, 'proposer'],
        ['Parent hash', b.height > 1 && h.parentHash ? link(route('block', id, b.height - 1), h.parentHash, { class: 'mono' }) : mono(h.parentHash), 'parentHash'],
        ['State root', mono(h.stateRoot), 'stateRoot'],
        ['Tx root', mono(h.txRoot), 'txRoot'],
        ['Validator set hash', mono(h.validatorSetHash), 'validatorSetHash'],
        ['Next validator set hash', mono(h.nextValidatorSetHash), 'nextValidatorSetHash'],
        ['VRF output', mono(h.vrfOutput), 'vrfOutput'],
        ['Certificate', 'round ' + cert.round + ', ' + (cert.signatures || []).length + ' signatures', 'certificate'],
        ['Signers', (cert.signatures || []).length ? el('div', null, cert.signatures.map(function (s) { return el('div', { class: 'mono' }, s.validator); })) : null, 'signers']
      ]),
      el('h3', null, 'Transactions (' + b.txCount + ')'),
      table('txs', ['Hash', 'Kind', 'Sender', 'Fee', 'Success'], txRows, 'No transactions in this block.')
    ]);
    ready();
  });
}

// ---------------------------------------------------------------- tx

var PACKET_EVENTS = { send_packet: 1, recv_packet: 1, acknowledge_packet: 1, timeout_packet: 1, transfer_xchain: 1 };

function attrsOf(event) {
  var out = {};
  (event.attributes || []).forEach(function (a) { out[a.key] = a.value; });
  return out;
}

function renderTx(id, hash) {
  var current = begin('tx', short(hash, 10));
  if (!id || !hash) {
    showError('Not a transaction address: ' + location.hash + ' (expected #/tx/CHAIN/HASH)');
    setView(el('p', null, link('#/', 'Back to the chains')));
    ready();
    return;
  }
  setView(loading('transaction ' + short(hash, 16)));
  var query = chainQuery(', $x: String!',
    'tx(hash: $x) { hash height index chainId sender nonce fee kind transfer { to denom amount } details ' +
    'receipt { success error feePaid events { kind attributes { key value } } } }');
  gql(query, { id: id, x: hash }).then(function (res) {
    if (!current()) return;
    showError(res.errors);
    var c = res.data && res.data.chain;
    var t = c && c.tx;
    if (!t) {
      if (!res.errors.length) showError(c ? 'Chain ' + id + ' has no committed transaction ' + hash + '.' : 'No chain "' + id + '" is known to the gateway.');
      setView([el('h2', null, 'Transaction'), el('p', null, mono(hash)), link(route('chain', id), 'chain ' + id)]);
      ready();
      return;
    }
    var r = t.receipt || {};
    var transferLinks = el('span', { id: 'tx-transfers' });
    var details = t.details === null || t.details === undefined ? null
      : el('pre', { class: 'mono', id: 'tx-details', style: 'margin:0;white-space:pre-wrap' }, JSON.stringify(t.details, null, 2));
    var needsChannels = false;
    var anyPacket = false;
    var events = (r.events || []).map(function (e, i) {
      var at = attrsOf(e);
      var extra = null;
      if (PACKET_EVENTS[e.kind] && at.sequence) {
        anyPacket = true;
        if (e.kind === 'recv_packet') {
          needsChannels = true;
          extra = el('span', { class: 'small', dataset: { recvChannel: at.dest_channel, sourceChannel: at.source_channel, sequence: at.sequence } });
        } else {
          var channel = at.source_channel || at.channel;
          var tid = id + '/' + channel + '/' + at.sequence;
          extra = link(transferHref(tid), 'transfer ' + tid, { class: 'small transfer-link' });
        }
      }
      return el('div', { class: 'event', dataset: { kind: e.kind, index: i } },
        el('div', null, el('span', { class: 'kind' }, e.kind), extra ? ' · ' : null, extra),
        (e.attributes || []).length ? el('table', null, el('tbody', null, e.attributes.map(function (a) {
          return el('tr', null, el('td', { class: 'muted' }, a.key), el('td', { class: 'mono' }, a.value));
        }))) : null);
    });
    setView([
      el('h2', null, 'Transaction on ', link(route('chain', id), id, { class: 'mono' })),
      fieldsTable('tx-fields', [
        ['Hash', mono(t.hash, { id: 'tx-hash' }), 'hash'],
        ['Success', el('span', { id: 'tx-success' }, badge(r.success)), 'success'],
        r.error ? ['Error', el('span', { id: 'tx-error' }, r.error), 'error'] : null,
        ['Kind', t.kind, 'kind'],
        ['Block', link(route('block', id, t.height), String(t.height), { id: 'tx-block' }), 'height'],
        ['Index in block', String(t.index), 'index'],
        ['Sender', link(route('account', t.sender), t.sender, { class: 'mono' }), 'sender'],
        ['Nonce', String(t.nonce), 'nonce'],
        ['Fee', t.fee + (r.feePaid !== undefined ? ' (paid ' + r.feePaid + ')' : ''), 'fee'],
        t.transfer ? ['Transfer', el('span', null, t.transfer.amount + ' ' + t.transfer.denom + ' to ',
          link(route('account', t.transfer.to), t.transfer.to, { class: 'mono' })), 'transfer'] : null,
        ['Details', details, 'details'],
        anyPacket ? ['Cross-chain transfer', transferLinks, 'transfers'] : null
      ]),
      el('h3', null, 'Receipt events (' + (r.events || []).length + ')'),
      el('div', { class: 'panel events', id: 'events' }, events.length ? events : el('div', { class: 'empty' }, 'No events.'))
    ]);
    var seenTransfers = {};
    function addTransferLink(a) {
      var href = a.getAttribute('href');
      if (seenTransfers[href]) return;
      seenTransfers[href] = true;
      if (transferLinks.firstChild) transferLinks.appendChild(document.createTextNode(', '));
      transferLinks.appendChild(link(href, a.textContent.replace(/^transfer /, ''), { dataset: { transferId: a.textContent.replace(/^transfer /, '') } }));
    }
    var found = view.querySelectorAll('a.transfer-link');
    Array.prototype.forEach.call(found, addTransferLink);
    if (!needsChannels) { ready(); return; }
    // A received packet's transfer id names the chain it came from: follow
    // this chain's channel to its light client, whose chain that is.
    gql(chainQuery('', 'ibcChannels { channelId clientId } ibcClients { clientId chainId }'), { id: id }).then(function (res2) {
      if (!current()) return;
      var cc = res2.data && res2.data.chain;
      var channels = (cc && cc.ibcChannels) || [];
      var clients = (cc && cc.ibcClients) || [];
      Array.prototype.forEach.call(view.querySelectorAll('[data-recv-channel]'), function (span) {
        var ch = channels.filter(function (x) { return x.channelId === span.dataset.recvChannel; })[0];
        var cl = ch && clients.filter(function (x) { return x.clientId === ch.clientId; })[0];
        if (!cl) { span.textContent = 'source chain unknown'; return; }
        var tid = cl.chainId + '/' + span.dataset.sourceChannel + '/' + span.dataset.sequence;
        var a = link(transferHref(tid), 'transfer ' + tid, { class: 'transfer-link' });
        span.appendChild(a);
        addTransferLink(a);
      });
      if (res2.errors.length) showError([].concat(res.errors, res2.errors));
      ready();
    });
  });
}

// ---------------------------------------------------------------- account

/** Transactions an account page lists per chain and page. */
var HISTORY_PAGE = 10;
/** Most pages "older" loads on one chain before the page stops asking. */
var HISTORY_PAGES_MAX = 20;

/** One chain's history of `address` (gateway `history`), newest first, with a button for older pages. */
function historySection(chainId, address, current) {
  var tbody = el('tbody');
  var box = el('div', { class: 'history', id: 'history-' + chainId, dataset: { chainId: chainId, loaded: 'false' } });
  var more = el('button', { type: 'button', class: 'more', hidden: 'hidden' }, 'Older transactions');
  var status = el('div', { class: 'empty' }, 'Loading…');
  var pages = 0;
  var after = null;
  box.appendChild(el('h3', null, 'Transactions on ', chainLink(chainId)));
  box.appendChild(el('div', { class: 'panel' },
    el('table', null, el('thead', null, el('tr', null, ['Hash', 'Height', 'Kind', 'Sender', 'Success'].map(function (h) { return el('th', null, h); }))), tbody),
    status));
  box.appendChild(el('div', { class: 'pager' }, more));
  function load() {
    more.hidden = true;
    gql('query($c: String!, $a: String!, $n: Int, $after: String) { history(chainId: $c, address: $a, first: $n, after: $after) { ' +
      'edges { cursor node { hash height kind sender receipt { success } } } pageInfo { hasNextPage endCursor } } }',
      { c: chainId, a: address, n: HISTORY_PAGE, after: after }).then(function (res) {
      if (!current()) return;
      var conn = res.data && res.data.history;
      if (!conn) {
        status.textContent = 'Could not read the history: ' + res.errors.join('; ');
        status.hidden = false;
        box.dataset.loaded = 'error';
        return;
      }
      pages += 1;
      conn.edges.forEach(function (e) {
        var t = e.node;
        tbody.appendChild(el('tr', { dataset: { txHash: t.hash, height: t.height } },
          el('td', null, link(route('tx', chainId, t.hash), short(t.hash, 16), { class: 'mono', title: t.hash })),
          el('td', null, link(route('block', chainId, t.height), String(t.height))),
          el('td', null, t.kind),
          el('td', null, t.sender === address ? el('span', { class: 'muted' }, 'this account') : addressLink(t.sender)),
          el('td', null, badge(t.receipt ? t.receipt.success : null))));
      });
      status.hidden = tbody.children.length > 0;
      status.textContent = 'No transaction touches this address on ' + chainId + '.';
      after = conn.pageInfo.endCursor;
      more.hidden = !(conn.pageInfo.hasNextPage && after && pages < HISTORY_PAGES_MAX);
      box.dataset.loaded = 'true';
      box.dataset.count = tbody.children.length;
    });
  }
  more.addEventListener('click', load);
  load();
  return box;
}

function renderAccount(address) {
  var current = begin('account', short(address, 14));
  if (!address) { showError('No address given (expected #/account/trib1…)'); setView(link('#/', 'Back to the chains')); ready(); return; }
  setView(loading('account ' + address));
  gql('query($a: String!) { account(address: $a) { chainId nonce balances { denom amount } error } }', { a: address }).then(function (res) {
    if (!current()) return;
    showError(res.errors);
    var list = (res.data && res.data.account) || [];
    var rows = list.map(function (a) {
      var balances = (a.balances || []).length
        ? el('div', null, a.balances.map(function (b) {
          return el('div', { dataset: { denom: b.denom } }, el('span', { class: 'mono' }, b.amount), ' ', el('span', { class: 'mono muted' }, b.denom));
        }))
        : el('span', { class: 'muted' }, a.error ? '—' : 'none');
      return el('tr', { dataset: { chainId: a.chainId, ok: !a.error } },
        el('td', null, link(route('chain', a.chainId), a.chainId, { class: 'mono' })),
        el('td', { dataset: { col: 'nonce' } }, a.nonce === null || a.nonce === undefined ? '—' : String(a.nonce)),
        el('td', { dataset: { col: 'balances' } }, balances),
        el('td', { dataset: { col: 'error' } }, a.error ? el('span', { style: 'color:var(--bad)' }, a.error) : el('span', { class: 'muted' }, '—')));
    });
    setView([
      el('h2', null, 'Account'),
      el('p', null, mono(address, { id: 'account-address' }), ' · ', link(route('validator', address), 'as a validator', { class: 'small' })),
      table('account', ['Chain', 'Nonce', 'Balances', 'Error'], rows, res.errors.length ? 'Could not read this account.' : 'No chain answered.'),
      list.filter(function (a) { return !a.error; }).map(function (a) { return historySection(a.chainId, address, current); })
    ]);
    ready();
  });
}

// ---------------------------------------------------------------- transfer

function renderTransfer(id) {
  var current = begin('transfer', id);
  if (!id || id.split('/').length !== 3) {
    showError('Not a transfer id: "' + id + '" (expected SOURCE_CHAIN/CHANNEL/SEQUENCE)');
    setView(el('p', null, link('#/', 'Back to the chains')));
    ready();
    return;
  }
  setView(loading('transfer ' + id));
  gql('query($t: String!) { transfer(id: $t) { id sourceChain sourceChannel destinationChain destinationChannel sequence ' +
    'sender receiver denom amount status waitingFor pendingForMs hops { chainId step height txHash } } }', { t: id }).then(function (res) {
    if (!current()) return;
    showError(res.errors);
    var t = res.data && res.data.transfer;
    if (!t) {
      if (!res.errors.length) showError('No transfer ' + id + ' is known.');
      setView([el('h2', null, 'Transfer ', mono(id)), link('#/', 'Back to the chains')]);
      ready();
      return;
    }
    var hops = (t.hops || []).map(function (h, i) {
      return el('tr', { dataset: { step: h.step, chainId: h.chainId, index: i } },
        el('td', null, String(i + 1)),
        el('td', null, h.step),
        el('td', null, chainLink(h.chainId)),
        el('td', null, h.height === null || h.height === undefined ? '—' : link(route('block', h.chainId, h.height), String(h.height))),
        el('td', null, h.txHash ? link(route('tx', h.chainId, h.txHash), short(h.txHash, 16), { class: 'mono', title: h.txHash }) : '—'));
    });
    setView([
      el('h2', null, 'Transfer ', mono(t.id, { id: 'transfer-id' })),
      el('div', { class: 'summary' },
        item('Status', el('span', { id: 'transfer-status', dataset: { status: t.status } }, badge(t.status))),
        item('Amount', el('span', { class: 'mono' }, t.amount ? t.amount + ' ' + (t.denom || '') : '—')),
        item('Sequence', String(t.sequence))),
      // What an unfinished transfer waits for, so a stuck one says why.
      t.waitingFor ? el('p', { id: 'transfer-waiting', class: 'banner' }, 'Waiting for ' + t.waitingFor +
        (t.pendingForMs === null || t.pendingForMs === undefined ? '.' : ' (sent ' + fmtSpan(t.pendingForMs) + ' ago).')) : null,
      fieldsTable('transfer-fields', [
        ['From', el('span', null, chainLink(t.sourceChain), ' ', mono(t.sourceChannel)), 'source'],
        ['To', t.destinationChain || t.destinationChannel ? el('span', null, chainLink(t.destinationChain), ' ', mono(t.destinationChannel)) : null, 'destination'],
        ['Sender', addressLink(t.sender), 'sender'],
        ['Receiver', addressLink(t.receiver), 'receiver'],
        ['Denomination', t.denom ? mono(t.denom) : null, 'denom'],
        ['Amount', t.amount ? mono(t.amount) : null, 'amount']
      ]),
      el('h3', null, 'Path'),
      table('hops', ['#', 'Step', 'Chain', 'Height', 'Transaction'], hops, 'No hop recorded yet.'),
      t.status === 'unknown' ? el('p', { class: 'muted small' }, 'No such packet was found within the chains\' reach.') : null
    ]);
    ready();
  });
}

// ---------------------------------------------------------------- search

function hitRoute(hit, text) {
  var d = hit.detail || {};
  switch (hit.kind) {
    case 'chain': return route('chain', hit.chainId);
    case 'address': return route('account', text);
    case 'height': return route('block', hit.chainId, text);
    case 'block_hash': return d.height !== undefined && d.height !== null ? route('block', hit.chainId, d.height) : null;
    case 'tx_hash': return route('tx', hit.chainId, text.toLowerCase());
    case 'validator': return route('validator', text);
    case 'transfer': return transferHref(d.id || text);
    default: return null;
  }
}

function describeHit(hit) {
  switch (hit.kind) {
    case 'chain': return 'chain ' + hit.chainId;
    case 'address': return 'account (seen on ' + hit.chainId + ')';
    case 'height': return 'block on ' + hit.chainId;
    case 'block_hash': return 'block on ' + hit.chainId;
    case 'tx_hash': return 'transaction on ' + hit.chainId;
    case 'validator': return 'validator on ' + hit.chainId;
    case 'transfer': return 'transfer from ' + hit.chainId;
    default: return hit.kind + ' on ' + hit.chainId;
  }
}

var searchInput = document.getElementById('search-input');
document.getElementById('search-form').addEventListener('submit', function (ev) {
  ev.preventDefault();
  var text = searchInput.value.trim();
  if (!text) return;
  // A DID names its chain: open it without asking the gateway to search.
  var did = /^did:trib:([A-Za-z0-9._-]+):(trib1[0-9a-z]+)$/.exec(text);
  if (did) { location.hash = route('identity', did[1], text); return; }
  document.body.dataset.searching = 'true';
  gql('query($t: String!) { search(text: $t) { kind chainId detail } }', { t: text }).then(function (res) {
    document.body.dataset.searching = 'false';
    if (res.errors.length) { showError(res.errors); return; }
    var hits = (res.data && res.data.search) || [];
    var targets = hits.map(function (h) { return { hit: h, href: hitRoute(h, text) }; }).filter(function (x) { return x.href; });
    if (!targets.length) {
      hideError();
      showNotice('Nothing found for "' + text + '".');
      return;
    }
    var others = targets.slice(1).filter(function (x) { return x.href !== targets[0].href; });
    if (others.length) {
      keepNotice = true;
      showNotice([targets.length + ' matches for "' + text + '"; showing the first. Also: ',
        others.map(function (x, i) { return [i ? ', ' : '', link(x.href, describeHit(x.hit))]; })]);
    }
    hideError();
    if (location.hash === targets[0].href) render(); else location.hash = targets[0].href;
  });
});


window.addEventListener('hashchange', render);
render();
