import { createKsefXmlValidator, officialArtifactsDir, type KsefXmlValidator } from '@ksef-bridge/ksef-spec';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkUpo } from './upo-check';

// The official TE example UPO (v4-3, context NIP): schema-valid except TE's receiver name.
const TE_UPO = readFileSync(join(officialArtifactsDir(), 'faktury/upo/przyklady/v4-3/kontekst-nip/upo-faktura-kontekst-id-nip.xml'), 'utf8');
const KSEF_NUMBER = '5265877635-20250916-0200A0D6723E-C2';

describe('checkUpo', () => {
  let validator: KsefXmlValidator;
  beforeAll(async () => {
    validator = await createKsefXmlValidator();
  });
  afterAll(() => validator.close());

  it('accepts a UPO valid against UPO v4-3 that names the KSeF number, and reads the assignment time', () => {
    const upo = TE_UPO.replace('Ministerstwo Finansów - środowisko testowe (TE)', 'Ministerstwo Finansów');
    expect(checkUpo(validator, upo, KSEF_NUMBER)).toEqual({ valid: true, acquisitionDate: '2025-09-16T09:05:41.045Z', teDeviation: false });
  });

  it("tolerates TE's receiver name, the one known deviation, and says so", () => {
    expect(validator.validate('UPO-v4-3', TE_UPO).valid).toBe(false);
    expect(checkUpo(validator, TE_UPO, KSEF_NUMBER)).toMatchObject({ valid: true, teDeviation: true });
  });

  it('refuses the receipt of another invoice', () => {
    expect(checkUpo(validator, TE_UPO, '5265877635-20250916-0200A0D6723F-00')).toMatchObject({ valid: false, problem: expect.stringContaining('not of 5265877635-20250916-0200A0D6723F-00') });
  });

  it('refuses a document that breaks the schema or is not XML', () => {
    expect(checkUpo(validator, TE_UPO.replace(/<SkrotDokumentu>.*<\/SkrotDokumentu>/, ''), KSEF_NUMBER)).toMatchObject({ valid: false, problem: expect.stringContaining('(schema)') });
    expect(checkUpo(validator, '<Potwierdzenie', KSEF_NUMBER)).toMatchObject({ valid: false, problem: expect.stringContaining('(parse)') });
    expect(checkUpo(validator, '{"upo":"json"}', KSEF_NUMBER)).toMatchObject({ valid: false });
  });
});
