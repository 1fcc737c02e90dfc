// What `kubectl apply -k` would send, rendered without kubectl: the subset of kustomize that deploy/k8s uses
// (resources: files and kustomization directories; images: newName/newTag/digest). Any other kustomization field is
// refused, not ignored, so a patch or overlay added later cannot slip past the schema check unrendered: extend this
// file (or render with `kubectl kustomize`) first. The spec compares this output with `kubectl kustomize` where
// kubectl is installed.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

const SUPPORTED = new Set(['apiVersion', 'kind', 'resources', 'images']);
const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

/**
 * Parses every document of a YAML file as kubectl does (YAML 1.1: yes/no/on/off are booleans there, so they are here).
 * Returns [{ source, index, doc }]; empty documents are dropped, a syntax error throws with the file and line.
 */
export function parseYaml(text, source) {
  return parseAllDocuments(text, { version: '1.1' }).flatMap((d, index) => {
    const problems = [...d.errors, ...d.warnings.filter((w) => w.code === 'DUPLICATE_KEY')];
    if (problems.length) throw new Error(`${source}: ${problems.map((e) => e.message).join('; ')}`);
    const doc = d.toJS({ maxAliasCount: 100 });
    return doc === null || doc === undefined ? [] : [{ source, index, doc }];
  });
}

export function kustomizationFile(dir) {
  return KUSTOMIZATION_FILES.map((f) => join(dir, f)).find((f) => existsSync(f));
}

/** Renders the kustomization in `dir`: [{ source, index, doc }] with `source` the file each object came from. */
export function renderKustomization(relativeDir, seen = new Set()) {
  const dir = resolve(relativeDir);
  const file = kustomizationFile(dir);
  if (!file) throw new Error(`${dir}: no kustomization.yaml`);
  if (seen.has(file)) throw new Error(`${file}: kustomization cycle`);
  seen.add(file);
  const [{ doc: k } = {}] = parseYaml(readFileSync(file, 'utf8'), file);
  if (!k || typeof k !== 'object') throw new Error(`${file}: empty kustomization`);
  if (k.kind !== undefined && k.kind !== 'Kustomization') throw new Error(`${file}: kind ${k.kind}, expected Kustomization`);
  const unsupported = Object.keys(k).filter((key) => !SUPPORTED.has(key));
  if (unsupported.length) {
    throw new Error(`${file}: kustomization field(s) ${unsupported.join(', ')} not supported by deploy/k8s/check/render.mjs: extend it so the check sees the rendered result`);
  }
  const rendered = (k.resources ?? []).flatMap((entry) => {
    if (typeof entry !== 'string' || /^[a-z]+:\/\//i.test(entry)) throw new Error(`${file}: resource ${JSON.stringify(entry)} is not a local path`);
    const path = resolve(dir, entry);
    if (!existsSync(path)) throw new Error(`${file}: resource ${entry} does not exist`);
    return statSync(path).isDirectory() ? renderKustomization(path, seen) : parseYaml(readFileSync(path, 'utf8'), path);
  });
  const ids = new Set();
  for (const { source, doc } of rendered) {
    const id = `${doc?.apiVersion}/${doc?.kind}/${doc?.metadata?.namespace ?? ''}/${doc?.metadata?.name}`;
    if (ids.has(id)) throw new Error(`${file}: ${id} is defined twice (again in ${source})`);
    ids.add(id);
  }
  for (const image of k.images ?? []) setImages(rendered, image, file);
  return rendered;
}

/** kustomize's images transformer: every container image named `name` gets the new name, tag or digest. */
function setImages(rendered, image, file) {
  const { name, newName, newTag, digest, ...rest } = image ?? {};
  if (typeof name !== 'string' || Object.keys(rest).length || (newTag !== undefined && digest !== undefined)) {
    throw new Error(`${file}: images entry ${JSON.stringify(image)} needs a name and at most one of newTag / digest`);
  }
  for (const container of containersOf(rendered.map((r) => r.doc))) {
    if (typeof container.image !== 'string') continue;
    const [, base, tag] = /^(.*?)((?::[\w][\w.-]*)?(?:@[\w+.-]+:[a-f0-9]+)?)$/.exec(container.image);
    if (base !== name) continue;
    const suffix = newTag !== undefined ? `:${newTag}` : digest !== undefined ? `@${digest}` : tag;
    container.image = `${newName ?? base}${suffix}`;
  }
}

/** Every container-like object (containers, initContainers, ephemeralContainers) anywhere in the documents. */
function* containersOf(values) {
  for (const value of values) {
    if (Array.isArray(value)) yield* containersOf(value);
    else if (value && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        if (/^(containers|initContainers|ephemeralContainers)$/.test(key) && Array.isArray(child)) yield* child.filter((c) => c && typeof c === 'object');
        else yield* containersOf([child]);
      }
    }
  }
}
