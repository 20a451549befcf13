/**
 * Static gates on every generated file of the bundled example, synthesized fresh with the
 * packed library: hadolint, the compose-spec schema, `docker compose config` without warnings,
 * and no drift from the committed output.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { composeSchemaErrors } from './support/compose-schema';
import { listFiles, run, synthExampleCopy } from './support/example';
import { composeV2, describeWithTools, hadolint, REPO_ROOT } from './support/tools';

const EXAMPLE = path.join(REPO_ROOT, 'examples', 'fullstack');
let dir: string;

beforeAll(() => {
  dir = synthExampleCopy('fullstack');
}, 600_000);

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const dockerfiles = () => listFiles(dir).filter((f) => path.basename(f) === 'Dockerfile');

test('the example generates a Dockerfile per built service and one compose file', () => {
  expect(dockerfiles()).toEqual(['backend/Dockerfile', 'frontend/Dockerfile']);
  expect(fs.existsSync(path.join(dir, 'compose.yaml'))).toBe(true);
});

test('the committed example output equals a fresh synth (no drift)', () => {
  // files.json also lists files that projen leaves out when empty (such as .projen/deps.json)
  const generated = (JSON.parse(fs.readFileSync(path.join(dir, '.projen', 'files.json'), 'utf-8')).files as string[]).filter((f) =>
    fs.existsSync(path.join(dir, f)),
  );
  expect(generated.length).toBeGreaterThan(5);
  for (const f of generated) {
    const committed = path.join(EXAMPLE, f);
    expect({ file: f, exists: fs.existsSync(committed) }).toEqual({ file: f, exists: true });
    expect({ file: f, content: fs.readFileSync(committed, 'utf-8') }).toEqual({ file: f, content: fs.readFileSync(path.join(dir, f), 'utf-8') });
  }
});

test('compose.yaml validates against the compose-spec JSON schema', () => {
  const doc = YAML.parse(fs.readFileSync(path.join(dir, 'compose.yaml'), 'utf-8'));
  expect(composeSchemaErrors(doc)).toEqual([]);
  expect(doc.version).toBeUndefined();
});

test('the schema check itself rejects an invalid compose file', () => {
  expect(composeSchemaErrors({ services: { web: { ports: 8080, bogus: true } } }).length).toBeGreaterThan(0);
});

describeWithTools('hadolint', [hadolint()], () => {
  test('every generated Dockerfile has zero findings', () => {
    const [bin] = hadolint().command!;
    for (const f of dockerfiles()) {
      const r = run([bin, '-f', 'json', '--failure-threshold', 'style', path.join(dir, f)], { allowFail: true });
      expect({ file: f, findings: JSON.parse(r.stdout || '[]') }).toEqual({ file: f, findings: [] });
      expect(r.status).toBe(0);
    }
  });

  test('hadolint does flag a naive Dockerfile (the gate is live)', () => {
    const naive = path.join(dir, 'Dockerfile.naive');
    fs.writeFileSync(naive, 'FROM python:3.11-slim\nRUN pip install fastapi\nUSER root\nCMD uvicorn main:app\n');
    const r = run([bin(), '-f', 'json', naive], { allowFail: true });
    const codes = JSON.parse(r.stdout).map((x: { code: string }) => x.code);
    expect(codes).toEqual(expect.arrayContaining(['DL3013', 'DL3042', 'DL3002', 'DL3025']));
    fs.rmSync(naive);
  });
  const bin = () => hadolint().command![0];
});

describeWithTools('docker compose config', [composeV2()], () => {
  test('accepts compose.yaml with the generated .env and prints no warning', () => {
    const r = run(['docker', 'compose', '-f', path.join(dir, 'compose.yaml'), 'config', '--format', 'json'], { cwd: dir });
    expect(r.stderr.trim()).toBe('');
    const cfg = JSON.parse(r.stdout);
    expect(cfg.name).toBe('shop');
    expect(Object.keys(cfg.services).sort()).toEqual(['api', 'db', 'web']);
    // the database publishes nothing; the frontend is the one public entry
    expect(cfg.services.db.ports).toBeUndefined();
    expect(cfg.services.web.ports[0].published).toBe('3000');
  });

  test('without .env, compose stops and names the missing secret', () => {
    fs.renameSync(path.join(dir, '.env'), path.join(dir, '.env.moved'));
    try {
      const r = run(['docker', 'compose', '-f', path.join(dir, 'compose.yaml'), 'config'], { cwd: dir, allowFail: true });
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(/DB_(USER|PASSWORD)/);
      expect(r.stderr).toMatch(/\.env\.example|npx projen/);
    } finally {
      fs.renameSync(path.join(dir, '.env.moved'), path.join(dir, '.env'));
    }
  });
});

test('the example\'s .env and secret files are git-ignored; .env.example is not', () => {
  const ignored = (f: string) => run(['git', 'check-ignore', '-q', path.join('examples', 'fullstack', f)], { cwd: REPO_ROOT, allowFail: true }).status;
  expect(ignored('.env')).toBe(0);
  expect(ignored('secrets/db_password')).toBe(0);
  expect(ignored('backend/.env')).toBe(0);
  expect(ignored('.env.example')).toBe(1);
});
