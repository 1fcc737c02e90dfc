import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Relative paths of the vendored official artifacts (under `libs/ksef-spec/official/`). */
export const OFFICIAL_FILES = {
  openApi: 'open-api.json',
  fa2: 'faktury/schemy/FA/schemat_FA(2)_v1-0E.xsd',
  fa3: 'faktury/schemy/FA/schemat_FA(3)_v1-0E.xsd',
  strukturyDanych: 'faktury/schemy/FA/bazowe/StrukturyDanych_v10-0E.xsd',
  elementarneTypyDanych: 'faktury/schemy/FA/bazowe/ElementarneTypyDanych_v10-0E.xsd',
  kodyKrajow: 'faktury/schemy/FA/bazowe/KodyKrajow_v10-0E.xsd',
  upoV43: 'faktury/upo/schemy/upo-v4-3.xsd',
  authV20: 'auth/schemy/schemat_auth_v2-0.xsd',
  authV21: 'auth/schemy/schemat_auth_v2-1.xsd',
} as const;

let cachedDir: string | undefined;

/**
 * Folder holding the vendored official artifacts. Looked up from this file upwards: `official/` beside a bundle
 * (apps copy it as an asset, see the simulator's webpack config) or `libs/ksef-spec/official/` in the repository.
 * `KsefSpecOptions.officialDir` overrides it.
 */
export function officialArtifactsDir(): string {
  if (cachedDir) return cachedDir;
  let dir = __dirname;
  for (;;) {
    for (const candidate of [join(dir, 'ksef-spec', 'official'), join(dir, 'official'), join(dir, 'libs', 'ksef-spec', 'official')]) {
      if (existsSync(join(candidate, OFFICIAL_FILES.openApi)) && existsSync(join(candidate, OFFICIAL_FILES.fa3))) {
        cachedDir = candidate;
        return candidate;
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`KSeF official artifacts not found above ${__dirname}`);
    dir = parent;
  }
}

/** Bytes of one vendored artifact. */
export function readOfficialFile(relativePath: string, officialDir = officialArtifactsDir()): Buffer {
  return readFileSync(join(officialDir, relativePath));
}

/** The official OpenAPI document (parsed). */
export function loadOfficialOpenApi(officialDir?: string): Record<string, unknown> {
  return JSON.parse(readOfficialFile(OFFICIAL_FILES.openApi, officialDir).toString('utf8')) as Record<string, unknown>;
}
