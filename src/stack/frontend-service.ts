import { isIP } from 'net';
import * as path from 'path';
import { BackendService } from './backend-service';
import { ComposeStack } from './compose-stack';
import { validPort } from './postgres-database';
import { BuildStage, StackService } from './stack-service';
import { ComposeComments, ComposeService, composeLiteral } from '../compose/compose-document';
import { DockerfileModel, renderDockerfile } from '../dockerfile/dockerfile';
import { EnvVariableSpec } from '../env/env-file';
import { ENV_NAME_RE, hasLineBreak, imageRefProblem } from '../internal/names';
import { checkRelativeFolder, posixPath } from '../internal/paths';
import { NginxBlock, renderNginxConfig } from '../nginx/nginx-config';
import { DEFAULT_IMAGES } from '../versions';

/**
 * The package manager that installs the frontend's dependencies.
 */
export enum PackageManager {
  /** npm, from `package-lock.json`. */
  NPM = 'npm',
  /** pnpm (through corepack), from `pnpm-lock.yaml`. */
  PNPM = 'pnpm',
  /** Yarn classic, from `yarn.lock`. */
  YARN = 'yarn',
  /** Yarn 2+ (through corepack), from `yarn.lock` with `.yarnrc.yml`. */
  YARN_BERRY = 'yarn-berry',
}

/**
 * Options for `FrontendService`.
 */
export interface FrontendServiceOptions {
  /**
   * Folder of the frontend (the build context, with `package.json` and a lockfile), relative
   * to the project root.
   */
  readonly path: string;

  /**
   * Host port that serves the app. It is the stack's public entry, published on all interfaces
   * unless `hostAddress` narrows it; `<ID>_HOST_PORT` in the environment overrides it at `up`.
   *
   * @default 8080
   */
  readonly hostPort?: number;

  /**
   * Host address to publish on, e.g. `127.0.0.1` to keep the app local.
   *
   * @default - all interfaces
   */
  readonly hostAddress?: string;

  /**
   * Folder the build script writes, relative to `path`.
   *
   * @default "dist"
   */
  readonly buildDir?: string;

  /**
   * The package.json script that builds the app.
   *
   * @default "build"
   */
  readonly buildScript?: string;

  /**
   * The package manager.
   *
   * @default - detected from the lockfile in `path`
   */
  readonly packageManager?: PackageManager;

  /**
   * Public build-time variables (such as `VITE_*`), passed as build args. Never put secrets
   * here: they end up in the built files.
   *
   * @default - none
   */
  readonly buildArgs?: { [name: string]: string };

  /**
   * Runtime settings of the page (name -> default value). They are `.env` variables named
   * `<ID>_<NAME>`, rendered into `/config.js` as `window.__APP_CONFIG__` when the container
   * starts, so changing one needs a restart, not a rebuild. Public values only.
   *
   * @default - none (`/config.js` sets an empty object)
   */
  readonly runtimeConfig?: { [name: string]: string };

  /**
   * Node.js image of the build stage.
   *
   * @default "node:24-alpine"
   */
  readonly nodeImage?: string;

  /**
   * nginx image of the runtime stage. It must run nginx as a non-root user on an unprivileged
   * port, as `nginxinc/nginx-unprivileged` does.
   *
   * @default "nginxinc/nginx-unprivileged:1.28-alpine"
   */
  readonly nginxImage?: string;

  /**
   * Largest request body nginx accepts (uploads), in nginx size syntax.
   *
   * @default "50m"
   */
  readonly clientMaxBodySize?: string;

  /**
   * URL path of the build's hashed assets, cached for a year.
   *
   * @default "/assets/"
   */
  readonly assetsPath?: string;

  /**
   * The Content-Security-Policy header.
   *
   * @default - same-origin scripts, styles, images, fonts and connections
   */
  readonly contentSecurityPolicy?: string;
}

/**
 * Options for `FrontendService.proxyApi`.
 */
export interface ProxyApiOptions {
  /**
   * URL path prefix forwarded to the backend.
   *
   * @default "/api"
   */
  readonly pathPrefix?: string;

  /**
   * Remove the prefix before forwarding (`/api/items` reaches the backend as `/items`).
   *
   * @default false
   */
  readonly stripPrefix?: boolean;
}

interface Proxy {
  readonly backend: BackendService;
  readonly prefix: string;
  readonly strip: boolean;
}

const NGINX_PORT = 8080;
const NGINX_UID = 101;
const DEFAULT_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'self'";

/**
 * A single-page app built with Node.js and served by an unprivileged nginx, which also proxies
 * the API to a backend so the page and the API share one origin.
 */
export class FrontendService extends StackService {
  /** The build context folder. */
  public readonly path: string;
  /** The host port. */
  public readonly hostPort: number;

  private readonly options: FrontendServiceOptions;
  private readonly proxies: Proxy[] = [];
  private readonly extraLocations: Array<{ match: string; directives: string[] }> = [];

  constructor(stack: ComposeStack, id: string, options: FrontendServiceOptions) {
    super(stack, id);
    this.options = options;
    this.path = posixPath(options.path).replace(/\/$/, '');
    this.hostPort = options.hostPort ?? 8080;
    this._addManagedFile(path.posix.join(this.path, 'Dockerfile'), { commentPrefix: '#', render: () => renderDockerfile(this.dockerfile()) });
    this._addManagedFile(path.posix.join(this.path, '.dockerignore'), { commentPrefix: '#', render: () => this.renderDockerignore() });
    this._addManagedFile(path.posix.join(this.path, 'nginx.conf'), { commentPrefix: '#', render: () => renderNginxConfig(this.nginxConfig()) });
    this._addManagedFile(path.posix.join(this.path, 'runtime-config.sh'), {
      commentPrefix: '#',
      firstLine: '#!/bin/sh',
      executable: true,
      render: () => this.renderRuntimeConfigScript(),
    });
    this.node.addValidation({ validate: () => this.validateOptions() });
  }

  /**
   * Proxies `pathPrefix` (default `/api`) to a backend: the page calls its API on its own
   * origin, WebSocket upgrades included; the frontend starts once the backend is healthy.
   */
  public proxyApi(backend: BackendService, options: ProxyApiOptions = {}): void {
    const prefix = (options.pathPrefix ?? '/api').replace(/\/+$/, '');
    this.proxies.push({ backend, prefix, strip: options.stripPrefix ?? false });
  }

  /**
   * Adds a `location` block to the nginx server, ahead of the SPA fallback: `match` is what
   * follows `location` (`/docs/`, `= /robots.txt`, `~ \\.php$`), `directives` are nginx
   * directives without the final `;` (for example `return 301 https://docs.example.com`).
   */
  public addNginxLocation(match: string, directives: string[]): void {
    this.extraLocations.push({ match, directives });
  }

  /** @internal */
  protected get _kind(): string {
    return 'FrontendService';
  }

  private get buildDir(): string {
    return posixPath(this.options.buildDir ?? 'dist').replace(/\/$/, '');
  }

  private get runtimeConfig(): Record<string, string> {
    return this.options.runtimeConfig ?? {};
  }

  private detectPackageManager(): PackageManager | undefined {
    if (this.options.packageManager) return this.options.packageManager;
    const has = (f: string) => this._folderExists(path.posix.join(this.path, f));
    if (has('pnpm-lock.yaml')) return PackageManager.PNPM;
    if (has('yarn.lock')) return has('.yarnrc.yml') ? PackageManager.YARN_BERRY : PackageManager.YARN;
    if (has('package-lock.json')) return PackageManager.NPM;
    return undefined;
  }

  private validateOptions(): string[] {
    const errors: string[] = [];
    const rel = checkRelativeFolder(this.options.path, 'path');
    if (rel) {
      errors.push(this._problem(rel));
    } else if (!this._folderExists(this.path)) {
      errors.push(this._problem(`folder "${this.path}" does not exist; create the app there or fix the path option`));
    } else if (!this._folderExists(path.posix.join(this.path, 'package.json'))) {
      errors.push(this._problem(`${this.path}/package.json does not exist; the frontend is built with its "${this.options.buildScript ?? 'build'}" script`));
    } else if (!this.detectPackageManager()) {
      errors.push(this._problem(`no lockfile in ${this.path}/ (package-lock.json, pnpm-lock.yaml or yarn.lock): run "npm install" there and commit the lockfile, so builds install exactly the locked versions`));
    }
    const bd = this.options.buildDir ?? 'dist';
    const bdProblem = checkRelativeFolder(bd, 'buildDir');
    if (bdProblem || ['.', ''].includes(this.buildDir)) {
      errors.push(this._problem(`buildDir "${bd}" must be a folder inside ${this.path}/ (such as "dist"), not the folder itself or outside it`));
    }
    if (!validPort(this.hostPort)) errors.push(this._problem(`hostPort ${this.hostPort} is not a port number (1-65535)`));
    if (this.options.hostAddress !== undefined && !isIP(this.options.hostAddress)) {
      errors.push(this._problem(`hostAddress "${this.options.hostAddress}" must be an IP address such as 127.0.0.1`));
    }
    if (this.options.clientMaxBodySize !== undefined && !/^\d+[kKmMgG]?$/.test(this.options.clientMaxBodySize)) {
      errors.push(this._problem(`clientMaxBodySize "${this.options.clientMaxBodySize}" must be an nginx size such as "50m"`));
    }
    const assets = this.options.assetsPath ?? '/assets/';
    if (!/^\/[A-Za-z0-9._~\/-]*\/$/.test(assets)) errors.push(this._problem(`assetsPath "${assets}" must start and end with "/" (for example "/assets/")`));
    for (const name of [...Object.keys(this.options.buildArgs ?? {}), ...Object.keys(this.runtimeConfig)]) {
      if (!ENV_NAME_RE.test(name)) errors.push(this._problem(`variable name "${name}" is not valid (letters, digits, "_")`));
    }
    for (const [name, value] of Object.entries(this.runtimeConfig)) {
      if (/[\n\r\0]/.test(value)) errors.push(this._problem(`runtimeConfig ${name}: default values cannot contain line breaks`));
    }
    for (const [what, ref] of [['nodeImage', this.options.nodeImage], ['nginxImage', this.options.nginxImage]] as const) {
      const p = ref === undefined ? undefined : imageRefProblem(ref, what);
      if (p) errors.push(this._problem(p));
    }
    if (this.options.buildScript !== undefined && !/^[A-Za-z0-9][A-Za-z0-9:._-]*$/.test(this.options.buildScript)) {
      errors.push(this._problem(`buildScript "${this.options.buildScript}" must be the name of a script in package.json (letters, digits, ":", ".", "_", "-"), such as "build"`));
    }
    if (/[\s"'$\\]/.test(bd)) errors.push(this._problem(`buildDir "${bd}" cannot contain spaces, quotes, "$" or backslashes`));
    for (const name of Object.keys(this.runtimeConfig)) {
      if (['HOST_PORT', 'DEV_PORT'].includes(name)) errors.push(this._problem(`runtimeConfig ${name}: the name is taken by the port override ${this.envPrefix}_${name}; choose another name`));
    }
    errors.push(...this.locationProblems());
    const prefixes = new Set<string>();
    for (const p of this.proxies) {
      if (!(p.backend instanceof BackendService)) {
        errors.push(this._problem(`proxyApi needs a BackendService, got ${(p.backend as any)?.node?.path ?? String(p.backend)}`));
        continue;
      }
      const other = this._sameStackProblem(p.backend, 'proxyApi');
      if (other) errors.push(this._problem(other));
      if (!/^\/[A-Za-z0-9._~\/-]+$/.test(p.prefix)) errors.push(this._problem(`proxyApi pathPrefix "${p.prefix}" must be a URL path such as "/api"`));
      if (prefixes.has(p.prefix)) errors.push(this._problem(`two backends are proxied at "${p.prefix}"; give each its own pathPrefix`));
      prefixes.add(p.prefix);
    }
    return errors;
  }

  /** Checks the extra nginx locations, and that no two locations of the server clash. */
  private locationProblems(): string[] {
    const errors: string[] = [];
    for (const { match, directives } of this.extraLocations) {
      const m = LOCATION_MATCH_RE.exec(match);
      if (!m || /[{};"'#]/.test(m[2]) || hasLineBreak(match)) {
        errors.push(this._problem(`addNginxLocation match ${JSON.stringify(match)} must be an optional modifier (=, ^~, ~, ~*) and one path or regex without braces, quotes, ";" or "#" (such as "/docs/" or "= /robots.txt")`));
      }
      if (!directives.length) errors.push(this._problem(`addNginxLocation ${JSON.stringify(match)} needs at least one directive (such as "return 404")`));
      for (const d of directives) {
        const problem = nginxDirectiveProblem(d);
        if (problem) errors.push(this._problem(`addNginxLocation ${JSON.stringify(match)}: directive ${JSON.stringify(d)} ${problem}`));
      }
    }
    // locations nginx would refuse as duplicates: the same exact match, or the same prefix (with or without ^~)
    const seen = new Map<string, string>();
    for (const { modifier, path: p, source } of this.allLocations()) {
      if (modifier === '~' || modifier === '~*') continue;
      const key = `${modifier === '=' ? '=' : 'prefix'} ${p}`;
      const other = seen.get(key);
      if (other) errors.push(this._problem(`nginx location "${modifier ? `${modifier} ` : ''}${p}" of ${source} clashes with the one of ${other} (nginx refuses duplicate locations); choose another path`));
      else seen.set(key, source);
    }
    return errors;
  }

  /** Every location block of the generated server, with where it comes from. */
  private allLocations(): Array<{ modifier: string; path: string; source: string }> {
    const out: Array<{ modifier: string; path: string; source: string }> = [{ modifier: '=', path: '/healthz', source: 'the healthcheck' }];
    for (const p of this.proxies) {
      out.push({ modifier: '^~', path: `${p.prefix}/`, source: `proxyApi(${p.backend.serviceName})` }, { modifier: '=', path: p.prefix, source: `proxyApi(${p.backend.serviceName})` });
    }
    out.push(
      { modifier: '^~', path: this.options.assetsPath ?? '/assets/', source: 'the hashed assets (assetsPath)' },
      { modifier: '=', path: '/config.js', source: 'the runtime settings' },
      { modifier: '=', path: '/index.html', source: 'the app shell' },
      { modifier: '', path: '/', source: 'the SPA fallback' },
    );
    for (const { match } of this.extraLocations) {
      const m = LOCATION_MATCH_RE.exec(match);
      if (m) out.push({ modifier: m[1] ?? '', path: m[2], source: `addNginxLocation("${match}")` });
    }
    return out;
  }

  private dockerfile(): DockerfileModel {
    const pm = this.detectPackageManager() ?? PackageManager.NPM;
    const nodeImage = this.stack._resolveImage(this.options.nodeImage ?? DEFAULT_IMAGES.node);
    const nginxImage = this.stack._resolveImage(this.options.nginxImage ?? DEFAULT_IMAGES.nginx);
    const df = new DockerfileModel();
    df.header.push(`Frontend "${this.serviceName}": built with ${pm === PackageManager.YARN_BERRY ? 'yarn' : pm}, served by nginx as uid ${NGINX_UID}.`, `Build: docker compose build ${this.serviceName}`);

    const build = df.stage('build', nodeImage, 'Build stage: install from the lockfile and run the build script.');
    build.add({ kind: 'WORKDIR', path: '/app' });
    this._extraInstructions(BuildStage.BUILD).forEach((text, i) => build.add({ kind: 'RAW', text }, i === 0 ? 'Extra build instructions (addDockerfileInstructions)' : undefined));
    build.add(
      { kind: 'ENV', vars: [['NODE_ENV', 'production']] },
      'Production build; the install below still includes devDependencies, which the build needs',
    );
    const install = this.installSteps(pm);
    if (install.corepack) build.add({ kind: 'RUN', commands: ['corepack enable'] }, `${pm === PackageManager.PNPM ? 'pnpm' : 'yarn'} comes from corepack`);
    build.add({ kind: 'COPY', sources: install.files, dest: './' }, 'Manifest and lockfile first: the install layer is reused until they change');
    build.add({ kind: 'RUN', mounts: [`type=cache,target=${install.cache}`], commands: [install.command] });
    build.add({ kind: 'COPY', sources: ['.'], dest: '.' });
    const buildArgs = Object.keys(this.options.buildArgs ?? {});
    buildArgs.forEach((name, i) =>
      build.add({ kind: 'ARG', name }, i === 0 ? 'Public build-time values (compose build.args); declared late so they do not invalidate the install' : undefined),
    );
    build.add({ kind: 'RUN', commands: [`${install.run} ${this.options.buildScript ?? 'build'}`] });

    const run = df.stage('runtime', nginxImage, 'Runtime stage: only the built files and the nginx config.');
    const labels = this.stack._labels();
    if (labels.length) run.add({ kind: 'LABEL', labels }, 'Organisation-wide image labels');
    const extraRuntime = this._extraInstructions(BuildStage.RUNTIME);
    if (extraRuntime.length) {
      run.add({ kind: 'USER', user: 'root' }, 'Extra runtime instructions (addDockerfileInstructions)');
      extraRuntime.forEach((text) => run.add({ kind: 'RAW', text }));
    }
    run.add({ kind: 'COPY', sources: ['nginx.conf'], dest: '/etc/nginx/nginx.conf' }, 'Complete nginx config: pid and temp files in /tmp, port 8080, no version banner');
    run.add(
      { kind: 'COPY', sources: ['runtime-config.sh'], dest: '/docker-entrypoint.d/40-runtime-config.sh', chmod: '0555' },
      "Writes /config.js from the container's environment at start (runtime settings without a rebuild);\nthe entrypoint runs only executable hooks",
    );
    run.add({ kind: 'COPY', from: 'build', sources: [`/app/${this.buildDir}`], dest: '/usr/share/nginx/html' });
    run.add({ kind: 'USER', user: String(NGINX_UID) }, 'The unprivileged image runs nginx as uid 101');
    run.add({ kind: 'EXPOSE', port: NGINX_PORT });
    run.add(
      { kind: 'HEALTHCHECK', test: this.healthProbe(), interval: '10s', timeout: '5s', startPeriod: '10s', retries: 3 },
      'Liveness of nginx itself (no dependency on the backend)',
    );
    return df;
  }

  private installSteps(pm: PackageManager): { files: string[]; cache: string; command: string; run: string; corepack: boolean } {
    switch (pm) {
      case PackageManager.PNPM:
        return { files: ['package.json', 'pnpm-lock.yaml'], cache: '/root/.local/share/pnpm/store', command: 'pnpm install --frozen-lockfile --prod=false', run: 'pnpm run', corepack: true };
      case PackageManager.YARN:
        return { files: ['package.json', 'yarn.lock'], cache: '/usr/local/share/.cache/yarn', command: 'yarn install --frozen-lockfile --production=false', run: 'yarn run', corepack: false };
      case PackageManager.YARN_BERRY:
        return { files: ['package.json', 'yarn.lock', '.yarnrc.yml'], cache: '/root/.yarn/berry/cache', command: 'yarn install --immutable', run: 'yarn run', corepack: true };
      case PackageManager.NPM:
      default:
        return { files: ['package.json', 'package-lock.json'], cache: '/root/.npm', command: 'npm ci --include=dev --no-audit --no-fund', run: 'npm run', corepack: false };
    }
  }

  /** Health probe: busybox wget on Alpine images, curl on Debian ones. */
  private healthProbe(): string[] {
    const url = `http://127.0.0.1:${NGINX_PORT}/healthz`;
    const nginxImage = this.options.nginxImage ?? DEFAULT_IMAGES.nginx;
    return /alpine/.test(nginxImage) ? ['wget', '-q', '-O', '/dev/null', url] : ['curl', '-fsS', '-o', '/dev/null', url];
  }

  private securityHeaders(block: NginxBlock, comment?: string): void {
    const headers: Array<[string, string]> = [
      ['X-Content-Type-Options', 'nosniff'],
      ['X-Frame-Options', 'SAMEORIGIN'],
      ['Referrer-Policy', 'strict-origin-when-cross-origin'],
      ['Content-Security-Policy', this.options.contentSecurityPolicy ?? DEFAULT_CSP],
    ];
    headers.forEach(([name, value], i) => block.directive('add_header', [name, value, 'always'], i === 0 ? comment : undefined));
  }

  private nginxConfig(): NginxBlock {
    const main = new NginxBlock('main');
    main.directive('worker_processes', 'auto');
    main.directive('pid', '/tmp/nginx.pid', 'Non-root and read-only root filesystem: runtime files go to /tmp (a tmpfs)');
    main.directive('error_log', ['/dev/stderr', 'warn']);
    main.block('events').directive('worker_connections', '1024');

    const http = main.block('http');
    http.directive('include', '/etc/nginx/mime.types');
    http.directive('default_type', 'application/octet-stream');
    for (const t of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) http.directive(`${t}_temp_path`, `/tmp/${t}_temp`);
    http.directive('access_log', '/dev/stdout');
    http.directive('server_tokens', 'off', 'No nginx version in headers and error pages');
    http.directive('sendfile', 'on');
    http.directive('tcp_nopush', 'on');
    http.directive('keepalive_timeout', '65');
    http.directive('client_max_body_size', this.options.clientMaxBodySize ?? '50m', 'Largest upload accepted (413 above it)');
    http.directive('gzip', 'on', 'Compress text responses');
    http.directive('gzip_vary', 'on');
    http.directive('gzip_proxied', 'any');
    http.directive('gzip_min_length', '1024');
    http.directive('gzip_types', ['text/plain', 'text/css', 'application/javascript', 'text/javascript', 'application/json', 'image/svg+xml', 'application/xml']);
    if (this.proxies.length) {
      http
        .block('map', ['$http_upgrade', '$connection_upgrade'], 'WebSocket upgrades pass through the proxy')
        .directive('default', 'upgrade')
        .directive("''", 'close');
    }

    const server = http.block('server');
    server.directive('listen', String(NGINX_PORT), 'Unprivileged port: no capability needed');
    server.directive('server_name', '_');
    server.directive('root', '/usr/share/nginx/html');
    server.directive('index', 'index.html');
    server.directive('absolute_redirect', 'off');
    this.securityHeaders(server, 'Security headers (repeated in every location that sets its own headers)');
    if (this.proxies.length) {
      server.directive('resolver', ['127.0.0.11', 'valid=10s', 'ipv6=off'], "Docker's DNS: backends are looked up per request, so nginx starts and keeps working when they restart");
    }

    server.block('location', ['=', '/healthz'], 'Healthcheck endpoint').directive('access_log', 'off').directive('default_type', 'text/plain').directive('return', ['200', 'ok']);

    for (const p of this.proxies) {
      const loc = server.block('location', ['^~', `${p.prefix}/`], `API: forwarded to ${p.backend.serviceName}${p.strip ? ` without the ${p.prefix} prefix` : ', path unchanged'}`);
      loc.directive('set', ['$upstream_' + p.backend.envPrefix.toLowerCase(), `http://${p.backend._upstream()}`]);
      if (p.strip) loc.directive('rewrite', [`^${p.prefix}/(.*)$`, '/$1', 'break']);
      loc.directive('proxy_pass', '$upstream_' + p.backend.envPrefix.toLowerCase());
      loc.directive('proxy_http_version', '1.1');
      loc.directive('proxy_set_header', ['Host', '$host']);
      loc.directive('proxy_set_header', ['X-Real-IP', '$remote_addr']);
      loc.directive('proxy_set_header', ['X-Forwarded-For', '$proxy_add_x_forwarded_for']);
      loc.directive('proxy_set_header', ['X-Forwarded-Proto', '$scheme']);
      loc.directive('proxy_set_header', ['Upgrade', '$http_upgrade']);
      loc.directive('proxy_set_header', ['Connection', '$connection_upgrade']);
      loc.directive('proxy_read_timeout', '300s');
      server.block('location', ['=', p.prefix]).directive('return', ['308', `${p.prefix}/`]);
    }

    const assets = this.options.assetsPath ?? '/assets/';
    const a = server.block('location', ['^~', assets], 'Hashed build assets never change: cache for a year');
    a.directive('try_files', ['$uri', '=404']);
    a.directive('add_header', ['Cache-Control', 'public, max-age=31536000, immutable', 'always']);
    this.securityHeaders(a);

    const cfg = server.block('location', ['=', '/config.js'], 'Runtime settings, written at container start');
    cfg.directive('alias', '/tmp/runtime-config.js');
    cfg.directive('default_type', 'application/javascript');
    cfg.directive('add_header', ['Cache-Control', 'no-store', 'always']);
    this.securityHeaders(cfg);

    const idx = server.block('location', ['=', '/index.html'], 'The app shell is never cached, so a deploy is picked up at once');
    idx.directive('add_header', ['Cache-Control', 'no-cache', 'always']);
    this.securityHeaders(idx);

    this.extraLocations.forEach(({ match, directives }, i) => {
      const loc = server.block('location', match.trim().split(/\s+/), i === 0 ? 'Extra locations (addNginxLocation)' : undefined);
      for (const d of directives) loc.directive(d.trim().replace(/;$/, ''), []);
    });

    server
      .block('location', ['~', '\\.[A-Za-z0-9]+$'], 'A path with a file extension is a file: 404 when missing, not the app')
      .directive('try_files', ['$uri', '=404']);

    server.block('location', ['/'], 'Client-side routes (/about, /items/42) get the app shell').directive('try_files', ['$uri', '/index.html']);
    return main;
  }

  private renderRuntimeConfigScript(): string {
    const entries = Object.keys(this.runtimeConfig);
    const lines = [
      '# Writes /tmp/runtime-config.js (served as /config.js) from the container environment, so the page',
      '# gets its runtime settings without a rebuild. Runs from the nginx image\'s /docker-entrypoint.d/.',
      'set -eu',
      '',
      '# JSON string escaping for POSIX sh: backslash, double quote, "<" (no </script> breakout), tab',
      'json_string() {',
      "  printf '%s' \"$1\" | sed -e 's/\\\\/\\\\\\\\/g' -e 's/\"/\\\\\"/g' -e 's/</\\\\u003c/g' -e 's/\t/\\\\t/g'",
      '}',
      '',
      '{',
      "  printf 'window.__APP_CONFIG__ = {'",
    ];
    entries.forEach((name, i) => {
      lines.push(`  printf '${i ? ', ' : ''}"${name}": "%s"' "$(json_string "\${${name}-}")"`);
    });
    lines.push("  printf '};\\n'", '} > /tmp/runtime-config.js');
    return lines.join('\n');
  }

  private renderDockerignore(): string {
    return [
      '# Only sources go to the engine: dependencies and the build output are produced inside the image.',
      '**/node_modules',
      `${this.buildDir}`,
      '**/.vite',
      '**/.cache',
      '**/coverage',
      '# Local env files and secrets never enter an image (this also matches nested folders).',
      '**/.env',
      '**/.env.*',
      '!**/.env.example',
      '**/secrets',
      '**/__pycache__',
      '**/*.log',
      '# Tests and docs do not change the built app',
      '**/*.test.*',
      '**/*.spec.*',
      '**/__tests__',
      'tests',
      'cypress',
      'docs',
      '**/*.md',
      '# Version control and the container files that the build does not copy',
      '.git',
      '.gitignore',
      'Dockerfile',
      '.dockerignore',
      ...this.stack._extraDockerignore(),
    ].join('\n');
  }

  /**
   * @internal Development variant: the package manager's dev server with hot reload, on the
   * host's sources; API requests go to the backend named in API_PROXY_TARGET.
   */
  public _devComposeService(comments: ComposeComments, at: string): ComposeService {
    const pm = this.detectPackageManager() ?? PackageManager.NPM;
    const install = this.installSteps(pm);
    const devPort = 5173;
    // npm needs "--" before the script's own arguments; pnpm and yarn pass them on
    const devRun = pm === PackageManager.NPM ? 'npm run dev --' : `${install.run} dev`;
    const script = [install.corepack ? 'corepack enable' : undefined, install.command, `exec ${devRun} --host 0.0.0.0 --port ${devPort}`].filter(Boolean).join(' && ');
    const svc: ComposeService = {
      image: this.stack._resolveImage(this.options.nodeImage ?? DEFAULT_IMAGES.node),
      working_dir: '/app',
      command: ['sh', '-c', script],
      volumes: [`${this.stack._composePath(this.path)}:/app`, `${this.serviceName}-node-modules:/app/node_modules`],
      // the first frontend's dev server on 5173, the next ones on 5174, ...
      ports: [`127.0.0.1:\${${this.envPrefix}_DEV_PORT:-${devPort + this.stack.services.filter((x) => x instanceof FrontendService).indexOf(this)}}:${devPort}`],
      restart: 'unless-stopped',
      security_opt: ['no-new-privileges:true'],
      networks: [this.stack._webNetwork],
    };
    if (this.proxies.length) {
      const p = this.proxies[0];
      svc.environment = { API_PROXY_TARGET: `http://${p.backend._upstream()}`, API_PATH_PREFIX: p.prefix };
      svc.depends_on = {};
      for (const x of this.proxies) svc.depends_on[x.backend.serviceName] = { condition: 'service_healthy' };
      comments.set(`${at}.environment`, "For the dev server's proxy (e.g. server.proxy in vite.config): where the API answers");
    }
    comments.set(`${at}.volumes`, 'Sources from the host (hot reload); dependencies in a volume of their own');
    comments.set(`${at}.ports`, `Dev server on 127.0.0.1 only (${this.envPrefix}_DEV_PORT overrides it)`);
    return svc;
  }

  /** @internal */
  public _devVolumes(): string[] {
    return [`${this.serviceName}-node-modules`];
  }

  /** @internal */
  public _envVariables(): EnvVariableSpec[] {
    const runtime = Object.entries(this.runtimeConfig).map(([name, value]) => ({
      name: `${this.envPrefix}_${name}`,
      description: `Runtime setting ${name} of the page (service ${this.serviceName}), served in /config.js. Public: do not put secrets here.`,
      initialValue: () => value,
      exampleValue: value,
      secret: false,
      usedBy: this.node.path,
    }));
    // and the variables added with addEnvironment
    return [...runtime, ...super._envVariables()];
  }

  /** @internal */
  public _networks(): Record<string, boolean> {
    return { [this.stack._webNetwork]: false };
  }

  /** @internal */
  public _publishedPorts(): Array<{ address: string; port: number }> {
    return [{ address: this.options.hostAddress ?? '0.0.0.0', port: this.hostPort }];
  }

  /** @internal */
  public _composeService(comments: ComposeComments, at: string): ComposeService {
    const portVar = `${this.envPrefix}_HOST_PORT`;
    const address = this.options.hostAddress ? `${this.options.hostAddress.includes(':') ? `[${this.options.hostAddress}]` : this.options.hostAddress}:` : '';
    const svc: ComposeService = {
      build: { context: this.stack._composePath(this.path), dockerfile: 'Dockerfile' },
      ports: [`${address}\${${portVar}:-${this.hostPort}}:${NGINX_PORT}`],
      restart: 'unless-stopped',
      healthcheck: { test: ['CMD', ...this.healthProbe()], interval: '10s', timeout: '5s', retries: 3, start_period: '10s' },
      read_only: true,
      tmpfs: ['/tmp'],
      security_opt: ['no-new-privileges:true'],
      cap_drop: ['ALL'],
      networks: [this.stack._webNetwork],
    };
    comments.set(`${at}.ports`, `The public entry${address ? ` (on ${this.options.hostAddress} only)` : ', on all interfaces'}; ${portVar} overrides the host port`);
    const args = this.options.buildArgs ?? {};
    if (Object.keys(args).length) {
      svc.build!.args = {};
      for (const [k, v] of Object.entries(args)) svc.build!.args[k] = composeLiteral(v);
    }
    const cfg = Object.keys(this.runtimeConfig);
    if (cfg.length) {
      svc.environment = {};
      for (const name of cfg) svc.environment[name] = '${' + `${this.envPrefix}_${name}` + '-}';
      comments.set(`${at}.environment`, 'Runtime settings for /config.js, from the env file');
    }
    this._applyEnvironment(svc, []);
    if (this.proxies.length) {
      svc.depends_on = {};
      for (const p of this.proxies) svc.depends_on[p.backend.serviceName] = { condition: 'service_healthy' };
      comments.set(`${at}.depends_on`, 'Serve once the API behind the proxy is healthy');
    }
    return svc;
  }
}

/** What follows `location`: an optional modifier and one path or regex. */
const LOCATION_MATCH_RE = /^\s*(=|\^~|~\*?)?\s*(\S+)\s*$/;

/**
 * Why an extra nginx directive cannot be written as given, or undefined: it must be one simple
 * directive (name and arguments; an optional final ";"), with no block and no second directive,
 * so that it cannot open, close or add locations.
 */
function nginxDirectiveProblem(directive: string): string | undefined {
  if (hasLineBreak(directive)) return 'cannot contain line breaks';
  const d = directive.trim().replace(/;$/, '');
  if (!/^[a-z_][a-z0-9_]*(\s|$)/.test(d)) return 'must start with a directive name such as "return" or "add_header"';
  let quote: string | undefined;
  for (let i = 0; i < d.length; i++) {
    const c = d[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '{' || c === '}' || c === ';' || c === '#') {
      return `must be one simple directive: "${c}" outside quotes would open or close a block, end it or start a comment`;
    }
  }
  if (quote) return 'has an unclosed quote';
  return undefined;
}
