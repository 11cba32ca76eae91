import { Kind, type FragmentDefinitionNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

/**
 * Whether the operation asks, below the current field, for any field at `path` whose last step
 * is one of `names` (e.g. `edges.node` then `versions`), through fragments and inline fragments
 * alike. Lets a connection resolver fetch what the page will need in the same statement instead
 * of one batch per level.
 */
export function selectsAny(info: GraphQLResolveInfo, path: readonly string[], names: readonly string[]): boolean {
  const selected = selectedFieldNames(info, path);
  return names.some((name) => selected.has(name));
}

/**
 * The names of the fields the operation asks for at `path` below the current field (through
 * fragments and inline fragments), e.g. every field of `edges.node.versions`. Empty when the
 * path is not selected. Lets a resolver read only the columns a query will show.
 */
export function selectedFieldNames(info: GraphQLResolveInfo, path: readonly string[]): Set<string> {
  const names = new Set<string>();
  for (const node of info.fieldNodes) if (node.selectionSet) collect(node.selectionSet, path, names, info.fragments, new Set());
  return names;
}

function collect(
  selectionSet: SelectionSetNode,
  path: readonly string[],
  names: Set<string>,
  fragments: Record<string, FragmentDefinitionNode>,
  seen: Set<string>,
): void {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (path.length === 0) names.add(selection.name.value);
      else if (selection.name.value === path[0] && selection.selectionSet) collect(selection.selectionSet, path.slice(1), names, fragments, seen);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      collect(selection.selectionSet, path, names, fragments, seen);
    } else {
      // The same fragment may be spread in several places; only a cycle is cut (validation
      // refuses those anyway).
      const fragment = fragments[selection.name.value];
      if (!fragment || seen.has(fragment.name.value)) continue;
      seen.add(fragment.name.value);
      collect(fragment.selectionSet, path, names, fragments, seen);
      seen.delete(fragment.name.value);
    }
  }
}
