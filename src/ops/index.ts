// signalroom/ops: the HTTP routes (/status, /healthz, /readyz, the dashboard, TURN credentials), the JSON logger
// and TURN REST credentials. Prometheus metrics are in signalroom/metrics (they need prom-client).
export { createOpsRoutes, type AdapterOpsOptions, type OpsHandler, type OpsRoutesOptions } from './routes.js';
export { jsonLogger, type Logger, type LogLevel } from './logger.js';
export { turnCredentials, type IceServer, type TurnOptions } from './turn.js';
export type { MetricsHandle } from './metrics-handle.js';
export { OPS_DEFAULTS } from './defaults.js';
