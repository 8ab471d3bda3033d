// The signals every load generator sends, the mix issue 18 describes: per 8 messages one SDP offer and one answer
// (about 600 bytes on the wire each) and six trickled ICE candidates (about 300 bytes each). The sizes are those
// of the console-dialect frames (with a 36-character peer id and the send time); the other protocols wrap the
// same payloads in their own envelopes.

/** An audio-only SDP offer of a browser (one m-line), its answer and a server-reflexive ICE candidate. */
const sdp = (origin, ufrag, pwd, setup) =>
  [
    'v=0', `o=- ${origin} 2 IN IP4 127.0.0.1`, 's=-', 't=0 0',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'c=IN IP4 0.0.0.0', 'a=rtcp:9 IN IP4 0.0.0.0', `a=ice-ufrag:${ufrag}`,
    `a=ice-pwd:${pwd}`, 'a=ice-options:trickle',
    'a=fingerprint:sha-256 DA:7B:57:DC:28:CE:04:4F:31:79:85:C4:31:67:EB:27:58:29:ED:77:2A:0D:24:AE:ED:AD:30:BC:BD:F1:9C:02',
    `a=setup:${setup}`, 'a=mid:0', 'a=sendrecv', 'a=rtcp-mux', 'a=rtpmap:111 opus/48000/2',
    'a=fmtp:111 minptime=10;useinbandfec=1', '',
  ].join('\r\n');
export const OFFER = { type: 'offer', sdp: sdp('4611731400430051336', 'EsAw', 'bP+XJMM09aR8AiX1jdukzR6Y', 'actpass') };
export const ANSWER = { type: 'answer', sdp: sdp('7150341862260329173', 'kQ3v', 'Yf0hG8Tq2LmX4oZcN7wR1sUe', 'active') };
export const CANDIDATE = {
  candidate: 'candidate:842163049 1 udp 1677729535 203.0.113.7 46154 typ srflx raddr 10.0.0.5 rport 46154 generation 0 ufrag EsAw network-cost 999',
  sdpMid: '0',
  sdpMLineIndex: 0,
  usernameFragment: 'EsAw',
};

/** What the `n`th message of a client is (n counts from 1): an offer, an answer, or (six in eight) a candidate. */
export function signalKind(n) {
  const slot = n % 8;
  return slot === 1 ? 'offer' : slot === 2 ? 'answer' : 'candidate';
}
