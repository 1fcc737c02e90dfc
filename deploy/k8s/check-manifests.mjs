// Schema check of every manifest deploy/k8s ships, offline: node deploy/k8s/check-manifests.mjs [--json] [path ...]
// With no path: every kustomization directory under deploy/k8s, rendered as `kubectl apply -k` would send it
// (check/render.mjs), plus every YAML file no kustomization consumes (secrets.example.yaml). A path may be a
// kustomization directory, a YAML file, or - for standard input. Each object is validated against the Kubernetes and
// KEDA schemas (check/validate.mjs). Exit code 1 and one line per problem (file, kind/name, field path) when any is found.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kustomizationFile, parseYaml, renderKustomization } from './check/render.mjs';
import { validateObject } from './check/validate.mjs';

const k8sDir = dirname(fileURLToPath(import.meta.url));
const root = resolve(k8sDir, '../..');

/** The shipped set: kustomizations rendered, and the YAML files none of them consumes, each on its own. */
function shippedInputs() {
  const dirs = [];
  const files = [];
  const walk = (dir) => {
    if (kustomizationFile(dir)) dirs.push(dir);
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (/\.ya?ml$/.test(e.name) && !/^kustomization\.ya?ml$/.test(e.name)) files.push(join(dir, e.name));
    }
  };
  walk(k8sDir);
  const rendered = dirs.map((dir) => ({ label: dir, load: () => renderKustomization(dir) }));
  const consumed = new Set(rendered.flatMap((r) => r.load().map((o) => o.source)));
  const loose = files.filter((f) => !consumed.has(f)).map((f) => ({ label: f, load: () => parseYaml(readFileSync(f, 'utf8'), f) }));
  return [...rendered, ...loose];
}

function inputOf(arg) {
  if (arg === '-') return { label: '<stdin>', load: () => parseYaml(readFileSync(0, 'utf8'), '<stdin>') };
  const path = resolve(arg);
  return statSync(path).isDirectory() ? { label: path, load: () => renderKustomization(path) } : { label: path, load: () => parseYaml(readFileSync(path, 'utf8'), path) };
}

const rel = (p) => (p.startsWith('/') ? relative(root, p) || '.' : p);

/** { inputs: [{ input, error?, objects: [{ source, kind, name, errors: [{ path, message }] }] }], problems } */
export async function check(inputs) {
  const results = [];
  let problems = 0;
  for (const { label, load } of inputs) {
    let loaded;
    try {
      loaded = load();
    } catch (error) {
      problems++;
      results.push({ input: rel(label), error: error.message.split(root + '/').join(''), objects: [] });
      continue;
    }
    const objects = [];
    for (const { source, index, doc } of loaded) {
      const errors = await validateObject(doc);
      problems += errors.length;
      objects.push({ source: rel(source), index, apiVersion: doc?.apiVersion, kind: doc?.kind, name: doc?.metadata?.name, errors });
    }
    results.push({ input: rel(label), objects });
  }
  return { inputs: results, problems };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const paths = args.filter((a) => a !== '--json');
  const report = await check(paths.length ? paths.map(inputOf) : shippedInputs());
  if (json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else {
    for (const r of report.inputs) {
      if (r.error) console.log(r.error.startsWith(r.input) ? r.error : `${r.input}: ${r.error}`);
      for (const o of r.objects) for (const e of o.errors) console.log(`${o.source}: ${o.kind}/${o.name}: ${e.path} ${e.message}`);
      console.log(`${r.input}: ${r.objects.length} object(s) checked${r.error ? ', not loaded' : ''}`);
    }
    console.log(report.problems ? `${report.problems} problem(s)` : 'every manifest is valid');
  }
  process.exitCode = report.problems ? 1 : 0;
}
