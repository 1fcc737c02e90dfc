import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createKsefXmlValidator, type KsefXmlValidator } from '@ksef-bridge/ksef-spec';
import { validateInvoice } from '../domain/validate-invoice';
import { hostileCorpus, validInvoice } from './test/hostile-corpus';

// Hostile documents through the validator's real validation (what the invoice.received handler runs). Each must end
// in a clear failure code at the expected stage, without a crash, a hang (bounded by the jest timeout, generous for a
// shared 2-core machine), a network request, or a leak of local files into the issues.
describe('hostile input to the validator', () => {
  let xml: KsefXmlValidator;
  let server: Server;
  let url: string;
  const requests: string[] = [];

  beforeAll(async () => {
    xml = await createKsefXmlValidator();
    server = createServer((req, res) => {
      requests.push(req.url ?? '');
      res.end('<!ENTITY leak "LEAKED-THROUGH-NETWORK">');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    xml.close();
    await new Promise((resolve) => server.close(resolve));
  });

  it('starts from an invoice the validator accepts (so every refusal below is caused by the attack)', () => {
    expect(validateInvoice(xml, Buffer.from(validInvoice()), new Date())).toMatchObject({ valid: true });
  });

  // The corpus needs the listener's URL, which exists only after beforeAll: the cases are built with a placeholder and
  // the URL substituted per test.
  const PLACEHOLDER = 'http://127.0.0.1:9';
  it.each(hostileCorpus(PLACEHOLDER).map((d) => [d.name, d] as const))(
    '%s',
    (_name, doc) => {
      const bytes = Buffer.from(doc.bytes.toString('latin1').split(PLACEHOLDER).join(url), 'latin1');
      const verdict = validateInvoice(xml, bytes, new Date());
      expect(verdict.valid).toBe(false);
      if (verdict.valid) return;
      expect({ stage: verdict.stage, code: verdict.issues[0]?.code }).toEqual({ stage: doc.stage, code: doc.code });
      expect(verdict.issues.length).toBeLessThanOrEqual(100);
      for (const issue of verdict.issues) {
        expect(issue.messagePl.length + issue.messageEn.length).toBeGreaterThan(10);
        // Nothing read from the machine or the network reaches the findings (they are stored and shown to the ERP).
        expect(`${issue.messagePl} ${issue.messageEn}`).not.toMatch(/root:|LEAKED-THROUGH-NETWORK/);
        // Findings stay short even for megabyte inputs: the verdict travels in a Kafka event.
        expect(issue.messageEn.length).toBeLessThan(2_000);
      }
      expect(requests).toEqual([]);
    },
    30_000,
  );
});

// Intake (well-formedness at the door) and the KSeF simulator parse documents with the same libxml2-wasm validator
// but without the validator's DOCTYPE refusal: the parser itself must neither load nor expand external entities.
describe('hostile DTDs at the shared XML parser (no DOCTYPE guard in front)', () => {
  let xml: KsefXmlValidator;
  let server: Server;
  let url: string;
  const requests: string[] = [];

  beforeAll(async () => {
    xml = await createKsefXmlValidator();
    server = createServer((req, res) => {
      requests.push(req.url ?? '');
      res.end('<!ENTITY leak "LEAKED-THROUGH-NETWORK">');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    xml.close();
    await new Promise((resolve) => server.close(resolve));
  });

  const P7 = { p7: '//t:FaWiersz[1]/t:P_7' };

  it.each([
    ['a file entity', () => `<!ENTITY xxe SYSTEM "file:///etc/passwd">`, '&xxe;'],
    ['a network entity', () => `<!ENTITY xxe SYSTEM "${url}/entity">`, '&xxe;'],
    ['a parameter entity with an external DTD', () => `<!ENTITY % remote SYSTEM "${url}/dtd">\n%remote;`, '&leak;'],
    ['billion laughs', () => ['<!ENTITY l0 "lol">', ...Array.from({ length: 9 }, (_, i) => `<!ENTITY l${i + 1} "${`&l${i};`.repeat(10)}">`)].join('\n'), '&l9;'],
  ])(
    'neither fetches, reads nor expands %s',
    (_what, subset, reference) => {
      const text = validInvoice().replace('<Faktura', `<!DOCTYPE Faktura [\n${subset()}\n]>\n<Faktura`).replace('<P_7>', `<P_7>${reference}`);
      const result = xml.validate('FA(3)', Buffer.from(text), P7);
      const everything = JSON.stringify(result);
      expect(everything).not.toMatch(/root:|LEAKED-THROUGH-NETWORK|(lol){100}/);
      expect((result.fields.p7 ?? '').length).toBeLessThan(200);
      expect(requests).toEqual([]);
    },
    30_000,
  );
});
