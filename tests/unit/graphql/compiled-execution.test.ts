import type { GatewayExecutor, GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { GraphQLInterfaceType, GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, GraphQLString, getOperationAST, parse, type DocumentNode } from 'graphql';
import { compileQuery } from 'graphql-jit';
import type * as GraphqlJit from 'graphql-jit';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { compiledExecution } from '../../../server/graphql/compiled-execution.js';

vi.mock('graphql-jit', async (importOriginal) => {
  const jit = await importOriginal<typeof GraphqlJit>();
  return { ...jit, compileQuery: vi.fn(jit.compileQuery) };
});

/**
 * When compiled execution compiles: only an operation run a second time (a one-off document,
 * or a flood of distinct ones, costs no compilation), once per operation, and never one that
 * touches an interface (those stay on graphql-js). Answers are the same either way.
 */
const Named = new GraphQLInterfaceType({ name: 'Named', fields: { name: { type: new GraphQLNonNull(GraphQLString) } }, resolveType: () => 'Song' });
const Song = new GraphQLObjectType({ name: 'Song', interfaces: [Named], fields: { name: { type: new GraphQLNonNull(GraphQLString) } } });
const schema = new GraphQLSchema({
  types: [Song],
  query: new GraphQLObjectType({
    name: 'Query',
    fields: {
      songs: { type: new GraphQLList(Song), resolve: () => [{ name: 'Rain' }, { name: 'Snow' }] },
      named: { type: Named, resolve: () => ({ name: 'Rain' }) },
    },
  }),
});

async function executorOf(): Promise<GatewayExecutor> {
  const { executor } = await compiledExecution(schema).load({ apollo: {} });
  return executor!;
}

function request(document: DocumentNode): GatewayGraphQLRequestContext {
  const operation = getOperationAST(document)!;
  return { document, operation, operationName: operation.name?.value ?? null, request: { variables: {} }, context: {} } as unknown as GatewayGraphQLRequestContext;
}

beforeEach(() => {
  vi.mocked(compileQuery).mockClear();
});

describe('compiledExecution', () => {
  it('runs a document on graphql-js the first time, compiles it the second, and reuses the plan after', async () => {
    const execute = await executorOf();
    const document = parse('{ songs { name } }');
    const answers = [];
    for (let run = 0; run < 4; run += 1) answers.push(await execute(request(document)));
    expect(answers.every((answer) => JSON.stringify(answer) === JSON.stringify({ data: { songs: [{ name: 'Rain' }, { name: 'Snow' }] } }))).toBe(true);
    expect(compileQuery).toHaveBeenCalledTimes(1);
  });

  it('compiles nothing for documents that each run once', async () => {
    const execute = await executorOf();
    for (let i = 0; i < 20; i += 1) expect((await execute(request(parse(`{ songs { name } a${i}: songs { name } }`)))).errors).toBeUndefined();
    expect(compileQuery).not.toHaveBeenCalled();
  });

  it('keeps an operation that touches an interface on graphql-js, however often it runs', async () => {
    const execute = await executorOf();
    const document = parse('{ named { name ... on Song { name } } }');
    for (let run = 0; run < 3; run += 1) expect(await execute(request(document))).toEqual({ data: { named: { name: 'Rain' } } });
    expect(compileQuery).not.toHaveBeenCalled();
  });
});
