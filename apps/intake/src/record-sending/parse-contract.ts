import type { MessageContract } from '@ksef-bridge/contracts';
import { ValidationError } from '@ksef-bridge/errors';
import type { ReceivedMessage } from '@ksef-bridge/kafka';

/** Validates a consumed message against its contract; a mismatch is a non-retriable ValidationError (dead-lettered). */
export function parseContract<P>(contract: MessageContract<P>, message: ReceivedMessage) {
  try {
    return contract.parse(message.envelope);
  } catch (cause) {
    throw new ValidationError(`${contract.type} does not match its contract`, { cause });
  }
}
