/** What an endpoint answered to one POST. */
export interface WebhookResponse {
  status: number;
  retryAfter: string | null;
  /** The first bytes of the answer, for the attempt record (diagnosis), control characters removed. */
  snippet: string;
}

const SNIPPET_BYTES = 1024;

async function readSnippet(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < SNIPPET_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
  } catch {
    // A body cut short still leaves the status, which is what decides the outcome.
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  const text = Buffer.concat(chunks).subarray(0, SNIPPET_BYTES).toString('utf8');
  return [...text].filter((c) => c === '\n' || c === '\t' || (c >= ' ' && c !== '\u007f')).join('');
}

/**
 * One POST of a webhook. Redirects are NOT followed (`redirect: 'manual'`): a 3xx could send the signed event to any
 * host, past the URL checks. Throws on transport failures (timeout, refused, reset, DNS); any HTTP answer resolves.
 */
export async function postWebhook(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<WebhookResponse> {
  const response = await fetch(url, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', 'user-agent': 'ksef-bridge-notifier/1', ...headers },
    redirect: 'manual',
    signal: AbortSignal.timeout(timeoutMs),
  });
  return { status: response.status, retryAfter: response.headers.get('retry-after'), snippet: await readSnippet(response) };
}
