/**
 * Synthesizes a copy of a bundled example with the library as built and packed from this
 * repository (scripts/synth-example.sh), as a user would install it.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { REPO_ROOT } from './tools';

export interface ExampleCopyOptions {
  /** Folder to synthesize into (created). @default - a new temporary folder */
  readonly out?: string;
  /** Text of a replacement .projenrc.ts: a variant of the example. */
  readonly projenrc?: string;
}

export function synthExampleCopy(name = 'fullstack', options: ExampleCopyOptions = {}): string {
  const out = options.out ?? fs.mkdtempSync(path.join(os.tmpdir(), `pcs-${name}-`));
  const args = [path.join(REPO_ROOT, 'scripts', 'synth-example.sh'), '--out', out];
  if (options.projenrc !== undefined) {
    const rc = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pcs-rc-')), '.projenrc.ts');
    fs.writeFileSync(rc, options.projenrc);
    args.push('--projenrc', rc);
  }
  execFileSync('bash', [...args, name], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf-8', timeout: 600_000 });
  return out;
}

/** Files in `dir` (relative paths), skipping node_modules, .git and dist. */
export function listFiles(dir: string, base = dir): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (['node_modules', '.git', 'dist'].includes(e.name)) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...listFiles(p, base));
    else if (e.isFile()) out.push(path.relative(base, p));
  }
  return out.sort();
}

export interface RunOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly timeout?: number;
  /** Return a non-zero exit status instead of throwing. */
  readonly allowFail?: boolean;
}

export interface RunResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command; throws with its output when it fails (unless allowFail). */
export function run(argv: string[], options: RunOptions = {}): RunResult {
  const r = spawnSync(argv[0], argv.slice(1), {
    cwd: options.cwd,
    env: { ...process.env, ...(options.env ?? {}) },
    encoding: 'utf-8',
    timeout: options.timeout ?? 600_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  const res = { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  if (!options.allowFail && res.status !== 0) {
    throw new Error(`${argv.join(' ')} exited ${res.status}${r.error ? ` (${r.error.message})` : ''}\n${res.stdout.slice(-4000)}\n${res.stderr.slice(-4000)}`);
  }
  return res;
}
