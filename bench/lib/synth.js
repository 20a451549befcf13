'use strict';
// Synth figures (1: overhead, 2: scaling): temporary projen projects, each timed as a user runs
// it (`npx projen --no-post`, whose default task runs .projenrc.ts with ts-node), every variant once
// per round, the two sides of each headline ratio back to back, so that load from other processes
// hits both alike; a figure is the median over the rounds of the per-round ratio.
const fs = require('fs');
const path = require('path');
const YAML = require('yaml');
const { run, bash, median, min, max, shuffle, log } = require('./util');

const PROBE = path.join(__dirname, 'probe.js');

/**
 * Three timestamps added to every variant's .projenrc.ts (the example's copy included), the same
 * lines in each: after the imports, before and after project.synth(). They split the ts-node
 * process into start-up (node, ts-node compiling .projenrc.ts, loading projen and the library),
 * building the constructs, and synth (rendering and writing the files). Cost: three
 * process.uptime() calls and one appendFileSync.
 */
const MARK_START = 'const __pcsBenchT0 = process.uptime();';
const MARK_SYNTH = 'const __pcsBenchT1 = process.uptime();';
const MARK_WRITE =
  "if (process.env.PCS_BENCH_PHASES) require('fs').appendFileSync(process.env.PCS_BENCH_PHASES, " +
  "JSON.stringify({ startMs: __pcsBenchT0 * 1000, constructsMs: (__pcsBenchT1 - __pcsBenchT0) * 1000, synthMs: (process.uptime() - __pcsBenchT1) * 1000 }) + '\\n');";

/** Adds the phase marks to a .projenrc.ts (single-line imports, one `project.synth();` line). */
function instrument(src, file) {
  const lines = src.split('\n');
  let lastImport = -1;
  lines.forEach((l, i) => {
    if (/^import .* from '[^']+';\s*$/.test(l)) lastImport = i;
  });
  const synthLine = lines.findIndex((l) => /^project\.synth\(\);\s*$/.test(l));
  if (lastImport < 0 || synthLine < 0) throw new Error(`${file}: cannot add the phase marks (no single-line imports or no \`project.synth();\` line)`);
  lines.splice(synthLine, 1, MARK_SYNTH, 'project.synth();', MARK_WRITE);
  lines.splice(lastImport + 1, 0, MARK_START);
  return lines.join('\n');
}

function writeProjenrc(dir, text) {
  const f = path.join(dir, '.projenrc.ts');
  if (fs.existsSync(f)) fs.chmodSync(f, 0o644);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(f, instrument(text, f));
}

/** Variants timed back to back every round: each headline ratio compares neighbours. */
const CHAIN = ['dc100', 'dc6', 'bare', 'example', 'stack100'];

/** Sizes of the generated stacks for the scaling curve: backends, databases, frontends. */
const STACK_SIZES = [5, 10, 30, 100].map((n) => ({ backends: n, databases: Math.max(1, Math.round(n / 10)), frontends: Math.max(1, Math.round(n / 10)) }));

const HEADER = `import { Project } from 'projen';
import { ProjenrcTs } from 'projen/lib/typescript';
`;
const PROJECT = `
const project = new Project({ name: 'fullstack-example', commitGenerated: true });
new ProjenrcTs(project, { tsconfigFileName: 'tsconfig.projen.json' });
project.gitignore.exclude('node_modules/', '/package-lock.json');
`;

/** The example's project with the stack removed: the denominator of the overhead figure. */
function bareProjenrc() {
  return `${HEADER}${PROJECT}
project.synth();
`;
}

/** projen's own DockerCompose component (compose file only), for reference. */
function dockerComposeProjenrc(services) {
  return `${HEADER}import { DockerCompose } from 'projen';
${PROJECT}
const compose = new DockerCompose(project);
compose.addService('db', {
  image: 'postgres:18-alpine',
  environment: { POSTGRES_DB: 'shop', POSTGRES_USER: 'shop_app', POSTGRES_PASSWORD: '\${DB_PASSWORD:?}' },
  volumes: [DockerCompose.namedVolume('db-data', '/var/lib/postgresql')],
});
for (let i = 1; i < ${services}; i++) {
  compose.addService(\`svc\${i}\`, {
    imageBuild: { context: \`./services/svc\${i}\` },
    ports: [DockerCompose.portMapping(8000 + i, 8000)],
    environment: { DATABASE_URL: 'postgresql://db:5432/shop', PGUSER: '\${DB_USER:?}' },
    dependsOn: [DockerCompose.serviceName('db')],
    networks: [DockerCompose.network('backend')],
  });
}

project.synth();
`;
}

/** A generated stack of our constructs: backends each connected to one of the databases, behind the frontends. */
function stackProjenrc({ backends, databases, frontends }) {
  return `${HEADER}import { BackendService, ComposeStack, FrontendService, PostgresDatabase } from 'projen-compose-stack';
${PROJECT}
const stack = new ComposeStack(project, { name: 'bench' });
const dbs = Array.from({ length: ${databases} }, (_, i) => new PostgresDatabase(stack, \`db\${i}\`, { database: \`app\${i}\`, user: \`app\${i}\` }));
const webs = Array.from({ length: ${frontends} }, (_, i) => new FrontendService(stack, \`web\${i}\`, { path: \`frontends/web\${i}\`, hostPort: 3000 + i }));
for (let i = 0; i < ${backends}; i++) {
  const api = new BackendService(stack, \`api\${i}\`, { path: \`backends/api\${i}\`, healthCheckPath: '/health' });
  api.connectTo(dbs[i % dbs.length]);
  webs[i % webs.length].proxyApi(api, { pathPrefix: \`/api/\${i}\` });
}

project.synth();
`;
}

/** Copies the example copy's bootstrap files so that the first `npx projen` finds its default task. */
function bootstrap(dir, exampleDir, nodeModules) {
  fs.mkdirSync(path.join(dir, '.projen'), { recursive: true });
  fs.copyFileSync(path.join(exampleDir, 'package.json'), path.join(dir, 'package.json'));
  for (const f of ['tsconfig.projen.json', '.projen/tasks.json']) {
    fs.copyFileSync(path.join(exampleDir, f), path.join(dir, f));
    fs.chmodSync(path.join(dir, f), 0o644);
  }
  fs.symlinkSync(nodeModules, path.join(dir, 'node_modules'));
}

function write(file, text) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

/**
 * Creates the projects. `exampleDir` is a synthesized copy of examples/fullstack; `nodeModules` the
 * folder every project's node_modules links to (projen, ts-node and the packed library).
 */
function prepare(work, exampleDir, nodeModules) {
  const root = path.join(work, 'synth');
  fs.mkdirSync(root, { recursive: true });
  writeProjenrc(exampleDir, fs.readFileSync(path.join(exampleDir, '.projenrc.ts'), 'utf-8'));
  const variants = [{ key: 'example', label: 'examples/fullstack (3 services)', dir: exampleDir, services: 3, composeFile: 'compose.yaml' }];

  // the same project and folder without the stack: a copy of the example with the constructs removed
  const bare = path.join(root, 'bare');
  bash(`cp -a "${exampleDir}/." "${bare}/" && rm -f "${bare}/.env"`);
  writeProjenrc(bare, bareProjenrc());
  variants.push({ key: 'bare', label: 'same project, stack constructs removed', dir: bare, services: 0 });

  for (const n of [6, 100]) {
    const dir = path.join(root, `dc${n}`);
    bootstrap(dir, exampleDir, nodeModules);
    writeProjenrc(dir, dockerComposeProjenrc(n));
    variants.push({ key: `dc${n}`, label: `projen DockerCompose, ${n} services (reference)`, dir, services: n, composeFile: 'docker-compose.yml' });
  }

  for (const size of STACK_SIZES) {
    const dir = path.join(root, `stack${size.backends}`);
    bootstrap(dir, exampleDir, nodeModules);
    writeProjenrc(dir, stackProjenrc(size));
    for (let i = 0; i < size.frontends; i++) {
      const f = path.join(dir, 'frontends', `web${i}`);
      write(path.join(f, 'package.json'), JSON.stringify({ name: `web${i}`, private: true, scripts: { build: 'vite build' } }, null, 2) + '\n');
      write(path.join(f, 'package-lock.json'), JSON.stringify({ name: `web${i}`, lockfileVersion: 3, requires: true, packages: {} }, null, 2) + '\n');
      write(path.join(f, 'index.html'), '<!doctype html><div id="app"></div>\n');
    }
    for (let i = 0; i < size.backends; i++) {
      const b = path.join(dir, 'backends', `api${i}`);
      write(path.join(b, 'requirements.txt'), 'fastapi==0.165.0\nuvicorn==0.55.0\n');
      write(path.join(b, 'main.py'), 'from fastapi import FastAPI\n\napp = FastAPI()\n');
    }
    const services = size.backends + size.databases + size.frontends;
    variants.push({
      key: `stack${size.backends}`,
      label: `generated stack: ${size.backends} backends, ${size.databases} db, ${size.frontends} frontends (${services} services)`,
      dir,
      size,
      services,
      composeFile: 'compose.yaml',
    });
  }
  return variants;
}

/**
 * One timed `npx projen --no-post`: wall time, CPU time and peak RSS of the process tree, and the
 * phases of the ts-node process that runs .projenrc.ts (see MARK_START).
 */
function timeSynth(dir, probeFile, phasesFile) {
  fs.writeFileSync(probeFile, '');
  fs.writeFileSync(phasesFile, '');
  const env = { ...process.env, PCS_BENCH_PROBE: probeFile, PCS_BENCH_PHASES: phasesFile, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${PROBE}`.trim() };
  delete env.CI;
  const r = run('npx', ['projen', '--no-post'], { cwd: dir, env, timeout: 300_000 });
  if (r.status !== 0) {
    throw new Error(`npx projen --no-post failed in ${dir} (exit ${r.status}):\n${(r.stdout + r.stderr).trim().split('\n').slice(-20).join('\n')}`);
  }
  const lines = (f) =>
    fs
      .readFileSync(f, 'utf-8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
  const procs = lines(probeFile);
  const peakRssKb = procs.length ? Math.max(...procs.map((p) => p.maxRssKb)) : NaN;
  // CPU time of the whole process tree (each node process reports its own): less sensitive than
  // wall time to other load on the machine, reported as a cross-check of the wall-time ratios
  const cpuMs = procs.reduce((a, p) => a + p.cpuUs, 0) / 1000;
  const phases = lines(phasesFile)[0];
  if (!phases) throw new Error(`${dir}: .projenrc.ts did not report its phases`);
  // ts-node replaces argv[1] with the script it runs
  const tsNode = procs.find((p) => p.argv.some((a) => /ts-node|\.projenrc\.ts$/.test(a)));
  // what runs outside the ts-node process: npx resolving projen, the projen CLI reading tasks.json and spawning ts-node
  const outsideMs = tsNode ? r.ms - tsNode.uptimeMs : NaN;
  return { ms: r.ms, cpuMs, peakRssKb, processes: procs.length, phases: { ...phases, outsideMs } };
}

/** Checks that a warm-up synth produced what the variant is meant to produce. */
function verify(v) {
  if (v.key === 'bare') {
    if (fs.existsSync(path.join(v.dir, 'compose.yaml'))) throw new Error(`${v.dir}: compose.yaml still present without the stack`);
    return;
  }
  const doc = YAML.parse(fs.readFileSync(path.join(v.dir, v.composeFile), 'utf-8'));
  const n = Object.keys(doc.services ?? {}).length;
  if (n !== v.services) throw new Error(`${v.dir}/${v.composeFile}: ${n} services, expected ${v.services}`);
  if (v.size) {
    for (let i = 0; i < v.size.backends; i++) {
      if (!fs.existsSync(path.join(v.dir, 'backends', `api${i}`, 'Dockerfile'))) throw new Error(`${v.dir}: backends/api${i}/Dockerfile was not written`);
    }
  }
}

/** Counts the files a synth writes (from projen's own list). */
function generatedFiles(v) {
  try {
    return JSON.parse(fs.readFileSync(path.join(v.dir, '.projen', 'files.json'), 'utf-8')).files.length;
  } catch {
    return undefined;
  }
}

function measure(work, exampleDir, { rounds, rand, nodeModules }) {
  const variants = prepare(work, exampleDir, nodeModules);
  const probeFile = path.join(work, 'probe.jsonl');
  const phasesFile = path.join(work, 'phases.jsonl');
  log(`synth: warm-up and check of ${variants.length} projects`);
  for (const v of variants) {
    timeSynth(v.dir, probeFile, phasesFile); // warm-up: also creates .env and removes files the variant no longer generates
    verify(v);
    v.files = generatedFiles(v);
    v.samples = [];
    v.cpu = [];
    v.rss = [];
    v.phases = [];
  }
  // The variants of each headline ratio run back to back: load from other processes comes in bursts
  // of seconds, so neighbours share most of it. The chain's direction alternates every round (which
  // of two neighbours runs first), the other variants run in a shuffled order before or after it.
  const byKey = Object.fromEntries(variants.map((v) => [v.key, v]));
  const chain = CHAIN.map((k) => byKey[k]);
  const rest = variants.filter((v) => !CHAIN.includes(v.key));
  const orders = [];
  for (let r = 0; r < rounds; r++) {
    const tail = shuffle(rest, rand);
    const order = r % 2 ? [...tail, ...[...chain].reverse()] : [...chain, ...tail];
    orders.push(order.map((v) => v.key));
    for (const v of order) {
      const s = timeSynth(v.dir, probeFile, phasesFile);
      v.samples.push(s.ms);
      v.phases.push(s.phases);
      v.cpu.push(s.cpuMs);
      v.rss.push(s.peakRssKb);
    }
    log(`synth: round ${r + 1}/${rounds}: ${variants.map((v) => `${v.key} ${(v.samples[r] / 1000).toFixed(2)}s`).join(', ')}`);
  }
  const by = Object.fromEntries(
    variants.map((v) => [
      v.key,
      {
        key: v.key,
        label: v.label,
        services: v.services,
        files: v.files,
        samplesMs: v.samples.map((x) => Math.round(x)),
        medianMs: median(v.samples),
        minMs: min(v.samples),
        maxMs: max(v.samples),
        cpuSamplesMs: v.cpu.map((x) => Math.round(x)),
        cpuMedianMs: median(v.cpu),
        peakRssKbMedian: median(v.rss),
        peakRssKbMax: max(v.rss),
        // medians of each phase (ms): outside the ts-node process, ts-node start-up to the first
        // line after the imports, building the constructs, project.synth()
        phasesMedianMs: Object.fromEntries(['outsideMs', 'startMs', 'constructsMs', 'synthMs'].map((k) => [k, median(v.phases.map((p) => p[k]))])),
      },
    ]),
  );
  const ratio = (a, b) => {
    // per round: a's time over b's (neighbours in the round for the headline ratios); their median is
    // the figure. Noise that hits one of the two shifts single rounds' ratios either way and leaves
    // the median alone, while a ratio of the two medians moves with how many of each variant's runs
    // happened to be disturbed
    const paired = by[a].samplesMs.map((x, i) => x / by[b].samplesMs[i]);
    return {
      value: median(paired),
      ofMedians: by[a].medianMs / by[b].medianMs,
      adjacent: CHAIN.includes(a) && CHAIN.includes(b) && Math.abs(CHAIN.indexOf(a) - CHAIN.indexOf(b)) === 1,
      pairedMedian: median(paired),
      pairedMin: min(paired),
      pairedMax: max(paired),
      cpu: by[a].cpuMedianMs / by[b].cpuMedianMs,
      // the least-disturbed run of each: interference from other load only ever adds time
      fastest: by[a].minMs / by[b].minMs,
      a,
      b,
    };
  };
  return {
    rounds,
    orders,
    variants: by,
    overhead: ratio('example', 'bare'),
    overheadReference: ratio('dc6', 'bare'),
    scaling: ratio('stack100', 'example'),
    scalingReference: ratio('dc100', 'dc6'),
    curve: STACK_SIZES.map((s) => ({ ...s, key: `stack${s.backends}`, ratio: ratio(`stack${s.backends}`, 'example') })),
  };
}

module.exports = { measure, STACK_SIZES };
