import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The process's Prometheus metrics, served at GET /metrics. */
export class Metrics {
  readonly registry = new Registry();

  readonly requestDuration = new Histogram({
    name: 'graphql_request_duration_seconds',
    help: 'Time from receiving a GraphQL operation to sending its answer',
    labelNames: ['operation_type', 'transport'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly resolverDuration = new Histogram({
    name: 'graphql_resolver_duration_seconds',
    help: 'Time spent in each root field resolver (nested fields are not timed, to keep them cheap)',
    labelNames: ['parent_type', 'field'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [this.registry],
  });

  readonly operations = new Counter({
    name: 'graphql_operations_total',
    help: 'Operations executed, by name and type',
    labelNames: ['operation_name', 'operation_type'],
    registers: [this.registry],
  });

  readonly errors = new Counter({
    name: 'graphql_errors_total',
    help: 'Errors answered, by extensions.code',
    labelNames: ['code'],
    registers: [this.registry],
  });

  readonly activeSockets = new Gauge({
    name: 'graphql_ws_connections_active',
    help: 'Open GraphQL WebSocket connections',
    registers: [this.registry],
  });

  constructor(processName: string) {
    this.registry.setDefaultLabels({ process: processName });
    collectDefaultMetrics({ register: this.registry });
  }
}
