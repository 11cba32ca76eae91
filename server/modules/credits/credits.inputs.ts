import { Field, InputType, Int } from 'type-graphql';

@InputType('PlaceHoldInput')
export class PlaceHoldInput {
  @Field(() => Int, { description: 'Credits to reserve, 1 to 1,000,000.' })
  amount!: number;

  @Field(() => String, { description: 'Why, shown in the journal (1 to 200 characters).' })
  reason!: string;

  @Field(() => String, { description: 'Makes retries safe: the same key and request return the first hold.' })
  idempotencyKey!: string;

  @Field(() => Int, { nullable: true, description: 'Seconds until the hold expires and its credits return; default 900, at most 86,400.' })
  ttlSeconds?: number | null;

  @Field(() => String, { nullable: true, description: 'What the hold pays for, e.g. your own order id.' })
  reference?: string | null;
}
