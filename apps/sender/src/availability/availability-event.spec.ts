import { ksefAnnouncementChanged, ksefAvailabilityChanged } from '@ksef-bridge/contracts';
import { availabilityEvent, availabilityEventKind, type RecordedChange } from './availability-event';

const topics = { state: 't.state', announcement: 't.announcement' };
const failure = { status: 'FAILURE' as const, messageId: '17', eventId: 4, title: 'Awaria KSeF', start: '2026-11-25T13:00:00Z' };
const change = (c: Partial<RecordedChange>): RecordedChange => ({
  id: '0b6f7c1e-3a55-4d8e-9f21-7c4e2a9b8d10', endpoint: 'https://api-test.ksef.mf.gov.pl/v2', from: 'AVAILABLE', to: 'AVAILABLE', since: '2026-11-25T13:05:00.000Z',
  cause: 'RECOVERED', detail: 'Latarnia: FAILURE "Awaria KSeF"', previousAnnounced: { status: 'AVAILABLE' }, announced: failure, ...c,
});

describe('which event an availability history row publishes', () => {
  it('a change of the observed state is ksef-availability.changed, carrying the announcement in force (never a second event)', () => {
    expect(availabilityEventKind(change({ from: 'DEGRADED', to: 'UNAVAILABLE' }))).toBe('state');
    expect(availabilityEventKind(change({ from: null, to: 'AVAILABLE', previousAnnounced: null }))).toBe('state');
    const event = availabilityEvent(change({ from: 'DEGRADED', to: 'UNAVAILABLE', cause: 'HEALTH_PROBE_FAILED' }), topics);
    expect(event?.topic).toBe('t.state');
    expect(ksefAvailabilityChanged.parse(event?.envelope).payload).toMatchObject({ from: 'DEGRADED', to: 'UNAVAILABLE', announced: failure, transitionId: change({}).id });
  });

  it('the same state with another announced status or message is ksef-availability.announcement-changed', () => {
    expect(availabilityEventKind(change({}))).toBe('announcement');
    expect(availabilityEventKind(change({ previousAnnounced: failure, announced: { ...failure, messageId: '18' } }))).toBe('announcement');
    expect(availabilityEventKind(change({ previousAnnounced: failure, announced: { status: 'UNKNOWN' } }))).toBe('announcement');
    expect(availabilityEventKind(change({ previousAnnounced: null, announced: { status: 'AVAILABLE' } }))).toBe('announcement');
    const event = availabilityEvent(change({ to: 'DEGRADED', from: 'DEGRADED' }), topics);
    expect(event?.topic).toBe('t.announcement');
    const parsed = ksefAnnouncementChanged.parse(event?.envelope);
    expect(parsed).toMatchObject({ type: 'ksef-availability.announcement-changed', version: 1, tenant: '*', aggregateId: 'https://api-test.ksef.mf.gov.pl/v2' });
    expect(parsed.payload).toEqual({ changeId: change({}).id, endpoint: 'https://api-test.ksef.mf.gov.pl/v2', state: 'DEGRADED', since: '2026-11-25T13:05:00.000Z', previous: { status: 'AVAILABLE' }, announced: failure, detail: 'Latarnia: FAILURE "Awaria KSeF"' });
  });

  it('nothing new (same state, same announcement, or no feed) publishes nothing', () => {
    expect(availabilityEventKind(change({ previousAnnounced: failure, announced: { ...failure, title: 'retitled' } }))).toBe('none');
    expect(availabilityEventKind(change({ announced: undefined }))).toBe('none');
    expect(availabilityEvent(change({ announced: undefined }), topics)).toBeUndefined();
  });
});
