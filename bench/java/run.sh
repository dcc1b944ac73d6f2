#!/bin/sh
# Compiles (if needed) and runs the Java Lucene 8.7 harness with Debian's jars (apt-get install -y liblucene8-java).
#   bench/java/run.sh index   --vectors docs.jsonl --index DIR [--scale 100] [--ram-mb 256]
#   bench/java/run.sh search  --index DIR --queries q.jsonl --k 10 --mode exhaustive|wand|default [--run OUT] [--warm-passes 3]
#   bench/java/run.sh compare A.trec B.trec --k 10
# JAVA_OPTS is passed to the JVM (default: -Xms2g -Xmx2g). Classes go to $SPLADE_JAVA_BUILD (default /tmp/splade-java-build).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
jars=/usr/share/java
cp="$jars/lucene-core-8.7.0.jar"
if [ ! -f "$cp" ]; then
  cp=$(ls $jars/lucene-core-8*.jar 2>/dev/null | head -n 1 || true)
fi
[ -n "$cp" ] && [ -f "$cp" ] || { echo "run.sh: no lucene-core 8 jar in $jars (apt-get install -y liblucene8-java)" >&2; exit 2; }
build=${SPLADE_JAVA_BUILD:-/tmp/splade-java-build}
mkdir -p "$build"
if [ ! -f "$build/SpladeLucene8.class" ] || [ "$here/SpladeLucene8.java" -nt "$build/SpladeLucene8.class" ]; then
  javac -nowarn -cp "$cp" -d "$build" "$here/SpladeLucene8.java"
fi
exec java ${JAVA_OPTS:--Xms2g -Xmx2g} -cp "$build:$cp" SpladeLucene8 "$@"
