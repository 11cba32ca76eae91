import { Field, InputType, Int, ObjectType } from 'type-graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import { toGlobalId } from '../../core/global-id.js';
import type { ProviderAccount } from '../credits/provider-account.entity.js';
import type { AuditEntry } from './audit-entry.entity.js';

@ObjectType('ProviderAccount', { description: "The platform's balance with an upstream music provider." })
export class ProviderAccountType {
  @Field(() => String)
  provider!: string;

  @Field(() => Int)
  balance!: number;

  @Field(() => Int, { description: 'Below this, admins are alerted.' })
  lowBalanceThreshold!: number;

  @Field(() => Boolean)
  isLow!: boolean;

  @Field(() => Date)
  updatedAt!: Date;
}

@ObjectType('AuditEntry', { description: 'One admin action: who, what, to whom and why.' })
export class AuditEntryType {
  @Field(() => String)
  id!: string;

  @Field(() => String, { description: 'Global id of the admin.' })
  actorId!: string;

  @Field(() => String)
  action!: string;

  @Field(() => String, { nullable: true, description: 'Global id of the user acted on.' })
  targetUserId!: string | null;

  @Field(() => String)
  reason!: string;

  @Field(() => GraphQLJSONObject)
  details!: Record<string, unknown>;

  @Field(() => Date)
  createdAt!: Date;
}

@InputType('UpdatePriceInput')
export class UpdatePriceInput {
  @Field(() => String, { description: 'Model id; a new id adds it to the catalog.' })
  model!: string;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => Int, { nullable: true })
  credits?: number | null;

  @Field(() => Int, { nullable: true })
  creditsPerExtraMinute?: number | null;

  @Field(() => Boolean, { nullable: true })
  active?: boolean | null;

  @Field(() => String, { description: 'Why; kept in the audit log.' })
  reason!: string;
}

export function toProviderAccountType(account: ProviderAccount): ProviderAccountType {
  return Object.assign(new ProviderAccountType(), {
    provider: account.provider,
    balance: account.balance,
    lowBalanceThreshold: account.lowBalanceThreshold,
    isLow: account.balance < account.lowBalanceThreshold,
    updatedAt: account.updatedAt,
  });
}

export function toAuditEntryType(entry: AuditEntry): AuditEntryType {
  return Object.assign(new AuditEntryType(), {
    id: entry.id,
    actorId: toGlobalId('User', entry.actorId),
    action: entry.action,
    targetUserId: entry.targetUserId ? toGlobalId('User', entry.targetUserId) : null,
    reason: entry.reason,
    details: entry.details,
    createdAt: entry.createdAt,
  });
}
