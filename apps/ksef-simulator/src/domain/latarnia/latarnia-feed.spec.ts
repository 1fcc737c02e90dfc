import { deriveStatus, isOngoing, latestVersions, typeFitsCategory, type LatarniaMessage } from './latarnia-feed';

const NOW = Date.parse('2026-11-25T12:00:00Z');
let seq = 0;
function msg(over: Partial<LatarniaMessage>): LatarniaMessage {
  seq++;
  return { id: `m${seq}`, eventId: seq, category: 'FAILURE', type: 'FAILURE_START', title: 't', text: 'x', start: '2026-11-25T11:00:00.000Z', version: 1, published: '2026-11-25T11:00:00.000Z', ...over };
}

describe('Latarnia feed status', () => {
  it('is AVAILABLE with no announcements', () => {
    expect(deriveStatus([], NOW)).toEqual({ status: 'AVAILABLE', messages: [] });
  });

  it('an ongoing failure is FAILURE; the failure END version closes it', () => {
    const start = msg({ eventId: 100 });
    expect(deriveStatus([start], NOW).status).toBe('FAILURE');
    const end = msg({ eventId: 100, version: 2, type: 'FAILURE_END', end: '2026-11-25T11:30:00.000Z' });
    expect(deriveStatus([start, end], NOW)).toEqual({ status: 'AVAILABLE', messages: [] });
    // An announced end still in the future keeps the failure in force until then.
    const laterEnd = { ...end, end: '2026-11-25T13:00:00.000Z' };
    expect(deriveStatus([end, start].map((m) => (m === end ? laterEnd : m)), NOW).messages).toEqual([laterEnd]);
  });

  it('the most severe event wins and comes first', () => {
    const maintenance = msg({ category: 'MAINTENANCE', type: 'MAINTENANCE_ANNOUNCEMENT', end: '2026-11-25T14:00:00.000Z' });
    const total = msg({ category: 'TOTAL_FAILURE' });
    const failure = msg({});
    const result = deriveStatus([maintenance, failure, total], NOW);
    expect(result.status).toBe('TOTAL_FAILURE');
    expect(result.messages.map((m) => m.category)).toEqual(['TOTAL_FAILURE', 'FAILURE', 'MAINTENANCE']);
    expect(deriveStatus([maintenance], NOW).status).toBe('MAINTENANCE');
  });

  it('future and past windows are not in force', () => {
    expect(isOngoing(msg({ start: '2026-11-25T12:00:00.001Z' }), NOW)).toBe(false);
    expect(isOngoing(msg({ start: '2026-11-25T12:00:00.000Z' }), NOW)).toBe(true);
    expect(isOngoing(msg({ end: '2026-11-25T12:00:00.000Z' }), NOW)).toBe(false);
    expect(deriveStatus([msg({ category: 'MAINTENANCE', type: 'MAINTENANCE_ANNOUNCEMENT', start: '2026-11-26T00:00:00.000Z' })], NOW).status).toBe('AVAILABLE');
  });

  it('keeps only the newest version of each event', () => {
    const v1 = msg({ eventId: 7, version: 1 });
    const v3 = msg({ eventId: 7, version: 3, title: 'v3' });
    const v2 = msg({ eventId: 7, version: 2 });
    expect(latestVersions([v1, v3, v2])).toEqual([v3]);
  });

  it('pairs types with their categories', () => {
    expect(typeFitsCategory('MAINTENANCE', 'MAINTENANCE_ANNOUNCEMENT')).toBe(true);
    expect(typeFitsCategory('MAINTENANCE', 'FAILURE_START')).toBe(false);
    expect(typeFitsCategory('TOTAL_FAILURE', 'FAILURE_END')).toBe(true);
    expect(typeFitsCategory('FAILURE', 'MAINTENANCE_ANNOUNCEMENT')).toBe(false);
  });
});
