import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKsefXmlValidator, isValidNip, KSEF_NAMESPACES, type KsefXmlValidator } from '@ksef-bridge/ksef-spec';
import { loadScenarios } from './load-scenarios';
import { scenarioDocumentId, sellerNipsOf, withInvoiceNumberSuffix } from './scenario-run';

describe('the regression scenario library', () => {
  const scenarios = loadScenarios();
  let xml: KsefXmlValidator;
  beforeAll(async () => {
    xml = await createKsefXmlValidator();
  });
  afterAll(() => xml.close());

  it('covers every invoice kind, both forms and every outcome', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(25);
    expect(new Set(scenarios.map((s) => s.invoiceType))).toEqual(new Set(['VAT', 'KOR', 'ZAL', 'ROZ', 'UPR', 'KOR_ZAL', 'KOR_ROZ']));
    expect(new Set(scenarios.map((s) => s.form))).toEqual(new Set(['FA(2)', 'FA(3)']));
    expect(new Set(scenarios.map((s) => s.expectedFinalState))).toEqual(new Set(['ACCEPTED', 'INVALID', 'REJECTED']));
    const covered = new Set(scenarios.flatMap((s) => s.covers));
    for (const topic of ['domestic', 'eu', 'export', 'foreign-currency', 'kor', 'correction-of-correction', 'kor-zal', 'kor-roz', 'upr', 'zal', 'roz', 'reverse-charge', 'mpp', 'margin', 'zalacznik', 'podmiot3', 'many-lines']) {
      expect([topic, covered.has(topic)]).toEqual([topic, true]);
    }
  });

  it.each(scenarios.map((s) => [s.id, s] as const))('%s: manifest matches its invoice, XSD verdict as expected', (_id, s) => {
    const text = s.xml.toString('utf8');
    expect(s.xml.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(false);
    expect(/<RodzajFaktury>([^<]+)</.exec(text)?.[1]).toBe(s.invoiceType);
    const schemaFailure = s.expected.outcome === 'invalid' && s.expected.stage === 'schema';
    if (!schemaFailure) expect(text).toContain(`xmlns="${KSEF_NAMESPACES[s.form]}"`);
    if (s.expected.outcome === 'invalid' && s.expected.issues[0].code === 'UNKNOWN_FORM') return;
    const result = xml.validate(s.form, s.xml);
    expect({ valid: result.valid, problems: result.problems.map((p) => p.message) }).toEqual(schemaFailure ? { valid: false, problems: expect.any(Array) } : { valid: true, problems: [] });
    if (s.expected.outcome !== 'invalid' && s.expected.outcome !== undefined) {
      // Scenarios meant to pass carry only valid NIPs, so KSeF's production-mode check would not refuse them either.
      for (const [, nip] of text.matchAll(/<NIP>(\d+)<\/NIP>/g)) expect([nip, isValidNip(nip)]).toEqual([nip, true]);
      expect(s.sellerNip).toMatch(/^\d{10}$/);
    }
  });

  it('gives every scenario a distinct id usable as an ERP document id prefix, and distinct invoice numbers except intended duplicates', () => {
    const ids = scenarios.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const s of scenarios) expect(scenarioDocumentId(s, 'run-1').length).toBeLessThanOrEqual(200);
    const keys = scenarios.filter((s) => s.expected.outcome !== 'invalid').map((s) => `${s.sellerNip}|${s.invoiceType}|${s.invoiceNumber}`);
    const duplicates = scenarios.filter((s) => s.expected.outcome === 'ksef-duplicate').length;
    expect(duplicates).toBeGreaterThan(0);
    expect(new Set(keys).size).toBe(keys.length - duplicates);
  });

  it('names the KSeF contexts a system run needs', () => {
    expect(sellerNipsOf(scenarios)).toEqual(['5252487317', '6762395810']);
  });

  it('suffixes the invoice number only, so a run never collides with an earlier one', () => {
    const [first] = scenarios;
    const suffixed = withInvoiceNumberSuffix(first, 'r42').toString('utf8');
    expect(suffixed).toContain(`<P_2>${first.invoiceNumber}/r42</P_2>`);
    expect(suffixed.replace(`/r42</P_2>`, '</P_2>')).toBe(first.xml.toString('utf8'));
    expect(() => withInvoiceNumberSuffix(first, '<x>')).toThrow(RangeError);
  });

  it('refuses a broken manifest loudly', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scenarios-'));
    mkdirSync(join(dir, 'broken-one'));
    writeFileSync(join(dir, 'broken-one', 'scenario.json'), JSON.stringify({ id: 'other', form: 'FA(9)', invoiceType: 'VAT', covers: [], descriptionPl: 'x', descriptionEn: 'x', expected: { outcome: 'invalid', stage: 'rules', issues: [] } }));
    writeFileSync(join(dir, 'broken-one', 'invoice.xml'), '<Faktura/>');
    expect(() => loadScenarios(dir)).toThrow(/broken-one: id 'other' differs.*unknown form FA\(9\).*covers.*issues with codes/);
  });
});
