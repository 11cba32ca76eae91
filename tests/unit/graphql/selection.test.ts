import { buildSchema, graphql, type GraphQLResolveInfo } from 'graphql';
import { describe, expect, it } from 'vitest';
import { selectsAny } from '../../../server/graphql/selection.js';

/**
 * selectsAny decides whether a library page reads versions in the same statement; a wrong
 * "no" would still answer (through the loader), a wrong "yes" costs a heavier query. Both are
 * checked through real graphql-js execution, with fragments the way clients write them.
 */
const schema = buildSchema(`
  type Version { number: Int }
  type Track { id: ID title: String versions: [Version] }
  type Edge { node: Track cursor: String }
  type Connection { edges: [Edge] }
  type Query { tracks: Connection }
`);

async function asksForVersions(query: string): Promise<boolean> {
  let seen: boolean | undefined;
  const rootValue = {
    tracks: (_args: unknown, _ctx: unknown, info: GraphQLResolveInfo) => {
      seen = selectsAny(info, ['edges', 'node'], ['versions']);
      return { edges: [] };
    },
  };
  const result = await graphql({ schema, source: query, rootValue });
  expect(result.errors).toBeUndefined();
  return seen!;
}

describe('selectsAny', () => {
  it('finds a field asked for directly', async () => {
    expect(await asksForVersions('{ tracks { edges { node { id versions { number } } } } }')).toBe(true);
  });

  it('finds it through a named fragment and an inline fragment', async () => {
    expect(await asksForVersions('{ tracks { edges { ...E } } } fragment E on Edge { node { ... on Track { versions { number } } } }')).toBe(true);
  });

  it('answers false when only other fields are asked for', async () => {
    expect(await asksForVersions('{ tracks { edges { cursor node { id title } } } }')).toBe(false);
  });

  it('does not match the name at another depth', async () => {
    expect(await asksForVersions('{ tracks { edges { cursor } } }')).toBe(false);
  });
});
