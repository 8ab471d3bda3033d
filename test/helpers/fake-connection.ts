import type { Connection, OutboundEvent } from '../../src/index.js';

/** A {@link Connection} that records what the core tells it, for core unit tests. */
export class FakeConnection implements Connection {
  /** Summaries, taken at send time: events carry live room views that are only valid during `send`. */
  readonly events: Array<Record<string, unknown>> = [];
  closedWith: { code: number; reason: string } | undefined;

  send(event: OutboundEvent): void {
    this.events.push(summarise(event));
  }

  close(code: number, reason: string): void {
    this.closedWith = { code, reason };
  }

  /** The kinds received since the last call, for compact assertions. */
  take(): Array<Record<string, unknown>> {
    return this.events.splice(0);
  }
}

function summarise(event: OutboundEvent): Record<string, unknown> {
  switch (event.kind) {
    case 'welcome':
      return { kind: event.kind, peerId: event.peerId };
    case 'joined':
      return { kind: event.kind, room: event.room.id, created: event.created };
    case 'room-peers':
      return { kind: event.kind, room: event.room.id, peers: event.peers };
    case 'peer-joined':
      return { kind: event.kind, room: event.room.id, peerId: event.peerId };
    case 'peer-left':
      return { kind: event.kind, room: event.room.id, peerId: event.peerId, reason: event.reason };
    case 'left':
      return { kind: event.kind, room: event.room.id, reason: event.reason };
    case 'room-ended':
      return { kind: event.kind, room: event.room.id, members: [...event.room.members.keys()] };
    case 'signal':
      return { kind: event.kind, from: event.from, type: event.signal.type };
    case 'message':
    case 'reply':
      return { kind: event.kind, data: event.data };
    case 'error':
      return { kind: event.kind, code: event.code, ...event.details };
  }
}
