import {
  Kind, getNamedType, isAbstractType, isCompositeType, isEnumType, isListType, isNonNullType, isScalarType,
  type FieldNode, type FragmentDefinitionNode, type GraphQLCompositeType, type GraphQLField, type GraphQLOutputType,
  type GraphQLSchema, type SelectionSetNode,
} from 'graphql';
import { snakeCase } from './naming.js';
import { scalarType, type PyType } from './py-type.js';

/** One dataclass for one selection of one GraphQL type. */
export interface ResultClass {
  name: string;
  description: string | null;
  fields: ResultField[];
}

export interface ResultField {
  attr: string;
  /** The key in the JSON response (alias or field name). */
  key: string;
  type: PyType;
  description: string | null;
}

interface Collected {
  type: GraphQLCompositeType;
  fields: Map<string, { field: GraphQLField<unknown, unknown>; nodes: FieldNode[] }>;
}

/**
 * Turns selection sets into dataclasses. Fragments are flattened into the class that spreads
 * them; two selections with the same shape share one class. A class is named after its GraphQL
 * type (`Job`, `PageInfo`) when that name is free, else after its context (`JobTrack`).
 */
export class ResultModel {
  readonly classes: ResultClass[] = [];
  private readonly bySignature = new Map<string, string>();
  private readonly taken = new Set<string>();
  /** Type names promised to fragments' root selections, by the signature they stand for. */
  private readonly reserved = new Map<string, string>();

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly fragments: ReadonlyMap<string, FragmentDefinitionNode>,
    reservedNames: Iterable<string>,
  ) {
    for (const name of reservedNames) this.taken.add(name);
    for (const fragment of fragments.values()) {
      const type = this.typeNamed(fragment.typeCondition.name.value);
      this.reserved.set(type.name, this.signature(type, fragment.selectionSet));
    }
  }

  /** The class for a fragment's own selection (declared first, so it gets the type's name). */
  fragmentClass(fragment: FragmentDefinitionNode): string {
    const type = this.typeNamed(fragment.typeCondition.name.value);
    return this.classFor(type, fragment.selectionSet, fragment.name.value.replace(/Fields$/, ''));
  }

  /** The Python type of a selected field of `field`'s type, with its selection set. */
  outputType(type: GraphQLOutputType, selection: SelectionSetNode | undefined, context: string): PyType {
    if (isNonNullType(type)) {
      const inner = this.outputType(type.ofType, selection, context);
      return inner.kind === 'optional' ? inner.of : inner;
    }
    const wrap = (t: PyType): PyType => ({ kind: 'optional', of: t });
    if (isListType(type)) return wrap({ kind: 'list', of: this.outputType(type.ofType, selection, context) });
    if (isScalarType(type)) return wrap(scalarType(type.name));
    if (isEnumType(type)) return wrap({ kind: 'enum', name: type.name });
    if (!selection) throw new Error(`${context}: ${type.name} needs a selection`);
    return wrap({ kind: 'object', name: this.classFor(type, selection, context) });
  }

  /** The fields a selection asks for on `type`, fragments flattened and repeats merged. */
  collect(type: GraphQLCompositeType, selection: SelectionSetNode): Collected {
    const concrete = this.narrow(type, selection);
    const fields: Collected['fields'] = new Map();
    const visit = (set: SelectionSetNode): void => {
      for (const node of set.selections) {
        if (node.kind === Kind.FIELD) {
          const key = node.alias?.value ?? node.name.value;
          if (node.name.value === '__typename') continue;
          const field = 'getFields' in concrete ? concrete.getFields()[node.name.value] : undefined;
          if (!field) throw new Error(`${concrete.name} has no field ${node.name.value}`);
          const entry = fields.get(key) ?? { field, nodes: [] };
          entry.nodes.push(node);
          fields.set(key, entry);
        } else if (node.kind === Kind.INLINE_FRAGMENT) {
          visit(node.selectionSet);
        } else {
          const fragment = this.fragments.get(node.name.value);
          if (!fragment) throw new Error(`unknown fragment ${node.name.value}`);
          visit(fragment.selectionSet);
        }
      }
    };
    visit(selection);
    return { type: concrete, fields };
  }

  /** A selection on an interface made only of fragments on one type is a selection on that type. */
  private narrow(type: GraphQLCompositeType, selection: SelectionSetNode): GraphQLCompositeType {
    if (!isAbstractType(type)) return type;
    const conditions = new Set<string>();
    for (const node of selection.selections) {
      if (node.kind === Kind.INLINE_FRAGMENT && node.typeCondition) conditions.add(node.typeCondition.name.value);
      else if (node.kind === Kind.FRAGMENT_SPREAD) conditions.add(this.fragments.get(node.name.value)?.typeCondition.name.value ?? '');
      else if (node.kind === Kind.FIELD && node.name.value !== '__typename') return type;
    }
    const [only] = conditions;
    return conditions.size === 1 && only ? this.typeNamed(only) : type;
  }

  private signature(type: GraphQLCompositeType, selection: SelectionSetNode): string {
    const { type: concrete, fields } = this.collect(type, selection);
    const parts = [...fields.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([key, { field, nodes }]) => {
      const named = getNamedType(field.type);
      const childSelection = mergedSelection(nodes);
      const child = isCompositeType(named) && childSelection ? this.signature(named, childSelection) : '';
      return `${key}:${String(field.type)}${child}`;
    });
    return `${concrete.name}{${parts.join(',')}}`;
  }

  private classFor(type: GraphQLCompositeType, selection: SelectionSetNode, context: string): string {
    const signature = this.signature(type, selection);
    const known = this.bySignature.get(signature);
    if (known) return known;
    const { type: concrete, fields } = this.collect(type, selection);
    const name = this.nameFor(concrete.name, signature, context);
    this.bySignature.set(signature, name);
    const cls: ResultClass = { name, description: concrete.description ?? null, fields: [] };
    for (const [key, { field, nodes }] of fields) {
      const type = this.outputType(field.type, mergedSelection(nodes), name);
      cls.fields.push({ attr: snakeCase(key), key, type, description: field.description ?? null });
    }
    this.classes.push(cls);
    return name;
  }

  private nameFor(typeName: string, signature: string, context: string): string {
    const reservedFor = this.reserved.get(typeName);
    const contextual = context === typeName ? `${typeName}Details` : `${context}${typeName}`;
    const candidates = [typeName, contextual, `${contextual}Selection`];
    for (const candidate of candidates) {
      const free = !this.taken.has(candidate) && (candidate !== typeName || reservedFor === undefined || reservedFor === signature);
      if (free) {
        this.taken.add(candidate);
        return candidate;
      }
    }
    throw new Error(`no free class name for ${typeName} in ${context}`);
  }

  private typeNamed(name: string): GraphQLCompositeType {
    const type = this.schema.getType(name);
    if (!type || !isCompositeType(type)) throw new Error(`unknown composite type ${name}`);
    return type;
  }
}

/** The selections of every node asking for one response key, as one set. */
export function mergedSelection(nodes: readonly FieldNode[]): SelectionSetNode | undefined {
  const sets = nodes.flatMap((n) => (n.selectionSet ? [n.selectionSet] : []));
  if (sets.length === 0) return undefined;
  return { kind: Kind.SELECTION_SET, selections: sets.flatMap((s) => s.selections) };
}
