/**
 * The example company project type (examples/company-project-type): a platform team's own
 * project type built on `ComposeStackProject` with organisation defaults. Statically: every
 * base image comes through the mirror prefix, vetted images are pinned by digest, every
 * runtime stage carries the OCI labels, every service gets limits and log rotation, every build
 * context ignores the company's patterns; hadolint and `docker compose config` accept it all.
 * On an engine: with base images tagged under the mirror prefix (this machine may have no
 * registry), the images build, carry the labels, and the stack comes up and serves.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { listFiles, run } from './support/example';
import { http, RunningStack, startStack } from './support/stack';
import { composeV2, describeWithTools, dockerEngine, hadolint } from './support/tools';
import { ACME_IMAGE_PINS, ACME_MIRROR, AcmeStackProject, AcmeStackProjectOptions } from '../examples/company-project-type/src';
import { StarterApps } from '../src/project/starter-apps';

jest.setTimeout(1_200_000);

const LABELS = {
  'org.opencontainers.image.source': 'https://git.acme.test/orders',
  'org.opencontainers.image.revision': '0123abc',
  'org.opencontainers.image.vendor': 'Acme Corp',
  'org.opencontainers.image.licenses': 'LicenseRef-Acme-Proprietary',
};

const tmpdirs: string[] = [];
afterAll(() => tmpdirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** Synthesizes an Acme project (with its starter apps, as `projen new` writes them) into a new folder. */
function synthAcme(options: Partial<AcmeStackProjectOptions> = {}): { dir: string; project: AcmeStackProject } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pcs-acme-'));
  tmpdirs.push(dir);
  const project = new AcmeStackProject({ name: 'orders', defaultReleaseBranch: 'main', outdir: dir, revision: '0123abc', ...options });
  project.node.findAll().filter((c): c is StarterApps => c instanceof StarterApps).forEach((s) => s.writeApps());
  // as projen synthesizes, without its post-synth steps (npm install)
  const post = process.env.PROJEN_DISABLE_POST;
  process.env.PROJEN_DISABLE_POST = 'true';
  try {
    project.synth();
  } finally {
    if (post === undefined) delete process.env.PROJEN_DISABLE_POST;
    else process.env.PROJEN_DISABLE_POST = post;
  }
  return { dir, project };
}

const read = (dir: string, f: string) => fs.readFileSync(path.join(dir, f), 'utf-8');
const generatedFiles = (dir: string) => (JSON.parse(read(dir, '.projen/files.json')).files as string[]).filter((f) => fs.existsSync(path.join(dir, f)));
const dockerfilesOf = (dir: string) => generatedFiles(dir).filter((f) => path.posix.basename(f) === 'Dockerfile');

/** Every `FROM` image of a Dockerfile (stage names excluded) and every compose `image:` of a service that is not built. */
function baseImageRefs(dir: string): string[] {
  const refs: string[] = [];
  for (const f of dockerfilesOf(dir)) {
    const stages = new Set<string>();
    for (const m of read(dir, f).matchAll(/^FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?/gim)) {
      if (!stages.has(m[1])) refs.push(m[1]);
      if (m[2]) stages.add(m[2]);
    }
  }
  // compose.yaml and every other generated compose file (the development stack)
  for (const f of generatedFiles(dir).filter((x) => /(^|\/)compose[^/]*\.ya?ml$/.test(x))) {
    const compose = YAML.parse(read(dir, f));
    for (const svc of Object.values<any>(compose.services)) if (svc.image && !svc.build) refs.push(svc.image);
  }
  return [...new Set(refs)];
}

describe('example company project type: organisation defaults in every generated file', () => {
  let dir: string;
  beforeAll(() => {
    ({ dir } = synthAcme());
  });

  test('every FROM and image: uses the mirror prefix, and the vetted images are pinned by digest', () => {
    expect(generatedFiles(dir)).toEqual(expect.arrayContaining(['compose.yaml', 'compose.dev.yaml']));
    const refs = baseImageRefs(dir);
    // node and nginx (frontend), python (backend), postgres; the dev stack uses node and postgres too
    expect(refs.length).toBe(4);
    for (const ref of refs) expect(ref.startsWith(ACME_MIRROR)).toBe(true);
    const pinned = Object.values(ACME_IMAGE_PINS).map((p) => ACME_MIRROR + p);
    expect(refs.slice().sort()).toEqual(pinned.slice().sort());
    for (const ref of refs) expect(ref).toMatch(/@sha256:[0-9a-f]{64}$/);
  });

  test('every runtime stage carries the OCI labels', () => {
    const files = dockerfilesOf(dir);
    expect(files.sort()).toEqual(['backend/Dockerfile', 'frontend/Dockerfile']);
    for (const f of files) {
      const text = read(dir, f);
      const lastStage = text.slice(text.search(/^FROM (?![\s\S]*^FROM )/m));
      for (const [k, v] of Object.entries(LABELS)) expect({ f, label: lastStage.includes(`${k}="${v}"`) }).toEqual({ f, label: true });
    }
  });

  test('every service gets limits and log rotation; every build context ignores the company patterns', () => {
    const compose = YAML.parse(read(dir, 'compose.yaml'));
    for (const [name, svc] of Object.entries<any>(compose.services)) {
      expect({ name, limits: svc.deploy?.resources?.limits }).toEqual({ name, limits: { cpus: '1.0', memory: '512m' } });
      expect({ name, logging: svc.logging }).toEqual({ name, logging: { driver: 'json-file', options: { 'max-size': '10m', 'max-file': '5' } } });
    }
    for (const f of generatedFiles(dir).filter((x) => path.posix.basename(x) === '.dockerignore')) {
      const lines = read(dir, f).split('\n');
      for (const p of ['*.pem', '.idea/', '.vscode/']) expect({ f, p, present: lines.includes(p) }).toEqual({ f, p, present: true });
    }
  });

  test('a repository can still override a default of the company', () => {
    const { dir: d } = synthAcme({ stackOptions: { defaults: { memoryLimit: '1g' } } });
    const compose = YAML.parse(read(d, 'compose.yaml'));
    expect(compose.services.api.deploy.resources.limits).toEqual({ cpus: '1.0', memory: '1g' });
    expect(baseImageRefs(d).every((r) => r.startsWith(ACME_MIRROR))).toBe(true);
  });

  describeWithTools('hadolint', [hadolint()], () => {
    test('the Dockerfiles with mirror prefix, digests and labels have zero findings', () => {
      const [bin] = hadolint().command!;
      for (const f of dockerfilesOf(dir)) {
        const r = run([bin, '-f', 'json', '--failure-threshold', 'style', path.join(dir, f)], { allowFail: true });
        expect({ f, findings: JSON.parse(r.stdout || '[]') }).toEqual({ f, findings: [] });
      }
    });
  });

  describeWithTools('docker compose config', [composeV2()], () => {
    test('accepts the stack and keeps the mirror references', () => {
      const r = run(['docker', 'compose', '-f', path.join(dir, 'compose.yaml'), 'config', '--format', 'json'], { cwd: dir });
      const cfg = JSON.parse(r.stdout);
      expect(cfg.name).toBe('orders');
      expect(cfg.services.db.image.startsWith(ACME_MIRROR)).toBe(true);
    });
  });
});

describeWithTools('example company project type on a Docker engine', [dockerEngine()], () => {
  let dir: string;
  let stack: RunningStack;
  let base: string;
  const mirrorTags: string[] = [];

  beforeAll(async () => {
    // digests can only be resolved by a registry: the built variant pins nothing, the prefix stays
    ({ dir } = synthAcme({ pinBaseImages: false }));
    // no registry here: tag the local base images under the mirror prefix, as a mirror would serve them
    for (const ref of new Set(baseImageRefs(dir))) {
      const upstream = ref.slice(ACME_MIRROR.length);
      if (run(['docker', 'image', 'inspect', ref], { allowFail: true }).status === 0) continue;
      run(['docker', 'tag', upstream, ref]);
      mirrorTags.push(ref);
    }
    ({ stack, base } = await startStack(dir, 'pcs-e2e-acme'));
  }, 1_800_000);

  afterAll(() => {
    stack?.destroy();
    // only the extra tags go: the images under their upstream names stay
    for (const ref of mirrorTags) run(['docker', 'rmi', ref], { allowFail: true });
  }, 600_000);

  test('every built image carries the OCI labels', () => {
    for (const service of ['web', 'api']) {
      const id = stack.compose(['images', '-q', service]).stdout.trim().split('\n')[0];
      expect(id).not.toBe('');
      const labels = JSON.parse(run(['docker', 'image', 'inspect', '-f', '{{json .Config.Labels}}', id]).stdout);
      expect({ service, labels: Object.fromEntries(Object.keys(LABELS).map((k) => [k, labels[k]])) }).toEqual({ service, labels: LABELS });
    }
  });

  test('the stack built from the mirror serves its page and /api/health', async () => {
    expect((await http('GET', `${base}/`)).status).toBe(200);
    const r = await http('GET', `${base}/api/health`);
    expect(r.status).toBe(200);
    expect(r.json()).toEqual({ status: 'ok', database: 'ok' });
  });

  test('its containers run with the limits', () => {
    const id = stack.containerId('api');
    const [mem, cpus] = run(['docker', 'inspect', '-f', '{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}}', id]).stdout.trim().split(' ');
    expect(Number(mem)).toBe(512 * 1024 * 1024);
    expect(Number(cpus)).toBe(1e9);
  });
});

// listFiles is used to make sure the starter apps were written (a stack without sources would not build)
test('the company project starts with the starter apps', () => {
  const { dir } = synthAcme();
  expect(listFiles(dir)).toEqual(expect.arrayContaining(['frontend/package.json', 'backend/main.py']));
});
