#!/usr/bin/env bash
# Synthesizes examples/<name> (default: fullstack) with the library as built from this
# repository, installed from a packed tarball exactly as a user installs the package.
#   scripts/synth-example.sh [--out DIR [--projenrc FILE]] [--up] [name]
# --out DIR        synthesize a copy of the example in DIR instead of in place
# --projenrc FILE  with --out: use FILE as the copy's .projenrc.ts (a variant of the example)
# --up             then build and start the stack (needs a Docker engine) and print its URL
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="" up=0 name=fullstack projenrc=""
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --projenrc) projenrc="$2"; shift 2 ;;
    --up) up=1; shift ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) name="$1"; shift ;;
  esac
done
example="$root/examples/$name"
[ -d "$example" ] || { echo "no example named $name in examples/" >&2; exit 2; }

# one packer/installer at a time (test workers may call this script concurrently)
mkdir -p "$root/dist/pack"
exec 9>"$root/dist/pack/.lock"
flock 9

# 1. the library, compiled and packed (npm pack uses lib/ as compiled by jsii)
if [ ! -f "$root/lib/index.js" ] || [ -n "$(find "$root/src" -newer "$root/lib/index.js" -name '*.ts' -print -quit)" ]; then
  echo "==> compiling the library (npx projen compile)"
  (cd "$root" && npx projen compile >/dev/null)
fi
mkdir -p "$root/dist/pack"
tgz="$(cd "$root" && npm pack --silent --pack-destination dist/pack | tail -n1)"
mv -f "$root/dist/pack/$tgz" "$root/dist/pack/projen-compose-stack.tgz"

# 2. the example's own dependencies (projen, ts-node, and the packed library)
tgz="$root/dist/pack/projen-compose-stack.tgz"
if [ "$(cat "$example/node_modules/.install-stamp" 2>/dev/null)" != "$(sha1sum < "$example/package.json")" ]; then
  echo "==> installing the example's dependencies"
  (cd "$example" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
  sha1sum < "$example/package.json" > "$example/node_modules/.install-stamp"
fi
# npm keeps an installed file: dependency whose spec did not change; unpack the fresh tarball the way npm installs it
lib="$example/node_modules/projen-compose-stack"
if [ "$(cat "$lib/.pack-stamp" 2>/dev/null)" != "$(sha1sum < "$tgz")" ]; then
  rm -rf "$lib" && mkdir -p "$lib"
  tar -xzf "$tgz" -C "$lib" --strip-components=1
  sha1sum < "$tgz" > "$lib/.pack-stamp"
fi

flock -u 9

# 3. synthesize (in place, or in a copy of the example's sources)
target="$example"
if [ -n "$out" ]; then
  mkdir -p "$out"
  (cd "$example" && tar --exclude=./node_modules --exclude='./**/node_modules' --exclude='./**/dist' --exclude=./.env --exclude='./secrets' -cf - .) | (cd "$out" && tar -xf -)
  ln -sfn "$example/node_modules" "$out/node_modules"
  if [ -n "$projenrc" ]; then cp "$projenrc" "$out/.projenrc.ts"; fi
  target="$out"
fi
echo "==> synthesizing $target"
(cd "$target" && npx projen --no-post)
echo "==> files written by the stack:"
(cd "$target" && node -e '
  const files = require("./.projen/files.json").files;
  for (const f of files) if (!f.startsWith(".projen/") && !/^(\.gitignore|\.gitattributes|tsconfig\.projen\.json)$/.test(f)) console.log("   " + f);
  console.log("   .env (yours: created once, then only new keys are added)");
')

if [ "$up" = 1 ]; then
  if ! docker info >/dev/null 2>&1; then
    echo "no Docker engine answers (docker info failed): the stack was synthesized but not started" >&2
    exit 1
  fi
  echo "==> docker compose up -d --build --wait"
  (cd "$target" && docker compose up -d --build --wait)
  port="$(cd "$target" && docker compose port web 8080 | sed 's/.*://')"
  echo "The stack is up: http://localhost:${port}/   (stop it with: cd ${target#$root/} && docker compose down)"
fi
