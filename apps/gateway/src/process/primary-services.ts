import type { GatewayConfig } from '../config';
import type { Logger } from '../logger';
import { serveClusterMetrics } from '../observability/cluster-metrics';
import { startPruner } from '../retention/pruner';

/**
 * What the cluster primary does besides forking workers: answers their metrics scrapes with the
 * whole cluster's numbers, prunes retained uploads past CUSTOMER_DATA_MAX_DAYS (hourly, once per
 * gateway rather than once per worker; also after SAVE_UPLOADS was turned off), and says loudly at
 * start what is unprotected or kept.
 */
export function startPrimaryServices(config: GatewayConfig, logger: Logger): { stop(): void } {
  serveClusterMetrics();

  if (config.apiKeys.length === 0) {
    logger.warn(
      'API_KEYS is not set: authentication is OFF. Anyone who can reach this port can call every endpoint and open the queue dashboard (read-only). Set API_KEYS=<key>[,<key>...] for any shared deployment.',
    );
  } else {
    logger.info({ keys: config.apiKeys.length, rateLimitPerMinute: config.rateLimitPerMinute || 'off' }, 'API key authentication on');
  }
  if (!config.dashboard.readOnly && config.apiKeys.length === 0 && !config.dashboard.basic) {
    logger.warn('DASHBOARD_READ_ONLY=false ignored: the dashboard has no credentials, so it stays read-only');
  }

  if (config.saveUploads) {
    logger.info(
      { dir: config.customerDataDir, maxDays: config.customerDataMaxDays || 'forever' },
      'SAVE_UPLOADS on: every answered upload is kept with its sidecar (medical images; set SAVE_UPLOADS=false to stop)',
    );
  }
  // Records kept earlier still expire after SAVE_UPLOADS is turned off.
  if (config.customerDataMaxDays === 0 && !config.saveUploads) return { stop: () => undefined };
  const pruner = startPruner(config.customerDataDir, {
    maxDays: config.customerDataMaxDays,
    onPass: (r) => {
      if (r.removedRecords + r.removedLeftovers > 0) logger.info(r, 'retained uploads pruned');
    },
    onError: (err) => logger.error({ err: err.message }, 'pruning retained uploads failed'),
  });
  return pruner;
}
