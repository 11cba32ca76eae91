import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { NotFoundError } from '../../core/errors.js';
import { localIdOf } from '../../core/global-id.js';
import { CurrentViewer } from '../../graphql/auth-checker.js';
import { pageSize } from '../../graphql/connection.js';
import type { RequestContext } from '../../graphql/context.js';
import type { Viewer } from '../auth/viewer.js';
import { TransactionType } from '../credits/credit-transaction.entity.js';
import { CreditTransactionConnection, CreditTransactionType, PriceType, toCreditTransactionType, toPriceType } from '../credits/credits.types.js';
import { transactionsConnection } from '../credits/credits.resolver.js';
import { Tier } from '../users/user.entity.js';
import { UserType, toUserType } from '../users/users.types.js';
import { AuditEntryType, ProviderAccountType, UpdatePriceInput, toAuditEntryType, toProviderAccountType } from './admin.types.js';

function userIdOf(id: string): string {
  const local = localIdOf(id, 'User', 'userId');
  if (!local) throw new NotFoundError('User');
  return local;
}

/** Operator actions. Every mutation needs an admin session and records who and why. */
@Resolver()
export class AdminResolver {
  @Authorized('admin')
  @Mutation(() => CreditTransactionType, { description: 'Admin: grants credits to a user, journaled as GRANT and audited.' })
  async grantCredits(
    @Arg('userId', () => ID) userId: string,
    @Arg('amount', () => Int) amount: number,
    @Arg('reason', () => String) reason: string,
    @Arg('idempotencyKey', () => String, { nullable: true }) idempotencyKey: string | null,
    @CurrentViewer() viewer: Viewer,
    @Ctx() ctx: RequestContext,
  ): Promise<CreditTransactionType> {
    return toCreditTransactionType(await ctx.services.creditsAdmin.grant(ctx.em, viewer.userId, userIdOf(userId), amount, reason, idempotencyKey));
  }

  @Authorized('admin')
  @Mutation(() => CreditTransactionType, { description: 'Admin: a signed correction of available credits, journaled as ADJUST and audited.' })
  async adjustCredits(
    @Arg('userId', () => ID) userId: string,
    @Arg('amount', () => Int) amount: number,
    @Arg('reason', () => String) reason: string,
    @Arg('idempotencyKey', () => String, { nullable: true }) idempotencyKey: string | null,
    @CurrentViewer() viewer: Viewer,
    @Ctx() ctx: RequestContext,
  ): Promise<CreditTransactionType> {
    return toCreditTransactionType(await ctx.services.creditsAdmin.adjust(ctx.em, viewer.userId, userIdOf(userId), amount, reason, idempotencyKey));
  }

  @Authorized('admin')
  @Mutation(() => UserType, { description: "Admin: changes a user's tier." })
  async setUserTier(
    @Arg('userId', () => ID) userId: string,
    @Arg('tier', () => Tier) tier: Tier,
    @Arg('reason', () => String) reason: string,
    @CurrentViewer() viewer: Viewer,
    @Ctx() ctx: RequestContext,
  ): Promise<UserType> {
    return toUserType(await ctx.services.creditsAdmin.setTier(ctx.em, viewer.userId, userIdOf(userId), tier, reason));
  }

  @Authorized('admin')
  @Mutation(() => PriceType, { description: 'Admin: changes or adds a catalog price.' })
  async updatePrice(@Arg('input', () => UpdatePriceInput) input: UpdatePriceInput, @CurrentViewer() viewer: Viewer, @Ctx() ctx: RequestContext): Promise<PriceType> {
    return toPriceType(await ctx.services.creditsAdmin.updatePrice(ctx.em, viewer.userId, input, input.reason));
  }

  @Authorized('admin')
  @Mutation(() => ProviderAccountType, { description: "Admin: records a top-up of the platform's balance with a provider." })
  async topUpProviderBalance(
    @Arg('provider', () => String) provider: string,
    @Arg('amount', () => Int) amount: number,
    @Arg('reason', () => String) reason: string,
    @CurrentViewer() viewer: Viewer,
    @Ctx() ctx: RequestContext,
  ): Promise<ProviderAccountType> {
    return toProviderAccountType(await ctx.services.creditsAdmin.topUpProvider(ctx.em, viewer.userId, provider, amount, reason));
  }

  @Authorized('admin')
  @Query(() => [ProviderAccountType], { description: "Admin: the platform's balances with its providers." })
  async providerAccounts(@Ctx() ctx: RequestContext): Promise<ProviderAccountType[]> {
    return (await ctx.services.providerBalance.list(ctx.em)).map(toProviderAccountType);
  }

  @Authorized('admin')
  @Query(() => CreditTransactionConnection, { description: "Admin: any user's credit journal, newest first." })
  async userTransactions(
    @Arg('userId', () => ID) userId: string,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('type', () => TransactionType, { nullable: true }) type: TransactionType | null,
    @Ctx() ctx: RequestContext,
  ) {
    return transactionsConnection(ctx, userIdOf(userId), { type }, first, after);
  }

  @Authorized('admin')
  @Query(() => [AuditEntryType], { description: 'Admin: the audit log, newest first.' })
  async auditLog(@Arg('first', () => Int, { nullable: true }) first: number | null, @Ctx() ctx: RequestContext): Promise<AuditEntryType[]> {
    return (await ctx.services.audit.page(ctx.em, null, null, pageSize(first))).map(toAuditEntryType);
  }
}
