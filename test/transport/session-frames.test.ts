import { describe, expect, it } from 'vitest';
import { frameOf } from '../../src/transport/session.js';
import { sessionWorld } from '../helpers/session.js';

/** A JSON frame whose UTF-8 encoding is exactly `bytes` long (`é` is two bytes, so odd padding uses one `a`). */
function textOf(bytes: number): string {
  const overhead = Buffer.byteLength('{"type":"x","pad":""}');
  const pad = bytes - overhead;
  return JSON.stringify({ type: 'x', pad: 'é'.repeat(pad >> 1) + (pad % 2 === 1 ? 'a' : '') });
}

describe('Session: the frames it writes itself', () => {
  it('arrive intact at a ws client on both sides of each length encoding (7-bit, 16-bit, 64-bit)', async () => {
    const world = await sessionWorld();
    const { session, client } = await world.open();
    const sizes = [21, 125, 126, 127, 65_535, 65_536, 200_000];
    const texts = sizes.map(textOf);
    expect(texts.map((text) => Buffer.byteLength(text))).toEqual(sizes);
    for (const text of texts) session.sendText(text);
    for (const text of texts) expect(await client.next()).toEqual(JSON.parse(text));
    expect(client.raw.slice(-texts.length)).toEqual(texts);
  });

  it('frames a text once for every receiver, and a new text anew', async () => {
    const world = await sessionWorld();
    const a = await world.open();
    const b = await world.open();
    const text = textOf(300);
    expect(frameOf(text)).toBe(frameOf(text));
    a.session.sendText(text);
    b.session.sendText(text);
    expect(await a.client.next()).toEqual(JSON.parse(text));
    expect(await b.client.next()).toEqual(JSON.parse(text));
    const other = textOf(301);
    expect(frameOf(other)).not.toBe(frameOf(text));
    expect(frameOf(other).subarray(4).toString()).toBe(other);
  });

  it('keeps order with the frames ws writes itself (a ping between two frames)', async () => {
    const world = await sessionWorld();
    const { session, client } = await world.open();
    const seen: string[] = [];
    client.socket.on('ping', () => seen.push('ping'));
    client.socket.on('message', (data: Buffer) => seen.push(JSON.parse(data.toString()).pad as string));
    session.sendText('{"type":"x","pad":"1"}');
    session.ping();
    session.sendText('{"type":"x","pad":"2"}');
    await client.next();
    await client.next();
    expect(seen).toEqual(['1', 'ping', '2']);
  });
});
