// Validates Kubernetes objects offline against the API's own schemas: kubernetes-models (generated from the OpenAPI
// of a recent Kubernetes, 1.34 or later) and @kubernetes-models/keda (generated from KEDA's CRDs). Their validators
// check types, enums, formats (quantities, int-or-string) and required fields. Three things they do not do, added here:
//   - unknown fields: the OpenAPI allows extra properties, the API server (kubectl's default --validate=strict)
//     rejects them. A field is known when the schema constrains its value, so each object's fields are probed with a
//     value no schema accepts: a field that draws no error at its own path is unknown to the schema.
//   - unknown kinds: no schema is an error, never a skip.
//   - a few rules the API server enforces beyond the OpenAPI (serverRuleErrors below).

// apiVersion group → the package whose models cover it. Core groups ('v1', 'apps', 'batch', '*.k8s.io' ...) are
// kubernetes-models; CRD groups must be listed here with their models package.
const CRD_PACKAGES = { 'keda.sh': '@kubernetes-models/keda', 'eventing.keda.sh': '@kubernetes-models/keda' };
const models = new Map();

function packageOf(apiVersion) {
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  if (CRD_PACKAGES[group]) return CRD_PACKAGES[group];
  return group === '' || !group.includes('.') || group.endsWith('.k8s.io') ? 'kubernetes-models' : undefined;
}

/** The model class of apiVersion/kind, or undefined when no installed package has a schema for it. */
async function modelOf(apiVersion, kind) {
  const key = `${apiVersion}/${kind}`;
  if (!models.has(key)) {
    const pkg = packageOf(apiVersion);
    let model;
    if (pkg && /^[a-z0-9.-]+(\/v[a-z0-9]+)?$/.test(apiVersion) && /^[A-Z][A-Za-z0-9]*$/.test(kind)) {
      try {
        model = (await import(`${pkg}/${apiVersion}/${kind}`))[kind];
      } catch (error) {
        if (!['ERR_MODULE_NOT_FOUND', 'ERR_PACKAGE_PATH_NOT_EXPORTED'].includes(error.code)) throw error;
      }
    }
    // Sub-objects (Container, PodSpec ...) are models too, but only top-level resources carry apiVersion and kind.
    models.set(key, model?.apiVersion === apiVersion && model?.kind === kind ? model : undefined);
  }
  return models.get(key);
}

/** ajv errors of one validation (an empty list when valid). */
function schemaErrors(Model, doc) {
  try {
    new Model(doc).validate();
    return [];
  } catch (error) {
    if (!Array.isArray(error.errors)) throw error;
    return error.errors;
  }
}

const pointer = (path) => path.map((p) => `/${String(p).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const PROBE = Symbol('no schema accepts this value');

/** Paths (JSON pointers) of fields the schema does not know, found by probing one object at a time. */
function unknownFields(Model, doc) {
  const unknown = [];
  const visit = (value, path) => {
    if (Array.isArray(value)) return value.forEach((item, i) => visit(item, [...path, i]));
    if (!isObject(value) || Object.keys(value).length === 0) return;
    const probe = structuredClone(doc);
    const target = path.reduce((node, key) => node[key], probe);
    for (const key of Object.keys(target)) target[key] = PROBE;
    const flagged = new Set(schemaErrors(Model, probe).map((e) => e.instancePath));
    for (const [key, child] of Object.entries(value)) {
      if (flagged.has(pointer([...path, key]))) visit(child, [...path, key]);
      else unknown.push(pointer([...path, key]));
    }
  };
  visit(doc, []);
  return unknown;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const WORKLOADS = ['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job'];

/** The pod template of a workload, with its path. */
function podSpecOf(doc) {
  if (doc.kind === 'Pod') return { spec: doc.spec, path: ['spec'] };
  if (WORKLOADS.includes(doc.kind)) return { spec: doc.spec?.template?.spec, path: ['spec', 'template', 'spec'] };
  if (doc.kind === 'CronJob') return { spec: doc.spec?.jobTemplate?.spec?.template?.spec, path: ['spec', 'jobTemplate', 'spec', 'template', 'spec'] };
  return undefined;
}

/** Rules of the API server's validation that the OpenAPI does not state (each error: [path, message]). */
function serverRuleErrors(doc) {
  const errors = [];
  const name = doc.metadata?.name;
  const nameRule = ['Namespace', 'Service'].includes(doc.kind) ? DNS_LABEL : DNS_SUBDOMAIN;
  if (typeof name !== 'string' || name === '') errors.push(['/metadata/name', 'is required']);
  else if (!nameRule.test(name) || name.length > (nameRule === DNS_LABEL ? 63 : 253)) errors.push(['/metadata/name', `must be a DNS-1123 ${nameRule === DNS_LABEL ? 'label' : 'subdomain'}`]);
  const pod = podSpecOf(doc);
  if (pod?.spec) {
    const seen = new Set();
    if (!pod.spec.containers?.length) errors.push([pointer([...pod.path, 'containers']), 'must have at least one container']);
    for (const list of ['initContainers', 'containers']) {
      (pod.spec[list] ?? []).forEach((c, i) => {
        const at = (field) => pointer([...pod.path, list, i, field]);
        if (typeof c?.image !== 'string' || c.image.trim() === '') errors.push([at('image'), 'is required (the API server refuses a container without an image)']);
        if (typeof c?.name === 'string' && (!DNS_LABEL.test(c.name) || c.name.length > 63)) errors.push([at('name'), 'must be a DNS-1123 label']);
        if (seen.has(c?.name)) errors.push([at('name'), `duplicate container name ${c.name}`]);
        seen.add(c?.name);
        for (const [j, port] of (c?.ports ?? []).entries()) {
          if (port?.name !== undefined && !/^(?=.{1,15}$)(?=.*[a-z])[a-z0-9]+(-[a-z0-9]+)*$/.test(port.name)) errors.push([pointer([...pod.path, list, i, 'ports', j, 'name']), 'must be an IANA service name (at most 15 characters)']);
        }
      });
    }
    if (['Job', 'CronJob'].includes(doc.kind) && !['OnFailure', 'Never'].includes(pod.spec.restartPolicy)) {
      errors.push([pointer([...pod.path, 'restartPolicy']), 'must be OnFailure or Never in a Job']);
    }
  }
  if (WORKLOADS.slice(0, 4).includes(doc.kind)) {
    const wanted = doc.spec?.selector?.matchLabels ?? {};
    const labels = doc.spec?.template?.metadata?.labels ?? {};
    if (Object.entries(wanted).some(([k, v]) => labels[k] !== v)) errors.push(['/spec/selector', 'does not match the template labels']);
  }
  return errors;
}

/** Groups ajv errors by path into one readable line each ("must be integer"; enums list their values). */
function describe(errors) {
  const byPath = new Map();
  for (const e of errors) {
    const text = e.keyword === 'enum' ? `${e.message}: ${e.params.allowedValues.join(', ')}` : e.message;
    byPath.set(e.instancePath || '/', [...new Set([...(byPath.get(e.instancePath || '/') ?? []), text])]);
  }
  return [...byPath].map(([path, texts]) => ({ path, message: texts.join('; ') }));
}

/** Validates one object as the API server would; returns [{ path, message }], empty when valid. */
export async function validateObject(doc) {
  if (!isObject(doc)) return [{ path: '/', message: 'is not a mapping' }];
  const { apiVersion, kind } = doc;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return [{ path: '/', message: 'must have apiVersion and kind' }];
  const Model = await modelOf(apiVersion, kind);
  if (!Model) return [{ path: '/kind', message: `no schema for ${apiVersion} ${kind} (unknown kind, or a CRD whose models package is not in deploy/k8s/check/validate.mjs)` }];
  const schema = describe(schemaErrors(Model, doc));
  const unknown = unknownFields(Model, doc).map((path) => ({ path, message: 'is not a field of the schema (unknown field)' }));
  const server = serverRuleErrors(doc).map(([path, message]) => ({ path, message }));
  return [...schema, ...unknown, ...server].sort((a, b) => a.path.localeCompare(b.path));
}
