import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Log, MetricsSink } from '../ports.ts';

const SERVICE = 'a360';
const NAMESPACE = 'a360';

/** One Powertools Logger per Lambda; `POWERTOOLS_*` variables (set by infra) override the defaults. */
export function createLogger(): Logger {
  return new Logger({ serviceName: SERVICE });
}

export function createMetrics(): Metrics {
  return new Metrics({ namespace: NAMESPACE, serviceName: SERVICE });
}

export function logOf(logger: Logger): Log {
  return {
    debug: (message, fields) => logger.debug(message, fields ?? {}),
    info: (message, fields) => logger.info(message, fields ?? {}),
    warn: (message, fields) => logger.warn(message, fields ?? {}),
    error: (message, fields) => logger.error(message, fields ?? {}),
  };
}

/**
 * EMF metrics with the single dimension Category: one EMF document per record (a fresh buffer, so the
 * dimension of one category never leaks into another's values). Durations in milliseconds, the rest counts.
 */
export const metricsSink: MetricsSink = {
  record(category, values) {
    const metrics = createMetrics();
    metrics.addDimension('Category', category);
    for (const [name, value] of Object.entries(values)) {
      metrics.addMetric(name, name.endsWith('Ms') ? MetricUnit.Milliseconds : MetricUnit.Count, value);
    }
    metrics.publishStoredMetrics();
  },
};
