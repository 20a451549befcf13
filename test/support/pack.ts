/**
 * The library as npm publishes it: compiled by jsii (when src/ changed) and packed with
 * `npm pack`, into a folder of the caller's choice.
 */
import * as path from 'path';
import { run } from './example';
import { REPO_ROOT } from './tools';

// Same lock as scripts/synth-example.sh: one compile or pack at a time across test workers.
const PACK_SCRIPT = `
set -euo pipefail
mkdir -p dist/pack
exec 9>dist/pack/.lock
flock 9
if [ ! -f lib/index.js ] || [ ! -f .jsii ] || [ -n "$(find src -newer lib/index.js -name '*.ts' -print -quit)" ]; then
  npx projen compile >/dev/null
fi
npm pack --silent --pack-destination "$1" | tail -n1
`;

/** Packs the library into `dest` and returns the tarball's path. */
export function packLibrary(dest: string): string {
  const r = run(['bash', '-c', PACK_SCRIPT, 'pack-library', dest], { cwd: REPO_ROOT, timeout: 600_000 });
  const name = r.stdout.trim().split('\n').pop()!;
  return path.join(dest, name);
}

/**
 * The environment for projen and npm run in a generated project: without jest's worker id,
 * which makes projen treat every synth as a unit test (and write into a temporary folder).
 */
export function projectEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { JEST_WORKER_ID: undefined, ...extra };
}
