import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';

// deploy/k8s against the real schemas, offline: deploy/k8s/check-manifests.mjs renders each kustomization as
// `kubectl apply -k` would and validates every object with the Kubernetes OpenAPI models (kubernetes-models) and
// KEDA's CRD models (@kubernetes-models/keda), strictly: wrong types, unknown fields, missing required fields, unknown
// kinds. The checker is ESM (as those packages are), so it runs as its own node process, as a developer would run it.
const root = join(__dirname, '../../../..');
const k8sDir = join(root, 'deploy/k8s');
const checker = join(k8sDir, 'check-manifests.mjs');

interface Report {
  problems: number;
  inputs: { input: string; error?: string; objects: { source: string; apiVersion: string; kind: string; name: string; errors: { path: string; message: string }[] }[] }[];
}

function runChecker(args: string[], input?: string): { status: number | null; report: Report } {
  const run = spawnSync(process.execPath, [checker, '--json', ...args], { cwd: root, input, encoding: 'utf8', timeout: 20_000 });
  if (run.error || !run.stdout) throw new Error(`checker did not run: ${run.error?.message ?? run.stderr}`);
  return { status: run.status, report: JSON.parse(run.stdout) };
}

/** "file: Kind/name: /path message" per problem, as the checker prints them. */
const lines = (report: Report) => [
  ...report.inputs.filter((i) => i.error).map((i) => `${i.input}: ${i.error}`),
  ...report.inputs.flatMap((i) => i.objects.flatMap((o) => o.errors.map((e) => `${o.source}: ${o.kind}/${o.name}: ${e.path} ${e.message}`))),
];

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? yamlFiles(join(dir, e.name)) : /\.ya?ml$/.test(e.name) ? [join(dir, e.name)] : []));
}

function hasKubectl(): boolean {
  return spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;
}

describe('deploy/k8s against the Kubernetes and KEDA schemas', () => {
  const shipped = runChecker([]);

  it('finds no problem in any shipped manifest', () => {
    expect(lines(shipped.report)).toEqual([]);
    expect(shipped.status).toBe(0);
  });

  it('covers every manifest file, the kustomizations rendered, and every kind the project ships', () => {
    const inputs = shipped.report.inputs.map((i) => i.input).sort();
    expect(inputs).toEqual(['deploy/k8s', 'deploy/k8s/autoscaling', 'deploy/k8s/secrets.example.yaml']);
    const sources = new Set(shipped.report.inputs.flatMap((i) => i.objects.map((o) => o.source)));
    const files = yamlFiles(k8sDir).map((f) => relative(root, f)).filter((f) => !f.endsWith('kustomization.yaml'));
    expect(files.filter((f) => !sources.has(f))).toEqual([]);
    const kinds = new Set(shipped.report.inputs.flatMap((i) => i.objects.map((o) => `${o.apiVersion} ${o.kind}`)));
    expect([...kinds].sort()).toEqual([
      'apps/v1 Deployment', 'batch/v1 Job', 'keda.sh/v1alpha1 ScaledObject', 'policy/v1 PodDisruptionBudget',
      'v1 ConfigMap', 'v1 Namespace', 'v1 Secret', 'v1 Service',
    ]);
    expect(shipped.report.inputs.flatMap((i) => i.objects)).toHaveLength(28);
  });

  it('reports a broken manifest with the resource and the field path, and fails', () => {
    const broken = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: broken, namespace: ksef-bridge }
spec:
  replicas: "2"
  selector: { matchLabels: { app: broken } }
  template:
    metadata: { labels: { app: broken } }
    spec:
      containers:
        - name: broken
          imagePullPolice: Always
          resources: { limits: { cpu: lots } }
          readinessProbe: { httpGet: { path: /health/ready, port: http } }
---
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: { name: broken, namespace: ksef-bridge }
spec:
  scaleTargetRef: { name: broken }
  minReplicas: 2
  triggers: [{ type: prometheus, metadata: { query: "max(x)", threshold: 500 } }]
---
apiVersion: v1
kind: ConfigMap
metadata: { name: broken }
data: { PGPORT: 5432 }
`;
    const { status, report } = runChecker(['-'], broken);
    expect(status).toBe(1);
    const found = lines(report);
    expect(found).toEqual(
      expect.arrayContaining([
        '<stdin>: Deployment/broken: /spec/replicas must be integer',
        '<stdin>: Deployment/broken: /spec/template/spec/containers/0/imagePullPolice is not a field of the schema (unknown field)',
        '<stdin>: Deployment/broken: /spec/template/spec/containers/0/image is required (the API server refuses a container without an image)',
        expect.stringMatching(/^<stdin>: Deployment\/broken: \/spec\/template\/spec\/containers\/0\/resources\/limits\/cpu .*"quantity"/),
        '<stdin>: ScaledObject/broken: /spec/minReplicas is not a field of the schema (unknown field)',
        '<stdin>: ScaledObject/broken: /spec/triggers/0/metadata/threshold must be string',
        '<stdin>: ConfigMap/broken: /data/PGPORT must be string',
      ]),
    );
    expect(found).toHaveLength(7);
    expect(report.problems).toBe(7);
  });

  it('fails on a kind it has no schema for, never skips it', () => {
    const { status, report } = runChecker(['-'], 'apiVersion: example.com/v1\nkind: Widget\nmetadata: { name: w }\n---\napiVersion: v1\nkind: Container\nmetadata: { name: c }\n');
    expect(status).toBe(1);
    expect(lines(report)).toEqual([
      expect.stringMatching(/^<stdin>: Widget\/w: \/kind no schema for example.com\/v1 Widget/),
      expect.stringMatching(/^<stdin>: Container\/c: \/kind no schema for v1 Container/),
    ]);
  });

  describe('a kustomization', () => {
    let dir: string;
    const write = (files: Record<string, string>) => {
      dir = mkdtempSync(join(tmpdir(), 'k8s-check-'));
      for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    };
    afterEach(() => rmSync(dir, { recursive: true, force: true }));
    const job = 'apiVersion: batch/v1\nkind: Job\nmetadata: { name: j }\nspec: { template: { spec: { restartPolicy: Never, containers: [{ name: a, image: "ksef-bridge/intake:0.1.0" }] } } }\n';

    it('with a field the renderer does not implement (a patch) is refused, not validated unrendered', () => {
      write({ 'kustomization.yaml': 'resources: [job.yaml]\npatches: [{ path: p.yaml }]\n', 'job.yaml': job });
      const { status, report } = runChecker([dir]);
      expect(status).toBe(1);
      expect(report.inputs[0].error).toMatch(/kustomization field\(s\) patches not supported/);
    });

    it('is validated as rendered: the images transformer applied, and the result checked', () => {
      const images = 'images: [{ name: ksef-bridge/intake, newName: registry.example.com/ksef-bridge/intake, newTag: "1.2.3" }]';
      write({ 'kustomization.yaml': `resources: [job.yaml]\n${images}\n`, 'job.yaml': job });
      const script = `import { renderKustomization } from ${JSON.stringify(join(k8sDir, 'check/render.mjs'))}; console.log(JSON.stringify(renderKustomization(${JSON.stringify(dir)}).map((r) => r.doc)))`;
      const [rendered] = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }));
      expect(rendered.spec.template.spec.containers[0].image).toBe('registry.example.com/ksef-bridge/intake:1.2.3');
      const { status, report } = runChecker([dir]);
      expect(lines(report)).toEqual([]);
      expect(status).toBe(0);
      expect(report.inputs[0].objects.map((o) => `${o.source}: ${o.kind}/${o.name}`)).toEqual([`${relative(root, dir)}/job.yaml: Job/j`]);
    });
  });

  // The renderer implements only what deploy/k8s uses; kubectl's kustomize is the reference where it is installed.
  (hasKubectl() ? it : it.skip)('renders each kustomization exactly as `kubectl kustomize` does (runs where kubectl is installed)', () => {
    const dirs = ['deploy/k8s', 'deploy/k8s/autoscaling'];
    const script = `import { renderKustomization } from ${JSON.stringify(join(k8sDir, 'check/render.mjs'))};
      console.log(JSON.stringify(${JSON.stringify(dirs)}.map((dir) => renderKustomization(dir).map((r) => r.doc))))`;
    const ours = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' }));
    const key = (d: { apiVersion: string; kind: string; metadata: { name: string } }) => `${d.apiVersion} ${d.kind} ${d.metadata.name}`;
    const sorted = <T extends Parameters<typeof key>[0]>(docs: T[]) => [...docs].sort((a, b) => key(a).localeCompare(key(b)));
    dirs.forEach((dir, i) => {
      const theirs = parseAllDocuments(execFileSync('kubectl', ['kustomize', dir], { cwd: root, encoding: 'utf8' })).map((d) => d.toJS());
      expect(sorted(ours[i])).toEqual(sorted(theirs));
    });
  });
});
