import { Field, InputType, ObjectType } from 'type-graphql';
import { UserType } from '../users/users.types.js';

@ObjectType('AuthPayload', { description: 'A new session: send accessToken as "Authorization: Bearer <token>".' })
export class AuthPayloadType {
  @Field(() => String, { description: 'Bearer token for API calls; valid one hour.' })
  accessToken!: string;

  @Field(() => Date)
  accessTokenExpiresAt!: Date;

  @Field(() => String, { description: 'Trade it for a new pair with refreshSession; valid 30 days, single use.' })
  refreshToken!: string;

  @Field(() => Date)
  refreshTokenExpiresAt!: Date;

  @Field(() => UserType)
  user!: UserType;
}

@InputType('DevSignInInput', { description: 'A local-development identity; only accepted when the server runs with DEV_LOGIN=1.' })
export class DevSignInInput {
  @Field(() => String, { description: 'Numeric Telegram id to act as.' })
  telegramId!: string;

  @Field(() => String, { defaultValue: 'Developer' })
  firstName!: string;

  @Field(() => String, { nullable: true })
  username?: string | null;
}
