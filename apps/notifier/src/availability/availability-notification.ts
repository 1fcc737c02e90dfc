import type { KsefAvailabilityChanged, NotificationKsefAvailabilityChanged } from '@ksef-bridge/contracts';
import { customerMessages, MEANING } from './customer-templates';

/** The sender's transition → the public payload: the same facts plus what they mean and the customer texts. */
export function availabilityNotification(input: KsefAvailabilityChanged): NotificationKsefAvailabilityChanged {
  return {
    transitionId: input.transitionId,
    endpoint: input.endpoint,
    from: input.from,
    to: input.to,
    since: input.since,
    cause: input.cause,
    detail: input.detail,
    meaning: MEANING[input.to],
    customerMessages: customerMessages(input.to, input.since),
  };
}
