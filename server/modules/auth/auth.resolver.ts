import { Arg, Authorized, Ctx, Mutation, Resolver } from 'type-graphql';
import { BadUserInputError, ForbiddenError } from '../../core/errors.js';
import { CurrentViewer } from '../../graphql/auth-checker.js';
import type { RequestContext } from '../../graphql/context.js';
import { toUserType } from '../users/users.types.js';
import type { SignedIn } from './auth.service.js';
import { AuthPayloadType, DevSignInInput } from './auth.types.js';
import type { Viewer } from './viewer.js';

function toPayload(signedIn: SignedIn): AuthPayloadType {
  return Object.assign(new AuthPayloadType(), { ...signedIn, user: toUserType(signedIn.user) });
}

@Resolver()
export class AuthResolver {
  @Mutation(() => AuthPayloadType, { description: 'Signs in with Telegram Mini App initData (Telegram.WebApp.initData, unchanged).' })
  async authenticateTelegram(@Arg('initData', () => String) initData: string, @Ctx() ctx: RequestContext): Promise<AuthPayloadType> {
    return toPayload(await ctx.services.auth.signInWithTelegram(ctx.em, initData));
  }

  @Mutation(() => AuthPayloadType, { description: 'Trades a refresh token for a new pair. Each refresh token works once.' })
  async refreshSession(@Arg('refreshToken', () => String) refreshToken: string, @Ctx() ctx: RequestContext): Promise<AuthPayloadType> {
    return toPayload(await ctx.services.auth.refresh(ctx.em, refreshToken));
  }

  @Authorized('session')
  @Mutation(() => Boolean, { description: 'Ends the current session: its access and refresh tokens stop working.' })
  async signOut(@CurrentViewer() viewer: Viewer, @Ctx() ctx: RequestContext): Promise<boolean> {
    if (viewer.credential.kind === 'session') await ctx.services.auth.signOut(ctx.em, viewer.credential.sessionId);
    return true;
  }

  @Mutation(() => AuthPayloadType, { description: 'Local development only (DEV_LOGIN=1): signs in as any Telegram id.' })
  async devSignIn(@Arg('input', () => DevSignInInput) input: DevSignInInput, @Ctx() ctx: RequestContext): Promise<AuthPayloadType> {
    if (!ctx.config.devLogin) throw new ForbiddenError('Dev sign-in is off; start the server with DEV_LOGIN=1 for local use');
    if (!/^\d{1,15}$/.test(input.telegramId)) throw new BadUserInputError('telegramId must be a number', 'telegramId');
    const signedIn = await ctx.services.auth.devSignIn(ctx.em, {
      telegramId: input.telegramId,
      firstName: input.firstName,
      username: input.username ?? null,
    });
    return toPayload(signedIn);
  }
}
