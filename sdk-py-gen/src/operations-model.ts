import type { Types } from '@graphql-codegen/plugin-helpers';
import {
  Kind, isInputObjectType, isNonNullType, isObjectType, print, typeFromAST, visit,
  type FieldNode, type FragmentDefinitionNode, type GraphQLInputType, type GraphQLObjectType, type GraphQLOutputType, type GraphQLSchema,
  type OperationDefinitionNode, type OperationTypeNode, type SelectionSetNode,
} from 'graphql';
import { constantCase, snakeCase } from './naming.js';
import { inputPyType, type PyType } from './py-type.js';
import { ResultModel, mergedSelection } from './result-model.js';

export interface Variable {
  name: string;
  param: string;
  type: PyType;
  /** Required variables are positional; the rest are keyword-only and left out when None. */
  required: boolean;
}

/** Everything the client needs to know about one operation document. */
export interface Operation {
  name: string;
  kind: OperationTypeNode;
  method: string;
  constant: string;
  document: string;
  description: string | null;
  variables: Variable[];
  /** Keys from `data` down to the value the method returns (single-field selections unwrapped). */
  path: string[];
  result: PyType;
  /** Where the idempotency key goes: a variable, or a field of an input variable. */
  idempotency: { variable: string; field: string | null } | null;
  /** Set when the result is a cursor connection the client can page through. */
  connection: { node: PyType } | null;
}

export interface DocumentModel {
  operations: Operation[];
  results: ResultModel;
}

function fragmentsUsedBy(root: OperationDefinitionNode | FragmentDefinitionNode, all: ReadonlyMap<string, FragmentDefinitionNode>, seen = new Set<string>()): Set<string> {
  visit(root, {
    FragmentSpread(node) {
      if (seen.has(node.name.value)) return;
      seen.add(node.name.value);
      const fragment = all.get(node.name.value);
      if (fragment) fragmentsUsedBy(fragment, all, seen);
    },
  });
  return seen;
}

function rootType(schema: GraphQLSchema, kind: OperationTypeNode): GraphQLObjectType {
  const type = schema.getRootType(kind);
  if (!type) throw new Error(`the schema has no ${kind} type`);
  return type;
}

function idempotencyOf(schema: GraphQLSchema, operation: OperationDefinitionNode, variables: Variable[]): Operation['idempotency'] {
  if (operation.operation !== 'mutation') return null;
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    const param = variables.find((v) => v.name === name)?.param ?? name;
    if (name === 'idempotencyKey') return { variable: param, field: null };
    const type = typeFromAST(schema, definition.type);
    const named = type && isNonNullType(type) ? type.ofType : type;
    if (named && isInputObjectType(named) && named.getFields().idempotencyKey) return { variable: param, field: 'idempotency_key' };
  }
  return null;
}

/** A connection has `edges { node }` and `pageInfo { hasNextPage endCursor }`, and takes first/after. */
function connectionOf(result: PyType, results: ResultModel, variables: Variable[]): Operation['connection'] {
  if (result.kind !== 'object' || !variables.some((v) => v.name === 'first') || !variables.some((v) => v.name === 'after')) return null;
  const cls = results.classes.find((c) => c.name === result.name);
  const edges = cls?.fields.find((f) => f.key === 'edges');
  const pageInfo = cls?.fields.find((f) => f.key === 'pageInfo');
  if (!edges || edges.type.kind !== 'list' || edges.type.of.kind !== 'object' || !pageInfo || pageInfo.type.kind !== 'object') return null;
  const edgeClass = edges.type.of.name;
  const pageClass = pageInfo.type.name;
  const node = results.classes.find((c) => c.name === edgeClass)?.fields.find((f) => f.key === 'node');
  const page = results.classes.find((c) => c.name === pageClass)?.fields.map((f) => f.key) ?? [];
  if (!node || !page.includes('hasNextPage') || !page.includes('endCursor')) return null;
  return { node: node.type };
}

/** Reads every operation and fragment of the documents into the model the emitters print. */
export function buildDocumentModel(schema: GraphQLSchema, documents: Types.DocumentFile[], reservedNames: Iterable<string>): DocumentModel {
  const definitions = documents.flatMap((d) => d.document?.definitions ?? []);
  const fragments = new Map(definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]));
  const results = new ResultModel(schema, fragments, reservedNames);
  for (const fragment of fragments.values()) results.fragmentClass(fragment);
  const operations: Operation[] = [];
  for (const operation of definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)) {
    const name = operation.name?.value;
    if (!name) throw new Error('every operation document needs a name: it becomes the method name');
    const used = fragmentsUsedBy(operation, fragments);
    const document = [operation, ...[...used].sort().map((f) => fragments.get(f)!)].map((d) => print(d)).join('\n\n');
    const variables = (operation.variableDefinitions ?? []).map((definition): Variable => {
      const type = typeFromAST(schema, definition.type) as GraphQLInputType | undefined;
      if (!type) throw new Error(`${name}: unknown type of $${definition.variable.name.value}`);
      const required = isNonNullType(type) && !definition.defaultValue;
      return { name: definition.variable.name.value, param: snakeCase(definition.variable.name.value), type: inputPyType(type), required };
    });
    const root = rootType(schema, operation.operation);
    const { path, result, description } = unwrap(results, root, operation.selectionSet, name);
    const idempotency = idempotencyOf(schema, operation, variables);
    if (idempotency?.field === null) {
      const variable = variables.find((v) => v.param === idempotency.variable);
      if (variable) variable.required = false;
    }
    operations.push({
      name, kind: operation.operation, method: snakeCase(name), constant: constantCase(name), document, description, variables,
      path, result, idempotency, connection: connectionOf(result, results, variables),
    });
  }
  return { operations, results };
}

/** The only field a selection collects, or undefined when it has several. */
function onlyField(collected: ReturnType<ResultModel['collect']>): { key: string; type: GraphQLOutputType; description: string | null; nodes: FieldNode[] } | undefined {
  if (collected.fields.size !== 1) return undefined;
  const [entry] = collected.fields.entries();
  if (!entry) return undefined;
  const [key, { field, nodes }] = entry;
  return { key, type: field.type, description: field.description ?? null, nodes };
}

/** Follows single-field, non-null object selections from the root down to what a method returns. */
function unwrap(results: ResultModel, root: GraphQLObjectType, selection: SelectionSetNode, name: string): { path: string[]; result: PyType; description: string | null } {
  const first = onlyField(results.collect(root, selection));
  if (!first) return { path: [], result: results.outputType(root, selection, name), description: null };
  const path = [first.key];
  let { type, description } = first;
  let set = mergedSelection(first.nodes);
  for (;;) {
    const inner = isNonNullType(type) ? type.ofType : null;
    if (!inner || !isObjectType(inner) || !set || set.selections.length !== 1 || set.selections[0]?.kind !== Kind.FIELD) break;
    const child = onlyField(results.collect(inner, set));
    if (!child) break;
    path.push(child.key);
    type = child.type;
    description = child.description ?? description;
    set = mergedSelection(child.nodes);
  }
  return { path, result: results.outputType(type, set, name), description };
}
