// The network map: the hub, every child chain, the IBC channels between
// them and the relayer that serves them, as an inline SVG graph, with
// packets moving along the channels as the gateway reports them
// (`packetEvents` over /graphql/ws).
//
// A packet's life is drawn hop by hop on its channel: `send_packet` leaves
// the source for the middle of the channel (it waits there for a
// relayer), `recv_packet` goes on from the middle to the destination, and
// `acknowledge_packet` (or a timeout) runs back to the source. Everything
// the page keeps is bounded: dots in flight, the event log, the relayer
// accounts it names.
import { el, svg, clear, link, route, short, chainLink, badge } from '/explorer/dom.js';
import { gql, subscribe } from '/explorer/graphql.js';

const W = 960;
/** Heights of the picture: children only beside the hub need less. */
const H_ROW = 310;
const H_RING = 420;
/** Dots in flight at once; the oldest is dropped past this. */
export const DOTS_MAX = 48;
/** Packet events the log below the map keeps. */
export const LOG_MAX = 40;
/** Relayer accounts named on the map. */
const RELAYERS_MAX = 4;
/** How long one hop takes on the map. */
const HOP_MS = 1600;
/** Least time between two re-reads of the channels (an event on a channel the map lacks asks for one). */
const RELOAD_MIN_MS = 10_000;

const COLOURS = { send_packet: '#1f6feb', recv_packet: '#1a7f37', acknowledge_packet: '#bf8700', timeout_packet: '#cf222e', packet_timeout_receipt: '#cf222e' };

/** Channels of every chain that answers, and each chain's light clients (which name the chain at the other end). */
async function readTopology() {
  const listed = await gql('{ chains { id kind template status height error } }');
  const chains = (listed.data && listed.data.chains) || [];
  const up = chains.filter((c) => c.status === 'up');
  const errors = listed.errors.slice();
  const channels = [];
  if (up.length) {
    const defs = up.map((_, i) => '$c' + i + ': String!').join(', ');
    const fields = up.map((_, i) => 'c' + i + ': chain(id: $c' + i + ') { id ibcChannels { port channelId state clientId counterpartyPort counterpartyChannel nextSequenceSend } ibcClients { clientId chainId } }').join(' ');
    const vars = {};
    up.forEach((c, i) => { vars['c' + i] = c.id; });
    const res = await gql('query(' + defs + ') { ' + fields + ' }', vars);
    errors.push(...res.errors);
    up.forEach((c, i) => {
      const answer = res.data && res.data['c' + i];
      if (!answer) return;
      const clients = new Map((answer.ibcClients || []).map((x) => [x.clientId, x.chainId]));
      for (const ch of answer.ibcChannels || []) {
        channels.push({ chainId: c.id, ...ch, counterpartyChainId: clients.get(ch.clientId) || null });
      }
    });
  }
  return { chains, channels, errors };
}

/** One edge per channel pair, keyed by both ends ("chain/channel"), sorted. */
function edgesOf(chains, channels) {
  const known = new Set(chains.map((c) => c.id));
  const edges = new Map();
  for (const ch of channels) {
    if (!ch.counterpartyChainId || !known.has(ch.counterpartyChainId)) continue;
    const a = ch.chainId + '/' + ch.channelId;
    const b = ch.counterpartyChainId + '/' + ch.counterpartyChannel;
    const key = [a, b].sort().join('|');
    const edge = edges.get(key) || { key, ends: {}, state: ch.state, ports: new Set() };
    edge.ends[ch.chainId] = ch.channelId;
    edge.ends[ch.counterpartyChainId] = edge.ends[ch.counterpartyChainId] || ch.counterpartyChannel;
    edge.ports.add(ch.port);
    if (ch.state !== 'open') edge.state = ch.state;
    edges.set(key, edge);
  }
  return [...edges.values()].map((e) => {
    const [x, y] = Object.keys(e.ends).sort();
    return { ...e, from: x, to: y || x, ports: [...e.ports].sort() };
  });
}

/** Where each chain sits: the hub in the middle, the children around it. */
function layout(chains, H) {
  const pos = new Map();
  const hub = chains.find((c) => c.kind === 'hub');
  const children = chains.filter((c) => c !== hub);
  const cx = W / 2;
  const cy = (H - 70) / 2 + 10;
  if (hub) pos.set(hub.id, { x: cx, y: cy, r: 40 });
  children.forEach((c, i) => {
    // Two children left and right of the hub; an odd number starts at the top (the relayer sits below).
    const start = children.length % 2 ? -Math.PI / 2 : Math.PI;
    const angle = start + (i * 2 * Math.PI) / Math.max(1, children.length);
    pos.set(c.id, { x: cx + 340 * Math.cos(angle), y: cy + 125 * Math.sin(angle), r: 30 });
  });
  return pos;
}

/** The path of the `index`-th of `count` channels between two chains: curved apart when there are several. */
function edgePath(a, b, index, count) {
  const mx = (a.x + b.x) / 2;
  const my = (a.y + b.y) / 2;
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len = Math.hypot(dx, dy) || 1;
  const bend = (index - (count - 1) / 2) * 46;
  const qx = mx + (-dy / len) * bend;
  const qy = my + (dx / len) * bend;
  return { d: `M${a.x.toFixed(1)} ${a.y.toFixed(1)} Q${qx.toFixed(1)} ${qy.toFixed(1)} ${b.x.toFixed(1)} ${b.y.toFixed(1)}`, label: { x: (mx + qx) / 2, y: (my + qy) / 2 } };
}

/**
 * Mount the map in `host`. `onError(list)` hears what could not be read.
 * Returns a function that stops the subscription and the animation.
 */
export function mountMap(host, { onError, onReady } = {}) {
  let stopped = false;
  let stopSubscription = null;
  let subscribedTo = '';
  let frame = null;
  let lastReload = 0;
  let reloading = false;
  const dots = [];
  const relayers = new Map();
  let relayerLookups = 0;
  /** "chain/channel" → {edge, pathEl} for the channel's end on that chain. */
  let ends = new Map();
  let edgeEls = new Map();
  let pos = new Map();
  let relayerBox = null;

  const status = el('span', { id: 'map-stream', class: 'badge pending', dataset: { state: 'connecting' } }, 'connecting');
  const statusWhy = el('span', { class: 'muted small', id: 'map-stream-why' });
  const picture = el('div', { class: 'panel map-panel', id: 'map' }, el('p', { class: 'muted', style: 'padding:12px' }, 'Reading the network…'));
  const logBody = el('tbody');
  const logEmpty = el('div', { class: 'empty', 'data-empty': 'packet-log' }, 'No packet event since this page opened. Send a cross-chain transfer and watch it move.');
  host.appendChild(el('div', null,
    el('p', { class: 'muted small' }, 'Live packets: ', status, ' ', statusWhy),
    picture,
    el('div', { class: 'legend small muted' },
      Object.entries({ send_packet: 'sent', recv_packet: 'received', acknowledge_packet: 'acknowledged', timeout_packet: 'timed out' })
        .map(([k, v]) => el('span', null, el('span', { class: 'swatch', style: 'background:' + COLOURS[k] }), v))),
    el('h3', null, 'Packet events (the last ' + LOG_MAX + ')'),
    el('div', { class: 'panel' }, el('table', { id: 'packet-log' },
      el('thead', null, el('tr', null, ['Chain', 'Event', 'Channel', 'Sequence', 'Height', 'Transaction'].map((h) => el('th', null, h)))),
      logBody), logEmpty)));

  function draw(topology) {
    const { chains, channels } = topology;
    const edges = edgesOf(chains, channels);
    const H = chains.filter((c) => c.kind !== 'hub').length > 2 ? H_RING : H_ROW;
    pos = layout(chains, H);
    ends = new Map();
    edgeEls = new Map();
    const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, width: '100%', id: 'network-map', role: 'img', 'aria-label': 'Network map', dataset: { chains: chains.length, channels: edges.length } });
    root.appendChild(svg('defs', null, svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 5, refY: 5, markerWidth: 5, markerHeight: 5, orient: 'auto-start-reverse' }, svg('path', { d: 'M0 0 L10 5 L0 10 z', fill: '#8c959f' }))));
    // The relayer: off-chain, serving every chain with a channel.
    const served = new Set(edges.flatMap((e) => [e.from, e.to]));
    const rx = W / 2;
    const ry = H - 34;
    const relayerLines = svg('g', { class: 'relayer-lines' });
    for (const id of served) {
      const p = pos.get(id);
      if (p) relayerLines.appendChild(svg('line', { x1: rx, y1: ry, x2: p.x, y2: p.y, class: 'relayer-line', dataset: { chainId: id } }));
    }
    root.appendChild(relayerLines);
    // Channels, grouped by the pair of chains they join.
    const pairs = new Map();
    for (const e of edges) {
      const pair = [e.from, e.to].join('|');
      if (!pairs.has(pair)) pairs.set(pair, []);
      pairs.get(pair).push(e);
    }
    const edgeLayer = svg('g', { class: 'edges' });
    for (const group of pairs.values()) {
      group.forEach((e, i) => {
        const a = pos.get(e.from);
        const b = pos.get(e.to);
        if (!a || !b) return;
        const shape = edgePath(a, b, i, group.length);
        const pathEl = svg('path', {
          d: shape.d, class: 'channel ' + (e.state === 'open' ? 'open' : 'not-open'),
          dataset: { channelKey: e.key, from: e.from, to: e.to, fromChannel: e.ends[e.from], toChannel: e.ends[e.to], state: e.state, packets: 0 },
        });
        pathEl.appendChild(svg('title', { text: `${e.from} ${e.ends[e.from]} ↔ ${e.to} ${e.ends[e.to]} (${e.ports.join(', ')}, ${e.state})` }));
        edgeLayer.appendChild(pathEl);
        // Each channel id on the side of its own chain.
        const [left, right] = a.x <= b.x ? [e.from, e.to] : [e.to, e.from];
        const label = svg('text', { x: shape.label.x, y: shape.label.y - 8, 'text-anchor': 'middle', class: 'channel-label' },
          `${e.ends[left]} ↔ ${e.ends[right]}` + (e.ports.some((p) => p !== 'transfer') ? ' · ' + e.ports.join(',') : ''));
        edgeLayer.appendChild(label);
        const counter = svg('text', { x: shape.label.x, y: shape.label.y + 12, 'text-anchor': 'middle', class: 'channel-count', dataset: { countFor: e.key } }, '');
        edgeLayer.appendChild(counter);
        const entry = { edge: e, pathEl, counter, count: 0 };
        edgeEls.set(e.key, entry);
        ends.set(e.from + '/' + e.ends[e.from], entry);
        ends.set(e.to + '/' + e.ends[e.to], entry);
      });
    }
    root.appendChild(edgeLayer);
    // The chains.
    const nodes = svg('g', { class: 'nodes' });
    for (const c of chains) {
      const p = pos.get(c.id);
      if (!p) continue;
      const a = svg('a', { href: route('chain', c.id), class: 'map-node', dataset: { chainId: c.id, kind: c.kind, status: c.status } });
      a.appendChild(svg('circle', { cx: p.x, cy: p.y, r: p.r, class: 'node ' + c.kind + ' ' + c.status }));
      a.appendChild(svg('text', { x: p.x, y: p.y + 4, 'text-anchor': 'middle', class: 'node-height' }, c.height === null || c.height === undefined ? '—' : '#' + c.height));
      a.appendChild(svg('text', { x: p.x, y: p.y + p.r + 16, 'text-anchor': 'middle', class: 'node-label' }, c.id));
      a.appendChild(svg('text', { x: p.x, y: p.y + p.r + 30, 'text-anchor': 'middle', class: 'node-sub' }, c.kind === 'hub' ? 'hub' : (c.template || 'child') + (c.status === 'up' ? '' : ' · ' + c.status)));
      nodes.appendChild(a);
    }
    root.appendChild(nodes);
    relayerBox = svg('g', { id: 'map-relayer', class: 'relayer', dataset: { serves: served.size } });
    relayerBox.appendChild(svg('rect', { x: rx - 70, y: ry - 18, width: 140, height: 36, rx: 8 }));
    relayerBox.appendChild(svg('text', { x: rx, y: ry - 2, 'text-anchor': 'middle', class: 'node-label' }, 'relayer'));
    relayerBox.appendChild(svg('text', { x: rx, y: ry + 12, 'text-anchor': 'middle', class: 'node-sub', id: 'map-relayer-accounts' }, relayerText()));
    root.appendChild(relayerBox);
    // Packets above everything: one leaving a chain shows over its circle.
    root.appendChild(svg('g', { id: 'map-dots' }));
    clear(picture);
    picture.appendChild(root);
    const listing = el('p', { class: 'muted small', id: 'map-summary' }, `${chains.length} chains, ${edges.length} channels. `,
      'The relayer is drawn from what the chains record: the accounts that brought packets in. ');
    picture.appendChild(listing);
  }

  function relayerText() {
    if (!relayers.size) return 'serves every channel';
    return [...relayers.keys()].map((a) => short(a, 12)).join(', ');
  }

  /** A packet's delivery or acknowledgement was signed by a relayer: name it (once, and only a few). */
  async function learnRelayer(event) {
    if (relayers.size >= RELAYERS_MAX || relayerLookups >= 2 * RELAYERS_MAX || !event.txHash) return;
    relayerLookups += 1;
    const res = await gql('query($id: String!, $h: String!) { chain(id: $id) { tx(hash: $h) { sender } } }', { id: event.chainId, h: event.txHash });
    const sender = res.data && res.data.chain && res.data.chain.tx && res.data.chain.tx.sender;
    if (!sender || stopped || relayers.has(sender)) return;
    relayers.set(sender, event.chainId);
    const text = document.getElementById('map-relayer-accounts');
    if (text) text.textContent = relayerText();
    if (relayerBox) relayerBox.dataset.accounts = [...relayers.keys()].join(' ');
  }

  async function load() {
    if (reloading) return;
    reloading = true;
    lastReload = Date.now();
    const topology = await readTopology();
    reloading = false;
    if (stopped) return;
    if (topology.errors.length && onError) onError(topology.errors);
    draw(topology);
    const ids = topology.chains.filter((c) => c.status === 'up').map((c) => c.id);
    const wanted = ids.join(',');
    if (wanted !== subscribedTo) {
      if (stopSubscription) stopSubscription();
      subscribedTo = wanted;
      stopSubscription = ids.length ? subscribe(
        'subscription($chains: [String!]) { packetEvents(chains: $chains) { chainId height txHash kind sequence sourceChannel destChannel ackSuccess } }',
        { chains: ids },
        { onNext: (data) => onPacket(data.packetEvents), onError: (list) => { if (onError) onError(list); }, onStatus: setStatus },
      ) : null;
    }
    if (onReady) onReady();
  }

  function setStatus(state, why) {
    status.dataset.state = state;
    status.className = 'badge ' + (state === 'open' ? 'up' : state === 'retrying' ? 'down' : 'pending');
    status.textContent = state;
    statusWhy.textContent = why || '';
  }

  function onPacket(event) {
    if (!event || stopped) return;
    const own = event.kind === 'recv_packet' || event.kind === 'packet_timeout_receipt' ? event.destChannel : event.sourceChannel;
    const entry = ends.get(event.chainId + '/' + own);
    logEvent(event, entry);
    if (!entry) {
      // A channel opened after the map was drawn.
      if (Date.now() - lastReload > RELOAD_MIN_MS) load();
      return;
    }
    entry.count += 1;
    entry.pathEl.dataset.packets = entry.count;
    entry.counter.textContent = entry.count + (entry.count === 1 ? ' packet event' : ' packet events');
    // Fractions of the path from its `from` end: where this hop starts and ends.
    const atFrom = entry.edge.from === event.chainId;
    const here = atFrom ? 0 : 1;
    const there = 1 - here;
    const hop = {
      send_packet: [here, 0.5],
      recv_packet: [0.5, here],
      acknowledge_packet: [there, here],
      timeout_packet: [there, here],
      packet_timeout_receipt: [here, there],
    }[event.kind] || [here, there];
    launch(entry, hop[0], hop[1], event);
    if (event.kind === 'recv_packet' || event.kind === 'acknowledge_packet') learnRelayer(event);
  }

  function launch(entry, from, to, event) {
    const layer = document.getElementById('map-dots');
    if (!layer) return;
    while (dots.length >= DOTS_MAX) dots.shift().node.remove();
    const node = svg('circle', { r: 7, fill: COLOURS[event.kind] || '#57606a', class: 'packet-dot', dataset: { kind: event.kind, chainId: event.chainId, sequence: event.sequence, channelKey: entry.edge.key } });
    layer.appendChild(node);
    dots.push({ node, path: entry.pathEl, from, to, start: performance.now() });
    if (!frame) frame = requestAnimationFrame(animate);
  }

  function animate(now) {
    frame = null;
    for (let i = dots.length - 1; i >= 0; i--) {
      const d = dots[i];
      const t = Math.min(1, (now - d.start) / HOP_MS);
      const length = d.path.getTotalLength();
      const p = d.path.getPointAtLength(length * (d.from + (d.to - d.from) * t));
      d.node.setAttribute('cx', p.x.toFixed(1));
      d.node.setAttribute('cy', p.y.toFixed(1));
      d.node.dataset.progress = t.toFixed(2);
      // A dot stays at the end of its hop a little, then goes.
      if (now - d.start > HOP_MS * 2.5) { d.node.remove(); dots.splice(i, 1); }
    }
    if (dots.length && !stopped) frame = requestAnimationFrame(animate);
  }

  function logEvent(event, entry) {
    logEmpty.hidden = true;
    const channel = event.kind === 'recv_packet' ? event.destChannel : event.sourceChannel;
    const row = el('tr', { dataset: { kind: event.kind, chainId: event.chainId, sequence: event.sequence, sourceChannel: event.sourceChannel || '', destChannel: event.destChannel || '', onMap: entry ? 'true' : 'false' } },
      el('td', null, chainLink(event.chainId)),
      el('td', null, el('span', { class: 'swatch', style: 'background:' + (COLOURS[event.kind] || '#57606a') }), event.kind.replace(/_/g, ' '),
        event.ackSuccess === false ? [' ', badge('false')] : null),
      el('td', { class: 'mono' }, channel || '—'),
      el('td', null, event.sequence === null || event.sequence === undefined ? '—' : String(event.sequence)),
      el('td', null, link(route('block', event.chainId, event.height), String(event.height))),
      el('td', null, event.txHash ? link(route('tx', event.chainId, event.txHash), short(event.txHash, 14), { class: 'mono' }) : '—'));
    logBody.insertBefore(row, logBody.firstChild);
    while (logBody.children.length > LOG_MAX) logBody.removeChild(logBody.lastChild);
  }

  load();
  return () => {
    stopped = true;
    if (stopSubscription) stopSubscription();
    if (frame) cancelAnimationFrame(frame);
  };
}
