/** `authorizationPolicy.allowedIps` of an authentication (KSeF API `AllowedIps`). */
export interface AllowedIps {
  ip4Addresses?: string[] | null;
  ip4Ranges?: string[] | null;
  ip4Masks?: string[] | null;
}

function toInt(ip: string): number | undefined {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined;
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}

/** True when `clientIp` (IPv4, or IPv4-mapped IPv6) is allowed; an empty or absent policy allows everyone. */
export function ipAllowed(policy: AllowedIps | null | undefined, clientIp: string): boolean {
  const lists = [policy?.ip4Addresses, policy?.ip4Ranges, policy?.ip4Masks];
  if (!policy || lists.every((l) => !l?.length)) return true;
  const ip = toInt(clientIp.replace(/^::ffff:/, ''));
  if (ip === undefined) return false;
  if (policy.ip4Addresses?.some((a) => toInt(a) === ip)) return true;
  if (
    policy.ip4Ranges?.some((r) => {
      const [from, to] = r.split('-').map(toInt);
      return from !== undefined && to !== undefined && ip >= from && ip <= to;
    })
  ) {
    return true;
  }
  return Boolean(
    policy.ip4Masks?.some((m) => {
      const [base, bits] = m.split('/');
      const b = toInt(base);
      const n = Number(bits);
      if (b === undefined || !Number.isInteger(n) || n < 0 || n > 32) return false;
      const mask = n === 0 ? 0 : (~0 << (32 - n)) >>> 0;
      return ((ip & mask) >>> 0) === ((b & mask) >>> 0);
    }),
  );
}
