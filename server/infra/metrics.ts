import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Distinct operation names labelled before the rest are counted as "other". */
const MAX_OPERATION_NAMES = 500;

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

  /** Operation names seen so far; past the cap new names count as "other" (clients choose names). */
  readonly providerBalanceLowAlerts = new Counter({
    name: 'provider_balance_low_alerts_total',
    help: "Times a provider balance fell below its threshold (the platform's upstream credit)",
    labelNames: ['provider'],
    registers: [this.registry],
  });

  private readonly operationNames = new Set<string>();

  constructor(processName: string) {
    this.registry.setDefaultLabels({ process: processName });
    collectDefaultMetrics({ register: this.registry });
  }

  /**
   * The label for an operation name. Names are chosen by clients, so their number is capped to
   * keep the series count (and the process's memory) bounded.
   */
  operationLabel(name: string | null | undefined): string {
    if (!name) return 'anonymous';
    if (this.operationNames.has(name)) return name;
    if (this.operationNames.size >= MAX_OPERATION_NAMES || name.length > 100) return 'other';
    this.operationNames.add(name);
    return name;
  }
}
