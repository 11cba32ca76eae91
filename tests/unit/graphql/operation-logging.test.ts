import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { printWithoutLiterals } from '../../../server/graphql/plugins.js';
import { Metrics } from '../../../server/infra/metrics.js';

describe('printWithoutLiterals', () => {
  it('replaces every string literal, block strings and nested input objects included', () => {
    const document = parse(`mutation {
      authenticateTelegram(initData: "user=%7B%7D&hash=abc123") { accessToken }
      createApiKey(input: { name: "ci", scopes: ["tracks:read"] }) { key }
      note(text: """multi
line secret""")
    }`);
    const printed = printWithoutLiterals(document);
    for (const secret of ['hash=abc123', 'ci"', 'tracks:read', 'line secret']) expect(printed).not.toContain(secret);
    expect(printed).toContain('authenticateTelegram(initData: "***")');
    expect(printed).toContain('createApiKey(input: {name: "***", scopes: ["***"]})');
  });

  it('keeps the shape: names, numbers, enums and variables', () => {
    const printed = printWithoutLiterals(parse('query Jobs($after: String) { viewer { jobs(first: 10, after: $after, status: RUNNING) { totalCount } } }'));
    expect(printed).toContain('query Jobs($after: String)');
    expect(printed).toContain('jobs(first: 10, after: $after, status: RUNNING)');
  });
});

describe('Metrics.operationLabel', () => {
  it('labels unnamed operations "anonymous" and keeps names it has seen', () => {
    const metrics = new Metrics('unit');
    expect(metrics.operationLabel(undefined)).toBe('anonymous');
    expect(metrics.operationLabel(null)).toBe('anonymous');
    expect(metrics.operationLabel('Me')).toBe('Me');
    expect(metrics.operationLabel('Me')).toBe('Me');
  });

  it('counts names past the 500th distinct one, and absurdly long ones, as "other"', () => {
    const metrics = new Metrics('unit');
    for (let i = 0; i < 500; i += 1) expect(metrics.operationLabel(`Op${i}`)).toBe(`Op${i}`);
    expect(metrics.operationLabel('OneTooMany')).toBe('other');
    expect(metrics.operationLabel('Op42')).toBe('Op42');
    expect(new Metrics('unit').operationLabel('N'.repeat(101))).toBe('other');
  });
});
