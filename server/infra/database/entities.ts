import { AuditEntry } from '../../modules/admin/audit-entry.entity.js';
import { ApiKey } from '../../modules/api-keys/api-key.entity.js';
import { RefreshToken } from '../../modules/auth/refresh-token.entity.js';
import { Session } from '../../modules/auth/session.entity.js';
import { CreditAccount } from '../../modules/credits/credit-account.entity.js';
import { CreditTransaction } from '../../modules/credits/credit-transaction.entity.js';
import { Hold } from '../../modules/credits/hold.entity.js';
import { Price } from '../../modules/credits/price.entity.js';
import { ProviderAccount } from '../../modules/credits/provider-account.entity.js';
import { ProviderLedgerEntry } from '../../modules/credits/provider-ledger-entry.entity.js';
import { TierPlan } from '../../modules/credits/tier-plan.entity.js';
import { User } from '../../modules/users/user.entity.js';
import { Job } from '../../modules/jobs/job.entity.js';
import { Project } from '../../modules/projects/project.entity.js';
import { Track } from '../../modules/tracks/track.entity.js';
import { TrackVersion } from '../../modules/tracks/track-version.entity.js';
import { OutboxEvent } from '../outbox/outbox-event.entity.js';
import { WebhookDelivery } from '../../modules/webhooks/webhook-delivery.entity.js';
import { WebhookEndpoint } from '../../modules/webhooks/webhook-endpoint.entity.js';

/** Every entity the ORM knows; a module adds its own here. */
export const ENTITIES = [
  User,
  Session,
  RefreshToken,
  ApiKey,
  OutboxEvent,
  CreditAccount,
  Hold,
  CreditTransaction,
  TierPlan,
  Price,
  ProviderAccount,
  ProviderLedgerEntry,
  AuditEntry,
  Job,
  Track,
  Project,
  TrackVersion,
  WebhookEndpoint,
  WebhookDelivery,
] as const;
