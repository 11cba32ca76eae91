import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ApiServer } from '../../../server/app.js';
import { startTestApi } from '../../support/api.js';
import { gql } from '../../support/graphql-client.js';
import { sampleOf, scrape } from '../../support/prometheus.js';

/** GET /metrics in Prometheus text format, moved by real traffic to this API instance. */
let api: ApiServer;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api.stop();
});

/** Polls /metrics until `read` gives `expected`, or fails after a bounded wait. */
async function metricBecomes(read: (text: string) => number, expected: number): Promise<void> {
  const deadline = Date.now() + 5_000;
  let last = Number.NaN;
  while (Date.now() < deadline) {
    last = read(await scrape(api.url));
    if (last === expected) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`metric stayed at ${last}, expected ${expected}`);
}

describe('GET /metrics', () => {
  it('answers in the Prometheus text format with the process metrics', async () => {
    const response = await fetch(`${api.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    expect(text).toContain('# TYPE graphql_request_duration_seconds histogram');
    expect(text).toContain('# TYPE graphql_resolver_duration_seconds histogram');
    expect(text).toContain('# TYPE graphql_operations_total counter');
    expect(text).toContain('# TYPE graphql_errors_total counter');
    expect(text).toContain('# TYPE graphql_ws_connections_active gauge');
    expect(sampleOf(text, 'process_resident_memory_bytes', { process: 'api' })).toBeGreaterThan(0);
  });

  it('counts operations by name and times requests and root resolvers', async () => {
    const before = await scrape(api.url);
    const ops = { operation_name: 'MetricsProbe', operation_type: 'query' };
    const requests = { operation_type: 'query', transport: 'http' };
    const resolver = { parent_type: 'Query', field: 'apiKeyScopes' };
    for (let i = 0; i < 3; i += 1) expect((await gql(api.url, 'query MetricsProbe { apiKeyScopes { name } }')).status).toBe(200);
    const after = await scrape(api.url);
    expect(sampleOf(after, 'graphql_operations_total', ops) - sampleOf(before, 'graphql_operations_total', ops)).toBe(3);
    expect(sampleOf(after, 'graphql_request_duration_seconds_count', requests) - sampleOf(before, 'graphql_request_duration_seconds_count', requests)).toBe(3);
    expect(sampleOf(after, 'graphql_request_duration_seconds_bucket', { ...requests, le: '+Inf' })).toBe(sampleOf(after, 'graphql_request_duration_seconds_count', requests));
    expect(sampleOf(after, 'graphql_resolver_duration_seconds_count', resolver) - sampleOf(before, 'graphql_resolver_duration_seconds_count', resolver)).toBe(3);
    expect(sampleOf(after, 'graphql_resolver_duration_seconds_sum', resolver)).toBeGreaterThan(0);
  });

  it('counts anonymous operations as "anonymous"', async () => {
    const labels = { operation_name: 'anonymous', operation_type: 'query' };
    const before = sampleOf(await scrape(api.url), 'graphql_operations_total', labels);
    await gql(api.url, '{ __typename }');
    expect(sampleOf(await scrape(api.url), 'graphql_operations_total', labels)).toBe(before + 1);
  });

  it('counts errors by code, including requests refused before GraphQL runs', async () => {
    const before = await scrape(api.url);
    await gql(api.url, '{ viewer { user { id } } }');
    await gql(api.url, '{ viewer { user { id } ');
    await fetch(`${api.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":' });
    const after = await scrape(api.url);
    const delta = (code: string) => sampleOf(after, 'graphql_errors_total', { code }) - sampleOf(before, 'graphql_errors_total', { code });
    expect(delta('UNAUTHENTICATED')).toBe(1);
    expect(delta('BAD_USER_INPUT')).toBe(2);
  });

  it('tracks open GraphQL WebSocket connections', async () => {
    const gauge = (text: string) => sampleOf(text, 'graphql_ws_connections_active');
    await metricBecomes(gauge, 0);
    let client: Client | undefined;
    try {
      const connected = new Promise<void>((resolve, reject) => {
        client = createClient({ url: `${api.url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, lazy: false, retryAttempts: 0, on: { connected: () => resolve(), error: reject } });
      });
      await connected;
      await metricBecomes(gauge, 1);
    } finally {
      await client?.dispose();
    }
    await metricBecomes(gauge, 0);
  });
});
