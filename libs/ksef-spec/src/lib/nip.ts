const NIP_WEIGHTS = [6, 5, 7, 2, 3, 4, 5, 6, 7];

/** Polish NIP: 10 digits, the last is the weighted mod-11 checksum of the first nine (10 is never valid). */
export function isValidNip(nip: string): boolean {
  if (!/^\d{10}$/.test(nip)) return false;
  const sum = NIP_WEIGHTS.reduce((acc, weight, i) => acc + weight * Number(nip[i]), 0);
  const check = sum % 11;
  return check !== 10 && check === Number(nip[9]);
}

/** Completes nine digits with the NIP checksum; returns undefined when no valid NIP exists for that prefix. */
export function completeNip(firstNine: string): string | undefined {
  if (!/^\d{9}$/.test(firstNine)) throw new RangeError(`expected 9 digits, got '${firstNine}'`);
  const check = NIP_WEIGHTS.reduce((acc, weight, i) => acc + weight * Number(firstNine[i]), 0) % 11;
  return check === 10 ? undefined : `${firstNine}${check}`;
}
