import { randomUUID } from 'node:crypto';
import { Entity, Index, ManyToOne, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { User } from '../users/user.entity.js';

/**
 * A URL a user registered to receive signed event deliveries. The signing secret is kept only
 * encrypted (webhook-secret-box.ts); its owner sees it in clear once, when it is made.
 */
@Entity({ tableName: 'webhook_endpoints' })
@Index({ name: 'webhook_endpoints_user_created_idx', properties: ['user', 'createdAt'] })
export class WebhookEndpoint {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @Property({ type: 'text' })
  url!: string;

  @Property({ type: 'text', nullable: true })
  description?: string | null;

  /** Event types delivered here; empty means every type. */
  @Property({ type: 'text[]' })
  eventTypes!: string[];

  /** AES-256-GCM ciphertext of the `whsec_` secret; never leaves the server in this form. */
  @Property({ type: 'text', hidden: true })
  secretCiphertext!: string;

  @Property({ type: 'boolean', default: true })
  enabled: boolean = true;

  /** Why the endpoint stopped receiving events (too many failures), for its owner to read. */
  @Property({ type: 'text', nullable: true })
  disabledReason?: string | null;

  @Property({ type: 'timestamptz', nullable: true })
  disabledAt?: Date | null;

  /** Deliveries that ended FAILED in a row; a success sets it back to 0. */
  @Property({ type: 'int', default: 0 })
  consecutiveFailures: number = 0;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz' })
  updatedAt: Date = new Date();
}
