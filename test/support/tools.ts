/**
 * Finds the external tools the static gates and end-to-end tests need. Outside CI a missing tool
 * skips its tests with a message saying what is missing; with CI=true it fails them.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const IN_CI = /^(1|true|yes)$/i.test(process.env.CI ?? '');

export interface Tool {
  readonly name: string;
  /** The command (argv prefix), when found. */
  readonly command?: string[];
  /** Why it is not available. */
  readonly missing?: string;
}

function runs(argv: string[], timeout = 20_000): { ok: boolean; out: string } {
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf-8', timeout });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}`.trim() };
}

let dockerCache: Tool | undefined;
/** A Docker engine that answers, with the compose v2 plugin. */
export function dockerEngine(): Tool {
  if (dockerCache) return dockerCache;
  const info = runs(['docker', 'info', '--format', '{{.ServerVersion}}']);
  if (!info.ok) {
    dockerCache = { name: 'Docker engine', missing: `no Docker engine answers "docker info" (${info.out.split('\n')[0] || 'docker not found'})` };
  } else {
    const compose = runs(['docker', 'compose', 'version', '--short']);
    dockerCache = compose.ok && /^v?2\./.test(compose.out)
      ? { name: 'Docker engine', command: ['docker'] }
      : { name: 'Docker Compose v2', missing: `"docker compose version" does not report compose v2 (${compose.out.split('\n')[0] || 'not installed'})` };
  }
  return dockerCache;
}

/** Docker Compose v2 alone (for `docker compose config`, which needs no engine). */
export function composeV2(): Tool {
  const compose = runs(['docker', 'compose', 'version', '--short']);
  return compose.ok && /^v?2\./.test(compose.out)
    ? { name: 'Docker Compose v2', command: ['docker', 'compose'] }
    : { name: 'Docker Compose v2', missing: `"docker compose version" does not report compose v2 (${compose.out.split('\n')[0] || 'not installed'})` };
}

/** hadolint: $HADOLINT, the project's tool venv (.tools/venv, see requirements-dev.txt), or PATH. */
export function hadolint(): Tool {
  const candidates = [process.env.HADOLINT, path.join(REPO_ROOT, '.tools', 'venv', 'bin', 'hadolint'), 'hadolint'].filter(Boolean) as string[];
  for (const c of candidates) {
    if (c.includes('/') && !fs.existsSync(c)) continue;
    if (runs([c, '--version']).ok) return { name: 'hadolint', command: [c] };
  }
  return { name: 'hadolint', missing: 'hadolint not found: run "python3 -m venv .tools/venv && .tools/venv/bin/pip install -r requirements-dev.txt"' };
}

/** Chromium: $CHROMIUM_PATH or Debian's chromium. */
export function chromium(): Tool {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].filter(Boolean) as string[];
  for (const c of candidates) {
    if (fs.existsSync(c) && runs([c, '--version']).ok) return { name: 'Chromium', command: [c] };
  }
  return { name: 'Chromium', missing: 'Chromium not found: install Debian\'s "chromium" package or set CHROMIUM_PATH' };
}

/**
 * `describe` that runs only when every tool is available. Outside CI, missing tools skip the
 * block with a warning; with CI=true they make a failing test instead.
 */
export function describeWithTools(title: string, tools: Tool[], body: () => void): void {
  const missing = tools.filter((t) => t.missing);
  if (missing.length === 0) {
    describe(title, body);
    return;
  }
  const why = missing.map((t) => `${t.name}: ${t.missing}`).join('; ');
  if (IN_CI) {
    describe(title, () => {
      test('required tools are available (CI=true)', () => {
        throw new Error(`CI=true but a required tool is missing: ${why}`);
      });
    });
  } else {
    // eslint-disable-next-line no-console
    console.warn(`SKIPPED "${title}": ${why}`);
    describe.skip(title, body);
  }
}
