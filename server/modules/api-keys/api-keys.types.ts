import { Field, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { toGlobalId } from '../../core/global-id.js';
import { Node } from '../../graphql/node.type.js';
import type { ApiKey } from './api-key.entity.js';
import { displayPrefix } from './api-key-format.js';

export enum ApiKeyStatus {
  ACTIVE = 'ACTIVE',
  EXPIRED = 'EXPIRED',
  REVOKED = 'REVOKED',
}
registerEnumType(ApiKeyStatus, { name: 'ApiKeyStatus' });

@ObjectType('ApiKey', { implements: Node, description: 'A developer key. The key itself is only shown by createApiKey.' })
export class ApiKeyType extends Node {
  readonly __typename = 'ApiKey';

  @Field(() => String)
  name!: string;

  @Field(() => String, { description: 'The start of the key, to recognise it (e.g. "amv_live_AbC123dEf456…").' })
  prefix!: string;

  @Field(() => [String], { description: 'What the key may do; see apiKeyScopes.' })
  scopes!: string[];

  @Field(() => ApiKeyStatus)
  status!: ApiKeyStatus;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  expiresAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'Last use, to the minute.' })
  lastUsedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  revokedAt!: Date | null;
}

@ObjectType('CreateApiKeyPayload')
export class CreateApiKeyPayloadType {
  @Field(() => ApiKeyType)
  apiKey!: ApiKeyType;

  @Field(() => String, { description: 'The key, shown this once: store it now. Send it as "X-API-Key: <key>".' })
  key!: string;
}

@ObjectType('ApiKeyScope', { description: 'A permission an API key can hold.' })
export class ApiKeyScopeType {
  @Field(() => String, { description: 'e.g. "tracks:read".' })
  name!: string;

  @Field(() => String)
  description!: string;
}

@InputType('CreateApiKeyInput')
export class CreateApiKeyInput {
  @Field(() => String, { description: '1 to 80 characters, to tell keys apart.' })
  name!: string;

  @Field(() => [String], { description: 'At least one scope from apiKeyScopes.' })
  scopes!: string[];

  @Field(() => Date, { nullable: true, description: 'When the key stops working; never when omitted.' })
  expiresAt?: Date | null;
}

export function toApiKeyType(apiKey: ApiKey, now = new Date()): ApiKeyType {
  const status = apiKey.revokedAt
    ? ApiKeyStatus.REVOKED
    : apiKey.expiresAt && apiKey.expiresAt.getTime() <= now.getTime()
      ? ApiKeyStatus.EXPIRED
      : ApiKeyStatus.ACTIVE;
  return Object.assign(new ApiKeyType(), {
    id: toGlobalId('ApiKey', apiKey.id),
    name: apiKey.name,
    prefix: displayPrefix(apiKey.lookupId),
    scopes: apiKey.scopes,
    status,
    createdAt: apiKey.createdAt,
    expiresAt: apiKey.expiresAt ?? null,
    lastUsedAt: apiKey.lastUsedAt ?? null,
    revokedAt: apiKey.revokedAt ?? null,
  });
}
