'use strict';
// Small helpers shared by the benchmark modules: processes, statistics, formatting, tar sizes.
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const REPO = path.resolve(__dirname, '..', '..');

/**
 * Runs a command without a shell. Returns { status, stdout, stderr, ms, error }.
 * `input` is written to stdin; `timeout` in ms; stdout is a Buffer when `binary` is set.
 */
function run(cmd, args, opts = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    input: opts.input,
    timeout: opts.timeout,
    maxBuffer: 2 * 1024 * 1024 * 1024,
    encoding: opts.binary ? 'buffer' : 'utf-8',
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return { status: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '', ms, error: r.error };
}

/** Runs a command and throws with its output when it fails. */
function must(cmd, args, opts = {}) {
  const r = run(cmd, args, opts);
  if (r.status !== 0) {
    const out = `${opts.binary ? '' : r.stdout}\n${r.stderr}`.trim().split('\n').slice(-25).join('\n');
    throw new Error(`${cmd} ${args.join(' ')} failed (${r.error ? r.error.message : `exit ${r.status}`}) in ${opts.cwd ?? process.cwd()}:\n${out}`);
  }
  return r;
}

/** Runs a bash script; throws when it fails. */
function bash(script, opts = {}) {
  return must('bash', ['-c', script], opts);
}

function median(xs) {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function min(xs) {
  return Math.min(...xs);
}

function max(xs) {
  return Math.max(...xs);
}

/** Deterministic PRNG (mulberry32), so a run's interleaving order can be reproduced from its seed. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle(xs, rand) {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

function fmtMs(ms) {
  if (!Number.isFinite(ms)) return 'n/a';
  return ms >= 10000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 1000).toFixed(2)} s`;
}

function fmtBytes(b) {
  if (b === undefined || b === null || Number.isNaN(b)) return 'n/a';
  const sign = b < 0 ? '-' : '';
  const a = Math.abs(b);
  if (a >= 1e9) return `${sign}${(a / 1e9).toFixed(2)} GB`;
  if (a >= 1e6) return `${sign}${(a / 1e6).toFixed(2)} MB`;
  if (a >= 1e3) return `${sign}${(a / 1e3).toFixed(1)} kB`;
  return `${sign}${a} B`;
}

function fmtRatio(x) {
  return Number.isFinite(x) ? x.toFixed(3) : 'n/a';
}

/**
 * Sizes of the entries of a tar stream (as `docker cp CONTAINER:PATH -` writes it), counted the
 * way the engine counts a layer's size: regular files by their length, symlinks by the length of
 * their target, hard links and directories as 0. Returns { bytes, files, entries: [{ path, size }] }.
 */
function tarSizes(buf) {
  let off = 0;
  let bytes = 0;
  let files = 0;
  const entries = [];
  let pax = {};
  let longName;
  let longLink;
  const str = (b, s, n) => {
    const raw = b.subarray(s, s + n);
    const z = raw.indexOf(0);
    return raw.subarray(0, z < 0 ? raw.length : z).toString('utf-8');
  };
  while (off + 512 <= buf.length) {
    const h = buf.subarray(off, off + 512);
    if (h.every((x) => x === 0)) break;
    const sizeField = h.subarray(124, 136);
    let size;
    if (sizeField[0] & 0x80) {
      // base-256 encoding for large sizes
      size = 0;
      for (let i = 1; i < 12; i++) size = size * 256 + sizeField[i];
    } else {
      size = parseInt(str(h, 124, 12).trim() || '0', 8);
    }
    const type = String.fromCharCode(h[156] || 48);
    const prefix = str(h, 345, 155);
    let name = str(h, 0, 100);
    if (prefix) name = `${prefix}/${name}`;
    let linkname = str(h, 157, 100);
    const dataStart = off + 512;
    const data = buf.subarray(dataStart, dataStart + size);
    off = dataStart + Math.ceil(size / 512) * 512;
    if (type === 'x' || type === 'g') {
      const next = {};
      let p = 0;
      const text = data.toString('utf-8');
      while (p < text.length) {
        const sp = text.indexOf(' ', p);
        const len = parseInt(text.slice(p, sp), 10);
        if (!len) break;
        const rec = text.slice(sp + 1, p + len - 1);
        const eq = rec.indexOf('=');
        next[rec.slice(0, eq)] = rec.slice(eq + 1);
        p += len;
      }
      if (type === 'x') pax = next;
      continue;
    }
    if (type === 'L') {
      longName = str(data, 0, data.length);
      continue;
    }
    if (type === 'K') {
      longLink = str(data, 0, data.length);
      continue;
    }
    name = pax.path ?? longName ?? name;
    linkname = pax.linkpath ?? longLink ?? linkname;
    const realSize = pax.size !== undefined ? Number(pax.size) : size;
    pax = {};
    longName = undefined;
    longLink = undefined;
    let counted = 0;
    if (type === '0' || type === '7') {
      counted = realSize;
      files++;
    } else if (type === '2') {
      counted = Buffer.byteLength(linkname);
    }
    bytes += counted;
    if (counted) entries.push({ path: name, size: counted });
  }
  return { bytes, files, entries };
}

/** Size in bytes of the files under a local folder (apparent sizes, symlinks not followed). */
function dirBytes(dir) {
  let total = 0;
  let files = 0;
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isSymbolicLink()) total += fs.readlinkSync(p).length;
      else if (e.isFile()) {
        total += fs.statSync(p).size;
        files++;
      }
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return { bytes: total, files };
}

function log(...args) {
  const t = new Date().toISOString().slice(11, 19);
  console.log(`[bench ${t}]`, ...args);
}

module.exports = { REPO, run, must, bash, median, min, max, rng, shuffle, fmtMs, fmtBytes, fmtRatio, tarSizes, dirBytes, log };
