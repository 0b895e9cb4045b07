// Prometheus metrics on a registry of our own (no global state, so tests can run several servers).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { LedgerMetrics } from '../ledger/service.js';

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'evident_' });
  const httpRequests = new Counter({
    name: 'evident_http_requests_total',
    help: 'HTTP requests by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: 'evident_http_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const ledgerEvents = new Counter({
    name: 'evident_ledger_events_total',
    help: 'Ledger events appended by action and outcome (an event of a group-commit batch that was re-run counts again)',
    labelNames: ['action', 'outcome'] as const,
    registers: [registry],
  });
  const ledgerSize = new Gauge({ name: 'evident_ledger_tree_size', help: 'Leaves in the latest signed checkpoint', registers: [registry] });
  const ledgerIntegrated = new Counter({ name: 'evident_ledger_integrated_total', help: 'Events integrated into the Merkle tree', registers: [registry] });
  const ledgerIntegration = new Histogram({
    name: 'evident_ledger_integration_seconds',
    help: 'Time to integrate one batch and sign its checkpoint',
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [registry],
  });

  const ledger: LedgerMetrics = {
    appended: (action, outcome) => ledgerEvents.inc({ action, outcome }),
    integrated: (count, size, seconds) => {
      ledgerIntegrated.inc(count);
      ledgerSize.set(size);
      ledgerIntegration.observe(seconds);
    },
  };

  return {
    registry,
    ledger,
    observeRequest(method: string, route: string, status: number, seconds: number) {
      httpRequests.inc({ method, route, status: String(status) });
      httpDuration.observe({ method, route }, seconds);
    },
    /** Gauges read at scrape time from a live source. */
    gauge(name: string, help: string, read: () => number) {
      new Gauge({
        name,
        help,
        registers: [registry],
        collect() {
          this.set(read());
        },
      });
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
