import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { topicSpecs } from '@ksef-bridge/contracts';
import { PIPELINE_APPS, type PipelineApp } from '../support/pipeline-system';

// deploy/k8s checked against what the services really need: every manifest parses, the kinds carry their required
// fields, each service gets the environment its config reads (as docker-compose.yml gives it), the image, port and
// command of deploy/docker/Dockerfile, probes on the health endpoints, limits, a PDB, and autoscaling on the lag metric
// the services expose. The Kubernetes and KEDA schemas themselves are checked by k8s-schema.spec.ts.
const root = join(__dirname, '../../../..');
const k8sDir = join(root, 'deploy/k8s');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

// Any object from YAML: the checks below navigate it and fail with a readable message when a field is missing.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = any;

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? yamlFiles(join(dir, e.name)) : e.name.endsWith('.yaml') ? [join(dir, e.name)] : []));
}

function docsOf(file: string): Doc[] {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'));
  for (const d of docs) if (d.errors.length) throw new Error(`${file}: ${d.errors.map((e) => e.message).join('; ')}`);
  return docs.map((d) => d.toJS()).filter((d) => d !== null);
}

const files = yamlFiles(k8sDir);
const all = files.flatMap((file) => docsOf(file).map((doc) => ({ file, doc })));
const manifests = all.filter(({ doc }) => doc.kind !== 'Kustomization').map(({ doc }) => doc);
const find = (kind: string, name: string): Doc => manifests.find((m) => m.kind === kind && m.metadata?.name === name);
const configMap = find('ConfigMap', 'ksef-bridge-config');
const exampleSecrets = docsOf(join(k8sDir, 'secrets.example.yaml'));

/** The variable names an app's config reads: its own config file plus the common shape of libs/config. */
function configKeys(app: PipelineApp): Set<string> {
  const sources = [read(`apps/${app}/src/config/${app}.config.ts`), read('libs/config/src/lib/common.ts')];
  return new Set(sources.flatMap((s) => [...s.matchAll(/\b([A-Z][A-Z0-9_]{2,}):\s*(?:z\.|env[A-Z])/g)].map((m) => m[1])));
}

/** compose's environment of a service, anchors and merge keys resolved. */
const compose = parse(read('docker-compose.yml'), { merge: true });
const composeEnv = (app: string): Record<string, string> => compose.services[app].environment;
const composePort = (app: string): number => Number(String(compose.services[app].ports[0]).split(':')[1]);

/** Env entries of a container: name → where the value comes from. */
function envSources(container: Doc): Map<string, Doc> {
  expect(container.envFrom).toBeUndefined(); // explicit per variable, so this test (and a reader) sees every one
  return new Map((container.env ?? []).map((e: Doc) => [e.name, e.value !== undefined ? { value: e.value } : e.valueFrom]));
}

describe('deploy/k8s manifests', () => {
  it('parse, and every object has apiVersion, kind, a name and the ksef-bridge namespace', () => {
    expect(manifests.length).toBeGreaterThan(20);
    for (const m of manifests) {
      expect([m.apiVersion, m.kind, m.metadata?.name].every(Boolean)).toBe(true);
      if (m.kind !== 'Namespace') expect(`${m.kind}/${m.metadata.name}: ${m.metadata.namespace}`).toBe(`${m.kind}/${m.metadata.name}: ksef-bridge`);
    }
  });

  it('lists every manifest file in a kustomization (the example Secrets deliberately not)', () => {
    const listed = all.filter(({ doc }) => doc.kind === 'Kustomization').flatMap(({ file, doc }) => doc.resources.map((r: string) => join(file, '..', r)));
    const unlisted = files.filter((f) => !f.endsWith('kustomization.yaml') && !listed.includes(f)).map((f) => f.slice(k8sDir.length + 1));
    expect(unlisted).toEqual(['secrets.example.yaml']);
  });

  describe.each(PIPELINE_APPS)('%s', (app) => {
    const deployment = find('Deployment', app);
    const pod = deployment?.spec.template.spec;
    const container = pod?.containers.find((c: Doc) => c.name === app);
    const env = container ? envSources(container) : new Map();

    it('is a Deployment of at least 2 replicas of the Dockerfile image, on compose\'s port', () => {
      expect(deployment.spec.replicas).toBeGreaterThanOrEqual(2);
      expect(deployment.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': app });
      expect(deployment.spec.template.metadata.labels).toMatchObject(deployment.spec.selector.matchLabels);
      expect(container.image).toMatch(new RegExp(`^ksef-bridge/${app}:[\\w.-]+$`));
      expect(container.command).toBeUndefined(); // the image's CMD: node main.js
      expect(container.ports).toEqual([{ name: 'http', containerPort: composePort(app), protocol: 'TCP' }]);
      expect(env.get('HTTP_PORT')).toEqual({ value: String(composePort(app)) });
      // The image runs as the node user (uid 1000 in node:20-bookworm-slim).
      expect(read('deploy/docker/Dockerfile')).toMatch(/^USER node$/m);
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    });

    it('probes liveness on /health/live and readiness on /health/ready, and drains within its grace period', () => {
      expect(container.livenessProbe.httpGet).toEqual({ path: '/health/live', port: 'http' });
      expect(container.readinessProbe.httpGet).toEqual({ path: '/health/ready', port: 'http' });
      expect(container.startupProbe.httpGet.path).toBe('/health/live');
      expect(Number(configMap.data.SHUTDOWN_TIMEOUT_MS)).toBeLessThan(pod.terminationGracePeriodSeconds * 1000);
    });

    it('has CPU and memory requests and limits (requests within limits)', () => {
      const { requests, limits } = container.resources;
      const mi = (q: string) => Number(q.replace(/Mi$/, '')) * (q.endsWith('Gi') ? 1024 : 1);
      const cores = (q: string) => (String(q).endsWith('m') ? Number(String(q).slice(0, -1)) / 1000 : Number(q));
      for (const r of [requests, limits]) expect(r.cpu !== undefined && r.memory !== undefined).toBe(true);
      expect(mi(requests.memory)).toBeLessThanOrEqual(mi(limits.memory));
      expect(cores(requests.cpu)).toBeLessThanOrEqual(cores(limits.cpu));
    });

    it('gets every variable compose gives it that its config reads, and nothing its config does not read', () => {
      const keys = configKeys(app);
      const needed = Object.keys(composeEnv(app)).filter((name) => keys.has(name));
      expect(needed.filter((name) => !env.has(name))).toEqual([]);
      expect([...env.keys()].filter((name) => !keys.has(name))).toEqual([]);
      // In the cluster the defaults (127.0.0.1) are wrong: where to find Kafka, PostgreSQL and its peers must be set.
      for (const name of ['KAFKA_BROKERS', 'PGHOST', 'PGUSER', 'PGPASSWORD', 'PGDATABASE']) expect(env.has(name)).toBe(true);
      if (keys.has('INTAKE_URL')) expect(env.has('INTAKE_URL')).toBe(true);
      if (keys.has('SENDER_URL')) expect(env.has('SENDER_URL')).toBe(true);
      if (keys.has('KSEF_BASE_URL')) expect(env.has('KSEF_BASE_URL')).toBe(true);
    });

    it('takes secrets from Secrets and the rest from the ConfigMap, each key present', () => {
      for (const [name, source] of env) {
        if (/KEY|TOKEN|PASSWORD|PGUSER/.test(name)) expect({ name, from: Object.keys(source)[0] }).toEqual({ name, from: 'secretKeyRef' });
        if (source.configMapKeyRef) expect(Object.keys(configMap.data)).toContain(source.configMapKeyRef.key);
        if (source.secretKeyRef) {
          const secret = exampleSecrets.find((s) => s.metadata.name === source.secretKeyRef.name);
          expect(Object.keys(secret?.stringData ?? {})).toContain(source.secretKeyRef.key);
        }
      }
    });

    it('has a Service on its port and a PodDisruptionBudget that keeps one replica up', () => {
      const service = find('Service', app);
      expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);
      expect(service.spec.ports).toEqual([{ name: 'http', port: composePort(app), targetPort: 'http', protocol: 'TCP' }]);
      const pdb = find('PodDisruptionBudget', app);
      expect(pdb.spec.selector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
      expect(pdb.spec.minAvailable).toBeGreaterThanOrEqual(1);
      expect(pdb.spec.minAvailable).toBeLessThan(deployment.spec.replicas);
    });

    it('autoscales on its consumer lag with KEDA, between its replicas and the topics\' partitions', () => {
      const scaled = find('ScaledObject', app);
      expect(scaled.spec.scaleTargetRef.name).toBe(app);
      expect(scaled.spec.minReplicaCount).toBeGreaterThanOrEqual(deployment.spec.replicas);
      expect(scaled.spec.maxReplicaCount).toBeLessThanOrEqual(Math.min(...topicSpecs().filter((t) => !t.name.endsWith('.dlt')).map((t) => t.partitions)));
      const lag = scaled.spec.triggers.find((t: Doc) => t.name === 'consumer-lag');
      expect(lag.type).toBe('prometheus');
      expect(lag.metadata.query).toBe(`max(ksef_consumer_lag_overall{service="${app}"})`);
      expect(Number(lag.metadata.threshold)).toBeGreaterThan(0);
    });
  });

  it('only the sender sees the sender\'s master key and only the notifier the notifier\'s', () => {
    const holders = (key: string) =>
      manifests
        .filter((m) => m.kind === 'Deployment')
        .filter((m) => m.spec.template.spec.containers.some((c: Doc) => envSources(c).has(key)))
        .map((m) => m.metadata.name);
    expect(holders('SENDER_MASTER_KEY')).toEqual(['sender']);
    expect(holders('NOTIFIER_MASTER_KEY')).toEqual(['notifier']);
  });

  it('runs every service\'s migrations and creates the topics in Jobs, with the env each command needs', () => {
    const migrate = find('Job', 'ksef-bridge-migrate').spec.template.spec;
    const steps = [...(migrate.initContainers ?? []), ...migrate.containers];
    expect(steps.map((c: Doc) => c.name).sort()).toEqual([...PIPELINE_APPS].sort());
    for (const c of steps) {
      expect(c.image).toMatch(new RegExp(`^ksef-bridge/${c.name}:`));
      expect(c.command).toEqual(['node', 'main.js', 'migrate']);
      const env = envSources(c);
      for (const name of ['PGHOST', 'PGPORT', 'PGUSER', 'PGPASSWORD', 'PGDATABASE']) expect(env.has(name)).toBe(true);
      // NODE_ENV=production (the image) makes these services refuse to load their config without a master key.
      if (c.name === 'sender') expect(env.get('SENDER_MASTER_KEY')?.secretKeyRef).toBeDefined();
      if (c.name === 'notifier') expect(env.get('NOTIFIER_MASTER_KEY')?.secretKeyRef).toBeDefined();
    }
    const topics = find('Job', 'ksef-bridge-topics').spec.template.spec.containers;
    expect(topics).toHaveLength(1);
    // As compose's `topics` service: the intake image's create-topics command.
    expect(compose.services.topics.command).toEqual(topics[0].command);
    expect(topics[0].image).toMatch(/^ksef-bridge\/intake:/);
    expect(envSources(topics[0]).has('KAFKA_BROKERS')).toBe(true);
    expect(read('deploy/docker/Dockerfile')).toMatch(/^WORKDIR \/app$/m);
  });

  it('pins the same image tag in the kustomization as in the manifests', () => {
    const kustomization = parse(readFileSync(join(k8sDir, 'kustomization.yaml'), 'utf8'));
    for (const app of PIPELINE_APPS) {
      const tag = find('Deployment', app).spec.template.spec.containers[0].image.split(':')[1];
      expect(kustomization.images).toContainEqual({ name: `ksef-bridge/${app}`, newTag: tag });
    }
  });

  it('scales on metrics the services really expose', () => {
    const sources = read('libs/service-kit/src/lib/platform-metrics.ts') + read('apps/sender/src/sender.module.ts');
    const queried = manifests.filter((m) => m.kind === 'ScaledObject').flatMap((m) => m.spec.triggers.map((t: Doc) => /^\w+\((\w+)\{/.exec(t.metadata.query)?.[1]));
    expect(queried.length).toBeGreaterThanOrEqual(PIPELINE_APPS.length);
    for (const metric of new Set(queried)) expect(sources).toContain(`'${metric}'`);
  });
});
