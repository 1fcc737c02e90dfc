import { execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
// kafkajs directly (not @ksef-bridge/kafka): the kafka lib's own tests use this lib, and a cycle is refused.
import { Kafka, logLevel } from 'kafkajs';
import { freePort } from './free-port';
import { spawnLogged, stopProcess } from './process-control';
import { waitFor } from './wait';

/** Where scripts/stack/kafka.sh puts the Kafka jars fetched from Maven Central. */
const KAFKA_LIBS = process.env['KAFKA_LIBS'] ?? resolve(__dirname, '../../../../.cache/kafka/libs');

export interface PrivateKafka {
  brokers: string[];
  logFile: string;
  /** Starts (or restarts) the broker with the same ports and log dirs. */
  start(): Promise<void>;
  /** Controlled shutdown (SIGTERM), like a broker restart in production. */
  stop(): Promise<void>;
  destroy(): Promise<void>;
}

/**
 * A throwaway single-node Kafka (KRaft) on random ports, for tests that stop and restart the broker; the shared one
 * is never touched. Auto topic creation is off, as in the real stack.
 */
export async function startPrivateKafka(): Promise<PrivateKafka> {
  if (!existsSync(join(KAFKA_LIBS, '.version'))) throw new Error(`Kafka jars not found in ${KAFKA_LIBS} (run scripts/stack/kafka.sh provision)`);
  const dir = mkdtempSync(join(tmpdir(), 'ksef-kafka-'));
  const [port, controllerPort] = [await freePort(), await freePort()];
  const props = join(dir, 'server.properties');
  const logFile = join(dir, 'kafka.log');
  writeFileSync(
    props,
    [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
      `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
      'controller.listener.names=CONTROLLER',
      'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      `log.dirs=${join(dir, 'data')}`,
      'auto.create.topics.enable=false',
      'offsets.topic.replication.factor=1',
      'offsets.topic.num.partitions=3',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'group.initial.rebalance.delay.ms=0',
    ].join('\n'),
  );
  const cp = `${KAFKA_LIBS}/*`;
  const clusterId = execFileSync('java', ['-cp', cp, 'kafka.tools.StorageTool', 'random-uuid']).toString().trim().split('\n').pop()!;
  execFileSync('java', ['-cp', cp, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', props], { stdio: 'ignore' });
  const brokers = [`127.0.0.1:${port}`];
  let child: ChildProcess | undefined;

  const start = async () => {
    if (child && child.exitCode === null) return;
    child = spawnLogged('java', ['-Xms128m', '-Xmx384m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-cp', cp, 'kafka.Kafka', props], logFile);
    await waitFor(
      async () => {
        const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING, retry: { retries: 0 }, connectionTimeout: 1_000 }).admin();
        try {
          await admin.connect();
          await admin.describeCluster();
          return true;
        } finally {
          await admin.disconnect().catch(() => undefined);
        }
      },
      { timeoutMs: 90_000, intervalMs: 300, what: `private Kafka on port ${port}` },
    );
  };
  const stop = () => stopProcess(child, 'SIGTERM', 60_000);
  await start();
  return {
    brokers,
    logFile,
    start,
    stop,
    destroy: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
