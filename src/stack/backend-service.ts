import * as path from 'path';
import { ComposeStack } from './compose-stack';
import { PostgresDatabase, validPort } from './postgres-database';
import { BuildStage, StackService } from './stack-service';
import { ComposeComments, ComposeService, composeLiteral, requiredVariable } from '../compose/compose-document';
import { DockerfileModel, renderDockerfile } from '../dockerfile/dockerfile';
import { ENV_NAME_RE, imageRefProblem } from '../internal/names';
import { checkRelativeFolder, posixPath } from '../internal/paths';
import { DEFAULT_IMAGES, TOOL_VERSIONS } from '../versions';

/**
 * How the backend's Python dependencies are declared and installed.
 */
export enum PythonPackaging {
  /** `requirements.txt`, installed with pip. */
  PIP = 'pip',
  /** `pyproject.toml` + `uv.lock`, installed exactly from the lock with `uv sync --frozen`. */
  UV = 'uv',
  /** `pyproject.toml` + `poetry.lock`, installed from the lock with `poetry install`. */
  POETRY = 'poetry',
}

/**
 * Options for `BackendService`.
 */
export interface BackendServiceOptions {
  /**
   * Folder of the Python app (the build context), relative to the project root.
   */
  readonly path: string;

  /**
   * The ASGI app, as `module:attribute`.
   *
   * @default "main:app"
   */
  readonly app?: string;

  /**
   * Port the server listens on inside the container.
   *
   * @default 8000
   */
  readonly port?: number;

  /**
   * HTTP path that answers 200 when the service is healthy.
   *
   * @default "/health"
   */
  readonly healthCheckPath?: string;

  /**
   * The start command (exec form, so the server itself receives stop signals), for example
   * `['gunicorn', 'main:app', '-k', 'uvicorn.workers.UvicornWorker', '-b', '0.0.0.0:8000']`.
   *
   * @default - uvicorn with `app`, host 0.0.0.0 and `port`
   */
  readonly command?: string[];

  /**
   * Python base image, used for the build and the runtime stage.
   *
   * @default "python:3.13-slim"
   */
  readonly image?: string;

  /**
   * The requirements file inside `path`, installed into a virtualenv (pip packaging).
   *
   * @default "requirements.txt"
   */
  readonly requirementsFile?: string;

  /**
   * How dependencies are installed.
   *
   * @default - detected: `uv.lock` means uv, `poetry.lock` means poetry, otherwise pip with `requirementsFile`
   */
  readonly packaging?: PythonPackaging;

  /**
   * Build args (public, non-secret values) declared at the top of the build stage and passed
   * by compose, for use by extra Dockerfile instructions.
   *
   * @default - none
   */
  readonly buildArgs?: { [name: string]: string };

  /**
   * Numeric user id (and group id) the server runs as.
   *
   * @default 10001
   */
  readonly uid?: number;

  /**
   * Publish the port on the host, on 127.0.0.1 only (the frontend's proxy is the public way in).
   *
   * @default - not published
   */
  readonly hostPort?: number;

  /**
   * Plain (non-secret) environment variables for the container.
   *
   * @default - none
   */
  readonly environment?: { [name: string]: string };
}

/**
 * Options for `BackendService.connectTo`.
 */
export interface ConnectOptions {
  /**
   * Prefix of the connection variables in the container (`<prefix>DATABASE_URL`, `<prefix>PGHOST`, ...).
   *
   * @default - none for the first database, `<DB>_` for the next ones
   */
  readonly envPrefix?: string;
}

interface Connection {
  readonly db: PostgresDatabase;
  readonly prefix: string;
}

/**
 * A Python ASGI backend (FastAPI, Starlette, ...): a virtualenv built from `requirements.txt`,
 * a slim non-root runtime stage and uvicorn (by default).
 */
export class BackendService extends StackService {
  /** The build context folder. */
  public readonly path: string;
  /** The port the server listens on inside the container. */
  public readonly port: number;
  /** The HTTP health path. */
  public readonly healthCheckPath: string;

  private readonly options: BackendServiceOptions;
  private readonly connections: Connection[] = [];

  constructor(stack: ComposeStack, id: string, options: BackendServiceOptions) {
    super(stack, id);
    this.options = options;
    this.path = posixPath(options.path).replace(/\/$/, '');
    this.port = options.port ?? 8000;
    this.healthCheckPath = options.healthCheckPath ?? '/health';

    this._addManagedFile(path.posix.join(this.path, 'Dockerfile'), { commentPrefix: '#', render: () => renderDockerfile(this.dockerfile()) });
    this._addManagedFile(path.posix.join(this.path, '.dockerignore'), { commentPrefix: '#', render: () => this.renderDockerignore() });
    this.node.addValidation({ validate: () => this.validateOptions() });
  }

  /**
   * Connects this backend to a database: the container gets `DATABASE_URL` (host, port and
   * database, no credentials) and libpq's `PGHOST`, `PGPORT`, `PGDATABASE`, `PGUSER`,
   * `PGPASSWORD`, so any password works without URL encoding; it starts once the database is
   * healthy and joins the database's private network.
   */
  public connectTo(database: PostgresDatabase, options: ConnectOptions = {}): void {
    const prefix = options.envPrefix ?? (this.connections.length === 0 ? '' : `${database.envPrefix}_`);
    this.connections.push({ db: database, prefix });
  }

  /** @internal */
  protected get _kind(): string {
    return 'BackendService';
  }

  /** The image's uid. */
  private get uid(): number {
    return this.options.uid ?? 10001;
  }

  private validateOptions(): string[] {
    const errors: string[] = [];
    const rel = checkRelativeFolder(this.options.path, 'path');
    if (rel) {
      errors.push(this._problem(rel));
    } else if (!this._folderExists(this.path)) {
      errors.push(this._problem(`folder "${this.path}" does not exist; create it (with your app and ${this.requirementsFile}) or fix the path option`));
    } else {
      const pk = this.packaging;
      const missing = this.packagingFiles(pk).filter((f) => !this._folderExists(path.posix.join(this.path, f)));
      if (missing.length && pk === PythonPackaging.PIP) {
        errors.push(
          this._problem(
            `${path.posix.join(this.path, this.requirementsFile)} does not exist; list the app's packages there (pip freeze > ${this.requirementsFile}), add a uv.lock or poetry.lock, or set requirementsFile`,
          ),
        );
      } else if (missing.length) {
        errors.push(this._problem(`${pk} packaging needs ${missing.map((m) => path.posix.join(this.path, m)).join(' and ')}; create it (e.g. with "${pk} lock") or choose another packaging`));
      }
    }
    for (const name of Object.keys(this.options.buildArgs ?? {})) {
      if (!ENV_NAME_RE.test(name)) errors.push(this._problem(`build arg name "${name}" is not valid (letters, digits, "_")`));
    }
    if (!/^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*$/.test(this.options.app ?? 'main:app')) {
      errors.push(this._problem(`app "${this.options.app}" must look like "module:attribute" (for example "main:app")`));
    }
    if (!validPort(this.port)) errors.push(this._problem(`port ${this.port} is not a port number (1-65535)`));
    if (this.options.hostPort !== undefined && !validPort(this.options.hostPort)) errors.push(this._problem(`hostPort ${this.options.hostPort} is not a port number (1-65535)`));
    if (!/^\/[A-Za-z0-9._~\/%?=&+,:@-]*$/.test(this.healthCheckPath)) {
      errors.push(this._problem(`healthCheckPath "${this.healthCheckPath}" must be a URL path starting with "/" (letters, digits and . _ ~ / % ? = & + , : @ -), such as "/api/health"`));
    }
    if (this.options.image !== undefined) {
      const p = imageRefProblem(this.options.image, 'image');
      if (p) errors.push(this._problem(p));
    }
    const req = this.options.requirementsFile;
    if (req !== undefined && (checkRelativeFolder(req, 'requirementsFile') || !/^[A-Za-z0-9._\/-]+$/.test(req))) {
      errors.push(this._problem(`requirementsFile "${req}" must be a file inside ${this.path}/ (letters, digits, ".", "_", "-", "/"), such as "requirements.txt"`));
    }
    if (this.options.command && this.options.command.length === 0) errors.push(this._problem('command must not be empty; leave it out to use uvicorn'));
    const uid = this.uid;
    if (!Number.isInteger(uid) || uid <= 0) errors.push(this._problem(`uid ${uid} must be a positive integer (0 is root)`));
    const prefixes = new Set<string>();
    const connectionVars = new Set<string>();
    for (const c of this.connections) {
      if (!/^([A-Za-z_][A-Za-z0-9_]*)?$/.test(c.prefix)) errors.push(this._problem(`connectTo envPrefix "${c.prefix}" must be letters, digits and "_" (such as "ANALYTICS_"), not starting with a digit`));
      for (const v of ['DATABASE_URL', 'PGHOST', 'PGPORT', 'PGDATABASE', 'PGUSER', 'PGPASSWORD', 'PGPASSWORD_FILE']) connectionVars.add(`${c.prefix}${v}`);
      const other = this._sameStackProblem(c.db, 'connectTo');
      if (other) errors.push(this._problem(other));
      if (prefixes.has(c.prefix)) errors.push(this._problem(`two connections use the variable prefix "${c.prefix}"; pass a distinct envPrefix to connectTo`));
      prefixes.add(c.prefix);
    }
    for (const name of Object.keys(this.options.environment ?? {})) {
      if (!ENV_NAME_RE.test(name)) errors.push(this._problem(`environment variable name "${name}" is not valid (letters, digits, "_")`));
      if (connectionVars.has(name)) errors.push(this._problem(`environment ${name} is set by connectTo; remove it from the environment option (or pass connectTo an envPrefix)`));
    }
    return errors;
  }

  private get requirementsFile(): string {
    return this.options.requirementsFile ?? 'requirements.txt';
  }

  /** The packaging in effect (explicit, or detected from the lockfile). */
  private get packaging(): PythonPackaging {
    if (this.options.packaging) return this.options.packaging;
    if (this._folderExists(path.posix.join(this.path, 'uv.lock'))) return PythonPackaging.UV;
    if (this._folderExists(path.posix.join(this.path, 'poetry.lock'))) return PythonPackaging.POETRY;
    return PythonPackaging.PIP;
  }

  private packagingFiles(pk: PythonPackaging): string[] {
    switch (pk) {
      case PythonPackaging.UV:
        return ['pyproject.toml', 'uv.lock'];
      case PythonPackaging.POETRY:
        return ['pyproject.toml', 'poetry.lock'];
      default:
        return [this.requirementsFile];
    }
  }

  /** The start command. */
  private get command(): string[] {
    return this.options.command ?? ['uvicorn', this.options.app ?? 'main:app', '--host', '0.0.0.0', '--port', String(this.port)];
  }

  private dockerfile(): DockerfileModel {
    const image = this.stack._resolveImage(this.options.image ?? DEFAULT_IMAGES.python);
    const pk = this.packaging;
    const df = new DockerfileModel();
    df.header.push(`Backend "${this.serviceName}": Python app (${pk}) served by ${this.command[0]}.`, `Build: docker compose build ${this.serviceName}`);

    const build = df.stage('build', image, 'Build stage: create the virtualenv with the app\'s dependencies.');
    Object.keys(this.options.buildArgs ?? {}).forEach((name) => build.add({ kind: 'ARG', name }));
    build.add({ kind: 'ENV', vars: [['PIP_DISABLE_PIP_VERSION_CHECK', '1'], ['PIP_NO_CACHE_DIR', '1']] }, 'No pip cache or version check in image layers');
    build.add({ kind: 'WORKDIR', path: '/app' });
    this._extraInstructions(BuildStage.BUILD).forEach((text, i) => build.add({ kind: 'RAW', text }, i === 0 ? 'Extra build instructions (addDockerfileInstructions)' : undefined));
    const venvComment = 'The virtualenv lives at the same path in both stages, so the shebangs of its console scripts\n(uvicorn, gunicorn, ...) stay valid after the copy';
    if (pk === PythonPackaging.UV) {
      build.add({ kind: 'RUN', commands: [`pip install --no-cache-dir uv==${TOOL_VERSIONS.uv}`] }, 'uv, pinned');
      build.add(
        { kind: 'ENV', vars: [['UV_PROJECT_ENVIRONMENT', '/opt/venv'], ['UV_LINK_MODE', 'copy'], ['UV_PYTHON_DOWNLOADS', 'never'], ['PATH', '/opt/venv/bin:$PATH']] },
        `${venvComment}; uv uses the image's Python`,
      );
      build.add({ kind: 'COPY', sources: ['pyproject.toml', 'uv.lock'], dest: './' }, 'Project metadata and lockfile first: the install layer is reused until they change');
      build.add({ kind: 'RUN', commands: ['uv sync --frozen --no-dev --no-install-project'] }, 'Exactly the locked versions (--frozen fails instead of updating the lock)');
    } else if (pk === PythonPackaging.POETRY) {
      build.add({ kind: 'RUN', commands: [`pip install --no-cache-dir poetry==${TOOL_VERSIONS.poetry}`, 'python -m venv /opt/venv'] }, `poetry, pinned; ${venvComment}`);
      build.add({ kind: 'ENV', vars: [['VIRTUAL_ENV', '/opt/venv'], ['POETRY_VIRTUALENVS_CREATE', 'false'], ['PATH', '/opt/venv/bin:$PATH']] }, 'poetry installs into the active virtualenv');
      build.add({ kind: 'COPY', sources: ['pyproject.toml', 'poetry.lock'], dest: './' }, 'Project metadata and lockfile first: the install layer is reused until they change');
      build.add({ kind: 'RUN', commands: ['poetry install --only main --no-root --no-interaction'] }, 'Exactly the locked versions of the main dependencies');
    } else {
      build.add(
        { kind: 'RUN', commands: ['python -m venv --without-pip /opt/venv'] },
        `${venvComment}.\nWithout pip and setuptools: the image's pip installs into it, and the runtime carries only the app's packages`,
      );
      build.add({ kind: 'COPY', sources: [this.requirementsFile], dest: './' }, 'Dependencies first: this layer is reused until the requirements change');
      build.add({ kind: 'RUN', commands: [`python -m pip --python /opt/venv/bin/python install --no-cache-dir -r ${this.requirementsFile}`] });
      build.add({ kind: 'ENV', vars: [['PATH', '/opt/venv/bin:$PATH']] }, 'The virtualenv first on PATH (after the install, which uses the image\'s pip)');
    }

    const run = df.stage('runtime', image, 'Runtime stage: the virtualenv and the app, nothing else.');
    const labels = this.stack._labels();
    if (labels.length) run.add({ kind: 'LABEL', labels }, 'Organisation-wide image labels');
    run.add(
      {
        kind: 'ENV',
        vars: [
          ['PATH', '/opt/venv/bin:$PATH'],
          ['PYTHONDONTWRITEBYTECODE', '1'],
          ['PYTHONUNBUFFERED', '1'],
        ],
      },
      'Logs unbuffered to stdout; no .pyc writes (the root filesystem is read-only at run time)',
    );
    run.add({ kind: 'WORKDIR', path: '/app' });
    run.add({ kind: 'COPY', from: 'build', sources: ['/opt/venv'], dest: '/opt/venv' });
    this._extraInstructions(BuildStage.RUNTIME).forEach((text, i) => run.add({ kind: 'RAW', text }, i === 0 ? 'Extra runtime instructions (addDockerfileInstructions)' : undefined));
    run.add({ kind: 'COPY', sources: ['.'], dest: '.' }, 'App files stay owned by root: the server can read but not modify them');
    run.add({ kind: 'USER', user: `${this.uid}:${this.uid}` }, 'A fixed non-root uid; no passwd entry is needed');
    run.add({ kind: 'EXPOSE', port: this.port });
    run.add(
      {
        kind: 'HEALTHCHECK',
        test: ['python', '-c', this.healthProbeScript()],
        interval: '10s',
        timeout: '5s',
        startPeriod: '20s',
        retries: 5,
      },
      'Health probe with the standard library: the slim image has no curl or wget',
    );
    run.add({ kind: 'CMD', argv: this.command }, 'Exec form: the server is PID 1 and stops cleanly on SIGTERM');
    return df;
  }

  private healthProbeScript(): string {
    return `import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:${this.port}${this.healthCheckPath}', timeout=4).status == 200 else 1)`;
  }

  private renderDockerignore(): string {
    return [
      '# Only what the image needs goes to the engine: smaller context, fewer rebuilds.',
      '# Local env files and secrets never enter an image (this also matches nested folders).',
      '**/.env',
      '**/.env.*',
      '!**/.env.example',
      '**/secrets',
      '# Virtualenvs and caches are rebuilt inside the image',
      '**/.venv',
      '**/venv',
      '**/__pycache__',
      '**/*.py[cod]',
      '**/.pytest_cache',
      '**/.mypy_cache',
      '**/.ruff_cache',
      '**/node_modules',
      '# Tests and docs do not change the running app',
      '**/tests',
      '**/test_*.py',
      '**/*_test.py',
      '**/conftest.py',
      '**/docs',
      '**/*.md',
      '# Version control and the container files themselves',
      '.git',
      '.gitignore',
      'Dockerfile',
      '.dockerignore',
      ...this.stack._extraDockerignore(),
    ].join('\n');
  }

  private composeBuildArgs(): { args?: Record<string, string> } {
    const args = Object.entries(this.options.buildArgs ?? {});
    return args.length ? { args: Object.fromEntries(args.map(([k, v]) => [k, composeLiteral(v)])) } : {};
  }

  /** @internal */
  public _networks(): Record<string, boolean> {
    return { [this.stack._webNetwork]: false };
  }

  /** @internal */
  public _publishedPorts(): Array<{ address: string; port: number }> {
    return this.options.hostPort !== undefined ? [{ address: '127.0.0.1', port: this.options.hostPort }] : [];
  }

  /**
   * @internal Development variant: the build stage (which has the virtualenv) running the server
   * with --reload from the host's sources.
   */
  public _devComposeService(comments: ComposeComments, at: string): ComposeService {
    const prod = this._composeService(new Map(), at);
    const svc: ComposeService = {
      ...prod,
      build: { ...prod.build!, target: 'build' },
      // uvicorn with --reload; a command of your own runs as given (add its own reload flag)
      command: this.options.command ? this.options.command.map(composeLiteral) : ['uvicorn', this.options.app ?? 'main:app', '--host', '0.0.0.0', '--port', String(this.port), '--reload'],
      working_dir: '/app',
      volumes: [`${this.stack._composePath(this.path)}:/app`],
      // hostPort, else the port; further backends without hostPort on the next ports (8001, ...)
      ports: [`127.0.0.1:\${${this.envPrefix}_DEV_PORT:-${this.options.hostPort ?? this.port + this.stack.services.filter((x) => x instanceof BackendService && x.options.hostPort === undefined).indexOf(this)}}:${this.port}`],
      read_only: false,
      environment: { ...(prod.environment ?? {}), PYTHONDONTWRITEBYTECODE: '1', PYTHONUNBUFFERED: '1' },
    };
    delete svc.image;
    comments.set(`${at}.volumes`, 'Sources from the host; uvicorn --reload restarts on every change');
    comments.set(`${at}.ports`, `Development port, on 127.0.0.1 only (${this.envPrefix}_DEV_PORT overrides it)`);
    return svc;
  }

  /** @internal The host name and port other services use to reach this one. */
  public _upstream(): string {
    return `${this.serviceName}:${this.port}`;
  }

  /** @internal */
  public _composeService(comments: ComposeComments, at: string): ComposeService {
    const environment: Record<string, string> = {};
    for (const [k, v] of Object.entries(this.options.environment ?? {})) environment[k] = composeLiteral(v);
    const hint = `set it in ${this.stack.envFile} (copy ${this.stack.envExampleFile} or run npx projen)`;
    const secrets: Array<{ envName: string; variable: string }> = [];
    for (const { db, prefix } of this.connections) {
      environment[`${prefix}DATABASE_URL`] = `postgresql://${db.serviceName}:${db.port}/${db.database}`;
      environment[`${prefix}PGHOST`] = db.serviceName;
      environment[`${prefix}PGPORT`] = String(db.port);
      environment[`${prefix}PGDATABASE`] = db.database;
      environment[`${prefix}PGUSER`] = requiredVariable(db.userVariable, hint);
      secrets.push({ envName: `${prefix}PGPASSWORD`, variable: db.passwordVariable });
    }
    const svc: ComposeService = {
      build: { context: this.stack._composePath(this.path), dockerfile: 'Dockerfile', ...this.composeBuildArgs() },
      restart: 'unless-stopped',
      healthcheck: {
        test: ['CMD', 'python', '-c', this.healthProbeScript()],
        interval: '10s',
        timeout: '5s',
        retries: 5,
        start_period: '20s',
      },
      read_only: true,
      tmpfs: ['/tmp'],
      security_opt: ['no-new-privileges:true'],
      cap_drop: ['ALL'],
      networks: [this.stack._webNetwork, ...this.connections.map((c) => c.db.networkName)],
    };
    if (Object.keys(environment).length) svc.environment = environment;
    this._applyEnvironment(svc, secrets);
    if (svc.environment) {
      if (this.connections.length) {
        comments.set(
          `${at}.environment`,
          'DATABASE_URL has no credentials: libpq-based drivers take PGUSER/PGPASSWORD from the environment,\nso any password works without URL encoding',
        );
      }
    }
    if (this.connections.length) {
      svc.depends_on = {};
      for (const { db } of this.connections) svc.depends_on[db.serviceName] = { condition: 'service_healthy' };
      comments.set(`${at}.depends_on`, 'Start only once the database accepts connections');
    }
    if (this.options.hostPort !== undefined) {
      const v = `${this.envPrefix}_HOST_PORT`;
      svc.ports = [`127.0.0.1:\${${v}:-${this.options.hostPort}}:${this.port}`];
      comments.set(`${at}.ports`, `Published on 127.0.0.1 only (override the port with ${v})`);
    }
    comments.set(`${at}.read_only`, 'Read-only root filesystem; /tmp is a tmpfs');
    return svc;
  }
}
