'use strict';
// Renders docs/benchmarks.md from one run's results. The text around the numbers (why a figure
// misses, what would reach it, what to change) is computed from the same run's measurements.
const { fmtMs, fmtBytes, fmtRatio, median } = require('./util');

const TARGETS = { overhead: 1.1, scaling: 1.5, webOverhead: 2e6, apiOverhead: 5e6, rebuild: 0.25 };

/** .dockerignore patterns that would keep a probed test/doc location out of the image. */
const PATTERN_FOR = {
  'src/__tests__/items.ts': '**/__tests__',
  'cypress/e2e/home.cy.ts': 'cypress',
  'tests/setup.ts': '**/tests',
  'src/main.spec.ts': '**/*.spec.*',
  'docs/guide.md': '**/docs',
  'docs/architecture.svg': '**/docs',
  'CHANGELOG.md': '**/*.md',
  'tests/conftest.py': '**/tests',
  'pkg/tests/conftest.py': '**/tests',
  'conftest.py': '**/conftest.py',
  'app_test.py': '**/*_test.py',
  'docs/index.md': '**/docs',
  'docs/conf.py': '**/docs',
};

const mark = (pass) => (pass ? 'pass' : '**miss**');
/** A small ratio with two significant digits, as a percentage. */
const share = (x) => (Number.isFinite(x) ? `${(x * 100).toPrecision(2)} %` : 'n/a');
const pct = (x) => `${(x * 100).toFixed(0)} %`;
const kb = (k) => `${(k / 1024).toFixed(0)} MiB`;

const PHASES = [
  ['outsideMs', 'outside ts-node (npx, projen CLI)'],
  ['startMs', 'ts-node start-up, compile of .projenrc.ts, imports'],
  ['constructsMs', 'constructs'],
  ['synthMs', 'project.synth() (render + write)'],
];

/** Median time of each phase of a synth, per project (see MARK_START in synth.js). */
function phaseTable(v, keys) {
  return table(
    ['project', ...PHASES.map((p) => p[1]), 'wall (median)'],
    keys.map((k) => [v[k].label, ...PHASES.map(([p]) => fmtMs(v[k].phasesMedianMs[p])), fmtMs(v[k].medianMs)]),
  );
}

/** Phase medians of a minus b, largest first: [{ key, label, ms }]. */
function phaseDiff(v, a, b) {
  return PHASES.map(([p, label]) => ({ key: p, label, ms: v[a].phasesMedianMs[p] - v[b].phasesMedianMs[p] })).sort((x, y) => y.ms - x.ms);
}

const signedMs = (ms) => `${ms < 0 ? '−' : '+'}${Math.abs(ms) >= 1000 ? `${(Math.abs(ms) / 1000).toFixed(2)} s` : `${Math.abs(ms).toFixed(0)} ms`}`;
const diffText = (d) => d.map((x) => `${x.label} ${signedMs(x.ms)}`).join(', ');

function summaryRows(r) {
  const rows = [];
  const s = r.synth;
  const cross = (x) => `${fmtRatio(x.value)} (ratio of medians ${fmtRatio(x.ofMedians)}, CPU time ${fmtRatio(x.cpu)}, fastest runs ${fmtRatio(x.fastest)})`;
  rows.push(['1', 'Synth overhead: `npx projen` of the example / the same project without the stack', cross(s.overhead), `≤ ${TARGETS.overhead.toFixed(2)}`, mark(s.overhead.value <= TARGETS.overhead)]);
  rows.push(['2', `Scaling: \`npx projen\` of a ${s.variants.stack100.services}-service stack (100 backends) / the 3-service example`, cross(s.scaling), `≤ ${TARGETS.scaling.toFixed(2)}`, mark(s.scaling.value <= TARGETS.scaling)]);
  const e = r.engine;
  if (e.skipped) {
    rows.push(['3–5', 'Image size, rebuild, build context', 'not measured', '', e.skipped.split('.')[0]]);
    return rows;
  }
  const z = e.sizes;
  rows.push(['3', 'Image size, frontend: image − (base + built assets)', fmtBytes(z.web.overhead), '≤ 2 MB', mark(z.web.pass)]);
  rows.push(['3', 'Image size, backend: image − (base + virtualenv + app)', fmtBytes(z.api.overhead), '≤ 5 MB', mark(z.api.pass)]);
  if (!e.baseline.skipped) {
    const ours = z.web.size + z.api.size;
    const naive = e.baseline.web.size + e.baseline.api.size;
    rows.push(['3', 'Image size, ours / naive baseline (frontend + backend)', fmtRatio(ours / naive), 'reported', '—']);
  }
  for (const svc of ['web', 'api']) {
    const b = e.rebuild[svc];
    rows.push(['4', `Rebuild after a one-line source change / cold build, ${svc === 'web' ? 'frontend' : 'backend'}`, fmtRatio(b.ratio), `≤ ${TARGETS.rebuild}`, mark(b.ratio <= TARGETS.rebuild)]);
  }
  const rounds = e.rebuild.web.testDocOnly.length;
  const hits = e.rebuild.web.fullCacheHits + e.rebuild.api.fullCacheHits;
  rows.push(['4', 'Change to tests or docs only: full cache hit (same image, every layer CACHED)', `${hits} of ${rounds * 2} builds`, 'all', mark(hits === rounds * 2)]);
  for (const sc of e.context.scenarios.filter((x) => x.scenario === 'developer tree')) {
    rows.push(['5', `Build context with our .dockerignore / without, ${sc.folder} (developer tree)`, `${fmtBytes(sc.with.bytes)} / ${fmtBytes(sc.without.bytes)} = ${share(sc.ratio)}`, 'reported', '—']);
  }
  return rows;
}

function table(header, rows) {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function machineSection(r) {
  const m = r.machine;
  const e = r.engineInfo;
  const lines = [
    `- Date: ${m.date.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')} (whole run: ${m.durationS} s)`,
    `- Machine: ${m.os}, kernel ${m.kernel}, \`nproc\` = ${m.nproc} (${m.cpu}), ${(m.memoryBytes / 2 ** 30).toFixed(1)} GiB memory`,
    `- Load average (1/5/15 min) at start ${m.loadAtStart.map((x) => x.toFixed(2)).join(' / ')}, at end ${(m.loadAtEnd ?? []).map((x) => x.toFixed(2)).join(' / ')}: other jobs shared the machine, hence the ratios`,
    `- Node ${m.node}, npm ${m.npm}; in the example: projen ${m.projen}, ts-node ${m.tsNode}, typescript ${m.typescript}`,
    `- Library: packed from this repository at commit ${m.commit}${m.srcDirty ? ' with uncommitted changes in src/' : ''}`,
  ];
  if (e?.ok) {
    lines.push(`- Docker: client / engine ${e.version}, compose ${e.compose}, storage driver ${e.storageDriver}, engine sees ${e.engineCpus} CPUs`);
    const d = r.engine?.disk;
    if (d && Number.isFinite(d.freeBefore)) {
      const gb = (b) => `${(b / 1e9).toFixed(1)} GB`;
      lines.push(
        `- Disk of the engine's data (\`${d.root}\`): ${gb(d.freeBefore)} free before the builds, ${gb(d.minFree)} at the lowest (${gb(d.freeBefore - d.minFree)} taken by this run's layers and other jobs'), ` +
          `${Number.isFinite(d.freeAfter) ? `${gb(d.freeAfter)} after the run removed the ${d.cacheRemovedRecords} build cache records it had created` : 'not measured at the end'}`,
      );
    }
  } else if (e) {
    lines.push(`- Docker: ${e.reason}`);
  } else {
    lines.push('- Docker: not used in this run (--synth-only)');
  }
  const z = r.engine?.sizes;
  if (z && (z.web.baseInfo?.standin || z.api.baseInfo?.standin)) {
    const bl = r.engine.baseline && !r.engine.baseline.skipped ? r.engine.baseline : undefined;
    const refs = [z.web, z.api, ...(bl ? [bl.web, bl.api] : [])].filter((x) => x.baseInfo?.standin).map((x) => `\`${x.base}\`${x.baseInfo.version ? ` (${x.baseInfo.version})` : ''}`);
    lines.push(
      `- Base images: no registry can be reached here, so ${refs.join(', ')} are local stand-ins (\`/work/shared/docker-sandbox/standin-images\`: Debian bookworm underneath, Debian's versions whatever the tag). ` +
        'Image and base sizes are those of the stand-ins; the overheads and ratios compare like with like.',
    );
  }
  return lines.join('\n');
}

function synthSections(r) {
  const s = r.synth;
  const v = s.variants;
  const out = [];
  const row = (k) => [v[k].label, String(v[k].files ?? ''), fmtMs(v[k].medianMs), `${fmtMs(v[k].minMs)}–${fmtMs(v[k].maxMs)}`, fmtMs(v[k].cpuMedianMs), kb(v[k].peakRssKbMedian)];
  const hdr = ['project', 'files written', 'median wall time', 'range', 'median CPU time', 'peak RSS'];

  out.push('## 1. Synth overhead');
  out.push('');
  out.push(
    `\`npx projen --no-post\` (the default task runs \`.projenrc.ts\` with ts-node, as a user runs it) in a synthesized copy of \`examples/fullstack\`, ` +
      'and in the same folder with the same `.projenrc.ts` minus the import and the stack constructs, the two back to back in every round. ' +
      `For reference, projen's own \`DockerCompose\` component (a compose file only, 6 services) against the same bare project.`,
  );
  out.push('');
  out.push(table(hdr, ['example', 'bare', 'dc6'].map(row)));
  out.push('');
  out.push(
    table(
      ['ratio', 'median of per-round ratios', 'per-round range', 'ratio of medians', 'CPU-time ratio', 'fastest runs', 'target', 'result'],
      [
        ['example / bare', fmtRatio(s.overhead.value), `${fmtRatio(s.overhead.pairedMin)}–${fmtRatio(s.overhead.pairedMax)}`, fmtRatio(s.overhead.ofMedians), fmtRatio(s.overhead.cpu), fmtRatio(s.overhead.fastest), `≤ ${TARGETS.overhead.toFixed(2)}`, mark(s.overhead.value <= TARGETS.overhead)],
        ['reference: projen DockerCompose (6) / bare', fmtRatio(s.overheadReference.value), `${fmtRatio(s.overheadReference.pairedMin)}–${fmtRatio(s.overheadReference.pairedMax)}`, fmtRatio(s.overheadReference.ofMedians), fmtRatio(s.overheadReference.cpu), fmtRatio(s.overheadReference.fastest), 'about 1.02', '—'],
      ],
    ),
  );
  out.push('');
  if (s.overhead.value < 1) {
    out.push(
      `The figure is below 1, which the stack cannot cause (it only adds work): in this run the noise from other load ` +
        `(per-round ratios ${fmtRatio(s.overhead.pairedMin)}–${fmtRatio(s.overhead.pairedMax)}) is larger than the stack's cost, ` +
        `which the CPU-time ratio (${fmtRatio(s.overhead.cpu)}) and the ratio of the fastest runs (${fmtRatio(s.overhead.fastest)}) show better.`,
    );
    out.push('');
  }
  const addMs = v.example.medianMs - v.bare.medianMs;
  out.push(
    `The stack changes the median synth by ${signedMs(addMs)} (${fmtMs(v.example.medianMs)} against ${fmtMs(v.bare.medianMs)}); peak memory ${kb(v.example.peakRssKbMedian)} against ${kb(v.bare.peakRssKbMedian)}. ` +
      'Where the time goes, from timestamps that every variant\'s `.projenrc.ts` records after its imports and around `project.synth()`, ' +
      'the rest of the wall time being outside the ts-node process (medians per phase, so they do not add up exactly):',
  );
  out.push('');
  out.push(phaseTable(v, ['example', 'bare', 'dc6']));
  out.push('');
  out.push(`Example minus bare, per phase: ${diffText(phaseDiff(v, 'example', 'bare'))}.`);
  out.push('');

  out.push('## 2. Scaling');
  out.push('');
  out.push(
    'Generated stacks of N backends, each connected to one of N/10 databases and proxied by one of N/10 frontends ' +
      '(at least one of each), every service in its own folder, written by a `.projenrc.ts` that loops over the services; ' +
      'each divided by the 3-service example. For reference, projen\'s `DockerCompose` from 6 to 100 services.',
  );
  out.push('');
  out.push(table(hdr, ['example', 'stack5', 'stack10', 'stack30', 'stack100', 'dc100'].map(row)));
  out.push('');
  out.push(
    table(
      ['stack', 'services', 'files written', '/ example (median of per-round ratios)', 'ratio of medians', 'CPU-time ratio', 'fastest runs', 'peak RSS (median)'],
      s.curve.map((c) => [`${c.backends} backends, ${c.databases} db, ${c.frontends} frontends`, String(v[c.key].services), String(v[c.key].files), fmtRatio(c.ratio.value), fmtRatio(c.ratio.ofMedians), fmtRatio(c.ratio.cpu), fmtRatio(c.ratio.fastest), kb(v[c.key].peakRssKbMedian)]),
    ),
  );
  out.push('');
  out.push(
    table(
      ['ratio', 'median of per-round ratios', 'per-round range', 'ratio of medians', 'CPU-time ratio', 'fastest runs', 'target', 'result'],
      [
        ['100-backend stack / example', fmtRatio(s.scaling.value), `${fmtRatio(s.scaling.pairedMin)}–${fmtRatio(s.scaling.pairedMax)}`, fmtRatio(s.scaling.ofMedians), fmtRatio(s.scaling.cpu), fmtRatio(s.scaling.fastest), `≤ ${TARGETS.scaling.toFixed(2)}`, mark(s.scaling.value <= TARGETS.scaling)],
        ['reference: DockerCompose 100 / 6 services', fmtRatio(s.scalingReference.value), `${fmtRatio(s.scalingReference.pairedMin)}–${fmtRatio(s.scalingReference.pairedMax)}`, fmtRatio(s.scalingReference.ofMedians), fmtRatio(s.scalingReference.cpu), fmtRatio(s.scalingReference.fastest), 'about 1.07', '—'],
      ],
    ),
  );
  out.push('');
  const work = (k) => v[k].phasesMedianMs.constructsMs + v[k].phasesMedianMs.synthMs;
  const added = v.stack100.services - 3;
  out.push(
    `From 3 to ${v.stack100.services} services (${v.stack100.files} files written instead of ${v.example.files}) a synth takes ${fmtRatio(s.scaling.value)} times as long. ` +
      `The stack's own work in the ts-node process (constructs and \`project.synth()\`) grows from ${fmtMs(work('example'))} to ${fmtMs(work('stack100'))}, ` +
      `${((work('stack100') - work('example')) / added).toFixed(1)} ms per added service; peak memory from ${kb(v.example.peakRssKbMedian)} to ${kb(v.stack100.peakRssKbMedian)} ` +
      `(${kb(v.stack100.peakRssKbMax)} at most). Per phase (as in section 1):`,
  );
  out.push('');
  out.push(phaseTable(v, ['example', 'stack5', 'stack10', 'stack30', 'stack100', 'dc6', 'dc100']));
  out.push('');
  out.push(`100-backend stack minus example, per phase: ${diffText(phaseDiff(v, 'stack100', 'example'))}.`);
  out.push('');
  return out.join('\n');
}

/** Build steps in Dockerfile order: stage by name (build, then runtime), then step number. */
function byStep(a, b) {
  const [sa, ia] = a.step.split(' ');
  const [sb, ib] = b.step.split(' ');
  return sa.localeCompare(sb) || parseInt(ia, 10) - parseInt(ib, 10);
}

function engineSections(r) {
  const e = r.engine;
  if (e.skipped) {
    return ['## 3–5. Image size, rebuild, build context', '', `Not measured in this run: ${e.skipped}`, ''].join('\n');
  }
  const out = [];
  const z = e.sizes;
  out.push('## 3. Image size');
  out.push('');
  out.push(
    'Each image built from the example (`docker compose build`), against its base image and its payload, both measured in the same run: ' +
      'the built assets are the files under `/usr/share/nginx/html` that the base image does not have, the virtualenv and the app are `/opt/venv` and `/app`, ' +
      'all counted from `docker cp` the way the engine counts layer sizes (file bytes, no directory entries).',
  );
  out.push('');
  out.push(
    table(
      ['image', 'size', 'base', 'payload', 'overhead (size − base − payload)', 'target', 'result'],
      [
        ['frontend', fmtBytes(z.web.size), `${fmtBytes(z.web.baseSize)} (\`${z.web.base}\`)`, `assets ${fmtBytes(z.web.parts.assets)} (${z.web.parts.assetFiles} files)`, fmtBytes(z.web.overhead), '≤ 2 MB', mark(z.web.pass)],
        ['backend', fmtBytes(z.api.size), `${fmtBytes(z.api.baseSize)} (\`${z.api.base}\`)`, `virtualenv ${fmtBytes(z.api.parts.venv)} + app ${fmtBytes(z.api.parts.app)}`, fmtBytes(z.api.overhead), '≤ 5 MB', mark(z.api.pass)],
      ],
    ),
  );
  out.push('');
  if (z.web.overhead < 0 || z.api.overhead < 0) {
    out.push(
      'A negative overhead means nothing beyond the payload: the engine\'s layer sizes and the file bytes counted from `docker cp` differ by that many bytes.',
    );
    out.push('');
  }
  out.push('Layers each image adds to its base (non-empty only):');
  out.push('');
  for (const [name, img] of [
    ['frontend', z.web],
    ['backend', z.api],
  ]) {
    out.push(table([`${name} layer`, 'size'], img.layers.map((l) => [`\`${l.createdBy.replace(/\|/g, '\\|')}\``, fmtBytes(l.size)])));
    out.push('');
  }
  if (z.api.parts.venvTooling > 0) {
    out.push(
      `Of the virtualenv, ${fmtBytes(z.api.parts.venvTooling)} (${pct(z.api.parts.venvTooling / z.api.parts.venv)}) is packaging tooling ` +
        '(pip, setuptools, `pkg_resources`, `_distutils_hack`, wheel) that `python -m venv` puts there and the running app never uses.' +
        (z.api.baseInfo?.standin
          ? ` The base image here is a local stand-in (${z.api.baseInfo.version ?? 'version unknown'}): Python 3.11's \`venv\` adds pip and setuptools, ` +
            'while from Python 3.12 on it adds pip only, so with the real `' + z.api.base + '` this share is smaller.'
          : ''),
    );
    out.push('');
  }
  out.push('### Naive baseline');
  out.push('');
  if (e.baseline.skipped) {
    out.push(`Not built: ${e.baseline.skipped}.`);
  } else {
    const b = e.baseline;
    out.push(
      'The pattern in `/work/shared/seed-pattern.md`, fixed just enough to build and start (`bench/baseline/`, every fix marked `FIX`): ' +
        '`npm ci` with devDependencies (with `--only=production` the build stops at `tsc: not found`), ' +
        'a minimal `nginx.conf` that lets `USER nginx` start (pid and temp files in /tmp), and `python -m uvicorn` (only site-packages is copied, not the `uvicorn` script). ' +
        'No `.dockerignore`, as in the pattern. Both are built from the same app sources.',
    );
    out.push('');
    out.push(
      table(
        ['image', 'ours', 'naive', 'ours / naive', 'naive base', 'naive starts'],
        [
          ['frontend', fmtBytes(z.web.size), fmtBytes(b.web.size), fmtRatio(z.web.size / b.web.size), `${fmtBytes(b.web.baseSize)} (\`${b.web.base}\`)`, b.web.starts.ok ? `yes: ${b.web.starts.detail}` : `no: ${b.web.starts.detail}`],
          ['backend', fmtBytes(z.api.size), fmtBytes(b.api.size), fmtRatio(z.api.size / b.api.size), `${fmtBytes(b.api.baseSize)} (\`${b.api.base}\`)`, b.api.starts.ok ? `yes: ${b.api.starts.detail}` : `no: ${b.api.starts.detail}`],
          ['both', fmtBytes(z.web.size + z.api.size), fmtBytes(b.web.size + b.api.size), fmtRatio((z.web.size + z.api.size) / (b.web.size + b.api.size)), '', ''],
        ],
      ),
    );
    out.push('');
    for (const [name, img] of [
      ['naive frontend', b.web],
      ['naive backend', b.api],
    ]) {
      out.push(table([`${name} layer`, 'size'], img.layers.map((l) => [`\`${l.createdBy.replace(/\|/g, '\\|')}\``, fmtBytes(l.size)])));
      out.push('');
    }
    if (z.api.size > b.api.size && z.api.parts.venvTooling > 0) {
      const diff = z.api.size - b.api.size;
      out.push(
        `Our backend is ${fmtBytes(diff)} larger than the naive one. The naive image copies only \`site-packages\` from its builder; ` +
          `on these stand-in images pip and setuptools are not in \`/usr/local/lib/python3.11/site-packages\`, so it carries the app's packages only, ` +
          `while our virtualenv carries ${fmtBytes(z.api.parts.venvTooling)} of packaging tooling. (With the official python images pip lives in that ` +
          'site-packages folder, so the naive copy would carry it too, and its `chown -R` layer duplicates `/app`.)',
      );
      out.push('');
    }
  }

  out.push('## 4. Rebuild after a source-only change');
  out.push('');
  const rb = e.rebuild;
  const rounds = rb.web.cold.length;
  out.push(
    `Per round and service: a cold build (\`docker compose build --no-cache\`; base images stay), then one line changed in a source file ` +
      `(frontend \`src/main.ts\`: ${rb.web.edits[0] ? `line ${rb.web.edits[0].line}` : 'a line'}, a default string shown on the page; ` +
      `backend \`main.py\`: ${rb.api.edits[0] ? `line ${rb.api.edits[0].line}` : 'a line'}, a docstring) and a plain \`docker compose build\`, ` +
      `then a change to test and doc files only (${['frontend', 'backend'].map((f) => (f === 'frontend' ? 'frontend `src/main.test.ts`, `README.md`' : 'backend `tests/test_main.py`, `README.md`')).join('; ')}) and another build. ` +
      `${rounds} rounds, services alternating; times are the wall time of the \`docker compose build\` command.`,
  );
  out.push('');
  out.push(
    table(
      ['service', 'cold build (median)', 'rebuild (median)', 'rebuild / cold (median of per-round ratios)', 'per-round range', 'ratio of medians', 'tests/docs-only build', 'target', 'result'],
      ['web', 'api'].map((svc) => {
        const b = rb[svc];
        return [
          svc === 'web' ? 'frontend' : 'backend',
          fmtMs(b.coldMedianMs),
          fmtMs(b.rebuildMedianMs),
          fmtRatio(b.ratio),
          `${fmtRatio(b.pairedMin)}–${fmtRatio(b.pairedMax)}`,
          fmtRatio(b.ratioOfMedians),
          `${b.fullCacheHits}/${b.testDocOnly.length} full cache hits, ${fmtMs(median(b.testDocOnly.map((t) => t.ms)))}`,
          `≤ ${TARGETS.rebuild}`,
          mark(b.ratio <= TARGETS.rebuild),
        ];
      }),
    ),
  );
  out.push('');
  out.push('Layer steps: rebuilt by the source change (in how many rounds) and median step times from the build output.');
  out.push('');
  for (const svc of ['web', 'api']) {
    const b = rb[svc];
    const cold = new Map(b.coldLayers.map((l) => [l.step, l]));
    out.push(
      table(
        [`${svc === 'web' ? 'frontend' : 'backend'} step`, 'instruction', 'rebuilt after the source change', 'step time (rebuild)', 'step time (cold)'],
        [...b.layers].sort(byStep).map((l) => [l.step, `\`${l.instruction.replace(/\|/g, '\\|')}\``, l.rebuilt ? `**yes** (${l.rebuilt}/${l.runs})` : `no, CACHED (0/${l.runs})`, l.rebuilt ? `${l.medianSecs.toFixed(1)} s` : '—', cold.get(l.step)?.rebuilt ? `${cold.get(l.step).medianSecs.toFixed(1)} s` : 'CACHED']),
      ),
    );
    out.push('');
  }
  const td = rb.web.testDocOnly[0];
  out.push('Proof of the tests/docs-only case, from the build output (frontend, first round; every round of both services is in the table above):');
  out.push('');
  out.push('```');
  out.push(td.excerpt.trim());
  out.push('```');
  out.push('');
  out.push(
    `Same image ID before and after: ${rb.web.testDocOnly.every((t) => t.sameImage) && rb.api.testDocOnly.every((t) => t.sameImage) ? 'yes, in every round' : 'NO in at least one round'}.`,
  );
  out.push('');
  out.push('### More test and doc locations');
  out.push('');
  out.push('One file added at a time (cumulative), then a build; "cache hit" means the build output showed every layer CACHED and the image did not change.');
  out.push('');
  out.push(table(['folder', 'file added', 'kind', 'result'], e.probes.map((p) => [p.folder, `\`${p.file}\``, p.kind, p.hit ? 'cache hit' : `**sent to the engine, rebuilt** ${p.stepsRun.map((x) => `\`${x}\``).join(', ')}`])));
  out.push('');

  if (e.runtimeFiles?.length) {
    out.push('### A change to the web server\'s files');
    out.push('');
    out.push(
      'Files of the frontend folder that only the runtime stage copies: a comment line added to each (one at a time, then reverted), and a build. ' +
        'The runtime steps from that file\'s `COPY` on rerun by design; any rerun build-stage step is work the change does not need.',
    );
    out.push('');
    out.push(
      table(
        ['file changed', 'build-stage steps rerun', 'runtime-stage steps rerun', 'build time'],
        e.runtimeFiles.map((r) => [`\`frontend/${r.file}\``, r.buildStage.length ? r.buildStage.map((x) => `\`${x}\``).join(', ') : 'none', r.runtimeStage.map((x) => `\`${x}\``).join(', ') || 'none', fmtMs(r.ms)]),
      ),
    );
    out.push('');
  }
  out.push('## 5. Build context size');
  out.push('');
  const c = e.context;
  out.push(
    'Bytes the engine receives as build context for each service folder, with the generated `.dockerignore` and with it removed. ' +
      'Measured by building `FROM scratch` + `COPY . /context/` from a fresh copy of the folder: the image then holds exactly the files that were sent ' +
      '(BuildKit\'s own "transferring context" figure is shown too). ' +
      `Two trees: the clean checkout (as committed), and a developer tree in which ${[
        c.devTree.frontend.length ? `frontend/ has ${c.devTree.frontend.map((f) => `\`${f}\``).join(', ')}` : '',
        c.devTree.backend.length ? `backend/ has ${c.devTree.backend.map((f) => `\`${f}\``).join(', ')}` : '',
      ]
        .filter(Boolean)
        .join(' and ')} (from \`npm ci\`, \`npm run build\`, \`python3 -m venv\` + \`pip install\`, \`compileall\`).`,
  );
  out.push('');
  if (c.notes.length) {
    out.push(c.notes.map((n) => `- ${n}`).join('\n'));
    out.push('');
  }
  out.push(
    table(
      ['tree', 'folder', 'with .dockerignore', 'without', 'with / without', 'BuildKit transfer (with / without)'],
      c.scenarios.map((sc) => [sc.scenario, sc.folder, `${fmtBytes(sc.with.bytes)} (${sc.with.files} files)`, `${fmtBytes(sc.without.bytes)} (${sc.without.files} files)`, share(sc.ratio), `${sc.with.transferred ?? '?'} / ${sc.without.transferred ?? '?'}`]),
    ),
  );
  out.push('');
  return out.join('\n');
}

/** "By how much, why, what would reach it" for every missed target. */
function missesSection(r) {
  const out = [];
  const s = r.synth;
  const v = s.variants;
  if (s.overhead.value > TARGETS.overhead) {
    out.push(
      `- **Synth overhead ${fmtRatio(s.overhead.value)} > ${TARGETS.overhead}** (${pct(s.overhead.value / TARGETS.overhead - 1)} over the target; about ${fmtMs((s.overhead.value - 1) * v.bare.medianMs)} per synth). ` +
        `Why: the CPU-time ratio is ${fmtRatio(s.overhead.cpu)} (${s.overhead.cpu > TARGETS.overhead ? 'the work itself, not only load on the machine' : 'so most of the gap is load from other processes during the run'}); ` +
        `per phase (example − bare): ${diffText(phaseDiff(v, 'example', 'bare'))}. ` +
        'What would reach it: rerun on an idle machine if the CPU-time ratio is within target; otherwise cut the largest phase above ' +
        '(start-up: the import of the library and the type-checking of its declarations by ts-node; constructs or synth: profile them with `node --cpu-prof`).',
    );
  }
  if (s.scaling.value > TARGETS.scaling) {
    const extra = (s.scaling.value - 1) * v.example.medianMs;
    const d = phaseDiff(v, 'stack100', 'example');
    const added = v.stack100.services - 3;
    out.push(
      `- **Scaling ${fmtRatio(s.scaling.value)} > ${TARGETS.scaling}** (${pct(s.scaling.value / TARGETS.scaling - 1)} over). ` +
        `Why: ${fmtMs(extra)} for ${added} more services, ${(extra / added).toFixed(1)} ms each (CPU-time ratio ${fmtRatio(s.scaling.cpu)}); ` +
        `per phase (100-backend stack − example): ${diffText(d)}, i.e. ${(d[0].ms / added).toFixed(1)} ms per added service in ${d[0].label}. ` +
        `What would reach it: a ratio of ${TARGETS.scaling} allows ${fmtMs(v.example.medianMs * (TARGETS.scaling - 1))} for the ${added} services, ` +
        `${((v.example.medianMs * (TARGETS.scaling - 1)) / added).toFixed(1)} ms each: cut the per-service cost of that phase (profile it with \`node --cpu-prof\`).`,
    );
  }
  const e = r.engine;
  if (!e.skipped) {
    for (const [svc, name, limit] of [
      ['web', 'frontend', TARGETS.webOverhead],
      ['api', 'backend', TARGETS.apiOverhead],
    ]) {
      const img = e.sizes[svc];
      if (!img.pass) {
        out.push(
          `- **Image size, ${name}: overhead ${fmtBytes(img.overhead)} > ${fmtBytes(limit)}** (by ${fmtBytes(img.overhead - limit)}). Why: the layers above the payload are listed in section 3. ` +
            'What would reach it: drop whatever those layers add beyond the payload.',
        );
      }
    }
    for (const [svc, name] of [
      ['web', 'frontend'],
      ['api', 'backend'],
    ]) {
      const b = e.rebuild[svc];
      if (b.ratio <= TARGETS.rebuild) continue;
      const rebuilt = b.layers.filter((l) => l.rebuilt);
      const coldOnly = b.coldLayers.filter((l) => l.rebuilt && !rebuilt.some((x) => x.step === l.step));
      const noop = median(b.testDocOnly.map((t) => t.ms));
      const extraCold = coldOnly.reduce((a, l) => a + l.medianSecs, 0);
      const needCold = b.rebuildMedianMs / TARGETS.rebuild;
      const copy = rebuilt.find((l) => /^COPY \. \./.test(l.instruction));
      const buildStep = rebuilt.find((l) => /^RUN /.test(l.instruction));
      const app = e.app ?? { frontendPackages: [], requirements: [] };
      const small =
        svc === 'web'
          ? `the example's frontend lists ${app.frontendPackages.length} packages (${app.frontendPackages.map((p) => `\`${p}\``).join(', ')}) and npm's download cache is a cache mount, which \`--no-cache\` keeps`
          : `the example lists ${app.requirements.length} requirements`;
      out.push(
        `- **Rebuild / cold build, ${name}: ${fmtRatio(b.ratio)} > ${TARGETS.rebuild}** (${(b.ratio / TARGETS.rebuild).toFixed(1)}× the target: the rebuild takes ${fmtMs(b.rebuildMedianMs)}, the target allows ${fmtMs(b.coldMedianMs * TARGETS.rebuild)}). ` +
          `**Why:** the layer cache works as designed: the source change reran only ${rebuilt.map((l) => `\`${l.instruction}\` (${l.medianSecs.toFixed(1)} s)`).join(', ')}; ` +
          `every install layer was CACHED. The cold build is small, though: the steps it runs beyond those add ${extraCold.toFixed(1)} s ` +
          `(${coldOnly.map((l) => `\`${l.instruction}\` ${l.medianSecs.toFixed(1)} s`).join(', ')}), because ${small}. ` +
          `A build that changes nothing takes ${fmtMs(noop)} (compose start-up, context transfer, cache lookups), ${pct(noop / b.coldMedianMs)} of the cold build` +
          (buildStep ? `, and the app's build script must rerun after any source change (\`${buildStep.instruction}\`: ${buildStep.medianSecs.toFixed(1)} s)` : '') +
          '; on the vfs storage driver each rebuilt layer is also a full copy of its parent\'s filesystem. ' +
          `**What would reach it:** no reordering of the Dockerfile (the install is already cached; only the source layers rerun). With this rebuild time the ratio passes once the cold build takes ≥ ${fmtMs(needCold)}, ` +
          `i.e. for apps whose dependency install dominates the build (${svc === 'web' ? `more packages than the example's ${app.frontendPackages.length}, or a first build with an empty npm cache` : `more requirements than the example's ${app.requirements.length}`}). ` +
          (copy
            ? `The rebuild itself could lose the \`COPY . .\` layer (${copy.medianSecs.toFixed(1)} s here) by bind-mounting the sources into the build step (\`RUN --mount=type=bind,...\`): one layer fewer to create, which costs most on the vfs storage driver used here.`
            : ''),
      );
    }
    const rounds = e.rebuild.web.testDocOnly.length;
    const hits = e.rebuild.web.fullCacheHits + e.rebuild.api.fullCacheHits;
    if (hits !== rounds * 2) {
      out.push(`- **Tests/docs-only change rebuilt something** in ${rounds * 2 - hits} of ${rounds * 2} builds; see section 4 for the steps that ran.`);
    }
  }
  return out.length ? out.join('\n') : 'None: every target was met in this run.';
}

/** Changes to the generated files that this run's measurements point at. */
function suggestionsSection(r) {
  const e = r.engine;
  if (e.skipped) return 'None from this run (engine figures not measured).';
  const out = [];
  const tooling = e.sizes.api.parts.venvTooling;
  if (tooling > 1e6) {
    out.push(
      `- **Backend Dockerfile: keep packaging tools out of the runtime virtualenv** (${fmtBytes(tooling)} of the image's ${fmtBytes(e.sizes.api.parts.venv)} virtualenv). ` +
        'Create it with `python -m venv --without-pip /opt/venv` and install into it with the base image\'s pip: ' +
        '`pip --python /opt/venv/bin/python install --no-cache-dir -r requirements.txt` (pip ≥ 22.3). ' +
        'Requirements that really need setuptools at run time still get it, as a listed dependency. ' +
        (e.sizes.apiWithoutPip?.size
          ? `Measured in this run on a copy: the backend image goes from ${fmtBytes(e.sizes.api.size)} to ${fmtBytes(e.sizes.apiWithoutPip.size)} ` +
            `(${fmtBytes(e.sizes.api.size - e.sizes.apiWithoutPip.size)} less${e.baseline.skipped ? '' : `; the naive baseline is ${fmtBytes(e.baseline.api.size)}`}), ` +
            `and \`uvicorn --version\` ${e.sizes.apiWithoutPip.runs ? `still runs from the venv (${e.sizes.apiWithoutPip.version})` : '**fails**'}.`
          : e.sizes.apiWithoutPip?.skipped
            ? `(Not measured: ${e.sizes.apiWithoutPip.skipped}.)`
            : ''),
    );
  }
  const missed = e.probes.filter((p) => !p.hit);
  if (missed.length) {
    const byFolder = {};
    for (const p of missed) (byFolder[p.folder] ??= new Set()).add(PATTERN_FOR[p.file] ?? `(a pattern for ${p.file})`);
    for (const [folder, pats] of Object.entries(byFolder)) {
      out.push(
        `- **${folder}/.dockerignore: more test locations** — ${missed
          .filter((p) => p.folder === folder)
          .map((p) => `\`${p.file}\``)
          .join(', ')} went into the build context and rebuilt layers. Add ${[...pats].map((p) => `\`${p}\``).join(', ')} ` +
          `(\`tests\` and \`docs\` only match at the context root today${[...pats].some((p) => p === '**/tests' || p === '**/docs') ? '; `**/tests` and `**/docs` also cover nested ones' : ''}).`,
      );
    }
  }
  const needless = (e.runtimeFiles ?? []).filter((r) => r.buildStage.length);
  if (needless.length) {
    out.push(
      `- **Frontend Dockerfile: keep the web server's files out of the build stage.** A one-line change to ${needless.map((r) => `\`${r.file}\``).join(' or ')} ` +
        `reran ${needless[0].buildStage.map((x) => `\`${x}\``).join(', ')}: the build stage's \`COPY . .\` takes every file of the folder, including those that only the runtime stage uses. ` +
        'Since the stack regenerates `nginx.conf` when its proxies change, such a change rebuilds the app for nothing. ' +
        'Keeping them out of the build stage (for example generating them into a folder outside the app\'s build context and copying them from a second, named build context, or copying only the app\'s sources in the build stage) would leave `npm run build` cached.',
    );
  }
  const rb = e.rebuild.web;
  if (rb.ratio > TARGETS.rebuild) {
    const copy = rb.layers.find((l) => /^COPY \. \./.test(l.instruction) && l.rebuilt);
    if (copy) {
      out.push(
        `- **Frontend Dockerfile (optional)**: \`COPY . .\` is its own layer (${copy.medianSecs.toFixed(1)} s per rebuild here) only to be read by the next \`RUN\`; ` +
          'a bind mount of the context into the build step would drop that layer. Worth it on slow storage drivers; it does not change which steps rerun.',
      );
    }
  }
  const dev = e.context.scenarios.filter((x) => x.scenario === 'developer tree');
  const worst = dev.reduce((a, x) => (x.ratio > (a?.ratio ?? 0) ? x : a), undefined);
  if (worst && worst.ratio > 0.5) {
    out.push(`- **${worst.folder}/.dockerignore** lets ${pct(worst.ratio)} of a developer tree through; look at what the context still holds.`);
  }
  return out.length ? out.join('\n') : 'Nothing: the generated files met every target and kept every probed test/doc file out.';
}

function rawSection(r) {
  const s = r.synth;
  const lines = ['<details><summary>Raw samples (ms)</summary>', ''];
  lines.push(`Synth, ${s.rounds} rounds; order of each round (the headline pairs back to back, direction alternating; the others shuffled, seed ${r.options.seed}):`);
  lines.push('');
  s.orders.forEach((o, i) => lines.push(`- round ${i + 1}: ${o.join(', ')}`));
  lines.push('');
  lines.push(table(['project', 'wall ms per round', 'CPU ms per round'], Object.values(s.variants).map((v) => [v.key, v.samplesMs.join(', '), v.cpuSamplesMs.join(', ')])));
  lines.push('');
  if (!r.engine.skipped) {
    const rb = r.engine.rebuild;
    lines.push(
      table(
        ['service', 'cold ms', 'rebuild ms', 'tests/docs-only ms'],
        ['web', 'api'].map((svc) => [svc, rb[svc].cold.map(Math.round).join(', '), rb[svc].rebuild.map(Math.round).join(', '), rb[svc].testDocOnly.map((t) => Math.round(t.ms)).join(', ')]),
      ),
    );
    lines.push('');
  }
  lines.push('</details>');
  return lines.join('\n');
}

function renderReport(r) {
  const rows = summaryRows(r);
  return `# Benchmarks

<!-- Written by \`node bench/run.js\` (\`npx projen bench\`) from one run's measurements. Edit bench/lib/report.js, not this file. -->

How fast \`npx projen\` stays as a stack grows, and what the generated images cost: size, and how little rebuilds
after an everyday change. Every figure is a **ratio of two measurements taken in the same run**, interleaved
(the synth projects of a ratio back to back in every round; cold build and rebuild back to back) and summarised by medians,
so it holds on a loaded machine; absolute times are given only as context.

## Summary

${table(['#', 'figure', 'measured', 'target', 'result'], rows)}

Figures 1 and 2 compare wall times of \`npx projen\`: the two projects of a ratio run back to back in every round, and the
figure is the median over the rounds of that round's ratio. Next to it, as cross-checks: the ratio of the two median
wall times, of the median CPU times of the whole process tree, and of the fastest runs. Other load on the machine only
ever adds time, so where these disagree, the difference is noise rather than the stack's cost.

## Machine

${machineSection(r)}

## How to rerun

\`\`\`bash
npx projen compile                  # the bench packs lib/ as built (scripts/synth-example.sh compiles when src/ is newer)
eval "$(/work/shared/docker-sandbox/start-engine)"   # only where no engine runs; stand-ins for the baseline's base images:
/work/shared/docker-sandbox/standin-images node:20-alpine nginx:alpine python:3.11-slim   # (where no registry can be reached; likewise for the example's FROM images)
npx projen bench                    # = node bench/run.js: every figure, rewrites docs/benchmarks.md (~${Math.max(1, Math.round(r.machine.durationS / 60))} min here)
node bench/run.js --synth-only      # figures 1 and 2 only, no engine needed
\`\`\`

Options: \`--rounds N\` synth rounds (default 15), \`--build-rounds N\` cold/rebuild rounds (default 5), \`--out FILE\`,
\`--json FILE\` (all raw results), \`--no-write\` (print instead), \`--keep\` (keep the temporary projects), \`--keep-cache\`,
\`--min-free-gb N\`, \`--seed N\`.
Without an answering engine the image figures are skipped with the reason, and the synth figures are still written.
The bench builds only images named \`pcs-bench-<run>-*\` and removes them at the end, never base images. It also removes the
build cache records that appeared during the run (after each rebuild round and at the end; \`--keep-cache\` leaves them): with the vfs
storage driver each cached layer is a full copy of its parent's filesystem, tens of GB over a run. \`--min-free-gb N\` (default 20)
skips the engine figures when the engine's disk has less room.

${synthSections(r)}
${engineSections(r)}
## Misses: by how much, why, what would reach it

${missesSection(r)}

## What the measurements suggest changing in the generated files

${suggestionsSection(r)}

${rawSection(r)}
`;
}

module.exports = { renderReport, TARGETS };
