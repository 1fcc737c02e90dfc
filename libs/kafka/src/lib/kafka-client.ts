import { Kafka, logLevel, type LogEntry } from 'kafkajs';

/** Minimal logger shape (pino-compatible), so this lib does not depend on observability. */
export interface KafkaLogSink {
  error(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

export interface KafkaClientOptions {
  brokers: string[];
  clientId: string;
  logger?: KafkaLogSink;
  /** Connection timeout per broker, default 3 s. */
  connectionTimeoutMs?: number;
}

/** Opaque handle to the underlying client; only libs/kafka looks inside. */
export interface KafkaClient {
  readonly raw: Kafka;
  readonly clientId: string;
}

/** Creates the Kafka client with kafkajs logs routed into `logger`. */
export function createKafka(options: KafkaClientOptions): KafkaClient {
  const sink = options.logger;
  const raw = new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    connectionTimeout: options.connectionTimeoutMs ?? 3_000,
    logLevel: sink ? logLevel.WARN : logLevel.NOTHING,
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        if (!sink) return;
        const { message, ...rest } = log;
        if (level === logLevel.ERROR) sink.error({ kafka: rest }, message);
        else if (level === logLevel.WARN) sink.warn({ kafka: rest }, message);
        else sink.debug({ kafka: rest }, message);
      },
  });
  return { raw, clientId: options.clientId };
}
