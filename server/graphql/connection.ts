import { Field, Int, ObjectType, type ClassType } from 'type-graphql';
import { BadUserInputError } from '../core/errors.js';
import { MAX_PAGE_SIZE } from './operation-limits.js';

export const DEFAULT_PAGE_SIZE = 20;

@ObjectType('PageInfo', { description: 'Where a page sits in its connection (Relay).', simpleResolvers: true })
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => Boolean)
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true })
  startCursor!: string | null;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

/** A cursor is the opaque form of the sort key of a row (e.g. createdAt and id). */
export function encodeCursor(parts: readonly string[]): string {
  return Buffer.from(parts.join('|'), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, arity: number, field = 'after'): string[] {
  const parts = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (parts.length !== arity || parts.some((p) => p.length === 0)) throw new BadUserInputError(`${field} is not a cursor from this connection`, field);
  return parts;
}

/** Where a row sits in a list ordered newest first by (createdAt, id). */
export interface CreatedAtPosition {
  createdAt: Date;
  id: string;
}

export function createdAtCursor(row: CreatedAtPosition): string {
  return encodeCursor([row.createdAt.toISOString(), row.id]);
}

/** The position a (createdAt, id) cursor names; BAD_USER_INPUT for anything else. */
export function createdAtPosition(cursor: string | null | undefined, field = 'after'): CreatedAtPosition | null {
  if (!cursor) return null;
  const [at, id] = decodeCursor(cursor, 2, field);
  const createdAt = new Date(at!);
  if (Number.isNaN(createdAt.getTime())) throw new BadUserInputError(`${field} is not a cursor from this connection`, field);
  return { createdAt, id: id! };
}

/** Validates `first` (1..100, default 20). */
export function pageSize(first: number | null | undefined): number {
  if (first === null || first === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw new BadUserInputError(`first must be from 0 to ${MAX_PAGE_SIZE}`, 'first');
  }
  return first;
}

export interface Page<T> {
  nodes: T[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

/**
 * An edge whose cursor is encoded only when a client reads it: most pages ask for nodes and
 * the end cursor, and encoding fifty cursors nobody reads is measurable on a hot list.
 */
class LazyEdge<TNode, TRow> {
  private encoded: string | undefined;

  constructor(
    readonly node: TNode,
    private readonly row: TRow,
    private readonly cursorOf: (row: TRow) => string,
  ) {}

  get cursor(): string {
    return (this.encoded ??= this.cursorOf(this.row));
  }
}

/** Builds a connection from rows fetched with limit `size + 1` (the extra row means "more"). */
export function toConnection<TNode, TRow>(
  rows: TRow[],
  size: number,
  after: string | null | undefined,
  map: (row: TRow) => TNode,
  cursorOf: (row: TRow) => string,
  totalCount: () => Promise<number>,
): ConnectionShape<TNode> {
  const pageRows = rows.length > size ? rows.slice(0, size) : rows;
  const edges = pageRows.map((row) => new LazyEdge(map(row), row, cursorOf));
  const first = edges[0];
  const last = edges.at(-1);
  const pageInfo = Object.assign(new PageInfo(), { hasNextPage: rows.length > size, hasPreviousPage: Boolean(after) });
  // Getters defined on the object itself (Object.assign would read them at once).
  Object.defineProperties(pageInfo, {
    startCursor: { get: () => first?.cursor ?? null, enumerable: true },
    endCursor: { get: () => last?.cursor ?? null, enumerable: true },
  });
  return { edges, pageInfo, totalCount };
}

export interface ConnectionShape<TNode> {
  edges: Array<{ readonly cursor: string; readonly node: TNode }>;
  pageInfo: PageInfo;
  /** Counted only when a client asks for it. */
  totalCount: () => Promise<number>;
}

/** Declares `<Name>Connection` and `<Name>Edge` for a node type. */
export function Connection<TNode extends object>(nodeType: ClassType<TNode>, name: string) {
  // Plain data with no per-field rules: resolved without type-graphql's per-field wrappers.
  @ObjectType(`${name}Edge`, { simpleResolvers: true })
  class Edge {
    @Field(() => String)
    cursor!: string;

    @Field(() => nodeType)
    node!: TNode;
  }

  @ObjectType(`${name}Connection`)
  class ConnectionClass {
    @Field(() => [Edge])
    edges!: Edge[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;

    totalCount!: () => Promise<number>;

    @Field(() => Int, { name: 'totalCount', description: 'All items matching the filters, not just this page.' })
    async total(): Promise<number> {
      return this.totalCount();
    }
  }
  return ConnectionClass;
}
