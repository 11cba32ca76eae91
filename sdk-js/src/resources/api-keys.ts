import type { RequestOptions } from '../core/options.js';
import {
  ApiKeysDocument,
  ApiKeyScopesDocument,
  CreateApiKeyDocument,
  RevokeApiKeyDocument,
  type ApiKeyFieldsFragment,
  type ApiKeyScopesQuery,
  type CreateApiKeyInput,
  type CreateApiKeyMutation,
} from '../generated/graphql.js';
import { APIResource } from './resource.js';

export type ApiKey = ApiKeyFieldsFragment;
export type ApiKeyScope = ApiKeyScopesQuery['apiKeyScopes'][number];
/** The new key in clear (`key`, shown only here) and its record. */
export type CreatedApiKey = CreateApiKeyMutation['createApiKey'];

/** Developer keys. Managing them needs a session (an access token), never an API key. */
export class ApiKeys extends APIResource {
  async list(options?: RequestOptions): Promise<ApiKey[]> {
    return (await this.client.request(ApiKeysDocument, {}, options)).viewer.apiKeys;
  }

  async create(input: CreateApiKeyInput, options?: RequestOptions): Promise<CreatedApiKey> {
    return (await this.client.request(CreateApiKeyDocument, { input }, options)).createApiKey;
  }

  async revoke(id: string, options?: RequestOptions): Promise<ApiKey> {
    return (await this.client.request(RevokeApiKeyDocument, { id }, options)).revokeApiKey;
  }

  /** The scopes a key can hold, with what each allows. */
  async scopes(options?: RequestOptions): Promise<ApiKeyScope[]> {
    return (await this.client.request(ApiKeyScopesDocument, {}, options)).apiKeyScopes;
  }
}
