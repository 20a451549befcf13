/** The env-file readers the writer is checked against: Docker Compose v2, python-dotenv and npm dotenv. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as dotenv from 'dotenv';
import { run } from './example';
import { REPO_ROOT, Tool } from './tools';

/** python-dotenv from the project's tool venv (requirements-dev.txt). */
export function pythonDotenv(): Tool {
  const py = path.join(REPO_ROOT, '.tools', 'venv', 'bin', 'python');
  if (fs.existsSync(py) && run([py, '-c', 'import dotenv'], { allowFail: true }).status === 0) return { name: 'python-dotenv', command: [py] };
  return { name: 'python-dotenv', missing: 'python-dotenv not installed: run "python3 -m venv .tools/venv && .tools/venv/bin/pip install -r requirements-dev.txt"' };
}

/**
 * What Docker Compose reads for each key of `envText` when compose.yaml interpolates `${KEY}`
 * (the way the generated compose files use `.env`).
 */
export function composeReads(envText: string, keys: string[]): Record<string, string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pcs-envread-'));
  try {
    fs.writeFileSync(path.join(dir, '.env'), envText);
    const env = keys.map((k) => `      ${k}: \${${k}}`).join('\n');
    fs.writeFileSync(path.join(dir, 'compose.yaml'), `name: envcheck\nservices:\n  s:\n    image: busybox\n    environment:\n${env}\n`);
    // the variables of this process must not shadow the file's
    const cleanEnv: NodeJS.ProcessEnv = {};
    for (const k of keys) cleanEnv[k] = undefined;
    const r = run(['docker', 'compose', 'config', '--format', 'json'], { cwd: dir, env: cleanEnv });
    const out = JSON.parse(r.stdout).services.s.environment as Record<string, string | null>;
    // `config` prints values re-escaped for compose: a literal "$" appears as "$$"
    const res: Record<string, string> = {};
    for (const k of keys) res[k] = (out[k] ?? '').replace(/\$\$/g, '$');
    return res;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** npm dotenv's reading of each line on its own (a line it misreads cannot spoil the next). */
export function npmDotenvReads(lines: string[]): Array<string | undefined> {
  return lines.map((l) => Object.values(dotenv.parse(l + '\n'))[0]);
}

/** python-dotenv's reading of each line on its own, in one python process. */
export function pythonDotenvReads(lines: string[]): Array<string | null> {
  const py = pythonDotenv().command![0];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pcs-pydotenv-'));
  try {
    fs.writeFileSync(path.join(dir, 'lines.json'), JSON.stringify(lines));
    const script = [
      'import io, json, logging, sys',
      'from dotenv import dotenv_values',
      'logging.disable(logging.CRITICAL)',
      'lines = json.load(open(sys.argv[1], encoding="utf-8"))',
      'out = [next(iter(dotenv_values(stream=io.StringIO(l + "\\n")).values()), None) for l in lines]',
      'sys.stdout.write(json.dumps(out))',
    ].join('\n');
    const r = run([py, '-c', script, path.join(dir, 'lines.json')], { env: { PYTHONIOENCODING: 'utf-8' } });
    return JSON.parse(r.stdout);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
