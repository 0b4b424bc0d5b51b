// Building the page: elements from text (never from HTML, so nothing a
// chain returns can inject markup), links to the explorer's routes, and
// the small formatting helpers every page shares.

/** Create an element: el('td', {class: 'mono', dataset: {x: 1}}, child, 'text', …). Text only, never HTML. */
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null) continue;
    if (key === 'class') node.className = value;
    else if (key === 'dataset') for (const [d, v] of Object.entries(value)) node.dataset[d] = String(v);
    else if (key === 'text') node.textContent = String(value);
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, String(value));
  }
  for (const child of children) append(node, child);
  return node;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** An SVG element with attributes (dataset too) and children, as `el` does for HTML. */
export function svg(tag, attrs, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null) continue;
    if (key === 'dataset') for (const [d, v] of Object.entries(value)) node.dataset[d] = String(v);
    else if (key === 'text') node.textContent = String(value);
    else if (key === 'class') node.setAttribute('class', value);
    else node.setAttribute(key, String(value));
  }
  for (const child of children) append(node, child);
  return node;
}

export function append(node, child) {
  if (child === undefined || child === null || child === false) return;
  if (Array.isArray(child)) { child.forEach((c) => append(node, c)); return; }
  node.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
}

export function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

/** A route link: route('block', chainId, height) → "#/block/chainId/height". */
export function route(...parts) {
  return '#/' + parts.map((p) => encodeURIComponent(String(p))).join('/');
}

export function link(href, text, attrs) {
  const a = el('a', attrs || {});
  a.setAttribute('href', href);
  a.textContent = String(text);
  return a;
}

export function mono(text, attrs) {
  const a = { ...(attrs || {}) };
  a.class = a.class ? a.class + ' mono' : 'mono';
  return el('span', a, text === null || text === undefined ? '—' : String(text));
}

export function short(hash, n = 12) {
  if (!hash) return '—';
  return hash.length > n + 2 ? hash.slice(0, n) + '…' : hash;
}

export function badge(value) {
  const v = value === null || value === undefined ? 'unknown' : String(value);
  const label = v === 'true' ? 'success' : v === 'false' ? 'failed' : v.replace(/_/g, ' ');
  return el('span', { class: 'badge ' + v.replace(/[^a-z_]/gi, ''), dataset: { value: v } }, label);
}

export function fmtTime(ms) {
  if (ms === null || ms === undefined) return '—';
  const d = new Date(Number(ms));
  if (isNaN(d.getTime())) return String(ms);
  const ago = Math.round((Date.now() - d.getTime()) / 1000);
  const rel = ago < 0 ? 'just now' : ago < 60 ? ago + ' s ago' : ago < 3600 ? Math.round(ago / 60) + ' min ago'
    : ago < 86400 ? Math.round(ago / 3600) + ' h ago' : Math.round(ago / 86400) + ' d ago';
  return d.toLocaleString() + ' (' + rel + ')';
}

/** A span of time as a person says it: "45 s", "12 min", "3 h", "2 d". */
export function fmtSpan(ms) {
  const s = Math.round(Number(ms) / 1000);
  return s < 60 ? s + ' s' : s < 3600 ? Math.round(s / 60) + ' min' : s < 86400 ? Math.round(s / 3600) + ' h' : Math.round(s / 86400) + ' d';
}

export function table(id, headers, rows, emptyText) {
  const thead = el('thead', null, el('tr', null, headers.map((h) => el('th', null, h))));
  const tbody = el('tbody');
  rows.forEach((r) => tbody.appendChild(r));
  const wrap = el('div', { class: 'panel' }, el('table', { id }, thead, tbody));
  if (!rows.length) wrap.appendChild(el('div', { class: 'empty', 'data-empty': id }, emptyText || 'Nothing to show.'));
  return wrap;
}

export function fieldsTable(id, pairs) {
  return el('div', { class: 'panel' }, el('table', { id, class: 'fields' }, el('tbody', null,
    pairs.filter(Boolean).map((p) => {
      const value = p[1];
      const cell = el('td', { dataset: { field: p[2] || p[0] } });
      if (value === null || value === undefined || value === '') cell.appendChild(el('span', { class: 'muted' }, '—'));
      else append(cell, value);
      return el('tr', null, el('th', null, p[0]), cell);
    }))));
}

export function chainLink(id) {
  return id ? link(route('chain', id), id, { class: 'mono' }) : el('span', { class: 'muted' }, '—');
}

export function addressLink(address) {
  if (!address) return null;
  return /^trib1[0-9a-z]+$/.test(address) ? link(route('account', address), address, { class: 'mono' }) : mono(address);
}

export function validatorLink(address, text) {
  return link(route('validator', address), text || short(address, 20), { class: 'mono validator-link', title: address });
}

export function transferHref(id) {
  return '#/transfer/' + String(id).split('/').map(encodeURIComponent).join('/');
}

export function item(k, v, id) {
  const value = el('div', { class: 'v' }, v);
  if (id) value.id = id;
  return el('div', { class: 'item' }, el('div', { class: 'k' }, k), value);
}
