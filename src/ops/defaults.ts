/**
 * Which operational routes are served when nothing is said, in one place. The value depends on who owns the
 * port, on purpose:
 * - `standalone`: the standalone server owns its port (keep it internal): every route, the dashboard included.
 * - `routes`: `createOpsRoutes` on a server you wire yourself: the routes safe behind the server's auth
 *   (`opsAuthorize`); the dashboard, which shows every peer id, only when asked for.
 * - `adapter`: Express and Fastify mount on your app's public port: nothing unless asked for.
 * `metrics` is a handle for `routes` (`undefined`: none) and a switch for the others.
 */
export const OPS_DEFAULTS = {
  standalone: { statusPath: '/status' as string | false, health: true, metrics: true, iceServers: true, dashboard: true },
  routes: { statusPath: '/status' as string | false, health: true, metrics: undefined, iceServers: true, dashboard: false },
  adapter: { statusPath: false as string | false, health: false, metrics: false, iceServers: false, dashboard: false },
} as const;
