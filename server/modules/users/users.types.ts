import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { toGlobalId } from '../../core/global-id.js';
import { Node } from '../../graphql/node.type.js';
import { Tier, type User } from './user.entity.js';

registerEnumType(Tier, { name: 'Tier', description: 'Plan that sets daily credits, models, concurrency and rate limits.' });

@ObjectType('User', { implements: Node, description: 'A MusicVerse user, known by their Telegram account.' })
export class UserType extends Node {
  readonly __typename = 'User';

  @Field(() => String, { description: 'Telegram user id.' })
  telegramId!: string;

  @Field(() => String)
  firstName!: string;

  @Field(() => String, { nullable: true })
  lastName!: string | null;

  @Field(() => String, { nullable: true, description: 'Telegram @username without the @.' })
  username!: string | null;

  @Field(() => String, { nullable: true, description: 'IETF language tag from Telegram.' })
  languageCode!: string | null;

  @Field(() => String, { nullable: true })
  photoUrl!: string | null;

  @Field(() => Boolean, { description: 'Has Telegram Premium.' })
  isPremium!: boolean;

  @Field(() => Tier)
  tier!: Tier;

  @Field(() => Boolean)
  isAdmin!: boolean;

  @Field(() => Date)
  createdAt!: Date;
}

export function toUserType(user: User): UserType {
  return Object.assign(new UserType(), {
    id: toGlobalId('User', user.id),
    telegramId: String(user.telegramId),
    firstName: user.firstName,
    lastName: user.lastName ?? null,
    username: user.username ?? null,
    languageCode: user.languageCode ?? null,
    photoUrl: user.photoUrl ?? null,
    isPremium: user.isPremium,
    tier: user.tier,
    isAdmin: user.role === 'admin',
    createdAt: user.createdAt,
  });
}
