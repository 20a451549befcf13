#!/usr/bin/env node
'use strict';
// Benchmark suite of projen-compose-stack: synth overhead and scaling, image size, rebuild after a
// source-only change, build context size. Every figure is a ratio of two measurements taken in the
// same run, interleaved, so that it holds on a loaded machine. Writes docs/benchmarks.md.
//
//   node bench/run.js [--synth-only] [--rounds N] [--build-rounds N] [--out FILE] [--json FILE]
//                     [--no-write] [--keep] [--keep-cache] [--min-free-gb N] [--seed N]
//   node bench/run.js --render FILE [--out FILE]   (rewrite the report from a --json file)
//
// Not a test: nothing here runs under jest, and no figure fails the run. See bench/README.md.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { REPO, run, bash, rng, log } = require('./lib/util');
const synth = require('./lib/synth');
const engine = require('./lib/engine');
const { renderReport } = require('./lib/report');

function parseArgs(argv) {
  const o = { synthOnly: false, rounds: 15, buildRounds: 5, out: path.join(REPO, 'docs', 'benchmarks.md'), json: undefined, write: true, keep: false, keepCache: false, minFreeGb: 20, seed: Date.now() % 100000 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const num = () => {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 1) throw new Error(`${a} needs a positive integer`);
      return n;
    };
    if (a === '--synth-only') o.synthOnly = true;
    else if (a === '--rounds') o.rounds = num();
    else if (a === '--build-rounds') o.buildRounds = num();
    else if (a === '--seed') o.seed = num();
    else if (a === '--out') o.out = path.resolve(argv[++i]);
    else if (a === '--json') o.json = path.resolve(argv[++i]);
    else if (a === '--render') o.render = path.resolve(argv[++i]);
    else if (a === '--no-write') o.write = false;
    else if (a === '--keep') o.keep = true;
    else if (a === '--keep-cache') o.keepCache = true;
    else if (a === '--min-free-gb') o.minFreeGb = num();
    else if (a === '-h' || a === '--help') {
      console.log(fs.readFileSync(__filename, 'utf-8').split('\n').slice(2, 11).join('\n').replace(/^\/\/ ?/gm, ''));
      process.exit(0);
    } else throw new Error(`unknown option ${a} (see --help)`);
  }
  return o;
}

function firstLine(cmd, args) {
  const r = run(cmd, args, { timeout: 30_000 });
  return r.status === 0 ? r.stdout.trim().split('\n')[0] : undefined;
}

function machine() {
  const osRelease = fs.existsSync('/etc/os-release') ? /PRETTY_NAME="?([^"\n]+)/.exec(fs.readFileSync('/etc/os-release', 'utf-8'))?.[1] : undefined;
  const pkgVersion = (p) => {
    try {
      return JSON.parse(fs.readFileSync(path.join(REPO, 'examples', 'fullstack', 'node_modules', p, 'package.json'), 'utf-8')).version;
    } catch {
      return undefined;
    }
  };
  const srcDirty = run('git', ['status', '--porcelain', '--', 'src'], { cwd: REPO }).stdout.trim();
  return {
    date: new Date().toISOString(),
    nproc: firstLine('nproc', []) ?? String(os.cpus().length),
    cpu: os.cpus()[0]?.model,
    memoryBytes: os.totalmem(),
    os: osRelease ?? `${os.type()} ${os.release()}`,
    kernel: os.release(),
    node: process.version,
    npm: firstLine('npm', ['--version']),
    projen: pkgVersion('projen'),
    tsNode: pkgVersion('ts-node'),
    typescript: pkgVersion('typescript'),
    commit: firstLine('git', ['-C', REPO, 'rev-parse', '--short', 'HEAD']),
    srcDirty: srcDirty.length > 0,
    loadAtStart: os.loadavg(),
  };
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.render) {
    // the same measurements, rendered again (after a change to the report's text)
    fs.writeFileSync(opts.out, renderReport(JSON.parse(fs.readFileSync(opts.render, 'utf-8'))));
    log(`wrote ${path.relative(process.cwd(), opts.out)} from ${opts.render}`);
    return;
  }
  const t0 = Date.now();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pcs-bench-'));
  const runId = `${Date.now().toString(36)}${process.pid.toString(36)}`;
  log(`work folder ${work}, seed ${opts.seed}, ${opts.rounds} synth rounds${opts.synthOnly ? ', synth figures only' : `, ${opts.buildRounds} build rounds`}`);
  const results = { options: { ...opts, out: path.relative(REPO, opts.out) }, machine: machine() };
  try {
    // the library as built from this repository, packed and installed in the example, then a copy of the example
    log('packing the library and synthesizing a copy of examples/fullstack (scripts/synth-example.sh --out)');
    const exampleDir = path.join(work, 'example');
    bash(`bash scripts/synth-example.sh --out "${exampleDir}"`, { cwd: REPO });
    // a snapshot of the example's node_modules (projen, ts-node, the packed library), taken under the
    // lock that synth-example.sh holds while it installs: other runs of that script (tests, other
    // engineers) re-extract the library there, which must not happen under a timed synth
    const nodeModules = path.join(work, 'node_modules');
    bash(`exec 9>"${path.join(REPO, 'dist', 'pack', '.lock')}" && flock 9 && cp -a "${path.join(REPO, 'examples', 'fullstack', 'node_modules')}" "${nodeModules}"`);
    fs.rmSync(path.join(exampleDir, 'node_modules'));
    fs.symlinkSync(nodeModules, path.join(exampleDir, 'node_modules'));
    const imagesDir = path.join(work, 'images');
    bash(`cp -a "${exampleDir}" "${imagesDir}"`);

    results.synth = synth.measure(work, exampleDir, { rounds: opts.rounds, rand: rng(opts.seed), nodeModules });

    if (opts.synthOnly) {
      results.engine = { skipped: 'not measured in this run (--synth-only)' };
    } else {
      const e = engine.detect();
      results.engineInfo = e;
      if (!e.ok) {
        log(`engine figures skipped: ${e.reason}`);
        results.engine = { skipped: `${e.reason}. Start an engine and rerun (on the project's machines: \`eval "$(/work/shared/docker-sandbox/start-engine)"\`).` };
      } else {
        log(`engine: ${e.version}, compose ${e.compose}, storage driver ${e.storageDriver}`);
        // the builds need room: on the vfs storage driver every layer is a full copy of its parent
        let freeGb = NaN;
        try {
          const st = fs.statfsSync(e.dockerRoot);
          freeGb = (st.bavail * st.bsize) / 1e9;
        } catch {
          // not a local path (remote engine): no check
        }
        try {
          if (freeGb < opts.minFreeGb) {
            throw new Error(`only ${freeGb.toFixed(1)} GB free on ${e.dockerRoot} (the engine's data), less than --min-free-gb ${opts.minFreeGb}`);
          }
          results.engine = engine.measure(work, imagesDir, runId, { buildRounds: opts.buildRounds, dockerRoot: e.dockerRoot, keepCache: opts.keepCache });
        } catch (err) {
          // the synth figures are still worth writing
          log(`engine figures failed: ${err.message}`);
          results.engine = { skipped: `the engine figures failed: ${err.message.split('\n').slice(0, 6).join(' ')}` };
        }
      }
    }
    results.machine.loadAtEnd = os.loadavg();
    results.machine.durationS = Math.round((Date.now() - t0) / 1000);
    const md = renderReport(results);
    if (opts.write) {
      fs.mkdirSync(path.dirname(opts.out), { recursive: true });
      fs.writeFileSync(opts.out, md);
      log(`wrote ${path.relative(process.cwd(), opts.out)}`);
    } else {
      process.stdout.write(md);
    }
    if (opts.json) {
      fs.writeFileSync(opts.json, JSON.stringify(results, null, 2) + '\n');
      log(`wrote ${opts.json}`);
    }
    log(`done in ${results.machine.durationS} s`);
  } finally {
    if (opts.keep) log(`kept ${work}`);
    else fs.rmSync(work, { recursive: true, force: true });
  }
}

try {
  main();
} catch (e) {
  console.error(`bench: ${e.message}`);
  process.exit(1);
}
