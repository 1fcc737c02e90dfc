/** One health-probe result: KSeF answered (any 2xx–4xx but 408/429 is an answer about KSeF being up) or not. */
export interface ProbeResult {
  ok: boolean;
  at: number;
  detail: string;
}

/** The probed path: public, unauthenticated, cheap, and served by every KSeF environment (API.md §3). */
export const HEALTH_PROBE_PATH = '/security/public-key-certificates';

/**
 * Asks KSeF for its public-key certificates, without credentials. 5xx, a timeout or a connection failure is "not
 * answering"; a 2xx is up. 429 says KSeF is up but busy: counted as an answer (the breaker treats it the same).
 */
export async function probeKsef(baseUrl: string, timeoutMs: number, now: () => number = Date.now): Promise<ProbeResult> {
  const url = `${baseUrl.replace(/\/+$/, '')}${HEALTH_PROBE_PATH}`;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
    await res.arrayBuffer().catch(() => undefined);
    const ok = res.status < 500 && res.status !== 408;
    return { ok, at: now(), detail: `GET ${HEALTH_PROBE_PATH}: HTTP ${res.status}` };
  } catch (err) {
    const name = err instanceof Error ? (err.name === 'TimeoutError' ? `timeout after ${timeoutMs} ms` : ((err as { cause?: { code?: string } }).cause?.code ?? err.message)) : String(err);
    return { ok: false, at: now(), detail: `GET ${HEALTH_PROBE_PATH}: ${name}` };
  }
}
