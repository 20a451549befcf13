/**
 * Drives a synthesized stack with Docker Compose v2 for the end-to-end tests.
 */
import { request as httpRequest } from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { run } from './example';

export class RunningStack {
  public readonly timings: Record<string, number> = {};

  constructor(
    public readonly dir: string,
    /** Compose project name passed with -p; undefined: the name in compose.yaml. */
    public readonly project: string | undefined,
    public readonly env: NodeJS.ProcessEnv = {},
  ) {}

  public compose(args: string[], options: { allowFail?: boolean; timeout?: number } = {}) {
    const p = this.project ? ['-p', this.project] : [];
    return run(['docker', 'compose', ...p, '-f', path.join(this.dir, 'compose.yaml'), ...args], {
      cwd: this.dir,
      env: this.env,
      ...options,
    });
  }

  public timed<T>(label: string, fn: () => T): T {
    const t0 = Date.now();
    try {
      return fn();
    } finally {
      this.timings[label] = (Date.now() - t0) / 1000;
    }
  }

  public build(): void {
    this.timed('build', () => this.compose(['build'], { timeout: 1_200_000 }));
  }

  /** `up -d --wait`: returns once every service with a healthcheck is healthy; on failure the error carries the logs. */
  public up(label = 'up-to-healthy'): void {
    try {
      this.timed(label, () => this.compose(['up', '-d', '--wait'], { timeout: 600_000 }));
    } catch (e) {
      throw new Error(`${(e as Error).message}\n--- logs ---\n${this.logs()}`);
    }
  }

  public containerId(service: string): string {
    return this.compose(['ps', '-q', service]).stdout.trim();
  }

  /** Logs of every service (for failure messages). */
  public logs(): string {
    return this.compose(['logs', '--no-color', '--tail', '80'], { allowFail: true }).stdout;
  }

  /** Removes containers, networks, volumes and the images built for this project (never base images). */
  public destroy(): void {
    this.compose(['down', '-v', '--rmi', 'local', '--remove-orphans'], { allowFail: true, timeout: 300_000 });
  }

  /** Image ids of the services built for this project. */
  public builtImages(): string[] {
    return this.compose(['images', '-q']).stdout.trim().split('\n').filter((id, i, all) => id && all.indexOf(id) === i);
  }

  public imageSizeMb(service: string): number {
    const id = this.compose(['images', '-q', service]).stdout.trim().split('\n')[0];
    const bytes = Number(run(['docker', 'image', 'inspect', '-f', '{{.Size}}', id]).stdout.trim());
    return Math.round(bytes / 1e5) / 10;
  }

  /** uid of the container's main process as the host sees it. */
  public mainProcessUid(service: string): number {
    const id = this.containerId(service);
    const pid = run(['docker', 'inspect', '-f', '{{.State.Pid}}', id]).stdout.trim();
    const top = run(['docker', 'top', id, '-eo', 'pid,uid']).stdout.trim().split('\n').slice(1);
    const row = top.map((l) => l.trim().split(/\s+/)).find(([p]) => p === pid);
    if (!row) throw new Error(`main process ${pid} of ${service} not found in docker top:\n${top.join('\n')}`);
    return Number(row[1]);
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Builds and starts a synthesized stack under its own compose project name, its frontend on a
 * free host port (leftovers of an interrupted run are removed first; a failed start is removed too).
 */
export async function startStack(dir: string, project: string): Promise<{ stack: RunningStack; base: string }> {
  const port = await freePort();
  const stack = new RunningStack(dir, project, { WEB_HOST_PORT: String(port) });
  stack.destroy();
  try {
    stack.build();
    stack.up();
  } catch (e) {
    stack.destroy();
    throw e;
  }
  return { stack, base: `http://127.0.0.1:${port}` };
}

/** Every address of this host (IPv4 and IPv6, loopback included). */
export function hostAddresses(): string[] {
  const out = new Set<string>(['127.0.0.1', '::1', '0.0.0.0']);
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) out.add(a.family === 'IPv6' && a.scopeid ? `${a.address}%${a.scopeid}` : a.address);
  }
  return [...out];
}

/** Resolves to true when a TCP connection to address:port succeeds. */
export function canConnect(address: string, port: number, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: address.split('%')[0], port, timeout: timeoutMs });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('timeout', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(false));
  });
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
  text(): string;
  json<T = unknown>(): T;
}

/** One HTTP request on a fresh connection (no keep-alive pool that could outlive a restart). */
export function http(method: string, url: string, options: { body?: Buffer | string; headers?: Record<string, string> } = {}): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, agent: false, headers: { connection: 'close', ...(options.headers ?? {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body,
          text: () => body.toString('utf-8'),
          json: <T>() => JSON.parse(body.toString('utf-8')) as T,
        });
      });
      res.on('error', reject);
    });
    req.setTimeout(60_000, () => req.destroy(new Error(`timeout: ${method} ${url}`)));
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}
