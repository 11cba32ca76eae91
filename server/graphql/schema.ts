import 'reflect-metadata';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { ApiKeysResolver } from '../modules/api-keys/api-keys.resolver.js';
import { AuthResolver } from '../modules/auth/auth.resolver.js';
import { ViewerResolver } from '../modules/viewer/viewer.resolver.js';
import { authChecker } from './auth-checker.js';
import { NodeResolver } from './node.resolver.js';

/** Every resolver of the API; a module adds its own here. */
const RESOLVERS = [NodeResolver, ViewerResolver, AuthResolver, ApiKeysResolver] as const;

export async function createSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: [...RESOLVERS],
    authChecker,
    authMode: 'error',
    validate: false,
  });
}

/** The committed contract: sorted so that the file changes only when the schema does. */
export function printContract(schema: GraphQLSchema): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
