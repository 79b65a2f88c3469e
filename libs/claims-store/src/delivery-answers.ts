import type { HookAnswer } from '@app/domain';
import type { Delivery } from './claims-keys.js';
import type { Redis } from 'ioredis';
import type { ClaimsKeys } from './claims-keys.js';

/**
 * How long an answer is kept for the retries of its delivery. Kratos, the provider that sends a
 * delivery id, retries twice within about 93 s (three 30 s attempts, 1 s and 2 s apart); the answer
 * carries claim values, so it is kept no longer than those retries need.
 */
export const DELIVERY_ANSWER_TTL_SECONDS = 120;

/**
 * The answers given to provider deliveries that carry an id of their own, so that a retry of a
 * delivery whose answer was lost on the way gets that same answer, even when the subject changed in
 * between. The first answer stored wins; ids are hashed into the keys like every identifier.
 */
export class DeliveryAnswers {
  constructor(private readonly redis: Redis, private readonly keys: ClaimsKeys) {}

  async given(delivery: Delivery): Promise<HookAnswer | null> {
    const stored = await this.redis.get(this.keys.deliveryAnswer(delivery));
    return stored === null ? null : (JSON.parse(stored) as HookAnswer);
  }

  async remember(delivery: Delivery, answer: HookAnswer): Promise<void> {
    await this.redis.set(this.keys.deliveryAnswer(delivery), JSON.stringify(answer), 'EX', DELIVERY_ANSWER_TTL_SECONDS, 'NX');
  }
}
