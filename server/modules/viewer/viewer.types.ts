import { ObjectType } from 'type-graphql';

/** The signed-in caller's world; its fields are resolved by the modules that own them. */
@ObjectType('Viewer', { description: "The signed-in user's world." })
export class ViewerType {
  constructor(readonly userId: string) {}
}
