// Type test (compiled by test/types/types.test.ts, never run): the client SDK with the DOM's own WebSocket and
// RTCPeerConnection, under strict and skipLibCheck: false, as a browser app compiles it.
import { PeerMesh, SignalingClient } from 'signalroom/client';

const client = new SignalingClient('wss://signal.example.com/signal', { room: 'chat', WebSocket });
const implicit = new SignalingClient('wss://signal.example.com/signal');

declare const camera: MediaStream;
const mesh = new PeerMesh(client, {
  configuration: { iceServers: [{ urls: 'stun:stun.example.com' }] },
  RTCPeerConnection,
  setup: (peerId: string, connection: RTCPeerConnection) => {
    for (const track of camera.getTracks()) connection.addTrack(track, camera);
    connection.addTransceiver('audio', { direction: 'recvonly' });
    void peerId;
  },
});
mesh.on('track', ({ peerId, track, streams, event }) => {
  const media: MediaStreamTrack = track;
  const first: MediaStream | undefined = streams[0];
  const raw: RTCTrackEvent = event;
  void [peerId, media, first, raw];
});
mesh.on('connection', ({ connection }) => {
  const pc: RTCPeerConnection = connection;
  void pc;
});
mesh.on('open', ({ channel }) => {
  const dc: RTCDataChannel = channel;
  dc.binaryType = 'arraybuffer';
});
const pc: RTCPeerConnection | undefined = mesh.connection('peer');
pc?.getSenders();

export { client, implicit };
