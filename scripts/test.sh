#!/usr/bin/env bash
# Runs every test on a fresh machine: installs dependencies, provisions real Kafka and PostgreSQL (no mocks),
# then lint + typecheck, unit, integration and end-to-end tiers. CI (.ci/run) calls exactly this.
# Env: TEST_TIERS (default "static unit int e2e") to run a subset; KEEP_INFRA=1 leaves Kafka/PostgreSQL running.
. "$(dirname "$0")/lib/common.sh"
cd "$ROOT"

TIERS="${TEST_TIERS:-static unit int e2e}"
started=$(date +%s)
ensure_node_modules
RESULTS="$ROOT/.cache/test-results"
rm -rf "$RESULTS" && mkdir -p "$RESULTS"

has() { case " $TIERS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

if has static; then
  log "lint (module boundaries included)"
  npx nx run-many -t lint --outputStyle=static
  log "typecheck"
  npx tsc -p tsconfig.check.json --noEmit
  log "Prometheus alert rules and configs (promtool)"
  bash scripts/stack/prometheus.sh check
fi

if has unit; then
  log "unit tests"
  TEST_TIER=unit npx jest --ci --maxWorkers=2 --json --outputFile="$RESULTS/unit.json"
fi

if has int || has e2e; then
  log "provisioning Kafka, PostgreSQL and the observability stack"
  bash scripts/stack/infra.sh up
  if [ "${KEEP_INFRA:-0}" != 1 ] && [ "${CI:-}" = true ]; then trap 'bash scripts/stack/infra.sh down >/dev/null 2>&1 || true' EXIT; fi
fi

# On CI, an int/e2e test that fails may run once more (tools/jest/retries.js); every retry is reported as FLAKY below.
if [ "${CI:-}" = true ]; then export TEST_RETRIES="${TEST_RETRIES:-1}"; fi

if has int; then
  log "integration tests (real Kafka and PostgreSQL)"
  TEST_TIER=int npx jest --ci --maxWorkers=2 --forceExit --json --outputFile="$RESULTS/int.json"
fi

if has e2e; then
  log "building the apps"
  npx nx run-many -t build --outputStyle=static
  log "end-to-end tests (built services as processes)"
  TEST_TIER=e2e npx jest --ci --runInBand --json --outputFile="$RESULTS/e2e.json"
fi

# One plain closing line for CI: "N passed, N failed" over every tier that ran, and every test that needed a retry.
node -e '
  const fs = require("fs"); let p = 0, f = 0, s = 0; const flaky = [];
  for (const file of fs.readdirSync(process.argv[1]).filter((name) => name.endsWith(".json"))) {
    const r = JSON.parse(fs.readFileSync(process.argv[1] + "/" + file, "utf8"));
    p += r.numPassedTests; f += r.numFailedTests; s += r.numPendingTests;
    for (const suite of r.testResults)
      for (const test of suite.assertionResults)
        if ((test.invocations || 1) > 1) flaky.push(`FLAKY ${test.status} after ${test.invocations} runs: ${suite.name} :: ${test.fullName}\n  first failure: ${String((test.retryReasons || [])[0] || "").split("\n")[0]}`);
  }
  if (flaky.length) { fs.writeFileSync(process.argv[1] + "/flaky.txt", flaky.join("\n") + "\n"); console.log(flaky.join("\n")); }
  console.log(`${p} passed, ${f} failed, ${s} skipped, ${flaky.length} retried (flaky)`);
' "$RESULTS"
log "all tests passed in $(( $(date +%s) - started )) s"
