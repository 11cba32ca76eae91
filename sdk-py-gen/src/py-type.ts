import {
  isEnumType, isInputObjectType, isListType, isNonNullType, isScalarType, type GraphQLInputType, type GraphQLList, type GraphQLNonNull,
} from 'graphql';

/** A Python type the generator annotates with, and knows how to parse or serialise. */
export type PyType =
  | { kind: 'scalar'; py: string; parse?: string; serialize?: string }
  | { kind: 'enum'; name: string }
  | { kind: 'object'; name: string }
  | { kind: 'list'; of: PyType }
  | { kind: 'optional'; of: PyType };

/**
 * GraphQL scalars as Python sees them; unknown custom scalars stay `Any`. A scalar with `parse`
 * and `serialize` is converted by those functions of the runtime's _scalars.py.
 */
const SCALARS: Record<string, Extract<PyType, { kind: 'scalar' }>> = {
  ID: { kind: 'scalar', py: 'str' },
  String: { kind: 'scalar', py: 'str' },
  Int: { kind: 'scalar', py: 'int' },
  Float: { kind: 'scalar', py: 'float' },
  Boolean: { kind: 'scalar', py: 'bool' },
  DateTimeISO: { kind: 'scalar', py: 'datetime', parse: 'datetime_from_json', serialize: 'datetime_to_json' },
  JSONObject: { kind: 'scalar', py: 'dict[str, Any]' },
};

export function scalarType(name: string): PyType {
  return SCALARS[name] ?? { kind: 'scalar', py: 'Any' };
}

/** The standard-library import a module annotating with these types needs. */
export const DATETIME_IMPORT = 'from datetime import datetime';
/** The runtime's converters, imported where generated code calls them. */
export function scalarConvertersImport(names: readonly string[]): string {
  return `from ._scalars import ${[...names].sort().join(', ')}`;
}

export function annotation(type: PyType): string {
  switch (type.kind) {
    case 'scalar':
      return type.py;
    case 'enum':
    case 'object':
      return type.name;
    case 'list':
      return `list[${annotation(type.of)}]`;
    case 'optional':
      return `${annotation(type.of)} | None`;
  }
}

/** An input type (variables, input fields) as a PyType; input objects become their dataclass. */
export function inputPyType(type: GraphQLInputType): PyType {
  const inner = (t: GraphQLInputType): PyType => {
    if (isListType(t)) return { kind: 'list', of: inputPyType((t as GraphQLList<GraphQLInputType>).ofType) };
    if (isEnumType(t)) return { kind: 'enum', name: t.name };
    if (isInputObjectType(t)) return { kind: 'object', name: t.name };
    if (isScalarType(t)) return scalarType(t.name);
    throw new Error(`unsupported input type ${String(t)}`);
  };
  return isNonNullType(type) ? inner((type as GraphQLNonNull<GraphQLInputType>).ofType) : { kind: 'optional', of: inner(type) };
}

/** A Python expression turning the JSON value `value` into `type`. */
export function parseExpr(type: PyType, value: string, depth = 0): string {
  switch (type.kind) {
    case 'scalar':
      return type.parse ? `${type.parse}(${value})` : value;
    case 'enum':
      return `${type.name}(${value})`;
    case 'object':
      return `${type.name}.from_json(${value})`;
    case 'list': {
      const item = `item${depth}`;
      const inner = parseExpr(type.of, item, depth + 1);
      return inner === item ? `list(${value})` : `[${inner} for ${item} in ${value}]`;
    }
    case 'optional': {
      const inner = parseExpr(type.of, value, depth);
      if (inner === value) return value;
      // For objects `not value` also covers `{}`: node(id:) answers an empty object for another type.
      return type.of.kind === 'object' ? `None if not ${value} else ${inner}` : `None if ${value} is None else ${inner}`;
    }
  }
}

/** A Python expression turning `value` of `type` into its JSON form. */
export function serializeExpr(type: PyType, value: string, depth = 0): string {
  switch (type.kind) {
    case 'scalar':
      return type.serialize ? `${type.serialize}(${value})` : value;
    case 'enum':
      return `${value}.value`;
    case 'object':
      return `${value}.to_json()`;
    case 'list': {
      const item = `item${depth}`;
      const inner = serializeExpr(type.of, item, depth + 1);
      return inner === item ? `list(${value})` : `[${inner} for ${item} in ${value}]`;
    }
    case 'optional': {
      const inner = serializeExpr(type.of, value, depth);
      return inner === value ? value : `None if ${value} is None else ${inner}`;
    }
  }
}
