import { Field, ID, InterfaceType } from 'type-graphql';

/** Anything fetchable by its global ID through `node(id:)`. */
@InterfaceType({
  description: 'An object with a global ID, fetchable with node(id:).',
  resolveType: (value: { __typename?: string }) => value.__typename,
})
export abstract class Node {
  @Field(() => ID, { description: 'Opaque global ID; do not parse it.' })
  id!: string;
}
