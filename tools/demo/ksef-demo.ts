// The demo flow of `bash scripts/up.sh`: one invoice to a KSeF number and its UPO, through our KSeF client, against
// the running KSeF simulator. It seeds a KSeF token through the simulator's admin API (test mode), as an integrator
// would on the KSeF test environment. Env: KSEF_BASE_URL (default http://127.0.0.1:3100/v2), DEMO_NIP.
import { buildSampleInvoice } from '@ksef-bridge/ksef-spec';
import { buildKodIUrl, KsefClient, KsefRateLimiter, TEST_ENVIRONMENT_RATE_LIMITS, validateKsefNumber } from '@ksef-bridge/ksef-client';

const baseUrl = process.env['KSEF_BASE_URL'] ?? 'http://127.0.0.1:3100/v2';
const nip = process.env['DEMO_NIP'] ?? '5265877635';

async function main(): Promise<void> {
  const origin = new URL(baseUrl).origin;
  const seeded = await fetch(`${origin}/admin/ksef-tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ contextIdentifier: { type: 'Nip', value: nip } }) });
  if (!seeded.ok) throw new Error(`seeding a KSeF token failed: HTTP ${seeded.status} ${await seeded.text()} (is the simulator running in SIM_MODE=test?)`);
  const { token } = (await seeded.json()) as { token: string };

  const client = new KsefClient({ baseUrl, context: { type: 'Nip', value: nip }, credentials: { type: 'ksef-token', token }, rateLimiter: new KsefRateLimiter({ limits: TEST_ENVIRONMENT_RATE_LIMITS }) });
  try {
    const xml = buildSampleInvoice({ sellerNip: nip, invoiceNumber: `FV/DEMO/${Date.now()}` });
    const session = await client.openOnlineSession();
    const sent = await session.sendInvoice(xml);
    console.log(`sent: session ${session.referenceNumber}, invoice ${sent.referenceNumber}, hash ${sent.invoiceHash}`);
    const outcome = await session.waitForInvoice(sent.referenceNumber, { intervalMs: 200, timeoutMs: 60_000 });
    if (outcome.kind !== 'accepted') throw new Error(`expected the invoice to be accepted, got ${JSON.stringify(outcome)}`);
    const upo = await client.getInvoiceUpo(session.referenceNumber, sent.referenceNumber);
    await session.close();
    console.log(`accepted: KSeF number ${outcome.ksefNumber} (checksum ${validateKsefNumber(outcome.ksefNumber).valid ? 'valid' : 'INVALID'})`);
    console.log(`UPO: ${upo.length} bytes of XML`);
    console.log(`KOD I: ${buildKodIUrl({ environment: 'test', sellerNip: nip, issueDate: new Date().toISOString().slice(0, 10), invoice: xml })}`);
  } finally {
    await client.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
