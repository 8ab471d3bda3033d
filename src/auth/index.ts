// signalroom/auth: HS256 tokens for `tokenSecret` (sign on your server, verify in signalroom or anywhere).
export { signToken, verifyToken, type TokenClaims, type VerifyOptions } from './tokens.js';
