/**
 * Hostile and unusual input: every option that ends up in a generated file is either written so
 * that it means exactly what was given, or refused at synth with the construct path and the fix.
 * Nothing is injected into a Dockerfile, nginx config or compose file, and no variable that a
 * construct declares goes missing from `.env`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Project } from 'projen';
import * as YAML from 'yaml';
import { BackendProcess, BackendService, BackendServiceOptions, BuildStage, ComposeStack, DependencyCondition, EnvValue, FrontendService, FrontendServiceOptions, ImageService, PostgresDatabase } from '../src';
import { run } from './support/example';
import { makeOutdir, newProject, read } from './support/project';
import { composeV2, describeWithTools, hadolint } from './support/tools';

/** Synthesizes; returns the error message, or undefined when synth succeeded. */
function synthError(project: Project): string | undefined {
  try {
    project.synth();
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** A stack with db, api and web on a fresh folder. */
function fullStack(
  stackOptions: ConstructorParameters<typeof ComposeStack>[1] = {},
  more: { api?: Partial<BackendServiceOptions>; web?: Partial<FrontendServiceOptions> } = {},
) {
  const outdir = makeOutdir();
  const project = newProject(outdir);
  const stack = new ComposeStack(project, stackOptions);
  const db = new PostgresDatabase(stack, 'db');
  const api = new BackendService(stack, 'api', { path: 'backend', ...more.api });
  api.connectTo(db);
  const web = new FrontendService(stack, 'web', { path: 'frontend', ...more.web });
  web.proxyApi(api);
  return { outdir, project, stack, db, api, web };
}

describe('variables that constructs declare always reach .env and .env.example', () => {
  test('addEnvironment on a database and a frontend, as on a backend', () => {
    const s = fullStack();
    s.db.addEnvironment('TOKEN', EnvValue.secret({ description: 'a token' }));
    s.web.addEnvironment('GREETING', EnvValue.fromEnvFile({ description: 'greeting', default: 'hi' }));
    s.api.addEnvironment('KEY', EnvValue.secret({ description: 'a key' }));
    expect(synthError(s.project)).toBeUndefined();
    const env = read(s.outdir, '.env');
    const example = read(s.outdir, '.env.example');
    for (const v of ['DB_TOKEN', 'WEB_GREETING', 'API_KEY']) {
      expect({ v, env: new RegExp(`^${v}=`, 'm').test(env), example: new RegExp(`^${v}=`, 'm').test(example) }).toEqual({ v, env: true, example: true });
    }
  });

  describeWithTools('docker compose config', [composeV2()], () => {
    test('accepts the stack with those variables (and file secrets for them)', () => {
      for (const fileSecrets of [false, true]) {
        const s = fullStack({ fileSecrets });
        s.db.addEnvironment('TOKEN', EnvValue.secret({ description: 'a token' }));
        s.web.addEnvironment('TOKEN', EnvValue.secret({ description: 'a token' }));
        s.project.synth();
        const r = run(['docker', 'compose', '-f', path.join(s.outdir, 'compose.yaml'), 'config', '-q'], { cwd: s.outdir, allowFail: true });
        expect({ fileSecrets, status: r.status, stderr: r.stderr.trim() }).toEqual({ fileSecrets, status: 0, stderr: '' });
      }
    });
  });
});

describe('names that would make invalid variables are refused', () => {
  test.each([['1db'], ['9']])('a service named "%s" (its variables would start with a digit)', (id) => {
    const outdir = makeOutdir();
    const p = newProject(outdir);
    new PostgresDatabase(new ComposeStack(p), id);
    expect(synthError(p)).toMatch(new RegExp(`\\[.*/${id}\\] "${id}" is not a valid service name: .*starting with a letter`));
    expect(fs.existsSync(path.join(outdir, '.env'))).toBe(false);
  });

  test('a variable option and a connection prefix that are not variable names', () => {
    const s = fullStack();
    s.api.addEnvironment('X', EnvValue.fromEnvFile({ description: 'd', variable: 'bad name' }));
    const db2 = new PostgresDatabase(s.stack, 'analytics');
    s.api.connectTo(db2, { envPrefix: 'bad prefix-' });
    const msg = synthError(s.project)!;
    expect(msg).toMatch(/\[.*\/api\] BackendService "api": X: variable "bad name" is not a valid name for \.env/);
    expect(msg).toMatch(/\[.*\/api\] BackendService "api": connectTo envPrefix "bad prefix-" must be letters, digits and "_"/);
  });

  test('services whose names differ only in "-" and "_", and a runtime setting named like a port override', () => {
    const outdir = makeOutdir();
    const p = newProject(outdir);
    const stack = new ComposeStack(p);
    new ImageService(stack, 'cache-a', { image: 'redis:7-alpine' });
    new ImageService(stack, 'cache_a', { image: 'redis:7-alpine' });
    new FrontendService(stack, 'web', { path: 'frontend', runtimeConfig: { HOST_PORT: 'https://x' } });
    const msg = synthError(p)!;
    expect(msg).toMatch(/services "cache-a" and "cache_a" share the variable prefix CACHE_A_/);
    expect(msg).toMatch(/FrontendService "web": runtimeConfig HOST_PORT: the name is taken by the port override WEB_HOST_PORT/);
  });

  test('PostgreSQL names that initdb or the image would reject', () => {
    const outdir = makeOutdir();
    const p = newProject(outdir);
    const stack = new ComposeStack(p);
    new PostgresDatabase(stack, 'db', { database: 'template1', user: 'pg_user' });
    new PostgresDatabase(stack, 'db2', { database: 'x'.repeat(64) });
    const msg = synthError(p)!;
    expect(msg).toMatch(/PostgresDatabase "db": database name "template1" is one of PostgreSQL's template databases/);
    expect(msg).toMatch(/PostgresDatabase "db": user "pg_user" .*not starting with "pg_"/);
    // the suggestion is itself a valid name
    expect(msg).toMatch(/PostgresDatabase "db2": database name "x{64}" must be a lowercase SQL identifier of at most 63 characters .*for example "x{63}"/);
  });
});

describe('nothing is injected into a Dockerfile', () => {
  type Case = [string, () => ReturnType<typeof fullStack>, RegExp];
  const cases: Case[] = [
    ['a label name with a line break', () => fullStack({ defaults: { labels: { 'bad key\nRUN echo pwned': 'v' } } }), /label name "bad key\nRUN echo pwned" must be letters/],
    ['a base image with a line break', () => fullStack({}, { api: { image: 'python:3.13\nUSER root' } }), /BackendService "api": image "python:3.13\nUSER root" is not an image reference/],
    ['a node image with a space', () => fullStack({}, { web: { nodeImage: 'node:24 AS x' } }), /FrontendService "web": nodeImage "node:24 AS x" is not an image reference/],
    [
      'a second instruction inside an extra one',
      () => {
        const s = fullStack();
        s.api.addDockerfileInstructions(BuildStage.RUNTIME, 'RUN true\nFROM alpine AS runtime2');
        return s;
      },
      /extra runtime instruction "RUN true\\nFROM alpine AS runtime2" must be one single-line Dockerfile instruction/,
    ],
    [
      'an extra instruction ending in a line continuation',
      () => {
        const s = fullStack();
        s.api.addDockerfileInstructions(BuildStage.BUILD, 'ENV A=1 \\');
        return s;
      },
      /extra build instruction "ENV A=1 \\\\" must be one single-line/,
    ],
    ['a build script with shell syntax', () => fullStack({}, { web: { buildScript: 'build && curl x' } }), /FrontendService "web": buildScript "build && curl x" must be the name of a script/],
    ['a requirements file outside the context', () => fullStack({}, { api: { requirementsFile: '../reqs.txt' } }), /BackendService "api": requirementsFile "\.\.\/reqs\.txt" must be a file inside backend\//],
    ['a requirements file with a space', () => fullStack({}, { api: { requirementsFile: 'req s.txt' } }), /BackendService "api": requirementsFile "req s\.txt" must be a file inside backend\//],
    ['a registry prefix with a quote', () => fullStack({ defaults: { registryPrefix: 'reg"istry/' } }), /defaults\.registryPrefix "reg"istry\/" must be a registry host/],
    ['a pinned image with a line break', () => fullStack({ defaults: { imagePins: { 'postgres:18-alpine': 'postgres:18\nUSER root' } } }), /defaults\.imagePins\["postgres:18-alpine"\] "postgres:18\nUSER root" is not an image reference/],
  ];
  test.each(cases)('%s is refused', (_name, build, expected) => {
    expect(synthError(build().project)).toMatch(expected);
  });

  test('a "$" in a label value stays literal', () => {
    const s = fullStack({ defaults: { labels: { 'org.opencontainers.image.vendor': 'Acme $HOME "quoted"' } } });
    s.project.synth();
    expect(read(s.outdir, 'backend/Dockerfile')).toContain('LABEL org.opencontainers.image.vendor="Acme \\$HOME \\"quoted\\""');
  });

  describeWithTools('hadolint', [hadolint()], () => {
    test('the Dockerfiles with such a label have zero findings', () => {
      const s = fullStack({ defaults: { labels: { 'org.opencontainers.image.vendor': 'Acme $HOME "quoted"' } } });
      s.project.synth();
      for (const f of ['backend/Dockerfile', 'frontend/Dockerfile']) {
        const r = run([hadolint().command![0], '--failure-threshold', 'style', path.join(s.outdir, f)], { allowFail: true });
        expect({ f, out: r.stdout.trim(), status: r.status }).toEqual({ f, out: '', status: 0 });
      }
    });
  });
});

describe('nothing is injected into the nginx config', () => {
  test.each([
    ['a directive that closes its block and opens another', 'return 200 "hi"; } location /secret/ { alias /etc/; autoindex on', /directive .* must be one simple directive: "[;{}]" outside quotes/],
    ['a directive with a line break', 'return 200;\nautoindex on', /cannot contain line breaks/],
    ['an empty directive', '', /must start with a directive name/],
    ['an unclosed quote', 'add_header X "a', /has an unclosed quote/],
  ])('%s is refused', (_name, directive, expected) => {
    const s = fullStack();
    s.web.addNginxLocation('/docs/', [directive]);
    expect(synthError(s.project)).toMatch(expected);
  });

  test('a location match with braces is refused', () => {
    const s = fullStack();
    s.web.addNginxLocation('/x/ { }', ['return 404']);
    expect(synthError(s.project)).toMatch(/FrontendService "web": addNginxLocation match "\/x\/ \{ \}" must be an optional modifier/);
  });

  test('quoted ";" and braces inside an argument are fine', () => {
    const s = fullStack();
    s.web.addNginxLocation('= /robots.txt', ['add_header X-Note "a; {b}" always', 'return 200 "User-agent: *"']);
    s.project.synth();
    expect(read(s.outdir, 'frontend/nginx.conf')).toContain('add_header X-Note "a; {b}" always;');
  });

  test.each([
    ['an extra location at the assets path', (s: ReturnType<typeof fullStack>) => s.web.addNginxLocation('/assets/', ['return 404']), /nginx location "\/assets\/" of addNginxLocation\("\/assets\/"\) clashes with the one of the hashed assets \(assetsPath\)/],
    ['an extra location at the API prefix', (s: ReturnType<typeof fullStack>) => s.web.addNginxLocation('^~ /api/', ['return 404']), /nginx location "\^~ \/api\/" of addNginxLocation\("\^~ \/api\/"\) clashes with the one of proxyApi\(api\)/],
    ['an extra location at /healthz', (s: ReturnType<typeof fullStack>) => s.web.addNginxLocation('= /healthz', ['return 200']), /nginx location "= \/healthz" of addNginxLocation\("= \/healthz"\) clashes with the one of the healthcheck/],
    ['an extra prefix location at /', (s: ReturnType<typeof fullStack>) => s.web.addNginxLocation('^~ /', ['return 200']), /clashes with the one of the SPA fallback/],
  ])('%s clashes with a generated location and is refused', (_name, apply, expected) => {
    const s = fullStack();
    apply(s);
    expect(synthError(s.project)).toMatch(expected);
  });
});

describe('compose files mean what was given', () => {
  test('"$" in a worker command and in an image service command and healthcheck reaches the container as given', () => {
    const s = fullStack();
    new BackendProcess(s.stack, 'worker', { backend: s.api, command: ['sh', '-c', 'echo $HOME'] });
    new ImageService(s.stack, 'cache', { image: 'redis:7-alpine', command: ['redis-server', '--requirepass', 'pa$$word'], healthcheck: ['CMD-SHELL', 'redis-cli -a "$REDIS_PASSWORD" ping'] });
    s.project.synth();
    const compose = YAML.parse(read(s.outdir, 'compose.yaml'));
    expect(compose.services.worker.command).toEqual(['sh', '-c', 'echo $$HOME']);
    expect(compose.services.cache.command).toEqual(['redis-server', '--requirepass', 'pa$$$$word']);
    expect(compose.services.cache.healthcheck.test).toEqual(['CMD-SHELL', 'redis-cli -a "$$REDIS_PASSWORD" ping']);
  });

  describeWithTools('docker compose config', [composeV2()], () => {
    test('compose reads them back exactly', () => {
      const s = fullStack();
      new BackendProcess(s.stack, 'worker', { backend: s.api, command: ['sh', '-c', 'echo $HOME'] });
      new ImageService(s.stack, 'cache', { image: 'redis:7-alpine', command: ['redis-server', '--requirepass', 'pa$$word'] });
      s.project.synth();
      const cfg = JSON.parse(run(['docker', 'compose', '-f', path.join(s.outdir, 'compose.yaml'), 'config', '--format', 'json'], { cwd: s.outdir }).stdout);
      // compose prints a literal "$" as "$$" (so that its output reads back the same): no host value was substituted
      expect(cfg.services.worker.command).toEqual(['sh', '-c', 'echo $$HOME']);
      expect(cfg.services.cache.command).toEqual(['redis-server', '--requirepass', 'pa$$$$word']);
      expect(JSON.stringify(cfg.services.worker)).not.toContain(process.env.HOME);
    });
  });

  test('a health path that would break out of the probe is refused', () => {
    const outdir = makeOutdir();
    const p = newProject(outdir);
    new BackendService(new ComposeStack(p), 'api', { path: 'backend', healthCheckPath: "/h')==0 or __import__('os').system('id" });
    expect(synthError(p)).toMatch(/BackendService "api": healthCheckPath .* must be a URL path starting with "\/"/);
  });

  test('a compose file in a subfolder points at the app folders relative to itself', () => {
    const outdir = makeOutdir();
    fs.mkdirSync(path.join(outdir, 'init'));
    const p = newProject(outdir);
    const stack = new ComposeStack(p, { composeFile: 'deploy/compose.yaml', fileSecrets: true });
    const db = new PostgresDatabase(stack, 'db', { initScripts: 'init' });
    const api = new BackendService(stack, 'api', { path: 'backend' });
    api.connectTo(db);
    new FrontendService(stack, 'web', { path: 'frontend' }).proxyApi(api);
    p.synth();
    const compose = YAML.parse(read(outdir, 'deploy/compose.yaml'));
    expect(compose.services.api.build.context).toBe('../backend');
    expect(compose.services.web.build.context).toBe('../frontend');
    expect(compose.services.db.volumes).toContain('../init:/docker-entrypoint-initdb.d:ro');
    expect(compose.secrets.db_password.file).toBe('./secrets/db_password');
    const dev = YAML.parse(read(outdir, 'deploy/compose.dev.yaml'));
    expect(dev.services.api.volumes).toContain('../backend:/app');
    expect(fs.existsSync(path.join(outdir, 'deploy', '.env'))).toBe(true);
  });

  test('paths outside the project are refused', () => {
    for (const options of [{ composeFile: '../x.yaml' }, { envExampleFile: '../x.env' }, { secretsDir: '../../x', fileSecrets: true }]) {
      const outdir = makeOutdir();
      const p = newProject(outdir);
      new PostgresDatabase(new ComposeStack(p, options), 'db');
      expect({ options, error: synthError(p) }).toEqual({ options, error: expect.stringMatching(/must be a path inside the project/) });
    }
  });

  test('a variable the construct sets is not silently replaced', () => {
    const a = fullStack();
    a.api.addEnvironment('DATABASE_URL', EnvValue.literal('postgresql://elsewhere/x'));
    expect(synthError(a.project)).toMatch(/BackendService "api": environment variable DATABASE_URL is already set by the construct/);
    const b = fullStack();
    b.api.addEnvironment('PGPASSWORD', EnvValue.literal('hunter2'));
    expect(synthError(b.project)).toMatch(/environment variable PGPASSWORD is already set by the construct/);
    const c = fullStack();
    c.db.addEnvironment('POSTGRES_DB', EnvValue.literal('other'));
    expect(synthError(c.project)).toMatch(/PostgresDatabase "db": environment variable POSTGRES_DB is already set by the construct/);
    const outdir = makeOutdir();
    const p = newProject(outdir);
    const stack = new ComposeStack(p);
    const api = new BackendService(stack, 'api', { path: 'backend', environment: { DATABASE_URL: 'x' } });
    api.connectTo(new PostgresDatabase(stack, 'db'));
    expect(synthError(p)).toMatch(/BackendService "api": environment DATABASE_URL is set by connectTo/);
  });

  test('dependency cycles and waits for a service without a healthcheck are refused', () => {
    const s = fullStack();
    const worker = new BackendProcess(s.stack, 'worker', { backend: s.api, command: ['python', '-m', 'worker'] });
    s.db.dependsOn(s.api);
    expect(synthError(s.project)).toMatch(/services depend on each other in a cycle \((db -> api -> db|api -> db -> api)\)/);
    const t = fullStack();
    const w2 = new BackendProcess(t.stack, 'worker', { backend: t.api, command: ['python', '-m', 'worker'] });
    t.web.dependsOn(w2, DependencyCondition.HEALTHY);
    expect(synthError(t.project)).toMatch(/service "web" waits for "worker" to be healthy, but "worker" has no healthcheck/);
    expect(worker.serviceName).toBe('worker');
  });

  test('an image service cannot take over another service\'s volume', () => {
    const s = fullStack();
    new ImageService(s.stack, 'evil', { image: 'redis:7-alpine', volumes: ['db-data:/data'] });
    expect(synthError(s.project)).toMatch(/services "db" and "evil" both use the volume "db-data"/);
  });

  test('addOverride refuses prototype keys and empty keys, and "\\." addresses a dotted key', () => {
    const s = fullStack();
    expect(() => s.stack.addOverride('__proto__.polluted', 1)).toThrow(/addOverride path "__proto__\.polluted" has the key "__proto__"/);
    expect(() => s.stack.addOverride('services.api.', 1)).toThrow(/has an empty key/);
    expect(({} as any).polluted).toBeUndefined();
    s.stack.addOverride('services.api.labels.com\\.example\\.team', 'shop');
    s.project.synth();
    expect(YAML.parse(read(s.outdir, 'compose.yaml')).services.api.labels).toEqual({ 'com.example.team': 'shop' });
  });
});

describe('the user-owned .env and the stack layout', () => {
  test('a .env in another encoding keeps its bytes when synth appends a key', () => {
    const s = fullStack();
    s.project.synth();
    const latin1 = Buffer.concat([Buffer.from(read(s.outdir, '.env'), 'utf-8'), Buffer.from('MY_NOTE=caf'), Buffer.from([0xe9]), Buffer.from('\n')]);
    fs.writeFileSync(path.join(s.outdir, '.env'), latin1);
    // a second synth with one more variable appends it
    const t = newProject(s.outdir);
    const stack = new ComposeStack(t);
    const db = new PostgresDatabase(stack, 'db');
    const api = new BackendService(stack, 'api', { path: 'backend' });
    api.connectTo(db);
    new FrontendService(stack, 'web', { path: 'frontend' }).proxyApi(api);
    api.addEnvironment('KEY', EnvValue.secret({ description: 'a key' }));
    t.synth();
    const after = fs.readFileSync(path.join(s.outdir, '.env'));
    expect(after.subarray(0, latin1.length).equals(latin1)).toBe(true);
    expect(after.subarray(latin1.length).toString('utf-8')).toMatch(/\nAPI_KEY=[0-9a-f]{48}\n$/);
  });

  test('a directory where .env goes is named, not a raw EISDIR', () => {
    const outdir = makeOutdir();
    fs.mkdirSync(path.join(outdir, '.env'));
    const p = newProject(outdir);
    new PostgresDatabase(new ComposeStack(p), 'db');
    expect(synthError(p)).toMatch(/\.env is not a file \(a directory\?\); move it away/);
  });

  test('two stacks in one folder, or with one name, are refused', () => {
    const outdir = makeOutdir();
    const p = newProject(outdir);
    new ComposeStack(p, { name: 'a' });
    expect(() => new ComposeStack(p, { name: 'b' })).toThrow(/ComposeStack: compose\.yaml is already generated by .*; give each stack its own folder/);
    const q = newProject(makeOutdir());
    new PostgresDatabase(new ComposeStack(q, { name: 'shop' }), 'db');
    new PostgresDatabase(new ComposeStack(q, { name: 'shop', composeFile: 'other/compose.yaml' }), 'db');
    expect(synthError(q)).toMatch(/another ComposeStack in this project \(.*compose\.yaml\) has the same name "shop"/);
  });

  test('the development stack gives each frontend its own dev port and refuses two backends on one', () => {
    const outdir = makeOutdir();
    fs.cpSync(path.join(outdir, 'frontend'), path.join(outdir, 'admin'), { recursive: true });
    fs.cpSync(path.join(outdir, 'backend'), path.join(outdir, 'backend2'), { recursive: true });
    const p = newProject(outdir);
    const stack = new ComposeStack(p);
    new FrontendService(stack, 'web', { path: 'frontend' });
    new FrontendService(stack, 'admin', { path: 'admin', hostPort: 8081 });
    p.synth();
    const dev = YAML.parse(read(outdir, 'compose.dev.yaml'));
    expect([dev.services.web.ports[0], dev.services.admin.ports[0]]).toEqual(['127.0.0.1:${WEB_DEV_PORT:-5173}:5173', '127.0.0.1:${ADMIN_DEV_PORT:-5174}:5173']);
    const q = newProject(makeOutdir());
    fs.cpSync(path.join(outdir, 'backend'), path.join(q.outdir, 'backend2'), { recursive: true });
    const s2 = new ComposeStack(q);
    new BackendService(s2, 'api', { path: 'backend' });
    new BackendService(s2, 'api2', { path: 'backend2', hostPort: 8000 });
    expect(synthError(q)).toMatch(/in compose\.dev\.yaml, services "api" and "api2" both publish host port 8000; give one of them another hostPort/);
    // without hostPort, the next backend's dev server takes the next port
    const r = newProject(makeOutdir());
    fs.cpSync(path.join(outdir, 'backend'), path.join(r.outdir, 'backend2'), { recursive: true });
    const s3 = new ComposeStack(r);
    new BackendService(s3, 'api', { path: 'backend' });
    new BackendService(s3, 'api2', { path: 'backend2' });
    r.synth();
    const dev3 = YAML.parse(read(r.outdir, 'compose.dev.yaml'));
    expect([dev3.services.api.ports[0], dev3.services.api2.ports[0]]).toEqual(['127.0.0.1:${API_DEV_PORT:-8000}:8000', '127.0.0.1:${API2_DEV_PORT:-8001}:8000']);
  });
});

describe('more options checked at synth', () => {
  test('host addresses, init scripts, data paths and secret names', () => {
    const outdir = makeOutdir();
    fs.writeFileSync(path.join(outdir, 'init.sql'), 'select 1;\n');
    const p = newProject(outdir);
    const stack = new ComposeStack(p, { fileSecrets: true });
    new FrontendService(stack, 'web', { path: 'frontend', hostAddress: '999.1.1.1' });
    const db = new PostgresDatabase(stack, 'db', { initScripts: 'init.sql', dataPath: 'data' });
    db.addEnvironment('TOKEN', EnvValue.secret({ description: 'a', variable: 'TOKEN' }));
    db.addEnvironment('TOKEN2', EnvValue.secret({ description: 'b', variable: 'token' }));
    const msg = synthError(p)!;
    expect(msg).toMatch(/FrontendService "web": hostAddress "999\.1\.1\.1" must be an IP address/);
    expect(msg).toMatch(/PostgresDatabase "db": initScripts "init\.sql" is a file; point it at a folder/);
    expect(msg).toMatch(/PostgresDatabase "db": dataPath "data" must be an absolute path inside the container/);
    expect(msg).toMatch(/secrets TOKEN and token would share the secret file token/);
  });

  test('a backend command of its own also runs in the development stack', () => {
    const s = fullStack({}, { api: { command: ['gunicorn', '-k', 'uvicorn.workers.UvicornWorker', '--reload', '-b', '0.0.0.0:8000', 'main:app'] } });
    s.project.synth();
    const dev = YAML.parse(read(s.outdir, 'compose.dev.yaml'));
    expect(dev.services.api.command).toEqual(['gunicorn', '-k', 'uvicorn.workers.UvicornWorker', '--reload', '-b', '0.0.0.0:8000', 'main:app']);
  });
});

test('tests and docs anywhere in an app folder stay out of its build context', () => {
  const s = fullStack();
  s.project.synth();
  const backend = read(s.outdir, 'backend/.dockerignore').split('\n');
  expect(backend).toEqual(expect.arrayContaining(['**/tests', '**/test_*.py', '**/*_test.py', '**/conftest.py', '**/docs', '**/*.md']));
  const frontend = read(s.outdir, 'frontend/.dockerignore').split('\n');
  expect(frontend).toEqual(expect.arrayContaining(['**/*.test.*', '**/*.spec.*', '**/__tests__', 'tests', 'cypress', 'docs', '**/*.md']));
});
