import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { toGlobalId } from '../../core/global-id.js';
import { Connection } from '../../graphql/connection.js';
import { Node } from '../../graphql/node.type.js';
import { Tier } from '../users/user.entity.js';
import { TransactionType, type CreditTransaction } from './credit-transaction.entity.js';
import { HoldStatus, type Hold } from './hold.entity.js';
import type { Price } from './price.entity.js';

registerEnumType(HoldStatus, { name: 'HoldStatus', description: 'A PENDING hold resolves exactly once.' });
registerEnumType(TransactionType, { name: 'CreditTransactionType', description: 'What a journal entry records.' });

@ObjectType('CreditAccount', { description: 'Your credits: available to spend, and held by pending holds.' })
export class CreditAccountType {
  @Field(() => Int)
  available!: number;

  @Field(() => Int)
  held!: number;

  @Field(() => Tier)
  tier!: Tier;

  @Field(() => Int, { description: "Credits your tier grants each UTC day." })
  dailyGrant!: number;

  @Field(() => Date, { description: 'When the next daily grant becomes due (next UTC midnight).' })
  nextGrantAt!: Date;
}

@ObjectType('Hold', { implements: Node, description: 'Credits reserved until committed, released or expired.' , simpleResolvers: true })
export class HoldType extends Node {
  readonly __typename = 'Hold';

  @Field(() => Int)
  amount!: number;

  @Field(() => Int, { nullable: true, description: 'What the commit charged; null until committed.' })
  charged!: number | null;

  @Field(() => HoldStatus)
  status!: HoldStatus;

  @Field(() => String)
  reason!: string;

  @Field(() => String, { nullable: true })
  reference!: string | null;

  @Field(() => String)
  idempotencyKey!: string;

  @Field(() => Date)
  expiresAt!: Date;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  resolvedAt!: Date | null;
}

@ObjectType('CreditTransaction', { implements: Node, description: 'One immutable journal entry.' , simpleResolvers: true })
export class CreditTransactionType extends Node {
  readonly __typename = 'CreditTransaction';

  @Field(() => TransactionType)
  type!: TransactionType;

  @Field(() => Int, { description: 'Signed change to the credits you own (available + held): negative when spent.' })
  amount!: number;

  @Field(() => Int)
  availableDelta!: number;

  @Field(() => Int)
  heldDelta!: number;

  @Field(() => Int, { description: 'Available credits right after this entry.' })
  availableAfter!: number;

  @Field(() => Int, { description: 'Held credits right after this entry.' })
  heldAfter!: number;

  @Field(() => String)
  reason!: string;

  @Field(() => String, { nullable: true })
  reference!: string | null;

  @Field(() => String, { nullable: true, description: 'Global id of the hold this entry belongs to.' })
  holdId!: string | null;

  @Field(() => Date)
  createdAt!: Date;
}

@ObjectType('Price', { description: 'What generating with a model costs.' })
export class PriceType {
  @Field(() => String)
  model!: string;

  @Field(() => String)
  description!: string;

  @Field(() => Int, { description: 'Credits for a track of up to one minute.' })
  credits!: number;

  @Field(() => Int, { description: 'Credits for each started minute beyond the first.' })
  creditsPerExtraMinute!: number;

  @Field(() => Boolean)
  active!: boolean;
}

export const HoldConnection = Connection(HoldType, 'Hold');
export const CreditTransactionConnection = Connection(CreditTransactionType, 'CreditTransaction');

export function toHoldType(hold: Hold): HoldType {
  return Object.assign(new HoldType(), {
    id: toGlobalId('Hold', hold.id),
    amount: hold.amount,
    charged: hold.charged ?? null,
    status: hold.status,
    reason: hold.reason,
    reference: hold.reference ?? null,
    idempotencyKey: hold.idempotencyKey,
    expiresAt: hold.expiresAt,
    createdAt: hold.createdAt,
    resolvedAt: hold.resolvedAt ?? null,
  });
}

export function toCreditTransactionType(entry: CreditTransaction): CreditTransactionType {
  return Object.assign(new CreditTransactionType(), {
    id: toGlobalId('CreditTransaction', entry.id),
    type: entry.type,
    amount: entry.availableDelta + entry.heldDelta,
    availableDelta: entry.availableDelta,
    heldDelta: entry.heldDelta,
    availableAfter: entry.availableAfter,
    heldAfter: entry.heldAfter,
    reason: entry.reason,
    reference: entry.reference ?? null,
    holdId: entry.holdId ? toGlobalId('Hold', entry.holdId) : null,
    createdAt: entry.createdAt,
  });
}

export function toPriceType(price: Price): PriceType {
  return Object.assign(new PriceType(), {
    model: price.model,
    description: price.description,
    credits: price.credits,
    creditsPerExtraMinute: price.creditsPerExtraMinute,
    active: price.active,
  });
}
