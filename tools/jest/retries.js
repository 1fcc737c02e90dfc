/* eslint-disable */
// Integration and end-to-end tests run against real Kafka, PostgreSQL and built services on a shared 2-core CI
// machine, where a timing assumption can lose a race once in many runs. TEST_RETRIES (set by scripts/test.sh on CI
// for those tiers only; 0 elsewhere) lets such a test run again, as Apache Kafka's own CI does. A retry is not a
// pass in silence: the first failure is logged, and scripts/test.sh lists every retried test as FLAKY in its summary
// and in .cache/test-results/flaky.txt. A test that fails every time still fails the run. Unit tests never retry.
const retries = Number(process.env.TEST_RETRIES || 0);
if (retries > 0 && process.env.TEST_TIER && process.env.TEST_TIER !== 'unit') {
  jest.retryTimes(retries, { logErrorsBeforeRetry: true });
}
