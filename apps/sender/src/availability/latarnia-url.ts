/** Latarnia of TE and DEMO (API.md §11). */
export const LATARNIA_TEST_URL = 'https://api-latarnia-test.ksef.mf.gov.pl';
/** Latarnia of production. */
export const LATARNIA_PRODUCTION_URL = 'https://api-latarnia.ksef.mf.gov.pl';

/**
 * The Latarnia base URL for a KSeF API base URL, when `KSEF_LATARNIA_URL` does not name one: KSeF's own feed for its
 * environments (TE `api-test…`, DEMO `api-demo…` → the test feed; PRD `api.ksef.mf.gov.pl` → the production feed),
 * and for anything else (the simulator, a local proxy) `/latarnia` on the same origin, where the simulator serves it.
 * `off` (explicitly) turns the feed off; undefined is returned for it.
 */
export function latarniaUrlFor(ksefBaseUrl: string, configured?: string): string | undefined {
  if (configured === 'off') return undefined;
  if (configured) return configured.replace(/\/+$/, '');
  const url = new URL(ksefBaseUrl);
  const host = url.hostname.toLowerCase();
  if (host === 'api.ksef.mf.gov.pl') return LATARNIA_PRODUCTION_URL;
  if (host === 'api-test.ksef.mf.gov.pl' || host === 'api-demo.ksef.mf.gov.pl') return LATARNIA_TEST_URL;
  return `${url.origin}/latarnia`;
}
