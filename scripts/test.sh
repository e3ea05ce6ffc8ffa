#!/usr/bin/env bash
# The whole test suite: static checks, then every tests/*_test.ts on Deno, on
# Node (against the transpiled package, as npm users get it) and on Bun, then
# the packed package installed in a fresh Node project. Test files start their
# own ZooKeeper servers on loopback.
set -uo pipefail
cd "$(dirname "$0")/.."
if [ ! -x node_modules/.bin/deno ] || [ ! -x node_modules/.bin/tsc ] || [ ! -x node_modules/.bin/bun ]; then
  npm install --no-audit --no-fund || exit 1
fi
bash scripts/install_zookeeper.sh || exit 1
bash scripts/install_prometheus.sh || exit 1
bash scripts/install_chromium.sh || exit 1
deno=node_modules/.bin/deno
failed=()
step() {
  local name=$1
  shift
  echo
  echo "=== $name"
  "$@" || failed+=("$name")
}
tests=$(find tests -name '*_test.ts' | sort)
# shellcheck source=scripts/entries.sh
source scripts/entries.sh

step "deno fmt --check" $deno fmt --check
step "deno lint" $deno lint
step "deno check" $deno check $entries $tests examples/*.ts examples/worker/*.ts bench/*.ts bench/registry/*.ts scripts/*.ts
step "deno doc --lint" $deno doc --lint $entries
step "README and docs/ examples type-check" $deno check --doc-only README.md docs/*.md
step "doc examples run" $deno test -A --doc $entries
step "deno publish --dry-run" $deno publish --dry-run --allow-dirty
step "tests on Deno" $deno test -A $tests
step "build for npm" bash scripts/build_npm.sh
step "types of the package under TypeScript 5 and 7" bash scripts/types_check.sh
step "README and docs/ examples on their runtimes" $deno run -A scripts/doc_examples.ts
# Each file in a process of its own, which ends once its tests are done:
# `node --test` with `--test-force-exit` has been seen to end its own run
# part way, silently, with files left unrun.
node_tests() {
  local file status=0
  for file in $(echo "$tests" | sed 's#^tests/#dist/tests/#; s#\.ts$#.js#'); do
    echo "# $file"
    timeout --kill-after=10 1200 node --test-force-exit "$file" || {
      echo "# FAILED: $file"
      status=1
    }
  done
  return $status
}
step "tests on Node $(node --version) (built package)" node_tests
step "tests on Bun $(node_modules/.bin/bun --version)" node_modules/.bin/bun test --timeout 120000 $tests
step "npm package in a fresh project" bash -c '
  log=$(mktemp)
  node_modules/.bin/deno run -A scripts/local_zk.ts >"$log" 2>&1 &
  pid=$!
  trap "kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -f $log" EXIT
  for _ in $(seq 1 300); do grep -q "^ZK_SERVERS=" "$log" && break; sleep 0.1; done
  ZK_SERVERS=$(sed -n "s/^ZK_SERVERS=//p" "$log") bash scripts/npm_smoke.sh'

echo
total=14
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED: ${failed[*]}"
  echo "steps: $((total - ${#failed[@]})) passed, ${#failed[@]} failed"
  exit 1
fi
echo "steps: $total passed, 0 failed"
