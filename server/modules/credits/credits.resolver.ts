import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import { BadUserInputError, NotFoundError } from '../../core/errors.js';
import { localIdOf } from '../../core/global-id.js';
import { CurrentViewer, requireAccess, requireViewer } from '../../graphql/auth-checker.js';
import { Topic } from '../../infra/outbox/outbox.topics.js';
import { createdAtCursor, createdAtPosition, decodeCursor, encodeCursor, pageSize, toConnection } from '../../graphql/connection.js';
import type { RequestContext } from '../../graphql/context.js';
import type { Viewer } from '../auth/viewer.js';
import { ViewerType } from '../viewer/viewer.types.js';
import { TransactionType, type CreditTransaction } from './credit-transaction.entity.js';
import type { TransactionFilter } from './credits.repository.js';
import { PlaceHoldInput } from './credits.inputs.js';
import {
  CreditAccountType,
  CreditTransactionConnection,
  HoldConnection,
  HoldType,
  PriceType,
  toCreditTransactionType,
  toHoldType,
  toPriceType,
} from './credits.types.js';
import { HoldStatus } from './hold.entity.js';
import { utcDay } from './credits.service.js';

function holdIdOf(id: string): string {
  const local = localIdOf(id, 'Hold');
  if (!local) throw new NotFoundError('Hold');
  return local;
}

@Resolver()
export class CreditsResolver {
  @Query(() => [PriceType], { description: 'What generation costs, per model.' })
  async priceCatalog(@Ctx() ctx: RequestContext): Promise<PriceType[]> {
    return (await ctx.services.creditsRepository.catalog(ctx.em)).map(toPriceType);
  }

  @Authorized('credits:hold')
  @Mutation(() => HoldType, { description: 'Reserves credits. Safe to retry with the same idempotencyKey.' })
  async placeHold(@Arg('input', () => PlaceHoldInput) input: PlaceHoldInput, @CurrentViewer() viewer: Viewer, @Ctx() ctx: RequestContext): Promise<HoldType> {
    return toHoldType(await ctx.services.credits.placeHold(ctx.em, viewer.userId, input));
  }

  @Authorized('credits:hold')
  @Mutation(() => HoldType, { description: 'Charges up to the held amount (all by default) and returns the rest. A hold resolves once.' })
  async commitHold(
    @Arg('id', () => ID) id: string,
    @Arg('amount', () => Int, { nullable: true }) amount: number | null,
    @CurrentViewer() viewer: Viewer,
    @Ctx() ctx: RequestContext,
  ): Promise<HoldType> {
    return toHoldType(await ctx.services.credits.commitHold(ctx.em, viewer.userId, holdIdOf(id), amount));
  }

  @Authorized('credits:hold')
  @Mutation(() => HoldType, { description: 'Returns all held credits to available. A hold resolves once.' })
  async releaseHold(@Arg('id', () => ID) id: string, @CurrentViewer() viewer: Viewer, @Ctx() ctx: RequestContext): Promise<HoldType> {
    return toHoldType(await ctx.services.credits.releaseHold(ctx.em, viewer.userId, holdIdOf(id)));
  }
}

/** A page of one user's journal, newest first; shared by the viewer's and the admin's views. */
export async function transactionsConnection(
  ctx: RequestContext,
  userId: string,
  filter: TransactionFilter,
  first: number | null,
  after: string | null,
): Promise<InstanceType<typeof CreditTransactionConnection>> {
  const size = pageSize(first);
  const repo = ctx.services.creditsRepository;
  const afterSeq = after ? decodeCursor(after, 1)[0]! : null;
  if (afterSeq !== null && !/^\d{1,19}$/.test(afterSeq)) throw new BadUserInputError('after is not a cursor from this connection', 'after');
  const rows = await repo.transactionsPage(ctx.em, userId, filter, afterSeq, size + 1);
  const cursorOf = (entry: CreditTransaction) => encodeCursor([String(entry.seq)]);
  return Object.assign(new CreditTransactionConnection(), toConnection(rows, size, after, toCreditTransactionType, cursorOf, () => repo.countTransactions(ctx.em, userId, filter)));
}

/** The viewer's account as GraphQL shows it, read fresh. */
async function creditAccountOf(ctx: RequestContext, userId: string): Promise<CreditAccountType> {
  const account = await ctx.services.credits.accountFor(ctx.em, userId);
  const user = await ctx.loaders.userById.load(userId);
  if (!user) throw new NotFoundError('User');
  const plan = await ctx.services.creditsRepository.tierPlan(ctx.em, user.tier);
  const nextGrantAt = new Date(`${utcDay(new Date(Date.now() + 86_400_000))}T00:00:00.000Z`);
  return Object.assign(new CreditAccountType(), {
    available: account.available,
    held: account.held,
    tier: user.tier,
    dailyGrant: plan.dailyCredits,
    nextGrantAt,
  });
}

/** Subscribing is checked up front, so a caller without access never holds a live stream. */
function creditsChangedStream({ context }: SubscribeResolverData<unknown, unknown, RequestContext>) {
  const viewer = requireViewer(context);
  requireAccess(viewer, 'credits:read');
  return context.services.events.stream(Topic.CreditsChanged, { filter: (event) => event.userId === viewer.userId });
}

@Resolver()
export class CreditsSubscriptionResolver {
  @Subscription(() => CreditAccountType, {
    subscribe: (data: SubscribeResolverData<unknown, unknown, RequestContext>) => creditsChangedStream(data),
    description: 'Your credit account, each time it changes (holds, commits, releases, grants, purchases), from any server.',
  })
  async creditsChanged(@Ctx() ctx: RequestContext): Promise<CreditAccountType> {
    // Read fresh: events may arrive out of order after a relay retry; the account is the truth.
    ctx.em.clear();
    return creditAccountOf(ctx, requireViewer(ctx).userId);
  }
}

@Resolver(() => ViewerType)
export class ViewerCreditsResolver {
  @Authorized('credits:read')
  @FieldResolver(() => CreditAccountType)
  async credits(@Root() root: ViewerType, @Ctx() ctx: RequestContext): Promise<CreditAccountType> {
    return creditAccountOf(ctx, root.userId);
  }

  @Authorized('credits:read')
  @FieldResolver(() => HoldConnection, { description: 'Your holds, newest first.' })
  async holds(
    @Root() root: ViewerType,
    @Ctx() ctx: RequestContext,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('status', () => HoldStatus, { nullable: true }) status: HoldStatus | null,
  ) {
    const size = pageSize(first);
    const repo = ctx.services.creditsRepository;
    const rows = await repo.holdsPage(ctx.em, root.userId, { status }, createdAtPosition(after), size + 1);
    return Object.assign(new HoldConnection(), toConnection(rows, size, after, toHoldType, createdAtCursor, () => repo.countHolds(ctx.em, root.userId, { status })));
  }

  @Authorized('credits:read')
  @FieldResolver(() => CreditTransactionConnection, { description: 'Your credit journal, newest first, filtered by type and date.' })
  async transactions(
    @Root() root: ViewerType,
    @Ctx() ctx: RequestContext,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('type', () => TransactionType, { nullable: true }) type: TransactionType | null,
    @Arg('since', () => Date, { nullable: true, description: 'Entries at or after this time.' }) since: Date | null,
    @Arg('until', () => Date, { nullable: true, description: 'Entries before this time.' }) until: Date | null,
  ) {
    return transactionsConnection(ctx, root.userId, { type, since, until }, first, after);
  }
}
