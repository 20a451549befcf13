/**
 * Fifteen failures that users reported with hand-written stacks, each reduced to an input, and
 * the outcome our generated stack must produce instead. Every row has a static check of the
 * generated files (runs everywhere); rows about build or run time are also proven on built,
 * running stacks when a Docker engine answers (always in CI).
 */
import { spawnSync } from 'child_process';
import { createHash, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { BackendService, ComposeStack, FrontendService, PostgresDatabase } from '../src';
import { run, synthExampleCopy } from './support/example';
import { makeOutdir, newProject, read } from './support/project';
import { freePort, http, RunningStack } from './support/stack';
import { composeV2, describeWithTools, dockerEngine } from './support/tools';
import { formatEnvAssignment, mergeEnvFile } from '../src/env/env-file';

jest.setTimeout(1_800_000);

/** A database password with every character that breaks hand-written stacks. */
const HOSTILE_PASSWORD = 'abc$def$$g${HOME} #"x\' y\\z';

function unitStack(outdir: string, options: { fileSecrets?: boolean; name?: string } = {}) {
  const project = newProject(outdir, options.name ?? 'shop');
  const stack = new ComposeStack(project, { name: options.name, fileSecrets: options.fileSecrets });
  const db = new PostgresDatabase(stack, 'db', { database: 'shop', user: 'shop_app' });
  const api = new BackendService(stack, 'api', { path: 'backend', healthCheckPath: '/api/health' });
  api.connectTo(db);
  const web = new FrontendService(stack, 'web', { path: 'frontend', hostPort: 3000 });
  web.proxyApi(api);
  project.synth();
  return { compose: YAML.parse(read(outdir, 'compose.yaml')), outdir };
}

function composeConfig(dir: string, env: NodeJS.ProcessEnv = {}) {
  return run(['docker', 'compose', 'config', '--format', 'json'], { cwd: dir, env, allowFail: true });
}

describe('reported failures: static checks of the generated files', () => {
  const { compose, outdir } = unitStack(makeOutdir());
  const backendDf = read(outdir, 'backend/Dockerfile');
  const frontendDf = read(outdir, 'frontend/Dockerfile');
  const nginx = read(outdir, 'frontend/nginx.conf');

  test('row 1: a database password like abc$def in .env is written so compose keeps the $, and a bare one is flagged', () => {
    expect(formatEnvAssignment('DB_PASSWORD', 'abc$def')).toBe("DB_PASSWORD='abc$def'");
    expect(formatEnvAssignment('DB_PASSWORD', HOSTILE_PASSWORD)).toBe('DB_PASSWORD="abc\\$def\\$\\$g\\${HOME} #\\"x\' y\\\\z"');
    const merged = mergeEnvFile('DB_PASSWORD=abc$def\n', [], '.env');
    expect(merged.warnings[0]).toMatch(/\.env:1: DB_PASSWORD contains "\$".*single quotes/);
    // the password reaches containers through the environment only, never inside a URL
    expect(compose.services.api.environment.DATABASE_URL).not.toMatch(/PASSWORD|@/);
  });

  test('row 2: a fresh clone with .env.example but no .env: every secret is a required variable', () => {
    expect(compose.services.db.environment.POSTGRES_PASSWORD).toMatch(/^\$\{DB_PASSWORD:\?.*\.env\.example.*\}$/);
    expect(compose.services.api.environment.PGPASSWORD).toMatch(/^\$\{DB_PASSWORD:\?/);
    expect(read(outdir, '.env.example')).toMatch(/^DB_PASSWORD=$/m);
  });

  test('row 3: nested node_modules/, __pycache__/ and .env files in a frontend folder are in its .dockerignore', () => {
    const ignore = read(outdir, 'frontend/.dockerignore').split('\n');
    expect(ignore).toEqual(expect.arrayContaining(['**/node_modules', '**/__pycache__', '**/.env', '**/.env.*']));
  });

  test('row 4: a backend folder with a real .env: .env is in its .dockerignore, and no secret is in a Dockerfile', () => {
    expect(read(outdir, 'backend/.dockerignore').split('\n')).toEqual(expect.arrayContaining(['**/.env', '**/.env.*', '**/secrets']));
    for (const df of [backendDf, frontendDf]) expect(df).not.toMatch(/PASSWORD|SECRET/i);
  });

  test('row 5: a Vite build that needs devDependencies with NODE_ENV=production: installed with --include=dev', () => {
    expect(frontendDf).toMatch(/ENV NODE_ENV=production[\s\S]*npm ci --include=dev/);
    expect(frontendDf).not.toMatch(/--only=production|--omit=dev|--production(?!=false)/);
  });

  test('row 6: a console-script start command: the virtualenv keeps its path and is on PATH at run time', () => {
    expect(backendDf).toMatch(/RUN python -m venv (--without-pip )?\/opt\/venv/);
    expect(backendDf).toMatch(/COPY --from=build \/opt\/venv \/opt\/venv/);
    expect(backendDf).toMatch(/^ENV PATH="\/opt\/venv\/bin:\$PATH"/m);
  });

  test('row 7: nginx as a non-root user: unprivileged image, port 8080, pid and temp files in /tmp', () => {
    expect(frontendDf).toMatch(/^FROM nginxinc\/nginx-unprivileged:/m);
    expect(frontendDf).toMatch(/^USER 101$/m);
    expect(nginx).toMatch(/^pid \/tmp\/nginx\.pid;/m);
    expect(nginx).toMatch(/client_body_temp_path \/tmp\/client_body_temp;/);
    expect(nginx).toMatch(/listen 8080;/);
    expect(nginx).not.toMatch(/^user /m);
  });

  test('row 8: database shop owned by shop_app: the healthcheck names that user and database', () => {
    expect(compose.services.db.environment).toMatchObject({ POSTGRES_DB: 'shop' });
    expect(read(outdir, '.env')).toMatch(/^DB_USER=shop_app$/m);
    expect(compose.services.db.healthcheck.test[1]).toMatch(/pg_isready .*-U "\$\$\{POSTGRES_USER\}" -d "\$\$\{POSTGRES_DB\}"/);
  });

  test('row 9: a Python backend on a slim image: the healthcheck needs no curl or wget', () => {
    expect(compose.services.api.healthcheck.test.slice(0, 3)).toEqual(['CMD', 'python', '-c']);
    expect(backendDf).toMatch(/^HEALTHCHECK .*CMD \["python", "-c"/m);
  });

  test('row 10: an SPA with client-side routes: fallback to index.html, 404 for files, /api/ before both', () => {
    expect(nginx).toMatch(/location \/ \{\s+try_files \$uri \/index\.html;/);
    expect(nginx).toMatch(/location ~ \\\.\[A-Za-z0-9\]\+\$ \{\s+try_files \$uri =404;/);
    expect(nginx).toMatch(/location \^~ \/api\/ \{/);
  });

  test('row 11: a 20 MB upload through the frontend: nginx accepts bodies up to 50 MB by default', () => {
    expect(nginx).toMatch(/client_max_body_size 50m;/);
  });

  test('row 12: .env and secret files are git-ignored; removing a service removes only its managed files', () => {
    const dir = makeOutdir();
    run(['git', 'init', '-q'], { cwd: dir });
    unitStack(dir, { fileSecrets: true });
    for (const f of ['.env', 'secrets/db_password']) {
      expect(fs.existsSync(path.join(dir, f))).toBe(true);
      expect({ f, ignored: run(['git', 'check-ignore', '-q', f], { cwd: dir, allowFail: true }).status }).toEqual({ f, ignored: 0 });
    }
    expect(run(['git', 'check-ignore', '-q', '.env.example'], { cwd: dir, allowFail: true }).status).toBe(1);
    const userOwned = ['.env', 'secrets/db_password', 'frontend/package.json', 'backend/main.py'].map((f) => [f, read(dir, f)]);
    // the same project without the frontend
    const p = newProject(dir);
    const stack = new ComposeStack(p, { fileSecrets: true });
    new BackendService(stack, 'api', { path: 'backend' }).connectTo(new PostgresDatabase(stack, 'db', { database: 'shop', user: 'shop_app' }));
    p.synth();
    for (const f of ['frontend/Dockerfile', 'frontend/.dockerignore', 'frontend/nginx.conf']) expect({ f, gone: !fs.existsSync(path.join(dir, f)) }).toEqual({ f, gone: true });
    expect(Object.keys(YAML.parse(read(dir, 'compose.yaml')).services)).toEqual(['api', 'db']);
    for (const [f, content] of userOwned) expect({ f, content: read(dir, f) }).toEqual({ f, content });
  });

  test('row 13: docker compose stop: every server is PID 1 in exec form and handles its stop signal', () => {
    expect(backendDf).toMatch(/^CMD \["uvicorn", /m);
    expect(frontendDf).not.toMatch(/^CMD /m); // the nginx image's own CMD with STOPSIGNAL SIGQUIT
    expect(compose.services.db.stop_grace_period).toBe('30s');
  });

  test('row 14: the database with default options publishes no port; the opt-in binds 127.0.0.1 only', () => {
    expect(compose.services.db.ports).toBeUndefined();
    expect(compose.networks[compose.services.db.networks[0]]).toEqual({ internal: true });
    const dir = makeOutdir({});
    const p = newProject(dir);
    new PostgresDatabase(new ComposeStack(p), 'db', { hostPort: 15432 });
    p.synth();
    expect(YAML.parse(read(dir, 'compose.yaml')).services.db.ports).toEqual(['127.0.0.1:15432:5432']);
  });

  test('row 15: projects named "My.Shop App" and "Other App" in folders named deploy get distinct project names', () => {
    const a = unitStack(makeOutdir(), { name: 'My.Shop App' }).compose;
    const b = unitStack(makeOutdir(), { name: 'Other App' }).compose;
    expect([a.name, b.name]).toEqual(['my-shop-app', 'other-app']);
    for (const c of [a, b]) {
      expect(c.version).toBeUndefined();
      for (const s of Object.values<any>(c.services)) expect(s.container_name).toBeUndefined();
    }
  });

  describeWithTools('with docker compose config', [composeV2()], () => {
    test('row 1: compose reads the hostile password exactly and prints no unset-variable warning', () => {
      const dir = unitStack(makeOutdir()).outdir;
      fs.writeFileSync(path.join(dir, '.env'), read(dir, '.env').replace(/^DB_PASSWORD=.*$/m, formatEnvAssignment('DB_PASSWORD', HOSTILE_PASSWORD)));
      const r = composeConfig(dir, { HOME: undefined, g: undefined });
      expect(r.stderr.trim()).toBe('');
      const cfg = JSON.parse(r.stdout);
      expect(cfg.services.db.environment.POSTGRES_PASSWORD.replace(/\$\$/g, '$')).toBe(HOSTILE_PASSWORD);
      expect(cfg.services.api.environment.PGPASSWORD.replace(/\$\$/g, '$')).toBe(HOSTILE_PASSWORD);
    });

    test('row 2: a fresh clone (.env.example present, .env absent): compose stops and names the missing secret', () => {
      const dir = unitStack(makeOutdir()).outdir;
      fs.rmSync(path.join(dir, '.env'));
      expect(fs.existsSync(path.join(dir, '.env.example'))).toBe(true);
      const r = composeConfig(dir);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(/required variable DB_(USER|PASSWORD) is missing a value: set it in \.env \(copy \.env\.example or run npx projen\)/);
    });

    test('row 15: neither project prints an obsolete version warning', () => {
      for (const name of ['My.Shop App', 'Other App']) {
        const r = composeConfig(unitStack(makeOutdir(), { name }).outdir);
        expect({ name, stderr: r.stderr.trim() }).toEqual({ name, stderr: '' });
      }
    });
  });
});

/** The example's .projenrc.ts, as a variant: another project name and options. */
function variantProjenrc(stackName: string, options: { fileSecrets?: boolean; command?: string[] } = {}): string {
  return `import { Project } from 'projen';
import { ProjenrcTs } from 'projen/lib/typescript';
import { BackendService, ComposeStack, FrontendService, PostgresDatabase } from 'projen-compose-stack';

const project = new Project({ name: 'deploy', commitGenerated: true });
new ProjenrcTs(project, { tsconfigFileName: 'tsconfig.projen.json' });
const stack = new ComposeStack(project, { name: ${JSON.stringify(stackName)}, fileSecrets: ${options.fileSecrets ?? false} });
const db = new PostgresDatabase(stack, 'db', { database: 'shop', user: 'shop_app' });
const api = new BackendService(stack, 'api', { path: 'backend', app: 'main:app', healthCheckPath: '/api/health'${options.command ? `, command: ${JSON.stringify(options.command)}` : ''} });
api.connectTo(db);
const web = new FrontendService(stack, 'web', { path: 'frontend', hostPort: 3000, buildArgs: { VITE_APP_VERSION: '1.0.0' }, runtimeConfig: { APP_TITLE: ${JSON.stringify(stackName)} } });
web.proxyApi(api, { pathPrefix: '/api' });
project.synth();
`;
}

describeWithTools('reported failures: on built, running stacks', [dockerEngine()], () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pcs-rows-'));
  const secrets = {
    backendEnv: `backend-dotenv-${randomBytes(8).toString('hex')}`,
    frontendEnv: `frontend-dotenv-${randomBytes(8).toString('hex')}`,
  };
  let a: RunningStack; // "My.Shop App": hostile password in .env, junk in the build contexts
  let b: RunningStack; // "Other App": file secrets, gunicorn as the start command
  let baseA: string;
  let baseB: string;
  let bSecret: string;
  const stopped: Record<string, { exitCode: number; seconds: number }> = {};

  beforeAll(async () => {
    // A: both projects live in a folder named "deploy", so the folder name cannot tell them apart
    const dirA = synthExampleCopy('fullstack', { out: path.join(root, 'a', 'deploy'), projenrc: variantProjenrc('My.Shop App') });
    fs.writeFileSync(path.join(dirA, '.env'), read(dirA, '.env').replace(/^DB_PASSWORD=.*$/m, formatEnvAssignment('DB_PASSWORD', HOSTILE_PASSWORD)));
    // junk a developer's folders really contain
    const junk = (dir: string, files: Record<string, string | Buffer>) => {
      for (const [f, content] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
        fs.writeFileSync(path.join(dir, f), content);
      }
    };
    junk(path.join(dirA, 'frontend'), {
      'src/legacy/node_modules/big/blob.bin': randomBytes(4 * 1024 * 1024),
      'src/legacy/__pycache__/x.cpython-311.pyc': 'pyc',
      'src/legacy/.env': `API_KEY=${secrets.frontendEnv}\n`,
      '.env.local': `API_KEY=${secrets.frontendEnv}\n`,
    });
    junk(path.join(dirA, 'backend'), {
      '.env': `SECRET_KEY=${secrets.backendEnv}\n`,
      'app/.env.production': `SECRET_KEY=${secrets.backendEnv}\n`,
      'app/__pycache__/main.cpython-311.pyc': 'pyc',
      'node_modules/x/index.js': 'x',
    });

    const dirB = synthExampleCopy('fullstack', {
      out: path.join(root, 'b', 'deploy'),
      projenrc: variantProjenrc('Other App', { fileSecrets: true, command: ['gunicorn', 'main:app', '-k', 'uvicorn.workers.UvicornWorker', '-b', '0.0.0.0:8000', '--graceful-timeout', '5'] }),
    });
    fs.appendFileSync(path.join(dirB, 'backend', 'requirements.txt'), 'gunicorn==23.0.0\n');
    bSecret = read(dirB, 'secrets/db_password');

    const [portA, portB] = [await freePort(), await freePort()];
    baseA = `http://127.0.0.1:${portA}`;
    baseB = `http://127.0.0.1:${portB}`;
    // no -p: the project name comes from compose.yaml
    a = new RunningStack(dirA, undefined, { WEB_HOST_PORT: String(portA) });
    b = new RunningStack(dirB, undefined, { WEB_HOST_PORT: String(portB) });
    for (const s of [a, b]) {
      s.destroy();
      s.build();
    }
    for (const s of [a, b]) s.up();
  }, 1_800_000);

  afterAll(() => {
    // eslint-disable-next-line no-console
    console.log(`reported-failure stacks: A ${JSON.stringify(a?.timings)}, B ${JSON.stringify(b?.timings)}, stop ${JSON.stringify(stopped)}`);
    for (const s of [a, b]) s?.destroy();
    spawnSync('docker', ['rmi', '-f', 'pcs-rows-frontend-build'], { encoding: 'utf-8' });
    fs.rmSync(root, { recursive: true, force: true });
  }, 600_000);

  test('row 1: a password with $, #, quotes, spaces and a backslash in .env: containers see it exactly; the backend logs in', async () => {
    const seen = a.compose(['exec', '-T', 'db', 'printenv', 'POSTGRES_PASSWORD']).stdout.replace(/\n$/, '');
    expect(seen).toBe(HOSTILE_PASSWORD);
    expect(a.compose(['exec', '-T', 'api', 'printenv', 'PGPASSWORD']).stdout.replace(/\n$/, '')).toBe(HOSTILE_PASSWORD);
    expect(a.compose(['config', '-q']).stderr.trim()).toBe('');
    const health = await http('GET', `${baseA}/api/health`);
    expect({ status: health.status, body: health.json() }).toEqual({ status: 200, body: { status: 'ok' } });
  });

  test('row 3: nested node_modules/, __pycache__/ and .env files never reach the build context', () => {
    // the frontend's build stage copies its whole context: list what arrived
    run(['docker', 'build', '-q', '--target', 'build', '-t', 'pcs-rows-frontend-build', path.join(a.dir, 'frontend')], { timeout: 900_000 });
    const frontendFiles = run(['docker', 'run', '--rm', '--entrypoint', 'find', 'pcs-rows-frontend-build', '/app', '-path', '/app/node_modules', '-prune', '-o', '-print']).stdout.split('\n');
    expect(frontendFiles).toContain('/app/src/main.ts');
    expect(frontendFiles.filter((f) => /node_modules|__pycache__|\.env|blob\.bin/.test(f))).toEqual([]);
    // the backend's runtime stage copies its whole context into /app
    const backendFiles = a.compose(['exec', '-T', 'api', 'find', '/app']).stdout.split('\n');
    expect(backendFiles).toContain('/app/main.py');
    expect(backendFiles.filter((f) => /node_modules|__pycache__|\.env/.test(f))).toEqual([]);
  });

  test('row 4: a backend folder with a real .env: no secret value is in any layer of any built image', () => {
    const needles = [HOSTILE_PASSWORD, bSecret, secrets.backendEnv, secrets.frontendEnv];
    for (const [stack, services] of [[a, ['web', 'api']], [b, ['web', 'api']]] as const) {
      for (const service of services) {
        const image = stack.compose(['images', '-q', service]).stdout.trim();
        // every layer and the image config (ENV, ARG, history) of `docker save`, uncompressed
        const saved = spawnSync('sh', ['-c', `docker save ${image} | grep -a -c -F ${needles.map((n) => `-e '${n.replace(/'/g, "'\\''")}'`).join(' ')}`], { encoding: 'utf-8', maxBuffer: 1024 * 1024 });
        expect({ service, matches: saved.stdout.trim() }).toEqual({ service, matches: '0' });
      }
    }
  });

  test('row 5: a Vite/TypeScript frontend needing devDependencies, built with NODE_ENV=production: it builds and serves the app', async () => {
    const r = await http('GET', `${baseA}/`);
    expect(r.status).toBe(200);
    expect(r.text()).toMatch(/<script type="module" crossorigin src="\/assets\/index-[^"]+\.js"><\/script>/);
  });

  test('row 6: a backend started by a console script (uvicorn in A, gunicorn in B): both start and answer', async () => {
    for (const [stack, base, server] of [[a, baseA, 'uvicorn'], [b, baseB, 'gunicorn']] as const) {
      expect(stack.compose(['ps', '--format', 'json', 'api']).stdout).toMatch(/healthy/);
      expect(stack.compose(['exec', '-T', 'api', 'cat', '/proc/1/cmdline']).stdout).toContain(server);
      expect((await http('GET', `${base}/api/health`)).status).toBe(200);
    }
  });

  test('row 7: nginx as a non-root user starts without permission errors', () => {
    const logs = a.compose(['logs', '--no-color', 'web']).stdout;
    expect(logs).not.toMatch(/permission denied|\[emerg\]/i);
    expect(a.mainProcessUid('web')).toBe(101);
  });

  test('row 8: database shop owned by shop_app: healthy, and no "role/database does not exist" in its log', () => {
    for (const stack of [a, b]) {
      const id = stack.containerId('db');
      expect(run(['docker', 'inspect', '-f', '{{.State.Health.Status}}', id]).stdout.trim()).toBe('healthy');
      expect(stack.compose(['logs', '--no-color', 'db']).stdout).not.toMatch(/(role|database) "[^"]*" does not exist/);
      expect(stack.compose(['exec', '-T', 'db', 'psql', '-U', 'shop_app', '-d', 'shop', '-Atc', 'select current_user']).stdout.trim()).toBe('shop_app');
    }
  });

  test('row 9: a Python backend on a slim image without curl or wget: its healthcheck passes', () => {
    const id = a.containerId('api');
    expect(run(['docker', 'inspect', '-f', '{{.State.Health.Status}}', id]).stdout.trim()).toBe('healthy');
    expect(a.compose(['exec', '-T', 'api', 'sh', '-c', 'command -v curl || command -v wget'], { allowFail: true }).status).not.toBe(0);
  });

  test('row 10: client-side routes /about and /items/42 return the app; /api/ reaches the backend; /assets/missing.js is 404', async () => {
    const shell = (await http('GET', `${baseA}/`)).text();
    for (const route of ['/about', '/items/42']) {
      const r = await http('GET', `${baseA}${route}`);
      expect({ route, status: r.status, shell: r.text() === shell }).toEqual({ route, status: 200, shell: true });
    }
    expect((await http('GET', `${baseA}/api/items`)).status).toBe(200);
    expect((await http('GET', `${baseA}/api/nope`)).status).toBe(404); // the backend's 404, not the page
    expect((await http('GET', `${baseA}/api/nope`)).text()).toMatch(/detail/);
    expect((await http('GET', `${baseA}/assets/missing.js`)).status).toBe(404);
  });

  test('row 11: a 20 MB upload to POST /api/upload through the frontend: the backend receives all of it', async () => {
    const body = randomBytes(20 * 1024 * 1024);
    const r = await http('POST', `${baseA}/api/upload`, { body, headers: { 'content-type': 'application/octet-stream' } });
    expect(r.status).toBe(200);
    expect(r.json()).toEqual({ bytes: body.length, sha256: createHash('sha256').update(body).digest('hex') });
  });

  test('row 15: "My.Shop App" and "Other App", both in folders named deploy, run at once with their own containers, network and volumes', async () => {
    const projects = JSON.parse(run(['docker', 'compose', 'ls', '--format', 'json']).stdout).map((p: { Name: string }) => p.Name);
    expect(projects).toEqual(expect.arrayContaining(['my-shop-app', 'other-app']));
    for (const [name, base] of [['my-shop-app', baseA], ['other-app', baseB]]) {
      const containers = run(['docker', 'ps', '-q', '--filter', `label=com.docker.compose.project=${name}`]).stdout.trim().split('\n');
      expect({ name, containers: containers.length }).toEqual({ name, containers: 3 });
      expect(run(['docker', 'network', 'ls', '-q', '--filter', `name=^${name}_web$`]).stdout.trim()).not.toBe('');
      expect(run(['docker', 'volume', 'ls', '-q', '--filter', `name=^${name}_db-data$`]).stdout.trim()).toBe(`${name}_db-data`);
      expect((await http('GET', `${base}/api/health`)).status).toBe(200);
    }
    expect((await http('GET', `${baseB}/config.js`)).text()).toContain('"Other App"');
  });

  test('row 13: docker compose stop: every service stops on its signal well within the grace period', () => {
    for (const stack of [a, b]) {
      const ids = Object.fromEntries(['web', 'api', 'db'].map((s) => [s, stack.containerId(s)]));
      const t0 = Date.now();
      stack.compose(['stop'], { timeout: 300_000 });
      const seconds = (Date.now() - t0) / 1000;
      for (const [service, id] of Object.entries(ids)) {
        const exitCode = Number(run(['docker', 'inspect', '-f', '{{.State.ExitCode}}', id]).stdout.trim());
        stopped[`${stack.dir.includes('/a/') ? 'A' : 'B'}:${service}`] = { exitCode, seconds };
        // 137 = SIGKILL after the grace period ran out
        expect({ service, exitCode }).toEqual({ service, exitCode: 0 });
      }
    }
  });
});
