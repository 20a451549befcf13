'use strict';
// Preloaded (NODE_OPTIONS=--require) into every node process of a timed `npx projen` run: on exit
// it appends the process's peak resident set size, CPU time and lifetime to $PCS_BENCH_PROBE, one JSON line
// per process (npx, the projen CLI, ts-node running .projenrc.ts). Cost: one appendFileSync at exit.
const file = process.env.PCS_BENCH_PROBE;
if (file) {
  process.on('exit', () => {
    try {
      const ru = process.resourceUsage();
      require('fs').appendFileSync(
        file,
        JSON.stringify({
          pid: process.pid,
          argv: process.argv.slice(1, 4),
          maxRssKb: ru.maxRSS,
          cpuUs: ru.userCPUTime + ru.systemCPUTime,
          uptimeMs: Math.round(process.uptime() * 1000),
        }) + '\n',
      );
    } catch {
      // a benchmark probe must never change the outcome of the measured command
    }
  });
}
