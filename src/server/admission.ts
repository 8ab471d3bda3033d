import type { IncomingMessage } from 'node:http';
import { tokenOf, verifyToken } from '../auth/tokens.js';
import type { Admission, Identity } from '../transport/upgrades.js';
import type { AuthenticateResult, ResolvedSignalingOptions } from './options.js';

export type { Admission } from '../transport/upgrades.js';

const PLAIN: Admission = { identity: {}, extensions: false, reason: '' };
const EXTENDED: Admission = { identity: {}, extensions: true, reason: '' };

/**
 * Decides an upgrade request before any peer state exists: the origin allowlist, the built-in token, then the
 * app's `authenticate` hook. Synchronous when no async check is configured, so plain servers pay nothing.
 */
export function authorizeHandshake(
  request: IncomingMessage,
  options: Readonly<ResolvedSignalingOptions>,
): Admission | Promise<Admission> {
  if (!originAllowed(request.headers.origin, options.allowedOrigins)) {
    return { identity: {}, extensions: false, refuse: 403, reason: 'Origin Not Allowed' };
  }
  const query = queryOf(request);
  const extensions = query !== undefined && (query.get('extensions') === '1' || query.has('resume'));
  const resume = options.resume ? (query?.get('resume') ?? undefined) : undefined;
  if (options.tokenSecret === undefined && options.authenticate === undefined) {
    if (resume !== undefined) return { identity: {}, resume, extensions, reason: '' };
    return extensions ? EXTENDED : PLAIN;
  }
  return authenticate(request, options, tokenOf(request.headers.authorization, query), resume, extensions);
}

async function authenticate(
  request: IncomingMessage,
  options: Readonly<ResolvedSignalingOptions>,
  token: string | null | undefined,
  resume: string | undefined,
  extensions: boolean,
): Promise<Admission> {
  let identity: Identity = {};
  if (options.tokenSecret !== undefined) {
    const granted = await verifyToken(options.tokenSecret, token, {
      allowMissingExpiry: options.allowTokensWithoutExpiry,
      audience: options.tokenAudience,
      issuer: options.tokenIssuer,
    });
    if (granted === undefined) return { identity, extensions, refuse: 401, reason: 'Unauthorized' };
    identity = granted;
  }
  if (options.authenticate !== undefined) {
    const result: AuthenticateResult = await options.authenticate(request);
    if (result === false || result === null || typeof result !== 'object') {
      return { identity, extensions, refuse: 401, reason: 'Unauthorized' };
    }
    if ('refuse' in result) {
      return result.refuse === 403
        ? { identity, extensions, refuse: 403, reason: 'Forbidden' }
        : { identity, extensions, refuse: 401, reason: 'Unauthorized' };
    }
    identity = { ...identity, ...result };
  }
  return { identity, resume, extensions, reason: '' };
}

function originAllowed(origin: string | undefined, allowed: ResolvedSignalingOptions['allowedOrigins']): boolean {
  if (allowed === undefined || origin === undefined) return true;
  return typeof allowed === 'function' ? allowed(origin) : allowed.includes(origin);
}

export function queryOf(request: IncomingMessage): URLSearchParams | undefined {
  const url = request.url ?? '';
  const start = url.indexOf('?');
  return start === -1 ? undefined : new URLSearchParams(url.slice(start + 1));
}
