// Type test (compiled by test/types.test.ts, never run): a browser app on lib ESNext, where `await using` and
// AbortSignal.timeout come from the lib itself (and Symbol.asyncDispose is declared by the lib as well as by us).
import { SignalingClient } from 'signalroom/client';

export async function scoped(): Promise<void> {
  await using client = new SignalingClient('wss://signal.example.com/signal', { WebSocket });
  await client.connect({ signal: AbortSignal.timeout(5_000) });
  const peers: readonly string[] = await client.join('room', { signal: new AbortController().signal });
  void peers;
}
