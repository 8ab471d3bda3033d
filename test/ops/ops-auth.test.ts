import { afterEach, describe, expect, it, vi } from 'vitest';
import { signToken } from '../../src/auth/index.js';
import { DASHBOARD_MAX_ROOMS, DashboardSeries } from '../../src/ops/dashboard.js';
import { TestClient } from '../helpers/client.js';
import { startServer } from '../helpers/server.js';

const secret = 'ops and peers share this secret';
const PROTECTED = ['/status', '/metrics', '/dashboard', '/dashboard/data'];

afterEach(() => void vi.useRealTimers());

const statusOf = async (url: string, headers: Record<string, string> = {}) => (await fetch(url, { headers })).status;

describe('ops routes follow the server auth', () => {
  it('with tokenSecret: 401 without the secret, or with a peer JWT; the secret as Bearer or ?token= opens them', async () => {
    const { httpUrl, url, metrics } = await startServer({ tokenSecret: secret });
    await metrics;
    const peer = await TestClient.open(`${url}/?token=${encodeURIComponent(secret)}`);
    const jwt = await signToken(secret, { id: 'mallory', expiresIn: '5m' });
    for (const path of PROTECTED) {
      expect(await statusOf(`${httpUrl}${path}`), path).toBe(401);
      expect(await statusOf(`${httpUrl}${path}`, { authorization: `Bearer ${jwt}` }), path).toBe(401);
      expect(await statusOf(`${httpUrl}${path}?token=wrong`), path).toBe(401);
      expect(await statusOf(`${httpUrl}${path}`, { authorization: `Bearer ${encodeURIComponent(secret)}` }), path).toBe(401);
    }
    const refused = await fetch(`${httpUrl}/status`);
    expect(refused.headers.get('www-authenticate')).toBe('Bearer');
    expect(await refused.json()).toEqual({ error: 'Unauthorized' });
    // The secret itself (no spaces in a header value: ?token= carries this one).
    const status = await fetch(`${httpUrl}/status?token=${encodeURIComponent(secret)}`);
    expect(await status.json()).toEqual({ totalClients: 1, clients: [peer.id], rooms: {} });
    const bare = await startServer({ tokenSecret: 'no-spaces' });
    const viaHeader = await fetch(`${bare.httpUrl}/status`, { headers: { authorization: 'Bearer no-spaces' } });
    expect(await viaHeader.json()).toEqual({ totalClients: 0, clients: [], rooms: {} });
    // Health stays open for load balancers: it shows nothing.
    expect(await statusOf(`${httpUrl}/healthz`)).toBe(200);
    expect(await statusOf(`${httpUrl}/readyz`)).toBe(200);
  });

  it('an opsAuthorize hook decides instead, sync or async; a throwing hook answers 500', async () => {
    const { httpUrl } = await startServer({
      tokenSecret: secret,
      opsAuthorize: async (request) => {
        if (request.headers['x-boom'] !== undefined) throw new Error('hook failed');
        return request.headers['x-operator'] === 'yes';
      },
    });
    expect(await statusOf(`${httpUrl}/status?token=${encodeURIComponent(secret)}`)).toBe(401);
    expect(await statusOf(`${httpUrl}/status`, { 'x-operator': 'yes' })).toBe(200);
    expect(await statusOf(`${httpUrl}/dashboard/data`, { 'x-operator': 'no' })).toBe(401);
    expect(await statusOf(`${httpUrl}/status`, { 'x-boom': '1' })).toBe(500);
  });

  it('with only an authenticate hook they are closed; with no auth at all /status is open in its original shape', async () => {
    const closed = await startServer({ authenticate: () => ({}) });
    for (const path of PROTECTED) expect(await statusOf(`${closed.httpUrl}${path}`), path).toBe(401);
    const open = await startServer();
    const peer = await TestClient.open(open.url);
    expect(await (await fetch(`${open.httpUrl}/status`)).json()).toEqual({ totalClients: 1, clients: [peer.id], rooms: {} });
  });

  it('rejects an opsAuthorize that is not a function', async () => {
    await expect(startServer({ opsAuthorize: true as never })).rejects.toThrow(
      new TypeError('options.opsAuthorize must be a function, got true'),
    );
  });
});

describe('security headers', () => {
  it('every HTML answer carries a CSP, nosniff and no framing; JSON answers are nosniff and no-store', async () => {
    const { httpUrl } = await startServer();
    const page = await fetch(`${httpUrl}/dashboard`);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/^default-src 'none'; script-src 'sha256-[A-Za-z0-9+/=]+'; style-src 'sha256-[A-Za-z0-9+/=]+'; connect-src 'self'/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    // The page has no inline style attribute or handler the CSP would block.
    expect(await page.text()).not.toMatch(/\sstyle="|\son[a-z]+=/);
    for (const path of ['/status', '/dashboard/data', '/healthz']) {
      const answer = await fetch(`${httpUrl}${path}`);
      expect(answer.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(answer.headers.get('cache-control'), path).toBe('no-store');
    }
  });
});

describe('/dashboard/data stays bounded', () => {
  it('keeps one sample per second at most and ten minutes of them, however often it is asked', async () => {
    const { signaling } = await startServer();
    vi.useFakeTimers({ toFake: ['Date'], now: 1_000_000 });
    const series = new DashboardSeries(signaling);
    for (let i = 0; i < 1_000; i++) series.snapshot(); // a request loop within one second
    expect(series.snapshot().rates).toHaveLength(0);
    vi.setSystemTime(1_000_999);
    expect(series.snapshot().rates).toHaveLength(0);
    vi.setSystemTime(1_001_000);
    expect(series.snapshot().rates).toHaveLength(1);
    // An hour of polling ten times a second: never more than ten minutes of one-second samples.
    let longest = 0;
    for (let t = 1_001_000; t < 1_001_000 + 3_600_000; t += 100) {
      vi.setSystemTime(t);
      longest = Math.max(longest, series.snapshot().rates.length);
    }
    expect(longest).toBe(600);
    expect(JSON.stringify(series.snapshot()).length).toBeLessThan(100_000);
  });

  it(`lists at most ${DASHBOARD_MAX_ROOMS} rooms and says how many there are`, async () => {
    const { signaling } = await startServer();
    for (let i = 0; i <= DASHBOARD_MAX_ROOMS; i++) signaling.createRoom({ id: `room-${i}` });
    const data = new DashboardSeries(signaling).snapshot();
    expect(data.rooms).toHaveLength(DASHBOARD_MAX_ROOMS);
    expect(data.roomCount).toBe(DASHBOARD_MAX_ROOMS + 1);
  });
});
