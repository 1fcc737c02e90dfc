import { createKsefXmlValidator, officialArtifactsDir, type KsefXmlValidator } from '@ksef-bridge/ksef-spec';
import type { KsefClient } from '@ksef-bridge/ksef-client';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SessionUpoReader } from '../poll/session-upo.reader';
import { parseSessionUpo, sessionUpoEntryFor } from './session-upo';

const example = (dir: string, file: string) => readFileSync(join(officialArtifactsDir(), `faktury/upo/przyklady/v4-3/${dir}/${file}`), 'utf8');
const OFFICIAL = [
  ['kontekst-nip', 'upo-sesja-kontekst-id-nip.xml'],
  ['kontekst-internal-id', 'upo-sesja-internal-id.xml'],
  ['kontekst-id-zlozony-vat-ue', 'upo-sesja-id-zlozony-vat-ue.xml'],
] as const;
const sessionOf = (xml: string) => /<NumerReferencyjnySesji>([^<]+)</.exec(xml)?.[1] as string;
const numbersOf = (xml: string) => [...xml.matchAll(/<(?:\w+:)?NumerKSeFDokumentu>([^<]+)</g)].map((m) => m[1]);

const SESSION = '20250916-SB-0000000001-0000000001-01';
/** A generated session UPO page with `n` invoices, written with a namespace prefix (any prefix is legal XML). */
function generated(n: number, first = 0): { xml: string; numbers: string[] } {
  const session = SESSION;
  const numbers = Array.from({ length: n }, (_, i) => `5265877635-20250916-${(0x100000000 + first + i).toString(16).toUpperCase().slice(-12).padStart(12, '0')}-AB`);
  const docs = numbers
    .map(
      (k, i) =>
        `<upo:Dokument><upo:NipSprzedawcy>5265877635</upo:NipSprzedawcy><upo:NumerKSeFDokumentu>${k}</upo:NumerKSeFDokumentu><upo:NumerFaktury>FV/${i}</upo:NumerFaktury>` +
        `<upo:DataWystawieniaFaktury>2025-09-16</upo:DataWystawieniaFaktury><upo:DataPrzeslaniaDokumentu>2025-09-16T10:00:00+00:00</upo:DataPrzeslaniaDokumentu>` +
        `<upo:DataNadaniaNumeruKSeF>2025-09-16T10:00:0${i % 10}+00:00</upo:DataNadaniaNumeruKSeF><upo:SkrotDokumentu>${'A'.repeat(43)}=</upo:SkrotDokumentu><upo:TrybWysylki>Online</upo:TrybWysylki></upo:Dokument>`,
    )
    .join('');
  const xml =
    `<?xml version="1.0" encoding="utf-8"?><upo:Potwierdzenie xmlns:upo="http://upo.schematy.mf.gov.pl/KSeF/v4-3"><upo:NazwaPodmiotuPrzyjmujacego>Ministerstwo Finansów</upo:NazwaPodmiotuPrzyjmujacego>` +
    `<upo:NumerReferencyjnySesji>${session}</upo:NumerReferencyjnySesji><upo:Uwierzytelnienie><upo:IdKontekstu><upo:Nip>5265877635</upo:Nip></upo:IdKontekstu>` +
    `<upo:NumerReferencyjnyTokenaKSeF>20250916-EC-0000000001-0000000001-01</upo:NumerReferencyjnyTokenaKSeF></upo:Uwierzytelnienie>` +
    `<upo:OpisPotwierdzenia><upo:Strona>1</upo:Strona><upo:LiczbaStron>1</upo:LiczbaStron><upo:ZakresDokumentowOd>1</upo:ZakresDokumentowOd><upo:ZakresDokumentowDo>${n + 1}</upo:ZakresDokumentowDo><upo:CalkowitaLiczbaDokumentow>${n}</upo:CalkowitaLiczbaDokumentow></upo:OpisPotwierdzenia>` +
    `<upo:NazwaStrukturyLogicznej>Schemat_FA(3)_v1-0E.xsd</upo:NazwaStrukturyLogicznej><upo:KodFormularza>FA (3)</upo:KodFormularza>${docs}</upo:Potwierdzenie>`;
  return { xml, numbers };
}

describe('session UPO: extraction and matching', () => {
  let validator: KsefXmlValidator;
  beforeAll(async () => {
    validator = await createKsefXmlValidator();
  });
  afterAll(() => validator.close());

  it.each(OFFICIAL)('splits the official TE session UPO (%s) into one valid UPO per KSeF number', (dir, file) => {
    const xml = example(dir, file);
    const parsed = parseSessionUpo(validator, sessionOf(xml), [{ upoReferenceNumber: 'P1', xml }]);
    if (!parsed.valid) throw new Error(parsed.problem);
    const numbers = numbersOf(xml);
    expect(numbers.length).toBeGreaterThan(0);
    expect([...parsed.entries.keys()].sort()).toEqual([...numbers].sort());
    for (const k of numbers) {
      const own = sessionUpoEntryFor(validator, parsed.entries, k);
      if (!own || 'problem' in own) throw new Error(`no valid entry for ${k}: ${JSON.stringify(own)}`);
      expect(numbersOf(own.xml)).toEqual([k]);
      expect(own.acquisitionDate).toMatch(/^\d{4}-\d\d-\d\dT/);
      // the header of the session stays: session reference and context
      expect(own.xml).toContain(`<NumerReferencyjnySesji>${sessionOf(xml)}</NumerReferencyjnySesji>`);
    }
  });

  it('matches a generated 300-invoice page by KSeF number (prefixed namespace), with each entry its own acquisition date', () => {
    const { xml, numbers } = generated(300);
    const parsed = parseSessionUpo(validator, SESSION, [{ upoReferenceNumber: 'P1', xml }]);
    if (!parsed.valid) throw new Error(parsed.problem);
    expect(parsed.entries.size).toBe(300);
    const own = sessionUpoEntryFor(validator, parsed.entries, numbers[123]);
    expect(own).toEqual({ xml: expect.stringContaining(`<upo:NumerKSeFDokumentu>${numbers[123]}<`), acquisitionDate: '2025-09-16T10:00:03.000Z' });
    expect(numbersOf((own as { xml: string }).xml)).toEqual([numbers[123]]);
    expect(sessionUpoEntryFor(validator, parsed.entries, '5265877635-20250916-FFFFFFFFFFFF-00')).toBeUndefined();
  });

  it('refuses a page of another session, a page failing the schema, and an entry that is not the invoice it is filed under', () => {
    const { xml, numbers } = generated(3);
    expect(parseSessionUpo(validator, '20250916-SB-0000000002-0000000002-02', [{ upoReferenceNumber: 'P1', xml }])).toEqual({ valid: false, problem: expect.stringContaining('is the UPO of session') });
    const broken = xml.replace('<upo:TrybWysylki>Online</upo:TrybWysylki>', '<upo:TrybWysylki>Pigeon</upo:TrybWysylki>');
    expect(parseSessionUpo(validator, SESSION, [{ upoReferenceNumber: 'P1', xml: broken }])).toEqual({ valid: false, problem: expect.stringContaining('UPO v4-3 schema') });
    const parsed = parseSessionUpo(validator, SESSION, [{ upoReferenceNumber: 'P1', xml }]);
    if (!parsed.valid) throw new Error(parsed.problem);
    parsed.entries.set(numbers[0], parsed.entries.get(numbers[1]) as never);
    expect(sessionUpoEntryFor(validator, parsed.entries, numbers[0])).toEqual({ problem: expect.stringContaining(`not of ${numbers[0]}`) });
  });

  it('reads a session UPO with one status call and one call per page, caches it, and says when the session is open or not ready', async () => {
    const pages = [generated(2), generated(2, 1000)];
    let status = 100;
    const calls: string[] = [];
    const client = {
      getSessionStatus: async () => (calls.push('status'), { status: { code: status, description: '' }, upo: status === 200 ? { pages: [{ referenceNumber: 'P1' }, { referenceNumber: 'P2' }] } : null }),
      getSessionUpo: async (_s: string, ref: string) => (calls.push(ref), pages[ref === 'P1' ? 0 : 1].xml),
    } as unknown as KsefClient;
    const reader = new SessionUpoReader({ waitMs: () => 0 }, validator, { call: () => undefined, saved: () => undefined }, { error: () => undefined } as never);
    expect(await reader.read(client, '5265877635', SESSION)).toEqual({ kind: 'open' });
    status = 170;
    expect(await reader.read(client, '5265877635', SESSION)).toEqual({ kind: 'not-ready', code: 170 });
    status = 200;
    const ready = await reader.read(client, '5265877635', SESSION);
    expect(ready.kind === 'ready' && ready.entries.size).toBe(4);
    expect(await reader.read(client, '5265877635', SESSION)).toEqual(ready);
    expect(calls).toEqual(['status', 'status', 'status', 'P1', 'P2']);
    const starved = new SessionUpoReader({ waitMs: () => 5_000 }, validator, { call: () => undefined, saved: () => undefined }, { error: () => undefined } as never);
    expect(await starved.read(client, '5265877635', SESSION)).toEqual({ kind: 'rate-limited', retryAfterMs: 5_000 });
  });
});
