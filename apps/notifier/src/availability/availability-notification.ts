import type { KsefAnnouncementChanged, KsefAvailabilityChanged, NotificationKsefAnnouncementChanged, NotificationKsefAvailabilityChanged } from '@ksef-bridge/contracts';
import { ANNOUNCED_MEANING, announcedMode, announcementMessages } from './announcement-texts';
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
    customerMessages: customerMessages(input.to, input.since, input.announced),
  };
}

/** The sender's announcement-only change → the public payload: the facts, the legal mode, its meaning and the customer texts. */
export function announcementNotification(input: KsefAnnouncementChanged): NotificationKsefAnnouncementChanged {
  const mode = announcedMode(input.announced.status);
  return {
    changeId: input.changeId,
    endpoint: input.endpoint,
    state: input.state,
    since: input.since,
    previous: input.previous,
    announced: input.announced,
    mode,
    detail: input.detail,
    meaning: ANNOUNCED_MEANING[mode],
    customerMessages: announcementMessages(input),
  };
}
