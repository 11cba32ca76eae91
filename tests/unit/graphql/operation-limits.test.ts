import { buildSchema, GraphQLError, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { checkOperationLimits, DEFAULT_PAGE_SIZE, measureOperation } from '../../../server/graphql/operation-limits.js';

/** A small schema with Relay connections, an interface and a cycle (User -> friends -> User). */
const schema = buildSchema(`
  interface Node { id: ID! }
  type Query {
    viewer: Viewer!
    node(id: ID!): Node
  }
  type Mutation { rename(name: String!): User! }
  type Viewer {
    user: User!
    tracks(first: Int, after: String, last: Int): TrackConnection!
  }
  type User implements Node {
    id: ID!
    name: String!
    friends(first: Int): UserConnection!
  }
  type Track implements Node { id: ID! title: String! owner: User! }
  type TrackConnection { edges: [TrackEdge!]! totalCount: Int! }
  type TrackEdge { cursor: String! node: Track! }
  type UserConnection { edges: [UserEdge!]! }
  type UserEdge { node: User! }
`);

function measure(query: string, variables?: Record<string, unknown>, operationName?: string) {
  return measureOperation(schema, parse(query), operationName, variables);
}

function refusal(run: () => unknown): GraphQLError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(GraphQLError);
    return error as GraphQLError;
  }
  throw new Error('expected a refusal');
}

describe('depth', () => {
  it('counts a root field as depth 1 and each nested selection as one more', () => {
    expect(measure('{ viewer { user { id } } }').depth).toBe(3);
    expect(measure('{ viewer { user { friends(first: 1) { edges { node { name } } } } } }').depth).toBe(6);
  });

  it('follows named fragments, nested ones included', () => {
    const query = `
      query { viewer { ...V } }
      fragment V on Viewer { user { ...U } }
      fragment U on User { friends { edges { node { id } } } }`;
    expect(measure(query).depth).toBe(6);
  });

  it('follows inline fragments without counting them as a level', () => {
    expect(measure('{ node(id: "1") { ... on Track { owner { name } } } }').depth).toBe(3);
    expect(measure('{ viewer { ... { user { id } } } }').depth).toBe(3);
  });

  it('measures a fragment spread many times over in linear time', () => {
    // F0 spreads F1 twice, F1 spreads F2 twice...: 2^40 paths if each spread were walked.
    const fragments = Array.from({ length: 40 }, (_, i) =>
      i < 39 ? `fragment F${i} on User { name friends { edges { node { ...F${i + 1} } } } ...F${i + 1} }` : `fragment F${i} on User { id }`,
    );
    const started = performance.now();
    const { depth } = measure(`{ viewer { user { ...F0 } } } ${fragments.join(' ')}`);
    expect(depth).toBe(2 + 39 * 3 + 1);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('refuses a fragment that spreads itself, directly or through another, instead of looping', () => {
    const direct = refusal(() => measure('{ viewer { user { ...A } } } fragment A on User { friends { edges { node { ...A } } } }'));
    expect(direct.message).toMatch(/Fragment "A" spreads itself/);
    expect(direct.extensions.code).toBe('BAD_USER_INPUT');
    const indirect = refusal(() => measure('{ viewer { user { ...A } } } fragment A on User { ...B } fragment B on User { friends { edges { node { ...A } } } }'));
    expect(indirect.message).toMatch(/spreads itself/);
  });

  it('does not count introspection fields', () => {
    expect(measure('{ __schema { types { fields { type { ofType { ofType { name } } } } } } }').depth).toBe(0);
    expect(measure('{ viewer { __typename user { id } } }').depth).toBe(3);
  });

  it('measures the operation named by operationName', () => {
    const query = 'query Shallow { viewer { user { id } } } query Deep { viewer { user { friends { edges { node { id } } } } } }';
    expect(measure(query, undefined, 'Shallow').depth).toBe(3);
    expect(measure(query, undefined, 'Deep').depth).toBe(6);
  });
});

describe('cost', () => {
  it('costs 1 per field plus its children', () => {
    expect(measure('{ viewer { user { id name } } }').cost).toBe(4);
  });

  it('multiplies a connection\'s children by "first"', () => {
    // node {id title} = 3, edges = 4, tracks = 1 + 10 * 4, viewer = 1 + 41.
    expect(measure('{ viewer { tracks(first: 10) { edges { node { id title } } } } }').cost).toBe(42);
  });

  it('uses "last" when "first" is absent, and the default page size when both are', () => {
    expect(measure('{ viewer { tracks(last: 3) { edges { node { id title } } } } }').cost).toBe(1 + 1 + 3 * 4);
    expect(measure('{ viewer { tracks { edges { node { id title } } } } }').cost).toBe(1 + 1 + DEFAULT_PAGE_SIZE * 4);
  });

  it('caps "first" at the largest page and treats a negative one as empty', () => {
    expect(measure('{ viewer { tracks(first: 100000) { totalCount } } }').cost).toBe(1 + 1 + 100 * 1);
    expect(measure('{ viewer { tracks(first: -5) { totalCount } } }').cost).toBe(2);
  });

  it('reads "first" from variables', () => {
    expect(measure('query ($n: Int) { viewer { tracks(first: $n) { totalCount } } }', { n: 7 }).cost).toBe(1 + 1 + 7);
  });

  it('multiplies nested connections', () => {
    const query = '{ viewer { tracks(first: 10) { edges { node { owner { friends(first: 5) { edges { node { id } } } } } } } } }';
    // friends = 1 + 5 * 3 = 16, owner 17, node 18, edges 19, tracks 1 + 10 * 19 = 191, viewer 192.
    expect(measure(query).cost).toBe(192);
  });

  it('counts named and inline fragments like the fields they hold', () => {
    const inline = measure('{ viewer { tracks(first: 2) { edges { node { ... on Track { id title } } } } } }').cost;
    const named = measure('{ viewer { tracks(first: 2) { edges { node { ...T } } } } } fragment T on Track { id title }').cost;
    expect(inline).toBe(1 + 1 + 2 * 4);
    expect(named).toBe(inline);
  });

  it('refuses variables that do not fit the operation with BAD_USER_INPUT and no limit', () => {
    const error = refusal(() => measure('query ($n: Int!) { viewer { tracks(first: $n) { totalCount } } }', {}));
    expect(error.message).toMatch(/Variable "\$n" of required type "Int!" was not provided/);
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(error.extensions.limit).toBeUndefined();
  });
});

describe('checkOperationLimits', () => {
  const limits = { maxDepth: 4, maxCost: 50 };
  const check = (query: string) => checkOperationLimits(schema, parse(query), undefined, undefined, limits);

  it('accepts an operation exactly at both limits', () => {
    // friends = 1 + 23 * (edges 1 + __typename 1) = 47, user = 1 + name 1 + 47 = 49, viewer = 50.
    expect(check('{ viewer { user { name friends(first: 23) { edges { __typename } } } } }')).toEqual({ depth: 4, cost: 50 });
  });

  it('refuses one level too deep with a message naming the limit, before measuring cost', () => {
    const error = refusal(() => check('{ viewer { user { friends { edges { node { id } } } } } }'));
    expect(error.message).toBe('Query depth 6 exceeds the maximum depth of 4; split it into smaller queries');
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', limit: 4, actual: 6, http: { status: 400 } });
  });

  it('refuses one point too costly with a message naming the limit', () => {
    const error = refusal(() => check('{ viewer { tracks(first: 49) { totalCount } } }'));
    expect(error.message).toBe('Query cost 51 exceeds the maximum cost of 50; ask for fewer items per page or fewer fields');
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', limit: 50, actual: 51 });
  });

  it('refuses a document too big to price as too costly, quickly', () => {
    const fragments = Array.from({ length: 30 }, (_, i) => (i < 29 ? `fragment F${i} on User { ...F${i + 1} ...F${i + 1} }` : `fragment F${i} on User { id }`));
    const started = performance.now();
    const error = refusal(() =>
      checkOperationLimits(schema, parse(`{ viewer { user { ...F0 } } } ${fragments.join(' ')}`), undefined, undefined, { maxDepth: 10, maxCost: 1_000_000 }),
    );
    expect(error.message).toMatch(/^Query cost over 10000 fields exceeds the maximum cost of 1000000/);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  describe('on a document it has measured before (one parsed document, many requests)', () => {
    const checkWith = (document: ReturnType<typeof parse>, variables: Record<string, unknown>) => checkOperationLimits(schema, document, undefined, variables, limits);

    it('prices each page size asked for through a variable, in any order', () => {
      const document = parse('query ($n: Int, $name: String!) { viewer { tracks(first: $n) { totalCount } } rename: viewer { user { name } } }');
      // tracks = 1 + n, viewer 2 + n, the second viewer 3: 5 + n.
      expect(checkWith(document, { n: 10, name: 'a' }).cost).toBe(15);
      expect(refusal(() => checkWith(document, { n: 46, name: 'b' })).extensions).toMatchObject({ actual: 51 });
      expect(checkWith(document, { n: 10, name: 'c' }).cost).toBe(15);
      // Left out or null, the page size is the default.
      expect(checkWith(document, { name: 'd' }).cost).toBe(5 + DEFAULT_PAGE_SIZE);
      expect(checkWith(document, { n: null, name: 'e' }).cost).toBe(5 + DEFAULT_PAGE_SIZE);
    });

    it('prices fields left out by @include or @skip at nothing, per request', () => {
      const document = parse('query ($all: Boolean!) { viewer { tracks(first: 48) @include(if: $all) { totalCount } user { name } } }');
      expect(checkWith(document, { all: false }).cost).toBe(3);
      expect(refusal(() => checkWith(document, { all: true })).message).toMatch(/^Query cost 52 exceeds/);
      expect(checkWith(document, { all: false }).cost).toBe(3);
    });

    it('still refuses variables that do not fit, after requests whose variables did', () => {
      const document = parse('mutation ($name: String!) { rename(name: $name) { id } }');
      expect(checkWith(document, { name: 'fits' })).toEqual({ depth: 2, cost: 2 });
      const missing = refusal(() => checkWith(document, {}));
      expect(missing.message).toBe('Variable "$name" of required type "String!" was not provided.');
      expect(missing.extensions).toMatchObject({ code: 'BAD_USER_INPUT', http: { status: 400 } });
      expect(refusal(() => checkWith(document, { name: 5 })).message).toMatch(/^Variable "\$name" got invalid value 5/);
    });
  });

  it('prices a mutation the same way', () => {
    expect(() => checkOperationLimits(schema, parse('mutation { rename(name: "x") { friends(first: 30) { edges { __typename } } } }'), undefined, undefined, limits)).toThrow(
      /maximum cost of 50/,
    );
  });
});
