import {
  GraphQLError,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';

export interface OperationLimits {
  maxDepth: number;
  maxCost: number;
}

export interface OperationMeasure {
  depth: number;
  cost: number;
}

/** The largest page a connection may be asked for; a bigger `first` is refused by the field. */
export const MAX_PAGE_SIZE = 100;

/**
 * A field costs 1 plus its children; a connection's children count once per requested item
 * (`first`, default 20), the way GitHub prices its GraphQL API.
 */
const connectionEstimator: ComplexityEstimator = ({ args, childComplexity }) => {
  const first = typeof args.first === 'number' ? args.first : typeof args.last === 'number' ? args.last : undefined;
  if (first === undefined) return undefined;
  return 1 + Math.min(Math.max(first, 0), MAX_PAGE_SIZE) * childComplexity;
};
const defaultEstimator: ComplexityEstimator = ({ childComplexity }) => 1 + childComplexity;

function isIntrospection(name: string): boolean {
  return name.startsWith('__');
}

/** Depth of the deepest field, following fragments; introspection is not counted. */
function depthOf(selectionSet: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, seen: Set<string>): number {
  let deepest = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (isIntrospection(selection.name.value)) continue;
      const below = selection.selectionSet ? depthOf(selection.selectionSet, fragments, seen) : 0;
      deepest = Math.max(deepest, 1 + below);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      deepest = Math.max(deepest, depthOf(selection.selectionSet, fragments, seen));
    } else {
      const name = selection.name.value;
      const fragment = fragments.get(name);
      if (!fragment || seen.has(name)) continue;
      deepest = Math.max(deepest, depthOf(fragment.selectionSet, fragments, new Set(seen).add(name)));
    }
  }
  return deepest;
}

function operationOf(document: DocumentNode, operationName?: string | null): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  return operationName ? operations.find((o) => o.name?.value === operationName) : operations[0];
}

function tooLarge(message: string, limit: number, actual: number): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', limit, actual, http: { status: 400 } } });
}

/**
 * Measures an operation before it runs and refuses one that is too deep or too costly, so a
 * hostile query costs the server almost nothing.
 */
export function checkOperationLimits(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | undefined,
  limits: OperationLimits,
): OperationMeasure {
  const operation = operationOf(document, operationName);
  if (!operation) return { depth: 0, cost: 0 };
  const fragments = new Map(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]),
  );
  const depth = depthOf(operation.selectionSet, fragments, new Set());
  if (depth > limits.maxDepth) {
    throw tooLarge(`Query depth ${depth} exceeds the limit of ${limits.maxDepth}; split it into smaller queries`, limits.maxDepth, depth);
  }
  let cost: number;
  try {
    cost = getComplexity({ schema, query: document, operationName: operationName ?? undefined, variables, estimators: [connectionEstimator, defaultEstimator] });
  } catch (error) {
    if (error instanceof GraphQLError) throw tooLarge(error.message, limits.maxCost, Number.NaN);
    throw error;
  }
  if (cost > limits.maxCost) {
    throw tooLarge(`Query cost ${cost} exceeds the limit of ${limits.maxCost}; ask for fewer items per page or fewer fields`, limits.maxCost, cost);
  }
  return { depth, cost };
}
