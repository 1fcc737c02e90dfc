import { ipAllowed } from './ip-policy';

describe('ipAllowed', () => {
  it('allows everyone without a policy and matches addresses, ranges and masks', () => {
    expect(ipAllowed(undefined, '1.2.3.4')).toBe(true);
    expect(ipAllowed({ ip4Addresses: [] }, '1.2.3.4')).toBe(true);
    expect(ipAllowed({ ip4Addresses: ['127.0.0.1'] }, '::ffff:127.0.0.1')).toBe(true);
    expect(ipAllowed({ ip4Addresses: ['10.0.0.1'] }, '127.0.0.1')).toBe(false);
    expect(ipAllowed({ ip4Ranges: ['10.0.0.1-10.0.0.9'] }, '10.0.0.5')).toBe(true);
    expect(ipAllowed({ ip4Ranges: ['10.0.0.1-10.0.0.9'] }, '10.0.0.10')).toBe(false);
    expect(ipAllowed({ ip4Masks: ['192.168.0.0/16'] }, '192.168.44.1')).toBe(true);
    expect(ipAllowed({ ip4Masks: ['192.168.0.0/24'] }, '192.168.1.1')).toBe(false);
  });
});
