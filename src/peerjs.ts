// signalroom/peerjs: the PeerJS server's HTTP API (GET /, /<key>/id, /<key>/peers) for servers you wire
// yourself, and its options. attachSignaling and the Express and Fastify adapters serve it already.
export { createPeerjsRoutes, PEERJS_INFO } from './server/peerjs-http.js';
export { PEERJS_DEFAULTS, type PeerServerOptions, type ResolvedPeerServerOptions } from './transport/peerjs-options.js';
