// Charts as inline SVG: a line (or bars) over block heights, with its
// axis range, median and latest value written out. No chart library: the
// page loads nothing the gateway does not serve, and four small charts
// need only a path and a few labels.
import { el, svg } from '/explorer/dom.js';

const WIDTH = 520;
const HEIGHT = 170;
const PAD = { left: 52, right: 12, top: 14, bottom: 26 };
/** Most points one chart draws: the page asks for fewer, this is the guard. */
export const CHART_POINTS_MAX = 1024;

function niceMax(value) {
  if (!(value > 0)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) {
    if (value <= step * magnitude) return step * magnitude;
  }
  return 10 * magnitude;
}

function fmt(value, unit) {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  const abs = Math.abs(value);
  const text = abs >= 100 || Number.isInteger(value) ? String(Math.round(value)) : String(Number(value.toFixed(abs >= 10 ? 1 : 2)));
  return unit ? text + ' ' + unit : text;
}

function median(values) {
  if (!values.length) return null;
  const sorted = values.slice().sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * A chart of `points` ([{x: height, y}], in height order) as a panel:
 * `{id, title, unit, kind: 'line' | 'bar', note}`. The SVG carries
 * data-points (how many were drawn) and data-first/data-last (heights), and
 * each point is one path command (line) or one rect (bars), so a test can
 * count what it shows against what it was given.
 */
export function chart({ id, title, unit, kind = 'line', note }, input) {
  const points = input.slice(-CHART_POINTS_MAX).filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const ys = points.map((p) => p.y);
  const lo = Math.min(0, ...ys);
  const hi = niceMax(Math.max(0, ...ys));
  const x0 = points.length ? points[0].x : 0;
  const x1 = points.length ? points[points.length - 1].x : 1;
  const span = Math.max(1, x1 - x0);
  const px = (x) => PAD.left + ((x - x0) / span) * plotW;
  const py = (y) => PAD.top + plotH - ((y - lo) / (hi - lo || 1)) * plotH;
  const root = svg('svg', {
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`, width: '100%', role: 'img', class: 'chart',
    'aria-label': title, dataset: { chart: id, points: points.length, first: points.length ? x0 : '', last: points.length ? x1 : '' },
  });
  // Grid and y labels: the bottom, the middle and the top of the range.
  for (const f of [0, 0.5, 1]) {
    const y = lo + (hi - lo) * f;
    root.appendChild(svg('line', { x1: PAD.left, x2: WIDTH - PAD.right, y1: py(y), y2: py(y), class: 'grid' }));
    root.appendChild(svg('text', { x: PAD.left - 6, y: py(y) + 4, 'text-anchor': 'end', class: 'axis', text: fmt(y, '') }));
  }
  if (points.length) {
    root.appendChild(svg('text', { x: PAD.left, y: HEIGHT - 6, class: 'axis', text: '#' + x0 }));
    root.appendChild(svg('text', { x: WIDTH - PAD.right, y: HEIGHT - 6, 'text-anchor': 'end', class: 'axis', text: '#' + x1 }));
  }
  if (kind === 'bar') {
    const barW = Math.max(1, plotW / Math.max(1, span + 1) - 0.5);
    const bars = svg('g', { class: 'bars' });
    for (const p of points) {
      const top = py(Math.max(p.y, 0));
      bars.appendChild(svg('rect', {
        x: px(p.x) - barW / 2, y: top, width: barW, height: Math.max(0, py(0) - top),
        dataset: { x: p.x, y: p.y },
      }));
    }
    root.appendChild(bars);
  } else if (points.length) {
    const d = points.map((p, i) => (i ? 'L' : 'M') + px(p.x).toFixed(1) + ' ' + py(p.y).toFixed(1)).join(' ');
    root.appendChild(svg('path', { d, class: 'line' }));
    const last = points[points.length - 1];
    root.appendChild(svg('circle', { cx: px(last.x), cy: py(last.y), r: 3, class: 'dot' }));
  }
  if (!points.length) {
    root.appendChild(svg('text', { x: WIDTH / 2, y: HEIGHT / 2, 'text-anchor': 'middle', class: 'axis', text: 'no data yet' }));
  }
  const last = points.length ? points[points.length - 1].y : null;
  return el('figure', { class: 'chart-panel', id: 'chart-' + id },
    el('figcaption', null,
      el('span', { class: 'chart-title' }, title),
      el('span', { class: 'muted small' },
        ' latest ', el('b', { dataset: { stat: 'latest' } }, fmt(last, unit)),
        ' · median ', el('b', { dataset: { stat: 'median' } }, fmt(median(ys), unit)),
        ' · max ', el('b', { dataset: { stat: 'max' } }, fmt(ys.length ? Math.max(...ys) : null, unit)),
        ' · ', String(points.length), ' blocks')),
    root,
    note ? el('div', { class: 'muted small' }, note) : null);
}
