/**
 * The projen project type `ComposeStackProject`: in-process checks of its options, then the
 * real thing: the library packed with `npm pack`, `projen new --from <tarball>` in an empty
 * folder, and the new repository checked the hard way: it synthesizes again without changes,
 * builds, its Dockerfiles pass hadolint, `docker compose config` accepts its stack and (when an
 * engine answers) the stack builds, comes up healthy and serves its page and `/api/health`.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'projen';
import * as YAML from 'yaml';
import { listFiles, run } from './support/example';
import { packLibrary, projectEnv } from './support/pack';
import { http, RunningStack, startStack } from './support/stack';
import { composeV2, describeWithTools, dockerEngine, hadolint, REPO_ROOT } from './support/tools';
import { ComposeStackProject, ComposeStackProjectOptions } from '../src/project/compose-stack-project';
import { STARTER_ASSETS_DIR, StarterApps } from '../src/project/starter-apps';

jest.setTimeout(1_200_000);

const PROJEN = path.join(REPO_ROOT, 'node_modules', '.bin', 'projen');
const timings: Record<string, number> = {};

function timed<T>(label: string, fn: () => T): T {
  const t0 = Date.now();
  try {
    return fn();
  } finally {
    timings[label] = (Date.now() - t0) / 1000;
  }
}

/** An empty temporary folder with a fixed, npm-valid name (it becomes the project name). */
function emptyProjectDir(name: string): string {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pcs-newproject-')), name);
  fs.mkdirSync(dir);
  return dir;
}

/** Every file of a folder (no node_modules, .git or dist) with its content. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of listFiles(dir)) out[f] = fs.readFileSync(path.join(dir, f), 'utf-8');
  return out;
}

// ---------------------------------------------------------------------------
// In-process: options, defaults and the starter writer
// ---------------------------------------------------------------------------

describe('ComposeStackProject in-process', () => {
  const outdirs: string[] = [];
  afterAll(() => outdirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  /** A project in a temporary folder; the starter apps are written first, as `projen new` does. */
  function synth(options: Partial<ComposeStackProjectOptions> = {}) {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'pcs-projtype-'));
    outdirs.push(outdir);
    const project = new ComposeStackProject({ name: 'my-shop', outdir, ...options });
    project.node.findAll().filter((c): c is StarterApps => c instanceof StarterApps).forEach((s) => s.writeApps());
    const files = Testing.synth(project);
    return { project, outdir, files, compose: YAML.parse(files['compose.yaml']) };
  }

  test('defaults: frontend on 8080 proxying /api to a FastAPI backend connected to Postgres 18', () => {
    const { project, files, compose } = synth();
    expect(Object.keys(compose.services).sort()).toEqual(['api', 'db', 'web']);
    expect(compose.name).toBe('my-shop');
    expect(compose.services.web.ports).toEqual(['${WEB_HOST_PORT:-8080}:8080']);
    expect(compose.services.web.build.args).toEqual({ VITE_API_PATH: '/api' });
    expect(compose.services.api.ports).toBeUndefined();
    expect(compose.services.api.environment.DATABASE_URL).toBe('postgresql://db:5432/my_shop');
    expect(compose.services.db.image).toBe('postgres:18-alpine');
    expect(JSON.stringify(compose.services.api.healthcheck)).toContain('/api/health');
    expect(files['frontend/nginx.conf']).toContain('location ^~ /api/');
    // the constructs are public, for .projenrc.ts to customise
    expect(project.stack.projectName).toBe('my-shop');
    expect(project.database?.database).toBe('my_shop');
    expect(project.backend?.healthCheckPath).toBe('/api/health');
    expect(project.frontend?.hostPort).toBe(8080);
  });

  test('defaults keep the repository small and its TypeScript usable by ts-node', () => {
    const { files } = synth();
    const names = Object.keys(files);
    expect(names.filter((f) => f.startsWith('.github/') || f.startsWith('src/') || f === '.npmignore')).toEqual([]);
    const pkg = files['package.json'];
    expect(pkg.devDependencies.typescript).toBe('~5.9.3');
    expect(pkg.devDependencies.jest).toBeUndefined();
    expect(pkg.devDependencies.eslint).toBeUndefined();
    // no sources in src/: compile is skipped instead of failing with "No inputs were found"
    expect(files['.projen/tasks.json'].tasks.compile.condition).toContain('find src');
    expect(files['.gitignore']).toMatch(/^\/frontend\/dist\/$/m);
    expect(files['README.md']).toContain('docker compose up -d --build --wait');
  });

  test('the main choices: services, ports, folders, versions and images', () => {
    const { compose, files, project } = synth({
      stackName: 'Shop Stack',
      database: false,
      frontendPort: 3000,
      frontendPath: 'web-app',
      backendPath: 'services/api',
      pythonImage: 'python:3.12-slim',
      nodeImage: 'node:22-alpine',
      nginxImage: 'nginxinc/nginx-unprivileged:1.27-alpine',
    });
    expect(compose.name).toBe('shop-stack');
    expect(Object.keys(compose.services).sort()).toEqual(['api', 'web']);
    expect(compose.services.web.ports).toEqual(['${WEB_HOST_PORT:-3000}:8080']);
    expect(compose.services.web.build.context).toBe('./web-app');
    expect(compose.services.api.build.context).toBe('./services/api');
    expect(compose.services.api.environment?.DATABASE_URL).toBeUndefined();
    expect(files['services/api/Dockerfile']).toMatch(/^FROM python:3\.12-slim\b/m);
    expect(files['web-app/Dockerfile']).toMatch(/^FROM node:22-alpine\b/m);
    expect(files['web-app/Dockerfile']).toMatch(/^FROM nginxinc\/nginx-unprivileged:1\.27-alpine\b/m);
    expect(project.database).toBeUndefined();
    // the starter backend has no database driver when there is no database
    expect(files['services/api/requirements.txt']).toMatch(/^fastapi==/m);
    expect(files['services/api/requirements.txt']).not.toMatch(/psycopg/);
  });

  test('postgres version and database name', () => {
    const { compose } = synth({ postgresVersion: '17', databaseName: 'orders' });
    expect(compose.services.db.image).toBe('postgres:17-alpine');
    expect(compose.services.db.environment.POSTGRES_DB).toBe('orders');
    expect(compose.services.db.volumes).toContain('db-data:/var/lib/postgresql/data');
  });

  test('without a frontend the backend is published on 127.0.0.1:8000', () => {
    const { compose, project } = synth({ frontend: false });
    expect(Object.keys(compose.services).sort()).toEqual(['api', 'db']);
    expect(compose.services.api.ports).toEqual(['127.0.0.1:${API_HOST_PORT:-8000}:8000']);
    expect(project.frontend).toBeUndefined();
  });

  test('a frontend alone does not call an API', () => {
    const { compose } = synth({ backend: false, database: false });
    expect(Object.keys(compose.services)).toEqual(['web']);
    expect(compose.services.web.build.args).toBeUndefined();
    expect(compose.services.web.depends_on).toBeUndefined();
  });

  test('a stack without any service is refused', () => {
    expect(() => new ComposeStackProject({ name: 'x', outdir: os.tmpdir(), frontend: false, backend: false, database: false })).toThrow(
      /enable at least one of them/,
    );
  });

  test('outside projen new no starter app is written: missing app folders fail synth as before', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'pcs-projtype-'));
    outdirs.push(outdir);
    const project = new ComposeStackProject({ name: 'my-shop', outdir });
    let message = '';
    try {
      Testing.synth(project);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/folder "frontend" does not exist/);
    // (had the starter apps been written, synth would have passed)
    expect(message).toMatch(/folder "backend" does not exist/);
  });

  test('the starter writer never touches an existing folder', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'pcs-projtype-'));
    outdirs.push(outdir);
    fs.mkdirSync(path.join(outdir, 'frontend'));
    fs.writeFileSync(path.join(outdir, 'frontend', 'index.html'), 'mine\n');
    const project = new ComposeStackProject({ name: 'my-shop', outdir });
    project.node.findAll().filter((c): c is StarterApps => c instanceof StarterApps).forEach((s) => s.writeApps());
    expect(fs.readdirSync(path.join(outdir, 'frontend'))).toEqual(['index.html']);
    expect(fs.readFileSync(path.join(outdir, 'frontend', 'index.html'), 'utf-8')).toBe('mine\n');
    expect(fs.readFileSync(path.join(outdir, 'backend', 'requirements.txt'), 'utf-8')).toMatch(/^psycopg\[binary\]==/m);
  });

  test('the starter frontend lockfile matches its package.json (npm ci installs from it)', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(STARTER_ASSETS_DIR, 'frontend', 'package.json'), 'utf-8'));
    const lock = JSON.parse(fs.readFileSync(path.join(STARTER_ASSETS_DIR, 'frontend', 'package-lock.json'), 'utf-8'));
    expect(lock.packages[''].devDependencies).toEqual(pkg.devDependencies);
    expect(lock.packages[''].name).toBe(pkg.name);
    for (const [name, version] of Object.entries(pkg.devDependencies as Record<string, string>)) {
      expect({ name, locked: lock.packages[`node_modules/${name}`]?.version }).toEqual({ name, locked: version });
    }
  });
});

// ---------------------------------------------------------------------------
// projen new --from <tarball>, as a user creates a repository
// ---------------------------------------------------------------------------

describe('projen new --from the packed library', () => {
  let dir: string;
  let spec: string;
  let created: Record<string, string>;

  beforeAll(() => {
    dir = emptyProjectDir('my-app');
    const tgz = timed('pack', () => packLibrary(path.dirname(dir)));
    // name@file:<tarball>: a bare tarball path would end up as a package *name* in package.json
    spec = `projen-compose-stack@file:${tgz}`;
    // as a developer types it: under CI=true projen's first install would be `npm ci`, which needs
    // the lockfile that this very install creates
    timed('projen new', () => run([PROJEN, 'new', '--from', spec, '--no-git'], { cwd: dir, env: projectEnv({ CI: undefined }), timeout: 900_000 }));
    created = snapshot(dir);
  }, 1_200_000);

  afterAll(() => {
    // eslint-disable-next-line no-console
    console.log(`project type: ${Object.entries(timings).map(([k, v]) => `${k} ${v}s`).join(', ')}`);
    if (dir) fs.rmSync(path.dirname(dir), { recursive: true, force: true });
  });

  test('.projenrc.ts uses the project type and lists the stack choices', () => {
    const rc = created['.projenrc.ts'];
    expect(rc).toContain('import { ComposeStackProject } from "projen-compose-stack";');
    expect(rc).toContain('new ComposeStackProject({');
    expect(rc).toContain('name: "my-app"');
    expect(rc).toContain(`devDeps: ["${spec}"]`);
    for (const choice of ['// frontend: true,', '// backend: true,', '// database: true,', '// frontendPort: 8080,', '// postgresVersion: "18",']) {
      expect(rc).toContain(choice);
    }
  });

  test('the starter apps and every generated stack file are there', () => {
    const files = Object.keys(created);
    expect(files).toEqual(
      expect.arrayContaining([
        'frontend/package.json',
        'frontend/package-lock.json',
        'frontend/index.html',
        'frontend/src/main.ts',
        'frontend/Dockerfile',
        'frontend/.dockerignore',
        'frontend/nginx.conf',
        'frontend/runtime-config.sh',
        'backend/main.py',
        'backend/requirements.txt',
        'backend/Dockerfile',
        'backend/.dockerignore',
        'compose.yaml',
        '.env',
        '.env.example',
        'README.md',
      ]),
    );
    expect(created['backend/main.py']).toContain('@app.get("/api/health")');
    expect(created['backend/requirements.txt']).toMatch(/^psycopg\[binary\]==/m);
    expect(created['.env']).toMatch(/^DB_PASSWORD=[0-9a-f]{48}$/m);
    const pkg = JSON.parse(created['package.json']);
    expect(pkg.devDependencies['projen-compose-stack']).toBe(`file:${spec.split('@file:')[1]}`);
    // peer dependencies of the library are installed in the new project
    for (const peer of ['projen', 'constructs']) expect(fs.existsSync(path.join(dir, 'node_modules', peer, 'package.json'))).toBe(true);
  });

  test('npx projen synthesizes the new repository again without changing a file', () => {
    timed('npx projen', () => run(['npx', 'projen'], { cwd: dir, env: projectEnv() }));
    expect(snapshot(dir)).toEqual(created);
  });

  test('npx projen build succeeds', () => {
    timed('npx projen build', () => run(['npx', 'projen', 'build'], { cwd: dir, env: projectEnv() }));
    expect(snapshot(dir)).toEqual(created);
  });

  /** Files that projen generated in the new repository (its .projen/files.json). */
  const generated = (re: RegExp) => (JSON.parse(created['.projen/files.json']).files as string[]).filter((f) => re.test(f));

  describeWithTools('hadolint', [hadolint()], () => {
    test('every generated Dockerfile has zero findings', () => {
      const [bin] = hadolint().command!;
      expect(generated(/(^|\/)Dockerfile$/)).toEqual(expect.arrayContaining(['frontend/Dockerfile', 'backend/Dockerfile']));
      for (const f of generated(/(^|\/)Dockerfile$/)) {
        const r = run([bin, '-f', 'json', '--failure-threshold', 'style', path.join(dir, f)], { allowFail: true });
        expect({ file: f, findings: JSON.parse(r.stdout || '[]') }).toEqual({ file: f, findings: [] });
        expect(r.status).toBe(0);
      }
    });
  });

  describeWithTools('docker compose config', [composeV2()], () => {
    test('accepts the generated compose.yaml with the generated .env and prints no warning', () => {
      const r = run(['docker', 'compose', '-f', path.join(dir, 'compose.yaml'), 'config', '--format', 'json'], { cwd: dir });
      expect(r.stderr.trim()).toBe('');
      const cfg = JSON.parse(r.stdout);
      expect(cfg.name).toBe('my-app');
      expect(Object.keys(cfg.services).sort()).toEqual(['api', 'db', 'web']);
      expect(cfg.services.web.ports[0].published).toBe('8080');
      expect(cfg.services.db.ports).toBeUndefined();
    });

    test('accepts every other generated compose file (such as the development stack)', () => {
      for (const f of generated(/(^|\/)compose[^/]*\.ya?ml$/).filter((x) => x !== 'compose.yaml')) {
        const r = run(['docker', 'compose', '-f', path.join(dir, f), 'config', '--quiet'], { cwd: dir, allowFail: true });
        expect({ file: f, status: r.status, stderr: r.stderr.trim() }).toEqual({ file: f, status: 0, stderr: '' });
      }
    });
  });

  describeWithTools('the new stack on a Docker engine', [dockerEngine()], () => {
    let stack: RunningStack;
    let base: string;

    beforeAll(async () => {
      ({ stack, base } = await startStack(dir, 'pcs-e2e-newproject'));
    }, 1_800_000);

    afterAll(() => {
      if (!stack) return;
      timings['docker build'] = stack.timings.build;
      timings['up to healthy'] = stack.timings['up-to-healthy'];
      stack.destroy();
    }, 600_000);

    test('GET / serves the starter page', async () => {
      const r = await http('GET', `${base}/`);
      expect(r.status).toBe(200);
      expect(r.headers['content-type']).toMatch(/text\/html/);
      expect(r.text()).toContain('It works');
      // the page's script was built with the API path (VITE_API_PATH) baked in
      const script = /src="(\/assets\/[^"]+\.js)"/.exec(r.text())![1];
      expect((await http('GET', `${base}${script}`)).text()).toContain('/api');
    });

    test('GET /api/health answers through the nginx proxy, with the database reachable', async () => {
      const r = await http('GET', `${base}/api/health`);
      expect(r.status).toBe(200);
      expect(r.json()).toEqual({ status: 'ok', database: 'ok' });
    });
  });
});

describe('projen new --from with stack options on the command line', () => {
  let dir: string;

  beforeAll(() => {
    dir = emptyProjectDir('api-only');
    const tgz = packLibrary(path.dirname(dir));
    // --no-post: no npm install in the new project; the files are written all the same
    timed('projen new (options)', () =>
      run([PROJEN, 'new', '--from', `projen-compose-stack@file:${tgz}`, '--no-git', '--no-post', '--no-frontend', '--no-database', '--backend-port', '8123'], {
        cwd: dir,
        env: projectEnv(),
        timeout: 900_000,
      }),
    );
  }, 1_200_000);

  afterAll(() => {
    if (dir) fs.rmSync(path.dirname(dir), { recursive: true, force: true });
  });

  test('the options reach .projenrc.ts, the starter apps and the stack', () => {
    const rc = fs.readFileSync(path.join(dir, '.projenrc.ts'), 'utf-8');
    expect(rc).toContain('frontend: false,');
    expect(rc).toContain('database: false,');
    expect(rc).toContain('backendPort: 8123,');
    expect(fs.existsSync(path.join(dir, 'frontend'))).toBe(false);
    expect(fs.readFileSync(path.join(dir, 'backend', 'requirements.txt'), 'utf-8')).not.toMatch(/psycopg/);
    const compose = YAML.parse(fs.readFileSync(path.join(dir, 'compose.yaml'), 'utf-8'));
    expect(Object.keys(compose.services)).toEqual(['api']);
    expect(compose.services.api.ports).toEqual(['127.0.0.1:${API_HOST_PORT:-8123}:8000']);
  });
});
