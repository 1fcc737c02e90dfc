// The demo flow of `bash scripts/up.sh`: one invoice from an "ERP" through the running system to ACCEPTED.
// 1. a tenant and its API key (intake's `create-tenant`), 2. a KSeF token for the seller's context, seeded in the
// simulator's admin API (as an integrator does on the KSeF test environment) and registered, encrypted, in the sender
// (`register-context`), 3. POST /v1/invoices, 4. follow the invoice to its KSeF number and UPO, 5. print where to
// look: the invoice, its UPO, its trace in Jaeger. Env: INTAKE_URL, KSEF_BASE_URL, JAEGER_UI_URL, DEMO_NIP.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { buildSampleInvoice } from '@ksef-bridge/ksef-spec';

const root = join(__dirname, '../..');
const intakeUrl = process.env['INTAKE_URL'] ?? 'http://127.0.0.1:3001';
const ksefBaseUrl = process.env['KSEF_BASE_URL'] ?? 'http://127.0.0.1:3100/v2';
const jaegerUi = process.env['JAEGER_UI_URL'] ?? 'http://127.0.0.1:16686';
const nip = process.env['DEMO_NIP'] ?? '5265877635';
const tenant = 'demo-erp';

const app = (name: string, args: string[], input?: string) => execFileSync(process.execPath, [join(root, 'dist/apps', name, 'main.js'), ...args], { input, env: { ...process.env, LOG_LEVEL: 'warn' } }).toString();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface InvoiceView {
  id: string;
  state: string;
  stateLabelPl?: string;
  ksefNumber?: string;
  traceId?: string;
  upoAvailable?: boolean;
  history: Array<{ to: string; actor: string }>;
}

async function main(): Promise<void> {
  const apiKey = app('intake', ['create-tenant', tenant, 'Demo ERP'])
    .split('\n')
    .find((line) => line.startsWith('ksb_'));
  if (!apiKey) throw new Error('create-tenant printed no API key');

  const seeded = await fetch(`${new URL(ksefBaseUrl).origin}/admin/ksef-tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ contextIdentifier: { type: 'Nip', value: nip } }) });
  if (!seeded.ok) throw new Error(`seeding a KSeF token failed: HTTP ${seeded.status} (is the simulator running with SIM_MODE=test?)`);
  const { token } = (await seeded.json()) as { token: string };
  app('sender', ['register-context', '--nip', nip, '--tenant', tenant, '--token', '-'], token);
  console.log(`tenant ${tenant}: API key issued; KSeF context ${nip} registered in the sender (token encrypted)`);

  const erpDocumentId = `DEMO-${Date.now()}`;
  const xml = buildSampleInvoice({ sellerNip: nip, buyerNip: '7740001454', invoiceNumber: `FV/DEMO/${Date.now()}` });
  const auth = { authorization: `Bearer ${apiKey}` };
  const posted = await fetch(`${intakeUrl}/v1/invoices`, { method: 'POST', headers: { ...auth, 'idempotency-key': erpDocumentId, 'content-type': 'application/json' }, body: JSON.stringify({ erpDocumentId, xml }) });
  if (posted.status !== 201) throw new Error(`POST /v1/invoices answered ${posted.status}: ${await posted.text()}`);
  const { id } = (await posted.json()) as InvoiceView;
  console.log(`posted ${erpDocumentId}: invoice ${id}`);

  let invoice: InvoiceView | undefined;
  let last = '';
  for (const deadline = Date.now() + 120_000; Date.now() < deadline; await sleep(300)) {
    invoice = (await (await fetch(`${intakeUrl}/v1/invoices/${id}`, { headers: auth })).json()) as InvoiceView;
    if (invoice.state !== last) console.log(`  ${invoice.state}${invoice.stateLabelPl ? ` (${invoice.stateLabelPl})` : ''}`);
    last = invoice.state;
    if (['ACCEPTED', 'REJECTED', 'INVALID', 'ESCALATED'].includes(invoice.state)) break;
  }
  if (invoice?.state !== 'ACCEPTED') throw new Error(`the demo invoice did not reach ACCEPTED in 2 minutes (state ${invoice?.state}); see .cache/run/*.log`);
  console.log(`accepted: KSeF number ${invoice.ksefNumber}`);
  console.log(`  invoice  curl -H 'Authorization: Bearer ${apiKey}' ${intakeUrl}/v1/invoices/${id}`);
  console.log(`  UPO      curl -H 'Authorization: Bearer ${apiKey}' ${intakeUrl}/v1/invoices/${id}/upo`);
  if (invoice.traceId) {
    console.log(`  trace    node -r ./tools/ts-run/register.js tools/trace/invoice-trace.ts --trace ${invoice.traceId}`);
    console.log(`           (Jaeger API ${jaegerUi}/api/traces/${invoice.traceId}; UI ${jaegerUi}/trace/${invoice.traceId} where Jaeger has one)`);
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
