import type { IncomingMessage } from 'node:http';
import { sameSecret, tokenOf } from '../auth/tokens.js';
import { queryOf } from '../server/admission.js';
import type { ResolvedSignalingOptions } from '../server/options.js';

/**
 * Whether a request may read the routes that show peers and traffic (`/status`, `/metrics`, the dashboard).
 * The `opsAuthorize` hook decides when given; otherwise the server's own auth: the `tokenSecret` itself (never
 * a peer's JWT), closed when only `authenticate` is set, open when nothing is (as the original's `/status`).
 */
export async function opsAllowed(request: IncomingMessage, options: Readonly<ResolvedSignalingOptions>): Promise<boolean> {
  if (options.opsAuthorize !== undefined) return (await options.opsAuthorize(request)) === true;
  if (options.tokenSecret !== undefined) {
    const token = tokenOf(request.headers.authorization, queryOf(request));
    return token !== undefined && sameSecret(token, options.tokenSecret);
  }
  return options.authenticate === undefined;
}
