import { Field, InputType } from 'type-graphql';

@InputType('CreateWebhookInput')
export class CreateWebhookInput {
  @Field(() => String, { description: 'Where deliveries are POSTed: https (http outside production), on a public address.' })
  url!: string;

  @Field(() => String, { nullable: true, description: 'Up to 200 characters, to tell webhooks apart.' })
  description?: string | null;

  @Field(() => [String], { nullable: true, description: 'Event types to receive (see webhookEventTypes); empty or left out means all.' })
  eventTypes?: string[] | null;
}

@InputType('UpdateWebhookInput', { description: 'Fields left out stay as they are.' })
export class UpdateWebhookInput {
  @Field(() => String, { nullable: true })
  url?: string | null;

  @Field(() => String, { nullable: true, description: 'null or "" clears it.' })
  description?: string | null;

  @Field(() => [String], { nullable: true, description: 'Empty means all event types.' })
  eventTypes?: string[] | null;

  @Field(() => Boolean, { nullable: true, description: 'true turns a disabled webhook back on and starts its failure count afresh.' })
  enabled?: boolean | null;
}
