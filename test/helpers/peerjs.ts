import { TestClient, type Frame } from './client.js';

/** The query a peerjs client puts on its socket URL. */
export function peerjsUrl(base: string, { id, token = `${id}-token`, key = 'peerjs' }: { id: string; token?: string; key?: string }): string {
  return `${base}/peerjs?key=${key}&id=${id}&token=${token}&version=1.5.5`;
}

/** Opens a PeerJS socket as the client does and awaits its `OPEN`. */
export async function openPeer(base: string, id: string, token?: string): Promise<TestClient> {
  const client = await TestClient.open(peerjsUrl(base, { id, token }), { welcome: false });
  const open = await client.next();
  if (open.type !== 'OPEN') throw new Error(`expected OPEN, got ${JSON.stringify(open)}`);
  client.id = id;
  return client;
}

/**
 * Proves nothing else was delivered to a PeerJS client: it sends itself an `OFFER` (the server relays to any id,
 * its own too) and expects that to be the very next frame.
 */
export async function expectNothingPending(client: TestClient): Promise<void> {
  client.send({ type: 'OFFER', dst: client.id, payload: 'probe' });
  const next: Frame = await client.next();
  if (next.type !== 'OFFER' || next.payload !== 'probe') throw new Error(`expected no pending frame, got ${JSON.stringify(next)}`);
}
