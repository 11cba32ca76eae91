import {
  GraphQLError,
  Kind,
  getVariableValues,
  visit,
  type ASTNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';

export interface OperationLimits {
  /** Deepest field nesting allowed (GRAPHQL_MAX_DEPTH); a root field is depth 1. */
  maxDepth: number;
  /** Highest estimated cost allowed (GRAPHQL_MAX_COST); see the estimators below. */
  maxCost: number;
}

export interface OperationMeasure {
  depth: number;
  cost: number;
}

/** The largest page a connection may be asked for; a bigger `first` is refused by the field. */
export const MAX_PAGE_SIZE = 100;
/** The page a connection serves when neither `first` nor `last` is given. */
export const DEFAULT_PAGE_SIZE = 20;
/** Fields and fragments the cost walk visits at most; a document beyond it is refused as too costly. */
const MAX_COST_NODES = 10_000;

/**
 * A field costs 1 plus its children; a connection (a field taking `first`) counts its children
 * once per item it may return, the way GitHub prices its GraphQL API.
 */
const connectionEstimator: ComplexityEstimator = ({ field, args, childComplexity }) => {
  if (!field.args.some((arg) => arg.name === 'first')) return undefined;
  const requested = typeof args.first === 'number' ? args.first : typeof args.last === 'number' ? args.last : DEFAULT_PAGE_SIZE;
  return 1 + Math.min(Math.max(requested, 0), MAX_PAGE_SIZE) * childComplexity;
};
const defaultEstimator: ComplexityEstimator = ({ childComplexity }) => 1 + childComplexity;

/** The caller's to fix: answered as BAD_USER_INPUT with HTTP 400, before anything runs. */
function refused(message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', ...extensions, http: { status: 400 } } });
}

/**
 * Depth of the deepest field, following fragments. Introspection fields are not counted: the
 * Playground's schema query is deep by nature, and graphql-js bounds introspection nesting with
 * its own MaxIntrospectionDepthRule. Each fragment is measured once (memoised), so a document
 * that spreads fragments many times over costs linear time; a fragment that spreads itself is
 * refused (validation refuses it first on the normal path).
 */
class DepthMeter {
  private readonly measured = new Map<string, number>();
  private readonly visiting = new Set<string>();

  constructor(private readonly fragments: Map<string, FragmentDefinitionNode>) {}

  of(selectionSet: SelectionSetNode): number {
    let deepest = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value.startsWith('__')) continue;
        deepest = Math.max(deepest, 1 + (selection.selectionSet ? this.of(selection.selectionSet) : 0));
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        deepest = Math.max(deepest, this.of(selection.selectionSet));
      } else {
        deepest = Math.max(deepest, this.fragment(selection.name.value));
      }
    }
    return deepest;
  }

  private fragment(name: string): number {
    const known = this.measured.get(name);
    if (known !== undefined) return known;
    const fragment = this.fragments.get(name);
    if (!fragment) return 0;
    if (this.visiting.has(name)) throw refused(`Fragment "${name}" spreads itself; a fragment cannot contain itself`);
    this.visiting.add(name);
    const depth = this.of(fragment.selectionSet);
    this.visiting.delete(name);
    this.measured.set(name, depth);
    return depth;
  }
}

function operationOf(document: DocumentNode, operationName?: string | null): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  return operationName ? operations.find((o) => o.name?.value === operationName) : operations[0];
}

/** Depth and cost of the operation that would run; throws when the variables do not fit it. */
export function measureOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | undefined,
): OperationMeasure {
  const operation = operationOf(document, operationName);
  if (!operation) return { depth: 0, cost: 0 };
  const fragments = new Map(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]),
  );
  const depth = new DepthMeter(fragments).of(operation.selectionSet);
  let cost: number;
  try {
    cost = getComplexity({
      schema,
      query: document,
      operationName: operation.name?.value,
      variables,
      estimators: [connectionEstimator, defaultEstimator],
      maxQueryNodes: MAX_COST_NODES,
    });
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    if (/maximum allowed number of nodes/.test(error.message)) return { depth, cost: Number.POSITIVE_INFINITY };
    // Variables that do not fit the operation: the same message execution would give.
    throw refused(error.message);
  }
  return { depth, cost };
}

/**
 * Measures already taken, per parsed document (Apollo and the WebSocket endpoint reuse one
 * DocumentNode per query text) and operation name, by the values of the few variables a measure
 * depends on (costVariablesOf): a hot operation is walked once, not on every request, even when
 * other variables change every time (a mutation's input, its idempotency key).
 */
const measured = new WeakMap<DocumentNode, Map<string, MeasuresByValues>>();
interface MeasuresByValues {
  costVariables: readonly string[];
  byValues: Map<string, OperationMeasure>;
}
/** Cost variables' values longer than this are measured every time rather than kept as a key. */
const MAX_MEASURE_KEY_LENGTH = 1024;

function measureCached(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined, variables: Record<string, unknown> | undefined): OperationMeasure {
  const operation = operationOf(document, operationName);
  if (!operation) return { depth: 0, cost: 0 };
  // Every request's variables must fit the operation, whatever measure is kept.
  refuseUnfitVariables(schema, operation, variables);
  let byOperation = measured.get(document);
  if (!byOperation) measured.set(document, (byOperation = new Map()));
  const name = operationName ?? '';
  let measures = byOperation.get(name);
  if (!measures) byOperation.set(name, (measures = { costVariables: costVariablesOf(document), byValues: new Map() }));
  // [value] for a variable given, [] for one left out (its default applies): never the same key.
  const key = JSON.stringify(measures.costVariables.map((variable) => (variables && Object.hasOwn(variables, variable) ? [variables[variable]] : [])));
  if (key.length > MAX_MEASURE_KEY_LENGTH) return measureOperation(schema, document, operationName, variables);
  const known = measures.byValues.get(key);
  if (known) return known;
  const measure = measureOperation(schema, document, operationName, variables);
  // Bounded: a document whose page sizes change on every call keeps few entries.
  if (measures.byValues.size >= 32) measures.byValues.clear();
  measures.byValues.set(key, measure);
  return measure;
}

/** Variables that do not fit the operation are refused as getComplexity would refuse them (its last error). */
function refuseUnfitVariables(schema: GraphQLSchema, operation: OperationDefinitionNode, variables: Record<string, unknown> | undefined): void {
  const { errors } = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {});
  const last = errors?.at(-1);
  if (last) throw refused(last.message);
}

/**
 * The variables a measure can depend on: those given to a page size (`first`, `last`: the
 * connection estimator) or to `@skip`/`@include` (fields left out cost nothing). Depth depends on
 * none.
 */
function costVariablesOf(document: DocumentNode): string[] {
  const names = new Set<string>();
  visit(document, {
    Argument(argument, _key, _arguments, _path, ancestors) {
      if (argument.value.kind !== Kind.VARIABLE) return;
      // The parent is the list of arguments; the node holding it comes last among the ancestors.
      const holder = ancestors.at(-1);
      const inDirective = holder !== undefined && !Array.isArray(holder) && (holder as ASTNode).kind === Kind.DIRECTIVE;
      const counts = inDirective ? argument.name.value === 'if' : argument.name.value === 'first' || argument.name.value === 'last';
      if (counts) names.add(argument.value.name.value);
    },
  });
  return [...names].sort();
}

/**
 * Measures an operation before it runs and refuses one that is too deep or too costly, so a
 * hostile query costs the server almost nothing. The message names the limit and how to fit it.
 */
export function checkOperationLimits(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | undefined,
  limits: OperationLimits,
): OperationMeasure {
  const measure = measureCached(schema, document, operationName, variables);
  if (measure.depth > limits.maxDepth) {
    throw refused(`Query depth ${measure.depth} exceeds the maximum depth of ${limits.maxDepth}; split it into smaller queries`, {
      limit: limits.maxDepth,
      actual: measure.depth,
    });
  }
  if (measure.cost > limits.maxCost) {
    const actual = Number.isFinite(measure.cost) ? String(measure.cost) : `over ${MAX_COST_NODES} fields`;
    throw refused(`Query cost ${actual} exceeds the maximum cost of ${limits.maxCost}; ask for fewer items per page or fewer fields`, {
      limit: limits.maxCost,
      actual: Number.isFinite(measure.cost) ? measure.cost : null,
    });
  }
  return measure;
}
