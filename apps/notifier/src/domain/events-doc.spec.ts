import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { notificationInvoiceAccepted, notificationInvoiceEscalated, notificationInvoiceRejected, notificationInvoiceUpoAvailable, notificationKsefAnnouncementChanged, notificationKsefAvailabilityChanged, type MessageContract } from '@ksef-bridge/contracts';

// docs/events.md is the promise to integrators: its complete examples must match the contracts they document.
const CONTRACTS: Record<string, MessageContract<unknown>> = {
  [notificationInvoiceAccepted.type]: notificationInvoiceAccepted,
  [notificationInvoiceRejected.type]: notificationInvoiceRejected,
  [notificationInvoiceEscalated.type]: notificationInvoiceEscalated,
  [notificationInvoiceUpoAvailable.type]: notificationInvoiceUpoAvailable,
  [notificationKsefAvailabilityChanged.type]: notificationKsefAvailabilityChanged,
  [notificationKsefAnnouncementChanged.type]: notificationKsefAnnouncementChanged,
};

describe('docs/events.md examples', () => {
  const doc = readFileSync(join(__dirname, '../../../../docs/events.md'), 'utf8');
  const examples = [...doc.matchAll(/```json\n([\s\S]*?)```/g)]
    .map((m) => m[1].trim())
    .filter((text) => text.startsWith('{'))
    .map((text) => JSON.parse(text) as { type: string });

  it('has a complete example of every public event', () => {
    expect(examples.map((e) => e.type).sort()).toEqual(Object.keys(CONTRACTS).sort());
  });

  it.each(examples.map((e) => [e.type, e] as const))('%s parses against its contract', (type, example) => {
    expect(() => CONTRACTS[type].parse(example)).not.toThrow();
  });
});
