import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ExpectedFinalState, ExpectedOutcome, Scenario, ScenarioManifest } from './scenario';

const ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const FORMS = new Set(['FA(2)', 'FA(3)']);
const TYPES = new Set(['VAT', 'KOR', 'ZAL', 'ROZ', 'UPR', 'KOR_ZAL', 'KOR_ROZ']);
const STAGES = new Set(['document', 'schema', 'rules']);

/**
 * The folder holding one sub-folder per scenario: `libs/invoice-scenarios/scenarios/`, found upwards from this file
 * (works from the repository, from jest and from a bundle next to a copied `scenarios/` folder).
 */
export function scenariosDir(): string {
  let dir = __dirname;
  for (;;) {
    for (const candidate of [join(dir, 'scenarios'), join(dir, 'invoice-scenarios', 'scenarios'), join(dir, 'libs', 'invoice-scenarios', 'scenarios')]) {
      if (existsSync(join(candidate, 'README.md'))) return candidate;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`invoice scenarios not found above ${__dirname}`);
    dir = parent;
  }
}

/**
 * Every scenario of the library, sorted by id. Each manifest is checked (id = folder name, known form and kind,
 * expected outcome complete, dependencies known) so that a broken scenario fails loudly instead of testing nothing.
 */
export function loadScenarios(dir = scenariosDir()): Scenario[] {
  const ids = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const scenarios = ids.map((id) => loadOne(join(dir, id), id));
  const known = new Set(ids);
  for (const s of scenarios) {
    for (const dep of s.dependsOn ?? []) if (!known.has(dep)) throw new Error(`scenario ${s.id} depends on unknown scenario ${dep}`);
  }
  return scenarios;
}

/** One scenario by id. */
export function loadScenario(id: string, dir = scenariosDir()): Scenario {
  return loadOne(join(dir, id), id);
}

function loadOne(folder: string, id: string): Scenario {
  const manifest = JSON.parse(readFileSync(join(folder, 'scenario.json'), 'utf8')) as ScenarioManifest;
  const problems = manifestProblems(manifest, id);
  if (problems.length) throw new Error(`scenario ${id}: ${problems.join('; ')}`);
  const xml = readFileSync(join(folder, 'invoice.xml'));
  const text = xml.toString('utf8');
  return {
    ...manifest,
    dir: folder,
    xml,
    expectedFinalState: finalStateOf(manifest.expected),
    sellerNip: /<(?:\w+:)?Podmiot1>[\s\S]*?<(?:\w+:)?NIP>([^<]*)</.exec(text)?.[1] ?? '',
    invoiceNumber: /<(?:\w+:)?P_2>([^<]*)</.exec(text)?.[1] ?? '',
  };
}

/** The pipeline state an invoice of this outcome ends in. */
export function finalStateOf(expected: ExpectedOutcome): ExpectedFinalState {
  if (expected.outcome === 'accepted' || expected.outcome === 'ksef-duplicate') return 'ACCEPTED';
  return expected.outcome === 'invalid' ? 'INVALID' : 'REJECTED';
}

function manifestProblems(m: ScenarioManifest, id: string): string[] {
  const problems: string[] = [];
  if (m.id !== id) problems.push(`id '${m.id}' differs from its folder '${id}'`);
  if (!ID.test(id) || id.length > 60) problems.push('id must be lower-case kebab, at most 60 characters');
  if (!FORMS.has(m.form)) problems.push(`unknown form ${m.form}`);
  if (!TYPES.has(m.invoiceType)) problems.push(`unknown invoice type ${m.invoiceType}`);
  if (!m.descriptionPl || !m.descriptionEn) problems.push('descriptionPl and descriptionEn are required');
  if (!Array.isArray(m.covers) || m.covers.length === 0) problems.push('covers must name what the scenario exercises');
  const e = m.expected;
  if (e?.outcome === 'invalid') {
    if (!STAGES.has(e.stage)) problems.push(`unknown stage ${e.stage}`);
    if (!Array.isArray(e.issues) || e.issues.length === 0 || e.issues.some((i) => !i.code)) problems.push('an invalid scenario lists its issues with codes');
  } else if (e?.outcome === 'ksef-rejected') {
    if (!Number.isInteger(e.ksefStatusCode) || !e.reason) problems.push('a ksef-rejected scenario names the KSeF status code and the reason');
  } else if (e?.outcome === 'ksef-duplicate') {
    if (!e.originalScenario || !e.reason || !m.dependsOn?.includes(e.originalScenario)) problems.push('a ksef-duplicate scenario names its original (also in dependsOn) and the reason');
  } else if (e?.outcome !== 'accepted') {
    problems.push(`unknown outcome ${(e as { outcome?: string } | undefined)?.outcome}`);
  }
  return problems;
}
