import { createHash } from 'node:crypto';
import { serverInternals, type SignalingServer } from '../server/signaling-server.js';

/** How far back the dashboard's chart reaches. */
const WINDOW_MS = 10 * 60 * 1000;
/**
 * Requests closer together than this share one sample, so polling faster (or a loop of requests) cannot grow
 * the series: at most `WINDOW_MS / MIN_SAMPLE_GAP_MS` (600) samples are ever kept and returned.
 */
const MIN_SAMPLE_GAP_MS = 1000;
/** Rooms listed in one answer (the first, in creation order); `roomCount` says how many there are. */
export const DASHBOARD_MAX_ROOMS = 100;

interface Sample {
  time: number;
  signals: number;
  errors: number;
}

/**
 * Signal and error totals sampled whenever the dashboard asks (it polls), turned into per-second rates over
 * the last ten minutes. No timer runs for it: nobody watching costs nothing. Bounded whatever the request
 * rate: one sample per second at most, ten minutes of them, and at most {@link DASHBOARD_MAX_ROOMS} rooms.
 */
export class DashboardSeries {
  readonly #samples: Sample[] = [];

  constructor(private readonly signaling: SignalingServer) {}

  snapshot() {
    const now = Date.now();
    const { signals, errors } = serverInternals(this.signaling).core.stats.totals;
    const last = this.#samples.at(-1);
    if (last === undefined || now - last.time >= MIN_SAMPLE_GAP_MS) this.#samples.push({ time: now, signals, errors });
    while (this.#samples.length > 0 && (this.#samples[0] as Sample).time < now - WINDOW_MS) this.#samples.shift();
    const rates = this.#samples.slice(1).map((sample, i) => {
      const previous = this.#samples[i] as Sample;
      const seconds = Math.max(0.001, (sample.time - previous.time) / 1000);
      return {
        time: sample.time,
        signalsPerSecond: (sample.signals - previous.signals) / seconds,
        errorsPerSecond: (sample.errors - previous.errors) / seconds,
      };
    });
    const core = serverInternals(this.signaling).core;
    return {
      time: now,
      connections: this.signaling.connectionCount,
      peers: core.peerCount,
      totals: { signals, errors },
      roomCount: core.roomCount,
      rooms: core
        .rooms()
        .slice(0, DASHBOARD_MAX_ROOMS)
        .map((room) => ({ id: room.id, name: room.name, owner: room.owner, members: room.members })),
      rates,
    };
  }
}

/** The page's style and script, inline (one self-contained document) and allowed by hash in its CSP. */
const DASHBOARD_STYLE = `
  :root { --bg:#f5f6fa; --card:#fff; --ink:#1f2330; --muted:#6b7185; --line:#e3e6ef; --sig:#4c6ef5; --err:#e03131; }
  * { box-sizing: border-box; }
  body { margin:0; font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif; background:var(--bg); color:var(--ink); }
  header { padding:14px 22px; background:var(--card); border-bottom:1px solid var(--line); display:flex; gap:14px; align-items:baseline; }
  header h1 { font-size:17px; margin:0; } header span { color:var(--muted); font-size:12px; }
  main { max-width:1100px; margin:0 auto; padding:18px 22px; display:grid; gap:16px; grid-template-columns:repeat(4,1fr); }
  .card { background:var(--card); border:1px solid var(--line); border-radius:12px; padding:14px 16px; }
  .stat b { display:block; font-size:26px; } .stat small { color:var(--muted); text-transform:uppercase; letter-spacing:.05em; font-size:11px; }
  .wide { grid-column:1 / -1; } h2 { font-size:12px; text-transform:uppercase; letter-spacing:.06em; color:var(--muted); margin:0 0 10px; }
  table { width:100%; border-collapse:collapse; } td,th { text-align:left; padding:7px 6px; border-bottom:1px solid var(--line); font-size:13px; vertical-align:top; }
  th { color:var(--muted); font-weight:500; } code { font-size:12px; }
  .legend span { display:inline-flex; align-items:center; gap:6px; margin-right:14px; font-size:12px; color:var(--muted); }
  .legend i { width:14px; height:3px; display:inline-block; border-radius:2px; }
  .legend i.sig { background:var(--sig); } .legend i.err { background:var(--err); }
`;
const DASHBOARD_SCRIPT = `
  const $ = (id) => document.getElementById(id);
  const x = (i, n) => (n < 2 ? 500 : (i / (n - 1)) * 990 + 5).toFixed(1);
  const y = (value, max) => (170 - (value / max) * 150).toFixed(1);
  const path = (points, max, key) => points.map((p, i) => (i ? 'L' : 'M') + x(i, points.length) + ' ' + y(p[key], max)).join(' ');
  const dots = (points, max, key, color) => points.map((p, i) => '<circle cx="' + x(i, points.length) + '" cy="' + y(p[key], max) + '" r="3.5" fill="' + color + '"/>').join('');
  async function refresh() {
    try {
      const data = await (await fetch('dashboard/data' + location.search, { cache: 'no-store' })).json();
      $('connections').textContent = data.connections;
      $('peers').textContent = data.peers;
      $('signals').textContent = data.totals.signals;
      $('errors').textContent = data.totals.errors;
      $('updated').textContent = 'updated ' + new Date(data.time).toLocaleTimeString() +
        (data.roomCount > data.rooms.length ? ' · first ' + data.rooms.length + ' of ' + data.roomCount + ' rooms' : '');
      const rates = data.rates;
      const max = Math.max(1, ...rates.map((r) => Math.max(r.signalsPerSecond, r.errorsPerSecond)));
      $('chart').innerHTML = '<line x1="0" x2="1000" y1="170" y2="170" stroke="#e3e6ef"/>' +
        '<text x="4" y="14" font-size="12" fill="#6b7185">' + max.toFixed(1) + '/s</text>' +
        (rates.length ? '<path d="' + path(rates, max, 'signalsPerSecond') + '" fill="none" stroke="#4c6ef5" stroke-width="2.5"/>' +
        '<path d="' + path(rates, max, 'errorsPerSecond') + '" fill="none" stroke="#e03131" stroke-width="2"/>' +
        dots(rates, max, 'signalsPerSecond', '#4c6ef5') + dots(rates, max, 'errorsPerSecond', '#e03131') : '');
      $('rooms').replaceChildren(...data.rooms.map((room) => {
        const tr = document.createElement('tr');
        for (const text of [room.id, room.name || '—', room.members.join(', ') || '(empty)']) {
          const td = document.createElement('td'); const code = document.createElement('code'); code.textContent = text; td.append(code); tr.append(td);
        }
        return tr;
      }));
      document.body.dataset.loaded = String(data.time);
    } catch (error) {
      $('updated').textContent = 'server unreachable';
    }
  }
  refresh();
  setInterval(refresh, 2000);
`;

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/**
 * The dashboard's Content-Security-Policy: nothing but its own inline script and style (by hash), requests to
 * its own origin, no framing, no forms, no base URL.
 */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  `script-src ${sha256(DASHBOARD_SCRIPT)}`,
  `style-src ${sha256(DASHBOARD_STYLE)}`,
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The dashboard page: one self-contained HTML document polling `/dashboard/data` every 2 s (with the page's own query, so a `?token=` carries over). */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>signalroom dashboard</title>
<style>${DASHBOARD_STYLE}</style></head>
<body>
<header><h1>signalroom</h1><span id="updated">loading…</span></header>
<main>
  <div class="card stat"><small>connections</small><b id="connections">–</b></div>
  <div class="card stat"><small>peers</small><b id="peers">–</b></div>
  <div class="card stat"><small>signals relayed</small><b id="signals">–</b></div>
  <div class="card stat"><small>errors answered</small><b id="errors">–</b></div>
  <div class="card wide"><h2>Rates, last minutes (per second)</h2>
    <div class="legend"><span><i class="sig"></i>signals</span><span><i class="err"></i>errors</span></div>
    <svg id="chart" width="100%" height="180" viewBox="0 0 1000 180" preserveAspectRatio="none"></svg></div>
  <div class="card wide"><h2>Rooms</h2><table><thead><tr><th>room</th><th>name</th><th>peers</th></tr></thead><tbody id="rooms"></tbody></table></div>
</main>
<script>${DASHBOARD_SCRIPT}</script>
</body></html>
`;
