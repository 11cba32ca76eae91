import { Kind, print, type DocumentNode, type OperationDefinitionNode } from 'graphql';

export type OperationType = 'query' | 'mutation' | 'subscription';

export interface PreparedOperation {
  query: string;
  operationName: string | undefined;
  type: OperationType;
}

/** Documents are module constants: print each once. */
const prepared = new WeakMap<DocumentNode, PreparedOperation>();

/** The text, name and type of a document's (first) operation. */
export function prepareOperation(document: DocumentNode): PreparedOperation {
  let operation = prepared.get(document);
  if (!operation) {
    const definition = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    if (!definition) throw new TypeError('The document has no operation');
    operation = { query: print(document), operationName: definition.name?.value, type: definition.operation };
    prepared.set(document, operation);
  }
  return operation;
}

/**
 * Whether the variables carry an idempotency key (top level or in `input`), which makes a
 * mutation safe to send again: the server answers a repeat with the first result.
 */
export function carriesIdempotencyKey(variables: Record<string, unknown> | undefined): boolean {
  if (!variables) return false;
  const input = variables.input;
  const nested = input && typeof input === 'object' ? (input as Record<string, unknown>).idempotencyKey : undefined;
  return isKey(variables.idempotencyKey) || isKey(nested);
}

function isKey(value: unknown): boolean {
  return typeof value === 'string' && value.length > 0;
}

/** A fresh idempotency key (a v4 UUID). */
export function newIdempotencyKey(): string {
  return globalThis.crypto.randomUUID();
}
