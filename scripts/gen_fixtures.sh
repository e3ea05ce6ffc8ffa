#!/usr/bin/env bash
# Regenerates tests/testdata/jute_fixtures.json from tests/java/JuteFixtures.java,
# using Debian's ZooKeeper jars (apt-get install -y zookeeper). Idempotent: the
# output depends only on the jars and the Java source.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
src="$root/tests/java/JuteFixtures.java"
out="$root/tests/testdata/jute_fixtures.json"
jars=(/usr/share/java/zookeeper-jute.jar /usr/share/java/zookeeper.jar)

for jar in "${jars[@]}"; do
  if [[ ! -r "$jar" ]]; then
    echo "missing $jar: install it with 'apt-get install -y zookeeper'" >&2
    exit 1
  fi
done
cp="$(IFS=:; echo "${jars[*]}")"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

javac -nowarn -encoding UTF-8 -cp "$cp" -d "$tmp" "$src"
mkdir -p "$(dirname "$out")"
# The jars' manifests pull in slf4j, which warns that it has no binding: hide
# its chatter unless the run fails.
if ! count="$(java -Dfile.encoding=UTF-8 -cp "$tmp:$cp" JuteFixtures "$tmp/out.json" 2>"$tmp/stderr")"; then
  cat "$tmp/stderr" >&2
  exit 1
fi
grep -v '^SLF4J:' "$tmp/stderr" >&2 || true
mv "$tmp/out.json" "$out"
echo "wrote $count cases to ${out#"$root"/} (sha256 $(sha256sum "$out" | cut -d' ' -f1))"
