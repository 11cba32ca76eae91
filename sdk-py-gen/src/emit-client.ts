import { docstring, pyString } from './naming.js';
import type { Operation, Variable } from './operations-model.js';
import { annotation, parseExpr, DATETIME_IMPORT, scalarConvertersImport, serializeExpr, type PyType } from './py-type.js';

type Flavour = 'async' | 'sync';

function params(variables: readonly Variable[], extra: string[] = []): string {
  const required = variables.filter((v) => v.required).map((v) => `${v.param}: ${annotation(v.type)}`);
  const optional = variables.filter((v) => !v.required).map((v) => `${v.param}: ${annotation(v.type.kind === 'optional' ? v.type : { kind: 'optional', of: v.type })} = None`);
  const keywords = [...optional, ...extra];
  return ['self', ...required, ...(keywords.length ? ['*', ...keywords] : [])].join(', ');
}

function variablesBlock(variables: readonly Variable[]): string[] {
  const lines = ['        variables: dict[str, Any] = {}'];
  for (const v of variables) {
    const inner: PyType = v.type.kind === 'optional' ? v.type.of : v.type;
    const set = `variables[${pyString(v.name)}] = ${serializeExpr(inner, v.param)}`;
    lines.push(...(v.required ? [`        ${set}`] : [`        if ${v.param} is not None:`, `            ${set}`]));
  }
  return lines;
}

function idempotencyBlock(op: Operation): string[] {
  const key = op.idempotency;
  if (!key) return [];
  if (key.field === null) return [`        if ${key.variable} is None:`, `            ${key.variable} = new_idempotency_key()`];
  // Made once per call, before the first attempt, so every retry sends the same key.
  return [`        if ${key.variable}.${key.field} is None:`, `            ${key.variable} = replace(${key.variable}, ${key.field}=new_idempotency_key())`];
}

function resultExpr(op: Operation): string {
  return parseExpr(op.result, ['data', ...op.path.map((k) => `[${pyString(k)}]`)].join(''));
}

function requestMethod(op: Operation, flavour: Flavour): string[] {
  const prefix = flavour === 'async' ? 'async ' : '';
  const wait = flavour === 'async' ? 'await ' : '';
  const retryable = op.kind === 'query' || op.idempotency !== null;
  return [
    `    ${prefix}def ${op.method}(${params(op.variables)}) -> ${annotation(op.result)}:`,
    ...docstring(op.description, '        '),
    ...idempotencyBlock(op),
    ...variablesBlock(op.variables),
    `        data = ${wait}self._request(operations.${op.constant}, ${pyString(op.name)}, variables, retryable=${retryable ? 'True' : 'False'})`,
    // Through a typed variable: the JSON is Any, the method's answer is not.
    `        result: ${annotation(op.result)} = ${resultExpr(op)}`,
    '        return result',
  ];
}

function subscriptionMethod(op: Operation, flavour: Flavour): string[] {
  const [prefix, iterator] = flavour === 'async' ? ['async ', 'AsyncIterator'] : ['', 'Iterator'];
  return [
    `    ${prefix}def ${op.method}(${params(op.variables)}) -> ${iterator}[${annotation(op.result)}]:`,
    ...docstring(op.description, '        '),
    ...variablesBlock(op.variables),
    `        ${prefix}for data in self._subscribe(operations.${op.constant}, ${pyString(op.name)}, variables):`,
    `            yield ${resultExpr(op)}`,
  ];
}

/** `iterate_<op>` walks every page by pageInfo.endCursor and yields the nodes one by one. */
function iterateMethod(op: Operation, node: PyType, flavour: Flavour): string[] {
  const rest = op.variables.filter((v) => v.name !== 'first' && v.name !== 'after');
  const pass = rest.map((v) => `${v.param}=${v.param}`).concat(['first=page_size', 'after=after']).join(', ');
  const iterator = flavour === 'async' ? 'AsyncIterator' : 'Iterator';
  return [
    `    ${flavour === 'async' ? 'async ' : ''}def iterate_${op.method}(${params(rest, ['page_size: int = 20'])}) -> ${iterator}[${annotation(node)}]:`,
    `        """Every item of ${op.method}(), page by page (page_size per request)."""`,
    '        after: str | None = None',
    '        while True:',
    `            page = ${flavour === 'async' ? 'await ' : ''}self.${op.method}(${pass})`,
    '            for edge in page.edges:',
    '                yield edge.node',
    '            if not page.page_info.has_next_page or page.page_info.end_cursor is None:',
    '                return',
    '            after = page.page_info.end_cursor',
  ];
}

function clientClass(operations: readonly Operation[], flavour: Flavour): string[] {
  const name = flavour === 'async' ? 'AsyncMusicVerse' : 'MusicVerse';
  const base = flavour === 'async' ? 'AsyncClientBase' : 'SyncClientBase';
  const summary = flavour === 'async'
    ? 'The MusicVerse API with asyncio (httpx.AsyncClient); subscriptions are async iterators.'
    : 'The MusicVerse API, blocking (httpx.Client); subscriptions are iterators (break out to close them).';
  const methods: string[][] = [];
  for (const op of operations) {
    if (op.kind === 'subscription') {
      methods.push(subscriptionMethod(op, flavour));
      continue;
    }
    methods.push(requestMethod(op, flavour));
    if (op.connection) methods.push(iterateMethod(op, op.connection.node, flavour));
  }
  return [`class ${name}(${base}):`, `    """${summary}"""`, ...methods.flatMap((m) => ['', ...m])];
}

/** Names client.py needs from types.py. */
function typeNames(operations: readonly Operation[]): string[] {
  const names = new Set<string>();
  const add = (t: PyType): void => {
    if (t.kind === 'enum' || t.kind === 'object') names.add(t.name);
    else if (t.kind === 'list' || t.kind === 'optional') add(t.of);
  };
  for (const op of operations) {
    add(op.result);
    if (op.connection) add(op.connection.node);
    op.variables.forEach((v) => add(v.type));
  }
  return [...names].sort();
}

/** client.py: one method per operation on AsyncMusicVerse and MusicVerse. */
export function emitClient(operations: readonly Operation[], banner: string): string {
  const lines = [
    banner,
    '"""The MusicVerse clients: one method per operation in schema/operations."""',
    '',
    'from __future__ import annotations',
    '',
    'from collections.abc import AsyncIterator, Iterator',
    'from dataclasses import replace',
    DATETIME_IMPORT,
    'from typing import Any',
    '',
    'from . import operations',
    scalarConvertersImport(['datetime_to_json']),
    'from ._base import AsyncClientBase, SyncClientBase',
    'from ._retry import new_idempotency_key',
    `from .types import ${typeNames(operations).join(', ')}`,
    '',
    '__all__ = ["AsyncMusicVerse", "MusicVerse"]',
    '',
    '',
    ...clientClass(operations, 'async'),
    '',
    '',
    ...clientClass(operations, 'sync'),
  ];
  return lines.join('\n') + '\n';
}
