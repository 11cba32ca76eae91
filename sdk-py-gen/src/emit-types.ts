import { isEnumType, isInputObjectType, isNonNullType, type GraphQLEnumType, type GraphQLInputObjectType, type GraphQLSchema } from 'graphql';
import { docstring, pyString, snakeCase } from './naming.js';
import { annotation, inputPyType, parseExpr, DATETIME_IMPORT, scalarConvertersImport, serializeExpr } from './py-type.js';
import type { ResultClass } from './result-model.js';

/** Schema enums and input objects, in a stable order, skipping GraphQL's own `__` types. */
export function schemaEnums(schema: GraphQLSchema): GraphQLEnumType[] {
  return Object.values(schema.getTypeMap()).filter((t): t is GraphQLEnumType => isEnumType(t) && !t.name.startsWith('__')).sort((a, b) => a.name.localeCompare(b.name));
}

export function schemaInputs(schema: GraphQLSchema): GraphQLInputObjectType[] {
  return Object.values(schema.getTypeMap()).filter((t): t is GraphQLInputObjectType => isInputObjectType(t)).sort((a, b) => a.name.localeCompare(b.name));
}

function emitEnum(type: GraphQLEnumType): string[] {
  const lines = [`class ${type.name}(str, enum.Enum):`, ...docstring(type.description, '    ')];
  for (const value of type.getValues()) lines.push(`    ${value.name} = ${pyString(value.name)}`);
  return lines;
}

/**
 * Input objects are dataclasses with snake_case fields; None means "not sent", and a nullable
 * field also takes NULL, which sends null (to clear it). An `idempotencyKey` is optional here
 * even when the schema requires it: the client fills one in.
 */
function emitInput(type: GraphQLInputObjectType): string[] {
  const fields = Object.values(type.getFields()).map((field) => {
    const required = isNonNullType(field.type) && field.defaultValue === undefined && field.name !== 'idempotencyKey';
    const pyType = inputPyType(field.type);
    const optional = pyType.kind === 'optional' ? pyType : { kind: 'optional' as const, of: pyType };
    return { field, attr: snakeCase(field.name), required, pyType, optional, nullable: pyType.kind === 'optional' };
  });
  const ordered = [...fields.filter((f) => f.required), ...fields.filter((f) => !f.required)];
  const lines = ['@dataclass(frozen=True, slots=True, kw_only=True)', `class ${type.name}:`, ...docstring(type.description, '    ')];
  for (const f of ordered) {
    const annotated = f.nullable ? `${annotation(f.optional.of)} | Null | None` : annotation(f.optional);
    lines.push(f.required ? `    ${f.attr}: ${annotation(f.pyType)}` : `    ${f.attr}: ${annotated} = None`);
    lines.push(...docstring(f.field.description, '    '));
  }
  lines.push('', '    def to_json(self) -> dict[str, Any]:', '        data: dict[str, Any] = {}');
  for (const f of ordered) {
    const inner = f.pyType.kind === 'optional' ? f.pyType.of : f.pyType;
    const value = `self.${f.attr}`;
    if (f.required) lines.push(`        data[${pyString(f.field.name)}] = ${serializeExpr(inner, value)}`);
    else if (f.nullable) {
      lines.push(
        `        if ${value} is NULL:`,
        `            data[${pyString(f.field.name)}] = None`,
        `        elif ${value} is not None:`,
        `            data[${pyString(f.field.name)}] = ${serializeExpr(inner, value)}`,
      );
    } else lines.push(`        if ${value} is not None:`, `            data[${pyString(f.field.name)}] = ${serializeExpr(inner, value)}`);
  }
  lines.push('        return data');
  return lines;
}

function emitResult(cls: ResultClass): string[] {
  const lines = ['@dataclass(frozen=True, slots=True)', `class ${cls.name}:`, ...docstring(cls.description, '    ')];
  for (const field of cls.fields) {
    lines.push(`    ${field.attr}: ${annotation(field.type)}`);
    lines.push(...docstring(field.description, '    '));
  }
  if (cls.fields.length === 0) lines.push('    pass');
  lines.push('', '    @classmethod', `    def from_json(cls, data: Mapping[str, Any]) -> ${cls.name}:`, '        return cls(');
  for (const field of cls.fields) lines.push(`            ${field.attr}=${parseExpr(field.type, `data[${pyString(field.key)}]`)},`);
  lines.push('        )');
  return lines;
}

/** types.py: enums, input dataclasses and one result dataclass per selection shape. */
export function emitTypes(schema: GraphQLSchema, results: readonly ResultClass[], banner: string): string {
  const blocks = [
    ...schemaEnums(schema).map(emitEnum),
    ...schemaInputs(schema).map(emitInput),
    ...[...results].sort((a, b) => a.name.localeCompare(b.name)).map(emitResult),
  ];
  const header = [
    banner,
    '"""Types of the MusicVerse API: enums, inputs and the results of the operations."""',
    '',
    'from __future__ import annotations',
    '',
    'import enum',
    'from collections.abc import Mapping',
    'from dataclasses import dataclass',
    DATETIME_IMPORT,
    'from typing import Any',
    '',
    "from ._null import NULL, Null",
    scalarConvertersImport(['datetime_from_json', 'datetime_to_json']),
    '',
    `__all__ = [${[...schemaEnums(schema), ...schemaInputs(schema)].map((t) => pyString(t.name)).concat(results.map((c) => pyString(c.name)).sort()).join(', ')}]`,
  ];
  return [...header, ...blocks.map((b) => ['', '', ...b]).flat()].join('\n') + '\n';
}
