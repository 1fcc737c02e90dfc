import { randomUUID } from 'node:crypto';

/** A short random suffix for topic, group, schema and database names, so tests never share state. */
export function uniqueSuffix(length = 10): string {
  return randomUUID().replace(/-/g, '').slice(0, length);
}

/** A random topic name under the test prefix (`test.<area>.<suffix>`), valid for Kafka. */
export function randomTopic(area = 'topic'): string {
  return `test.${area}.${uniqueSuffix()}`;
}

/** A random consumer-group id. */
export function randomGroup(area = 'group'): string {
  return `test-${area}-${uniqueSuffix()}`;
}
