// The burn-down as an SVG drawn here (no chart library needed): violating and compliant
// devices per day, each milestone's due date, and its forecast (expected with its low-high
// range) as a dashed line from the last observed day. A table beside it carries the same
// numbers for screen readers.
import { svg, h } from './ui.js';
import { t, formatDate, formatNumber } from './i18n.js';

const kWidth = 720;
const kHeight = 260;
const kPad = { left: 52, right: 16, top: 12, bottom: 40 };

function dayNumber(iso) {
  const [y, m, d] = iso.split('-').map(Number);
  return Date.UTC(y, m - 1, d) / 86400000;
}

export function burndownChart(burndown) {
  const days = burndown.days || [];
  const forecast = burndown.forecast || [];
  if (!days.length) return h('p', { class: 'muted' }, t('overview.no_history'));
  const first = dayNumber(days[0].date);
  let last = dayNumber(days[days.length - 1].date);
  for (const f of forecast) last = Math.max(last, dayNumber(f.due));
  let top = 1;
  for (const d of days) top = Math.max(top, d.violating, d.compliant);
  for (const f of forecast) top = Math.max(top, f.high ?? f.expected ?? 0);
  // Four whole, round steps (1, 2, 5 x 10^n) so every grid line's label is exact.
  const rough = top / 4;
  const magnitude = 10 ** Math.floor(Math.log10(Math.max(1, rough)));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((v) => v >= rough) || 10 * magnitude;
  top = step * 4;
  const x = (iso) => kPad.left + ((dayNumber(iso) - first) / Math.max(1, last - first)) * (kWidth - kPad.left - kPad.right);
  const y = (v) => kHeight - kPad.bottom - (v / top) * (kHeight - kPad.top - kPad.bottom);
  const path = (key) => days.map((d, i) => `${i ? 'L' : 'M'}${x(d.date).toFixed(1)},${y(d[key]).toFixed(1)}`).join(' ');

  const title = t('overview.burndown_title');
  const chart = svg('svg', { class: 'chart', viewBox: `0 0 ${kWidth} ${kHeight}`, role: 'img', 'aria-label': title });
  for (let i = 0; i <= 4; i += 1) {
    const v = (top * i) / 4;
    chart.append(svg('line', { class: 'grid', x1: kPad.left, x2: kWidth - kPad.right, y1: y(v), y2: y(v) }));
    chart.append(svg('text', { class: 'label', x: kPad.left - 6, y: y(v) + 4, 'text-anchor': 'end' }, formatNumber(v)));
  }
  chart.append(svg('line', { class: 'axis', x1: kPad.left, x2: kWidth - kPad.right, y1: y(0), y2: y(0) }));
  chart.append(svg('text', { class: 'label', x: kPad.left, y: kHeight - 8 }, formatDate(days[0].date)));
  chart.append(svg('text', { class: 'label', x: kWidth - kPad.right, y: kHeight - 8, 'text-anchor': 'end' },
                   formatDate(new Date(last * 86400000).toISOString().slice(0, 10))));
  const lastDay = days[days.length - 1];
  forecast.forEach((f, i) => {
    chart.append(svg('line', { class: 'due', x1: x(f.due), x2: x(f.due), y1: kPad.top, y2: y(0) }));
    // Milestones days apart would overprint: each label on its own line.
    chart.append(svg('text', { class: 'label', x: x(f.due) - 3, y: kPad.top + 10 + 12 * i, 'text-anchor': 'end' }, f.milestone));
    if (f.kind !== 'observed' && dayNumber(f.due) > dayNumber(lastDay.date)) {
      const lo = f.low ?? f.expected;
      const hi = f.high ?? f.expected;
      chart.append(svg('polygon', { class: 'band', points: `${x(lastDay.date)},${y(lastDay.violating)} ${x(f.due)},${y(hi)} ${x(f.due)},${y(lo)}` }));
      chart.append(svg('path', { class: 'forecast', d: `M${x(lastDay.date)},${y(lastDay.violating)} L${x(f.due)},${y(f.expected)}` }));
    }
  });
  chart.append(svg('path', { class: 'compliant', d: path('compliant') }));
  chart.append(svg('path', { class: 'violating', d: path('violating') }));

  const legend = h('ul', { class: 'legend' },
    h('li', {}, h('span', { class: 'swatch swatch-violating' }), t('overview.legend_violating')),
    h('li', {}, h('span', { class: 'swatch swatch-compliant' }), t('overview.legend_compliant')),
    h('li', {}, h('span', { class: 'swatch swatch-forecast' }), t('overview.legend_forecast')));
  const rows = forecast.map((f) => h('tr', {},
    h('td', {}, f.milestone), h('td', {}, formatDate(f.due)),
    h('td', { class: 'num' }, formatNumber(Math.round(f.expected ?? 0))),
    h('td', { class: 'num' }, `${formatNumber(Math.round(f.low ?? 0))}–${formatNumber(Math.round(f.high ?? 0))}`),
    h('td', {}, f.on_track ? t('overview.on_track') : t('overview.off_track'))));
  const forecastTable = forecast.length ? h('div', { class: 'table-wrap' }, h('table', {},
    h('caption', {}, t('overview.forecast_caption')),
    h('thead', {}, h('tr', {}, [t('overview.milestone'), t('overview.due'), t('overview.expected'), t('overview.range'), t('overview.outlook')]
      .map((c, i) => h('th', { scope: 'col', class: i === 2 || i === 3 ? 'num' : undefined }, c)))),
    h('tbody', {}, rows))) : '';
  return h('figure', {}, chart, legend, forecastTable);
}
