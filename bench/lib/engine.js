'use strict';
// Engine figures (3: image size, 4: rebuild after a source-only change, 5: build context size),
// measured on a synthesized copy of examples/fullstack with `docker compose build`. Everything this
// module builds is named pcs-bench-<run id>-* and removed at the end; base images and the build
// cache are never touched (no prune).
const fs = require('fs');
const path = require('path');
const { REPO, run, must, bash, median, min, max, tarSizes, log } = require('./util');

const DOCKER = process.env.DOCKER || 'docker';
const BASELINE = path.join(__dirname, '..', 'baseline');

/** The images the naive baseline builds FROM. */
const BASELINE_IMAGES = ['node:20-alpine', 'nginx:alpine', 'python:3.11-slim'];

/** Files that only tests or docs read, by service folder; created before the first build and then changed. */
const TEST_DOC_FILES = {
  frontend: ['src/main.test.ts', 'README.md'],
  backend: ['tests/test_main.py', 'README.md'],
};

/**
 * More test and doc locations in common use (Jest's __tests__, Cypress, pytest's conftest.py, ...):
 * each is added once, and the build shows whether the .dockerignore keeps it out of the image.
 */
const PROBE_FILES = {
  frontend: [
    ['src/main.spec.ts', 'test'],
    ['tests/setup.ts', 'test'],
    ['src/__tests__/items.ts', 'test'],
    ['cypress/e2e/home.cy.ts', 'test'],
    ['docs/guide.md', 'doc'],
    ['docs/architecture.svg', 'doc'],
    ['CHANGELOG.md', 'doc'],
  ],
  backend: [
    ['tests/conftest.py', 'test'],
    ['app_test.py', 'test'],
    ['conftest.py', 'test'],
    ['pkg/tests/conftest.py', 'test'],
    ['docs/index.md', 'doc'],
    ['docs/conf.py', 'doc'],
    ['CHANGELOG.md', 'doc'],
  ],
};

const SERVICES = [
  { svc: 'web', folder: 'frontend', source: 'src/main.ts', payload: 'assets' },
  { svc: 'api', folder: 'backend', source: 'main.py', payload: 'venv+app' },
];

function docker(args, opts = {}) {
  return run(DOCKER, args, { ...opts, env: { ...process.env, DOCKER_BUILDKIT: '1', COMPOSE_DOCKER_CLI_BUILD: '1', ...(opts.env ?? {}) } });
}

function dockerMust(args, opts = {}) {
  return must(DOCKER, args, { ...opts, env: { ...process.env, DOCKER_BUILDKIT: '1', COMPOSE_DOCKER_CLI_BUILD: '1', ...(opts.env ?? {}) } });
}

/** Whether an engine answers, with what the report needs about it. */
function detect() {
  const info = docker(['info', '--format', '{{json .}}'], { timeout: 30_000 });
  if (info.status !== 0) {
    const why = (info.error?.message ?? info.stderr).trim().split('\n').pop();
    return { ok: false, reason: `no Docker engine answers (\`${DOCKER} info\`: ${why || `exit ${info.status}`})` };
  }
  const compose = docker(['compose', 'version', '--short'], { timeout: 30_000 });
  if (compose.status !== 0) return { ok: false, reason: `\`${DOCKER} compose\` (compose v2) is not available: ${compose.stderr.trim().split('\n').pop()}` };
  const version = docker(['version', '--format', '{{.Client.Version}} / {{.Server.Version}} (API {{.Server.APIVersion}})'], { timeout: 30_000 });
  let parsed = {};
  try {
    parsed = JSON.parse(info.stdout);
  } catch {
    // keep going without the details
  }
  return {
    ok: true,
    client: DOCKER,
    version: version.stdout.trim(),
    compose: compose.stdout.trim(),
    storageDriver: parsed.Driver,
    engineCpus: parsed.NCPU,
    engineMemory: parsed.MemTotal,
    dockerRoot: parsed.DockerRootDir,
  };
}

/** Build steps from BuildKit's plain progress output: { id, stage, index, instruction, status, secs }. */
function parseSteps(output) {
  const steps = new Map();
  for (const line of output.split('\n')) {
    let m = /^#(\d+) \[([^\]]+)\] (.+)$/.exec(line);
    if (m) {
      const tokens = m[2].trim().split(/\s+/);
      const last = tokens[tokens.length - 1];
      if (!/^\d+\/\d+$/.test(last)) continue; // internal steps, exporting, ...
      const id = Number(m[1]);
      const prev = steps.get(id);
      steps.set(id, { id, stage: tokens.length >= 2 ? tokens[tokens.length - 2] : '', index: last, instruction: m[3].trim(), status: prev?.status, secs: prev?.secs });
      continue;
    }
    m = /^#(\d+) (CACHED|DONE ([\d.]+)s|ERROR.*)$/.exec(line);
    if (m && steps.has(Number(m[1]))) {
      const s = steps.get(Number(m[1]));
      s.status = m[2] === 'CACHED' ? 'CACHED' : m[2].startsWith('DONE') ? 'DONE' : 'ERROR';
      s.secs = m[3] ? Number(m[3]) : 0;
    }
  }
  // FROM lines do not create layers; what remains is every layer step of every stage
  // stages by name (build before runtime), then by step number
  return [...steps.values()]
    .filter((s) => !/^FROM /.test(s.instruction))
    .sort((a, b) => a.stage.localeCompare(b.stage) || parseInt(a.index, 10) - parseInt(b.index, 10));
}

/** The "transferring context: N" figure BuildKit reports for the build context (not the .dockerignore). */
function parseContextTransfer(output) {
  const lines = output.split('\n');
  let inContext = false;
  let last;
  for (const line of lines) {
    if (/\] load build context$/.test(line)) inContext = true;
    else if (/^#\d+ \[/.test(line)) inContext = false;
    const m = /transferring context: ([\d.]+[kMG]?B)/.exec(line);
    if (m && inContext) last = m[1];
  }
  return last;
}

function short(instruction) {
  return instruction.length > 70 ? `${instruction.slice(0, 67)}...` : instruction;
}

/** BuildKit's build cache records (`docker system df -v`), or undefined when the engine does not list them. */
function cacheRecords() {
  const r = docker(['system', 'df', '-v', '--format', '{{json .BuildCache}}'], { timeout: 120_000 });
  if (r.status !== 0) return undefined;
  try {
    return JSON.parse(r.stdout.trim() || '[]') ?? [];
  } catch {
    return undefined;
  }
}

class Engine {
  constructor(work, runId, opts) {
    this.work = work;
    this.project = `pcs-bench-${runId}`;
    this.opts = opts;
    this.tags = new Set();
    this.ids = new Set();
    this.containers = new Set();
    this.notes = [];
    // the build cache as it was before this run: on the vfs storage driver every cached layer is a
    // full copy of its parent's filesystem, so the records this run adds are removed as it goes
    this.cacheBefore = new Set((cacheRecords() ?? []).map((c) => c.ID));
    this.disk = { root: opts.dockerRoot, freeBefore: this.free(), minFree: Infinity, cacheRemovedRecords: 0 };
    this.disk.minFree = this.disk.freeBefore;
  }

  /** Free bytes on the engine's data disk (when it is a local path), tracked for the report. */
  free() {
    try {
      const st = fs.statfsSync(this.opts.dockerRoot);
      const f = st.bavail * st.bsize;
      if (this.disk && f < this.disk.minFree) this.disk.minFree = f;
      return f;
    } catch {
      return NaN;
    }
  }

  /**
   * Removes the build cache records that appeared since this run started and are not in use
   * (leaves first: a record is only removable once nothing builds on it). The npm/pip download
   * cache mounts are kept. Skipped with --keep-cache.
   */
  pruneOwnCache() {
    if (this.opts.keepCache) return;
    this.free();
    for (let pass = 0; pass < 12; pass++) {
      const all = cacheRecords();
      if (!all) return;
      const parents = new Set(all.map((c) => c.Parent).filter(Boolean));
      const mine = all.filter((c) => !this.cacheBefore.has(c.ID) && c.InUse !== 'true' && c.CacheType !== 'exec.cachemount');
      const leaves = mine.filter((c) => !parents.has(c.ID));
      if (!leaves.length) return;
      let removed = 0;
      for (const c of leaves) {
        // the id filter is a regular expression over record IDs
        const r = docker(['builder', 'prune', '-f', '--filter', `id=^${c.ID}$`], { timeout: 300_000 });
        if (r.status === 0) removed++;
      }
      this.disk.cacheRemovedRecords += removed;
      if (!removed) return;
    }
  }

  imageId(ref) {
    const r = docker(['image', 'inspect', '-f', '{{.Id}}', ref]);
    return r.status === 0 ? r.stdout.trim() : undefined;
  }

  /** Whether a base image is a local stand-in (docker-sandbox), and the runtime version it reports. */
  baseInfo(ref) {
    const r = docker(['image', 'inspect', '-f', '{{json .Config.Labels}}\t{{json .Config.Env}}', ref]);
    if (r.status !== 0) return {};
    const [labels, env] = r.stdout.trim().split('\t').map((x) => JSON.parse(x) ?? {});
    const version = (env || []).map((e) => /^(PYTHON_VERSION|NODE_VERSION|NGINX_VERSION)=(.*)$/.exec(e)).find(Boolean);
    return { standin: labels['docker-sandbox.standin'] === 'true', version: version ? `${version[1]}=${version[2]}` : undefined };
  }

  imageSize(ref) {
    return Number(dockerMust(['image', 'inspect', '-f', '{{.Size}}', ref]).stdout.trim());
  }

  /** Layers, newest first: { size, createdBy }. */
  history(ref) {
    return dockerMust(['history', '--human=false', '--no-trunc', '--format', '{{.Size}}\t{{.CreatedBy}}', ref])
      .stdout.trim()
      .split('\n')
      .map((l) => {
        const [size, ...rest] = l.split('\t');
        return { size: Number(size), createdBy: rest.join('\t') };
      });
  }

  track(ref) {
    this.tags.add(ref);
    const id = this.imageId(ref);
    if (id) this.ids.add(id);
    return id;
  }

  /** `docker compose build` of one service of the copy; timed as a user waits for it. */
  composeBuild(dir, svc, { noCache = false } = {}) {
    const args = ['compose', '--progress', 'plain', '-p', this.project, 'build', ...(noCache ? ['--no-cache'] : []), svc];
    const r = docker(args, { cwd: dir, timeout: 900_000 });
    const output = `${r.stdout}\n${r.stderr}`;
    if (r.status !== 0) throw new Error(`docker ${args.join(' ')} failed in ${dir}:\n${output.trim().split('\n').slice(-25).join('\n')}`);
    const ref = `${this.project}-${svc}`;
    const id = this.track(ref);
    this.free();
    return { ms: r.ms, steps: parseSteps(output), id, output };
  }

  /** Files of a path inside an image, via `docker cp` (no tool needed inside the image). */
  filesIn(ref, p) {
    // a command is given so that images without one (FROM scratch) can be created too; nothing is started
    const cid = dockerMust(['create', ref, '/bench-never-started']).stdout.trim();
    try {
      const r = dockerMust(['cp', `${cid}:${p}`, '-'], { binary: true });
      return tarSizes(r.stdout);
    } finally {
      docker(['rm', '-f', cid]);
    }
  }

  cleanup() {
    this.free();
    for (const c of this.containers) docker(['rm', '-f', c]);
    for (const t of this.tags) docker(['rmi', t]);
    // images this run built and later re-tagged away (a rebuild moves the tag): removed only while
    // nothing names them, since an identical build elsewhere (cache hits) can share an image ID
    for (const id of this.ids) {
      const tags = docker(['image', 'inspect', '-f', '{{len .RepoTags}}', id]);
      if (tags.status === 0 && tags.stdout.trim() === '0') docker(['rmi', id]);
    }
    this.containers.clear();
    this.tags.clear();
    this.ids.clear();
    this.pruneOwnCache();
    this.disk.freeAfter = this.free();
  }
}

/**
 * Replaces one line of a source file with a changed copy (a real edit that changes the built output).
 * `mark` is unique to the run and round: BuildKit's cache outlives a run, and an edit that an
 * earlier run already built would be a cache hit instead of a rebuild.
 */
function editSourceLine(file, mark) {
  const text = fs.readFileSync(file, 'utf-8');
  const lines = text.split('\n');
  let i;
  if (file.endsWith('.py')) {
    i = lines.findIndex((l) => /^\s+"""[^"]+"""\s*$/.test(l)); // a one-line docstring (kept in the module)
    if (i >= 0) lines[i] = lines[i].replace(/"""\s*$/, ` (${mark})"""`);
  } else {
    i = lines.findIndex((l) => /\|\|\s*'[^']*'/.test(l)); // a default string shown on the page
    if (i >= 0) lines[i] = lines[i].replace(/\|\|\s*'([^']*)'/, `|| '$1 (${mark})'`);
  }
  if (i < 0) {
    lines.push(file.endsWith('.py') ? `BENCH_EDIT = '${mark}'` : `console.debug('${mark}');`);
    i = lines.length - 1;
  }
  fs.writeFileSync(file, lines.join('\n'));
  return { line: i + 1, text: lines[i].trim() };
}

function appendLine(file, text) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.appendFileSync(file, `${text}\n`);
}

/** A new line for a test or doc file, in that file's syntax (unique to the run, see editSourceLine). */
function changedLine(rel, mark) {
  if (rel.endsWith('.md')) return `Note: ${mark}.`;
  if (rel.endsWith('.py')) return `# ${mark}`;
  return `// ${mark}`;
}

function initialContent(rel, mark) {
  if (rel.endsWith('.py')) return `"""Test helpers (${mark})."""\n`;
  if (rel.endsWith('.md')) return `# Notes (${mark})\n`;
  if (rel.endsWith('.svg')) return `<svg xmlns="http://www.w3.org/2000/svg"><!-- ${mark} --></svg>\n`;
  return `// test file (${mark})\n`;
}

/** Figure 4: cold build vs rebuild after a one-line source change, then a test/doc-only change. */
function rebuildFigure(eng, dir, rounds) {
  const res = Object.fromEntries(SERVICES.map((s) => [s.svc, { cold: [], rebuild: [], rebuiltSteps: [], coldSteps: [], edits: [], testDocOnly: [] }]));
  const pristine = Object.fromEntries(SERVICES.map((s) => [s.svc, fs.readFileSync(path.join(dir, s.folder, s.source), 'utf-8')]));
  for (let r = 1; r <= rounds; r++) {
    const order = r % 2 ? SERVICES : [...SERVICES].reverse();
    for (const s of order) {
      const src = path.join(dir, s.folder, s.source);
      const out = res[s.svc];
      fs.writeFileSync(src, pristine[s.svc]);
      const cold = eng.composeBuild(dir, s.svc, { noCache: true });
      const edit = editSourceLine(src, `${eng.project} round ${r}`);
      const re = eng.composeBuild(dir, s.svc);
      out.cold.push(cold.ms);
      out.rebuild.push(re.ms);
      out.coldSteps.push(cold.steps);
      out.rebuiltSteps.push(re.steps);
      out.edits.push(edit);
      // a change to tests and docs only: must be a full cache hit (same image, every layer CACHED)
      for (const rel of TEST_DOC_FILES[s.folder]) appendLine(path.join(dir, s.folder, rel), changedLine(rel, `${eng.project} round ${r}`));
      const td = eng.composeBuild(dir, s.svc);
      const ran = td.steps.filter((st) => st.status !== 'CACHED');
      out.testDocOnly.push({ sameImage: td.id === re.id, stepsRun: ran.map((st) => `[${st.stage} ${st.index}] ${short(st.instruction)}`), cached: td.steps.length - ran.length, ms: td.ms, excerpt: excerpt(td.output) });
      log(`engine: round ${r}/${rounds} ${s.svc}: cold ${(cold.ms / 1000).toFixed(1)}s, rebuild ${(re.ms / 1000).toFixed(1)}s, tests/docs only: ${ran.length ? `${ran.length} steps ran` : 'full cache hit'}`);
    }
    // the next round starts with --no-cache: this round's layers are of no further use (and, on vfs, large)
    eng.pruneOwnCache();
  }
  for (const s of SERVICES) {
    const out = res[s.svc];
    out.coldMedianMs = median(out.cold);
    out.rebuildMedianMs = median(out.rebuild);
    // each round's rebuild over the cold build just before it; the figure is their median (as for the synth figures)
    const paired = out.rebuild.map((x, i) => x / out.cold[i]);
    out.ratio = median(paired);
    out.ratioOfMedians = out.rebuildMedianMs / out.coldMedianMs;
    out.pairedMin = min(paired);
    out.pairedMax = max(paired);
    // which layers the source change rebuilt, with their median step times; and where the cold build spends its time
    out.layers = summarizeSteps(out.rebuiltSteps);
    out.coldLayers = summarizeSteps(out.coldSteps);
    out.fullCacheHits = out.testDocOnly.filter((t) => t.sameImage && t.stepsRun.length === 0).length;
    // restore the pristine source for the size figure
    fs.writeFileSync(path.join(dir, s.folder, s.source), pristine[s.svc]);
  }
  return res;
}

function summarizeSteps(runs) {
  const by = new Map();
  for (const steps of runs) {
    for (const st of steps) {
      const k = `${st.stage} ${st.index}`;
      if (!by.has(k)) by.set(k, { step: k, instruction: short(st.instruction), statuses: [], secs: [] });
      by.get(k).statuses.push(st.status);
      by.get(k).secs.push(st.secs ?? 0);
    }
  }
  return [...by.values()].map((s) => ({ step: s.step, instruction: s.instruction, rebuilt: s.statuses.filter((x) => x === 'DONE').length, runs: s.statuses.length, medianSecs: median(s.secs) }));
}

function excerpt(output) {
  return output
    .split('\n')
    .filter((l) => /^#\d+ \[/.test(l) || /^#\d+ (CACHED|DONE)/.test(l) || /writing image|naming to/.test(l))
    .join('\n');
}

/** Extra test/doc locations: which ones stay out of the image. */
function probeFigure(eng, dir) {
  const out = [];
  for (const s of SERVICES) {
    let prev = eng.composeBuild(dir, s.svc).id;
    for (const [rel, kind] of PROBE_FILES[s.folder]) {
      const f = path.join(dir, s.folder, rel);
      fs.mkdirSync(path.dirname(f), { recursive: true });
      fs.writeFileSync(f, initialContent(rel, eng.project));
      const b = eng.composeBuild(dir, s.svc);
      const ran = b.steps.filter((st) => st.status !== 'CACHED');
      out.push({ svc: s.svc, folder: s.folder, file: rel, kind, hit: ran.length === 0 && b.id === prev, stepsRun: ran.map((st) => `[${st.stage} ${st.index}] ${short(st.instruction)}`) });
      prev = b.id;
    }
    for (const [rel] of PROBE_FILES[s.folder]) fs.rmSync(path.join(dir, s.folder, rel), { force: true });
    for (const d of ['tests', 'src/__tests__', 'cypress', 'docs', 'pkg']) {
      const p = path.join(dir, s.folder, d);
      if (fs.existsSync(p) && !TEST_DOC_FILES[s.folder].some((f) => f.startsWith(`${d}/`))) fs.rmSync(p, { recursive: true, force: true });
    }
  }
  const missed = out.filter((p) => !p.hit);
  log(`engine: ${out.length} more test/doc locations probed, ${missed.length} reached the image${missed.length ? `: ${missed.map((m) => `${m.folder}/${m.file}`).join(', ')}` : ''}`);
  return out;
}

/**
 * Files of the frontend folder that only the runtime stage copies (the web server's config and
 * entrypoint hook): a one-line change to each, then a build; which steps of each stage reran.
 */
function runtimeFileProbe(eng, dir) {
  const out = [];
  for (const rel of ['nginx.conf', 'runtime-config.sh']) {
    const f = path.join(dir, 'frontend', rel);
    if (!fs.existsSync(f)) continue;
    const before = fs.readFileSync(f, 'utf-8');
    const mode = fs.statSync(f).mode;
    eng.composeBuild(dir, 'web');
    fs.chmodSync(f, mode | 0o200);
    fs.appendFileSync(f, `# ${eng.project}: a local change\n`);
    let b;
    try {
      b = eng.composeBuild(dir, 'web');
    } finally {
      fs.writeFileSync(f, before);
      fs.chmodSync(f, mode);
    }
    const ran = b.steps.filter((st) => st.status !== 'CACHED');
    const fmt = (st) => `[${st.stage} ${st.index}] ${short(st.instruction)}`;
    out.push({ file: rel, buildStage: ran.filter((st) => st.stage === 'build').map(fmt), runtimeStage: ran.filter((st) => st.stage !== 'build').map(fmt), ms: b.ms });
  }
  log(`engine: runtime-only files: ${out.map((o) => `${o.file} reran ${o.buildStage.length} build-stage steps`).join(', ')}`);
  return out;
}

/** Figure 3: each image against its base and its payload, and against the naive baseline. */
function sizeFigure(eng, dir) {
  const web = `${eng.project}-web`;
  const api = `${eng.project}-api`;
  // the final images are built from the pristine sources (cache hits of the cold builds)
  eng.composeBuild(dir, 'web');
  eng.composeBuild(dir, 'api');
  const webBase = fromImage(path.join(dir, 'frontend', 'Dockerfile'), 'runtime');
  const apiBase = fromImage(path.join(dir, 'backend', 'Dockerfile'), 'runtime');

  const webHtml = eng.filesIn(web, '/usr/share/nginx/html');
  const baseHtml = eng.filesIn(webBase, '/usr/share/nginx/html');
  const baseSet = new Set(baseHtml.entries.map((e) => `${e.path}\t${e.size}`));
  const assets = webHtml.entries.filter((e) => !baseSet.has(`${e.path}\t${e.size}`));
  const assetsBytes = assets.reduce((a, e) => a + e.size, 0);

  const venv = eng.filesIn(api, '/opt/venv');
  const app = eng.filesIn(api, '/app');
  const tooling = venv.entries.filter((e) => /\/site-packages\/(pip|setuptools|pkg_resources|_distutils_hack|wheel)([-/]|$)|\/site-packages\/distutils-precedence\.pth$|\/bin\/(pip|pip3|pip3\.\d+|wheel)$/.test(e.path));
  const toolingBytes = tooling.reduce((a, e) => a + e.size, 0);

  const image = (ref, base, payload, parts, limit) => {
    const size = eng.imageSize(ref);
    const baseSize = eng.imageSize(base);
    const hist = eng.history(ref);
    const added = hist.slice(0, hist.length - eng.history(base).length).filter((l) => l.size > 0);
    const overhead = size - baseSize - payload;
    return { ref, size, base, baseSize, baseInfo: eng.baseInfo(base), payload, parts, overhead, limit, pass: overhead <= limit, layers: added.map((l) => ({ size: l.size, createdBy: short(l.createdBy.replace(/^\/bin\/sh -c /, 'RUN ')) })) };
  };
  return {
    web: image(web, webBase, assetsBytes, { assets: assetsBytes, assetFiles: assets.length }, 2e6),
    api: image(api, apiBase, venv.bytes + app.bytes, { venv: venv.bytes, app: app.bytes, venvFiles: venv.files, appFiles: app.files, venvTooling: toolingBytes }, 5e6),
    apiWithoutPip: toolingBytes > 1e6 ? withoutPipVariant(eng, dir) : undefined,
  };
}

/**
 * What-if for the backend: the same Dockerfile with the virtualenv created `--without-pip` and
 * filled by the base image's pip (`pip --python`), built from a copy; its size, and whether the
 * console script still runs.
 */
function withoutPipVariant(eng, dir) {
  const copy = path.join(eng.work, 'variant-without-pip');
  bash(`rm -rf "${copy}" && cp -a "${path.join(dir, 'backend')}" "${copy}" && chmod u+w "${copy}/Dockerfile"`);
  const file = path.join(copy, 'Dockerfile');
  const before = fs.readFileSync(file, 'utf-8');
  const after = before
    .replace(/^RUN python -m venv \/opt\/venv$/m, 'RUN python -m venv --without-pip /opt/venv')
    .replace(/^RUN pip install (.*)$/m, 'RUN pip --python /opt/venv/bin/python install $1');
  if (after === before || !/--without-pip/.test(after) || !/pip --python/.test(after)) {
    return { skipped: 'the generated backend Dockerfile no longer has the expected venv and pip lines' };
  }
  fs.writeFileSync(file, after);
  const ref = `${eng.project}-variant-api`;
  const r = docker(['build', '--progress', 'plain', '-t', ref, copy], { timeout: 900_000 });
  if (r.status !== 0) return { skipped: `the variant did not build: ${r.stderr.trim().split('\n').pop()}` };
  eng.track(ref);
  const size = eng.imageSize(ref);
  const check = docker(['run', '--rm', '--entrypoint', 'uvicorn', ref, '--version'], { timeout: 120_000 });
  return { size, runs: check.status === 0, version: check.stdout.trim() };
}

/** The image of a named stage's FROM line. */
function fromImage(dockerfile, stage) {
  const m = new RegExp(`^FROM\\s+(\\S+)\\s+AS\\s+${stage}\\s*$`, 'mi').exec(fs.readFileSync(dockerfile, 'utf-8'));
  if (!m) throw new Error(`${dockerfile}: no FROM ... AS ${stage}`);
  return m[1];
}

/** The naive pattern of seed-pattern.md, fixed just enough to build and start (bench/baseline/). */
function baselineFigure(eng, exampleSrc) {
  const missing = BASELINE_IMAGES.filter((ref) => !eng.imageId(ref));
  for (const ref of missing) {
    log(`engine: baseline base image ${ref} is missing; trying docker pull`);
    docker(['pull', ref], { timeout: 180_000 });
  }
  const still = BASELINE_IMAGES.filter((ref) => !eng.imageId(ref));
  if (still.length) {
    return { skipped: `base image(s) ${still.join(', ')} not available (no registry?). On a machine without a registry build local stand-ins, e.g. \`/work/shared/docker-sandbox/standin-images ${BASELINE_IMAGES.join(' ')}\`` };
  }
  const root = path.join(eng.work, 'baseline');
  const out = {};
  for (const { svc, folder } of SERVICES) {
    const dir = path.join(root, folder);
    fs.mkdirSync(dir, { recursive: true });
    // the app's own files only: the naive pattern has no .dockerignore and none of our generated files
    bash(`cd "${path.join(exampleSrc, folder)}" && tar --exclude=./node_modules --exclude=./dist --exclude=./Dockerfile --exclude=./.dockerignore --exclude=./nginx.conf --exclude=./runtime-config.sh -cf - . | (cd "${dir}" && tar -xf -)`);
    fs.copyFileSync(path.join(BASELINE, `${folder}.Dockerfile`), path.join(dir, 'Dockerfile'));
    if (folder === 'frontend') fs.copyFileSync(path.join(BASELINE, 'nginx.conf'), path.join(dir, 'nginx.conf'));
    const ref = `${eng.project}-naive-${svc}`;
    const r = docker(['build', '--progress', 'plain', '-t', ref, dir], { timeout: 900_000 });
    if (r.status !== 0) throw new Error(`baseline ${svc} did not build:\n${r.stderr.trim().split('\n').slice(-20).join('\n')}`);
    eng.track(ref);
    const size = eng.imageSize(ref);
    const base = fromImage(path.join(dir, 'Dockerfile'), 'production');
    const hist = eng.history(ref);
    const added = hist.slice(0, hist.length - eng.history(base).length).filter((l) => l.size > 0);
    out[svc] = { ref, size, base, baseSize: eng.imageSize(base), baseInfo: eng.baseInfo(base), buildMs: r.ms, starts: startCheck(eng, ref, svc), layers: added.map((l) => ({ size: l.size, createdBy: short(l.createdBy.replace(/^\/bin\/sh -c /, 'RUN ')) })) };
    log(`engine: baseline ${svc}: ${(size / 1e6).toFixed(1)} MB, starts: ${out[svc].starts.ok ? 'yes' : `NO (${out[svc].starts.detail})`}`);
  }
  return out;
}

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Starts a baseline container alone: the web page is served, the backend's server imports the app and starts. */
function startCheck(eng, ref, svc) {
  const name = `${ref}-start-${process.pid}`;
  const env = svc === 'api' ? ['-e', 'DATABASE_URL=postgresql://bench@127.0.0.1:9/none'] : [];
  const r = docker(['run', '-d', '--name', name, ...env, ref]);
  if (r.status !== 0) return { ok: false, detail: r.stderr.trim().split('\n').pop() };
  eng.containers.add(name);
  try {
    for (let i = 0; i < 30; i++) {
      sleep(1000);
      const state = docker(['inspect', '-f', '{{.State.Running}}', name]).stdout.trim();
      const logs = docker(['logs', name]);
      const text = `${logs.stdout}\n${logs.stderr}`;
      if (state !== 'true') return { ok: false, detail: `exited: ${text.trim().split('\n').slice(-2).join(' ')}` };
      if (svc === 'web') {
        const page = docker(['exec', name, 'sh', '-c', 'wget -q -O- http://127.0.0.1:80/about 2>/dev/null || curl -fsS http://127.0.0.1:80/about']);
        if (page.status === 0 && page.stdout.includes('id="app"')) return { ok: true, detail: 'nginx runs as the nginx user and serves the app shell (GET /about on port 80)' };
      } else if (/Waiting for application startup|Application startup complete/.test(text)) {
        return { ok: true, detail: 'uvicorn runs (python -m uvicorn), imports main:app and enters its startup (no database attached)' };
      }
    }
    return { ok: false, detail: 'not ready after 30 s' };
  } finally {
    docker(['rm', '-f', name]);
    eng.containers.delete(name);
  }
}

/** Figure 5: bytes the engine receives as build context, with our .dockerignore and without one. */
function contextFigure(eng, exampleSrc) {
  const root = path.join(eng.work, 'context');
  const probeDockerfile = path.join(root, 'context-probe.Dockerfile');
  fs.mkdirSync(root, { recursive: true });
  // FROM scratch: the image holds exactly the files that reached the engine
  fs.writeFileSync(probeDockerfile, 'FROM scratch\nCOPY . /context/\n');
  const notes = [];

  // the developer's working tree: installed dependencies, a local build, a virtualenv, caches, local env files
  const dev = path.join(root, 'dev');
  bash(`mkdir -p "${dev}" && cp -a "${exampleSrc}/frontend" "${exampleSrc}/backend" "${dev}/"`);
  const fe = path.join(dev, 'frontend');
  const be = path.join(dev, 'backend');
  const step = (what, cmd, args, cwd, timeout) => {
    const r = run(cmd, args, { cwd, timeout });
    if (r.status !== 0) notes.push(`${what} failed (${(r.stderr || r.stdout).trim().split('\n').pop()}); the developer tree lacks it`);
  };
  step('npm ci in frontend/', 'npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], fe, 300_000);
  step('npm run build in frontend/', 'npm', ['run', 'build'], fe, 300_000);
  fs.writeFileSync(path.join(fe, '.env.local'), 'VITE_LOCAL_ONLY=bench-placeholder\n');
  step('python3 -m venv backend/.venv', 'python3', ['-m', 'venv', '.venv'], be, 120_000);
  step('pip install -r requirements.txt into backend/.venv', path.join(be, '.venv', 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', '-r', 'requirements.txt'], be, 600_000);
  step('python3 -m compileall backend/', 'python3', ['-m', 'compileall', '-q', 'main.py'], be, 60_000);
  fs.writeFileSync(path.join(be, '.env'), 'DATABASE_URL=postgresql://localhost/dev\nSECRET_KEY=bench-placeholder\n');

  const measure = (src, withIgnore, tag) => {
    const dir = path.join(root, tag);
    bash(`rm -rf "${dir}" && mkdir -p "${dir}" && cp -a "${src}/." "${dir}/"`);
    if (!withIgnore) fs.rmSync(path.join(dir, '.dockerignore'), { force: true });
    const ref = `${eng.project}-ctx-${tag}`;
    // a fresh folder per build: BuildKit transfers the whole context, not a diff against an earlier one
    const r = docker(['build', '--progress', 'plain', '-f', probeDockerfile, '-t', ref, dir], { timeout: 900_000 });
    if (r.status !== 0) throw new Error(`context probe ${tag} failed:\n${r.stderr.trim().split('\n').slice(-15).join('\n')}`);
    eng.track(ref);
    const files = eng.filesIn(ref, '/context');
    const bytes = eng.imageSize(ref);
    docker(['rmi', ref]);
    eng.tags.delete(ref);
    fs.rmSync(dir, { recursive: true, force: true });
    return { bytes, files: files.files, transferred: parseContextTransfer(r.stderr + r.stdout) };
  };

  const out = { notes, scenarios: [] };
  for (const [scenario, base] of [
    ['clean checkout', exampleSrc],
    ['developer tree', dev],
  ]) {
    for (const folder of ['frontend', 'backend']) {
      const src = path.join(base, folder);
      const tagBase = `${scenario.split(' ')[0]}-${folder}`;
      const withI = measure(src, true, `${tagBase}-with`);
      const without = measure(src, false, `${tagBase}-without`);
      out.scenarios.push({ scenario, folder, with: withI, without, ratio: withI.bytes / without.bytes });
      log(`engine: context ${scenario} ${folder}: ${(withI.bytes / 1e3).toFixed(1)} kB with .dockerignore, ${(without.bytes / 1e3).toFixed(1)} kB without`);
    }
  }
  out.devTree = {
    frontend: ['node_modules', 'dist', '.env.local'].filter((f) => fs.existsSync(path.join(fe, f))),
    backend: ['.venv', '__pycache__', '.env'].filter((f) => fs.existsSync(path.join(be, f))),
  };
  return out;
}

/** All engine figures on a synthesized copy `dir` of examples/fullstack. */
function measure(work, dir, runId, { buildRounds, dockerRoot, keepCache }) {
  const eng = new Engine(work, runId, { dockerRoot, keepCache });
  const cleanup = () => eng.cleanup();
  process.once('SIGINT', () => {
    cleanup();
    process.exit(130);
  });
  const result = { project: eng.project };
  // what the example's images install, for the report's explanations
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'frontend', 'package.json'), 'utf-8'));
  result.app = {
    frontendPackages: Object.keys({ ...(pkg.dependencies ?? {}), ...(pkg.devDependencies ?? {}) }),
    requirements: fs
      .readFileSync(path.join(dir, 'backend', 'requirements.txt'), 'utf-8')
      .split('\n')
      .map((l) => l.replace(/#.*/, '').trim())
      .filter(Boolean),
  };
  // a pristine copy of the sources for the baseline and context figures (before any edit)
  const pristine = path.join(work, 'engine-src');
  bash(`mkdir -p "${pristine}" && cp -a "${dir}/frontend" "${dir}/backend" "${pristine}/"`);
  try {
    for (const [folder, files] of Object.entries(TEST_DOC_FILES)) {
      for (const rel of files) {
        const f = path.join(dir, folder, rel);
        fs.mkdirSync(path.dirname(f), { recursive: true });
        fs.writeFileSync(f, initialContent(rel, eng.project));
      }
    }
    log(`engine: rebuild figure, ${buildRounds} rounds (compose project ${eng.project})`);
    result.rebuild = rebuildFigure(eng, dir, buildRounds);
    result.probes = probeFigure(eng, dir);
    result.runtimeFiles = runtimeFileProbe(eng, dir);
    log('engine: image sizes');
    result.sizes = sizeFigure(eng, dir);
    log('engine: naive baseline');
    result.baseline = baselineFigure(eng, pristine);
    log('engine: build context');
    result.context = contextFigure(eng, pristine);
  } finally {
    cleanup();
    result.disk = eng.disk;
  }
  return result;
}

module.exports = { detect, measure, parseSteps, parseContextTransfer, BASELINE_IMAGES, REPO };
