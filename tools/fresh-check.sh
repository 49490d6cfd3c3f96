#!/usr/bin/env bash
# `make fresh-check`: the committed tree, cloned into a temporary folder that
# has no ../shared beside it, built and tested with a PATH that holds only the
# basic tools (Python, make, git, a shell and core utilities) and no Node.js.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/zcsec-fresh.XXXXXX")"
trap 'rm -rf "$work"' EXIT
git clone --quiet --no-local "$repo" "$work/zcsec"

# A PATH of links to the tools a new machine has; node, npm and npx are not among them.
bin="$work/bin"
mkdir -p "$bin"
for tool in bash sh make git python3 env cat cp mv rm ln ls mkdir rmdir touch chmod find grep sed awk tr sort uniq head tail \
            cut wc tee xargs dirname basename readlink realpath mktemp date uname sleep true false test expr id printf which tar gzip; do
  src="$(command -v "$tool" || true)"
  [ -n "$src" ] && ln -s "$src" "$bin/$tool"
done
if PATH="$bin" command -v node >/dev/null 2>&1; then
  echo "fresh-check: node is still reachable on the reduced PATH" >&2
  exit 1
fi

cd "$work/zcsec"
test ! -e ../shared || { echo "fresh-check: $work/shared exists" >&2; exit 1; }
echo "fresh-check: $(git log -1 --format='%h %s') in $work/zcsec, PATH=$bin"
# A clean environment; only pip's settings (where the package index is) come along.
mapfile -t pip_env < <(env | grep '^PIP_' || true)
env -i HOME="$work" PATH="$bin" LANG=C.UTF-8 TMPDIR="$work" "${pip_env[@]}" \
  bash -c 'make run >make-run.log 2>&1 || { cat make-run.log; exit 1; }; tail -3 make-run.log; make test'
echo "fresh-check: passed"
