import * as path from 'path';
import { typescript } from 'projen';
import { StarterApp, StarterApps } from './starter-apps';
import { BackendService } from '../stack/backend-service';
import { ComposeStack, ComposeStackOptions } from '../stack/compose-stack';
import { FrontendService } from '../stack/frontend-service';
import { PostgresDatabase } from '../stack/postgres-database';

/**
 * Options for `ComposeStackProject`: projen's TypeScript project options plus the stack's main
 * choices (which services, ports, versions).
 */
export interface ComposeStackProjectOptions extends typescript.TypeScriptProjectOptions {
  /**
   * The compose project name (`name:` in `compose.yaml`), normalised to lowercase letters,
   * digits, `-` and `_`.
   *
   * @default - the project name
   * @featured
   */
  readonly stackName?: string;

  /**
   * Add a frontend: a Node-built single-page app in `frontendPath`, served by nginx, which also
   * proxies `/api` to the backend.
   *
   * @default true
   * @featured
   */
  readonly frontend?: boolean;

  /**
   * Add a backend: a Python ASGI app (FastAPI) in `backendPath`, served by uvicorn, with its
   * health endpoint at `/api/health`.
   *
   * @default true
   * @featured
   */
  readonly backend?: boolean;

  /**
   * Add a PostgreSQL database, which the backend connects to (`DATABASE_URL` and libpq's `PG*`
   * variables).
   *
   * @default true
   * @featured
   */
  readonly database?: boolean;

  /**
   * Host port of the frontend, the stack's public entry (`WEB_HOST_PORT` overrides it at `up`).
   *
   * @default 8080
   * @featured
   */
  readonly frontendPort?: number;

  /**
   * Host port of the backend, on 127.0.0.1 only (`API_HOST_PORT` overrides it at `up`). With a
   * frontend, the backend is reached through the frontend's `/api` proxy and publishes nothing.
   *
   * @default - not published with a frontend, 8000 without one
   */
  readonly backendPort?: number;

  /**
   * Folder of the frontend app, relative to the project root. `projen new` writes a minimal
   * Vite app there when the folder does not exist.
   *
   * @default "frontend"
   */
  readonly frontendPath?: string;

  /**
   * Folder of the backend app, relative to the project root. `projen new` writes a minimal
   * FastAPI app there when the folder does not exist.
   *
   * @default "backend"
   */
  readonly backendPath?: string;

  /**
   * Name of the database (and the initial name of its owner role).
   *
   * @default - the stack name with "_" for other characters than letters and digits ("app" if that is not a valid name)
   */
  readonly databaseName?: string;

  /**
   * Major version of the official `postgres` image.
   *
   * @default "18"
   * @featured
   */
  readonly postgresVersion?: string;

  /**
   * Python base image of the backend (build and runtime stages).
   *
   * @default "python:3.13-slim"
   */
  readonly pythonImage?: string;

  /**
   * Node.js image of the frontend's build stage.
   *
   * @default "node:24-alpine"
   */
  readonly nodeImage?: string;

  /**
   * nginx image that serves the frontend. It must run nginx unprivileged on port 8080, as
   * `nginxinc/nginx-unprivileged` does.
   *
   * @default "nginxinc/nginx-unprivileged:1.28-alpine"
   */
  readonly nginxImage?: string;

  /**
   * When `projen new` creates the project, write starter apps into the app folders that do not
   * exist yet: a minimal Vite page and a minimal FastAPI app with a health endpoint (and a
   * database check when there is a database). Existing folders are never touched, and later
   * synths write nothing.
   *
   * @default true
   */
  readonly starterApps?: boolean;

  /**
   * Further options of the stack: organisation defaults (base-image registry mirror, pins,
   * labels, limits, log rotation, `.dockerignore` entries), image names for deployment, the
   * development mode, tasks and the generated `README.Docker.md`. A company project type built
   * on this one sets its `defaults` here. `stackName` takes precedence over `name`.
   *
   * @default - the defaults of `ComposeStackOptions`
   */
  readonly stackOptions?: ComposeStackOptions;
}

/** URL path prefix of the API on the frontend's origin. */
const API_PREFIX = '/api';

/**
 * TypeScript of the new project (for `.projenrc.ts`) unless `typescriptVersion` says otherwise:
 * without a version, projen installs the newest major, and ts-node, which runs `.projenrc.ts`,
 * fails on TypeScript 7.
 */
const DEFAULT_TYPESCRIPT = '~5.9.3';

/**
 * A TypeScript projen project whose repository holds a containerised web app: `frontend/`,
 * `backend/` and the generated stack (`compose.yaml`, Dockerfiles, nginx config, `.env`).
 *
 * `npx projen new --from projen-compose-stack` creates one, with starter apps, ready for
 * `docker compose up -d --build --wait`. The stack's constructs are public properties, so
 * `.projenrc.ts` can customise them (`project.backend?.addEnvironment(...)`, ...).
 *
 * Defaults that differ from `TypeScriptProject`, to keep the repository small: `projenrcTs`,
 * no sample code, jest, eslint, GitHub files, release, package task, dependency upgrades or
 * `.npmignore`; `typescript@~5.9.3` unless `typescriptVersion` is set (ts-node, which runs
 * `.projenrc.ts`, does not work with TypeScript 7); the compile task is skipped while `src/`
 * holds no TypeScript file.
 *
 * @pjid compose-stack
 */
export class ComposeStackProject extends typescript.TypeScriptProject {
  /** The compose stack (`compose.yaml`, `.env`, `.env.example`). */
  public readonly stack: ComposeStack;
  /** The PostgreSQL database (service `db`), if `database` is enabled. */
  public readonly database?: PostgresDatabase;
  /** The Python backend (service `api`), if `backend` is enabled. */
  public readonly backend?: BackendService;
  /** The frontend (service `web`), if `frontend` is enabled. */
  public readonly frontend?: FrontendService;

  constructor(options: ComposeStackProjectOptions) {
    const withFrontend = options.frontend ?? true;
    const withBackend = options.backend ?? true;
    const withDatabase = options.database ?? true;
    if (!withFrontend && !withBackend && !withDatabase) {
      throw new Error('ComposeStackProject: frontend, backend and database are all disabled; enable at least one of them');
    }
    const frontendPath = options.frontendPath ?? 'frontend';
    const backendPath = options.backendPath ?? 'backend';
    const stackName = options.stackName ?? options.stackOptions?.name ?? options.name;
    const frontendPort = options.frontendPort ?? 8080;

    super({
      ...options,
      // a small repository by default: the app lives in its folders, projen keeps the stack
      defaultReleaseBranch: options.defaultReleaseBranch ?? 'main',
      projenrcTs: options.projenrcTs ?? true,
      sampleCode: options.sampleCode ?? false,
      jest: options.jest ?? false,
      eslint: options.eslint ?? false,
      github: options.github ?? false,
      release: options.release ?? false,
      package: options.package ?? false,
      depsUpgrade: options.depsUpgrade ?? false,
      buildWorkflow: options.buildWorkflow ?? false,
      pullRequestTemplate: options.pullRequestTemplate ?? false,
      npmignoreEnabled: options.npmignoreEnabled ?? false,
      readme: options.readme ?? {
        contents: renderReadme({ name: options.name, withFrontend, withBackend, withDatabase, frontendPath, backendPath, frontendPort }),
      },
    });

    // replaces the unpinned `typescript` that TypeScriptProject adds (see DEFAULT_TYPESCRIPT)
    if (options.typescriptVersion === undefined) this.addDevDeps(`typescript@${DEFAULT_TYPESCRIPT}`);

    // without sources in src/, `tsc --build` fails ("No inputs were found"): compile only when there are some
    if (!(options.sampleCode ?? false)) {
      this.compileTask.addCondition(`find ${this.srcdir} -name '*.ts' 2>/dev/null | grep -q .`);
    }

    // build output and local environments of the apps stay out of git
    if (withFrontend) this.gitignore.exclude(`/${path.posix.join(frontendPath, 'dist')}/`);
    if (withBackend) this.gitignore.exclude('__pycache__/', '.venv/');

    if (options.starterApps ?? true) {
      const starters: StarterApp[] = [];
      if (withFrontend) starters.push({ template: 'frontend', dir: frontendPath });
      if (withBackend) {
        starters.push({
          template: 'backend',
          dir: backendPath,
          // psycopg only when there is a database to connect to
          transform: (file: string, text: string) => (file === 'requirements.txt' && !withDatabase ? text.replace(/^psycopg.*\n/gm, '') : text),
        });
      }
      new StarterApps(this, starters);
    }

    this.stack = new ComposeStack(this, { ...options.stackOptions, name: stackName });

    if (withDatabase) {
      const database = options.databaseName ?? databaseNameFor(stackName);
      this.database = new PostgresDatabase(this.stack, 'db', { database, version: options.postgresVersion });
    }

    if (withBackend) {
      this.backend = new BackendService(this.stack, 'api', {
        path: backendPath,
        app: 'main:app',
        healthCheckPath: `${API_PREFIX}/health`,
        image: options.pythonImage,
        hostPort: options.backendPort ?? (withFrontend ? undefined : 8000),
      });
      if (this.database) this.backend.connectTo(this.database);
    }

    if (withFrontend) {
      this.frontend = new FrontendService(this.stack, 'web', {
        path: frontendPath,
        hostPort: frontendPort,
        nodeImage: options.nodeImage,
        nginxImage: options.nginxImage,
        // the starter page calls the API only when the stack has one
        buildArgs: this.backend ? { VITE_API_PATH: API_PREFIX } : undefined,
      });
      if (this.backend) this.frontend.proxyApi(this.backend, { pathPrefix: API_PREFIX });
    }
  }
}

/** A lowercase SQL identifier from the stack name: `my-shop` -> `my_shop`; `app` when none can be made. */
function databaseNameFor(stackName: string): string {
  const n = stackName
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 63);
  return /^[a-z_][a-z0-9_]*$/.test(n) ? n : 'app';
}

interface ReadmeFacts {
  readonly name: string;
  readonly withFrontend: boolean;
  readonly withBackend: boolean;
  readonly withDatabase: boolean;
  readonly frontendPath: string;
  readonly backendPath: string;
  readonly frontendPort: number;
}

/** The new repository's README.md (written once; yours afterwards). */
function renderReadme(f: ReadmeFacts): string {
  const lines = [
    `# ${f.name}`,
    '',
    'A web app in containers. Its container files (`compose.yaml`, Dockerfiles, nginx config,',
    '`.env.example`) are generated by [projen](https://projen.io) with',
    '[projen-compose-stack](https://www.npmjs.com/package/projen-compose-stack): change',
    '`.projenrc.ts`, then run `npx projen`. Do not edit the generated files by hand.',
    '',
    '```bash',
    'npx projen                            # regenerate the stack files (creates .env with development secrets)',
    'docker compose up -d --build --wait   # build and start the stack',
  ];
  if (f.withFrontend) lines.push(`open http://localhost:${f.frontendPort}/`);
  lines.push(
    'docker compose down                   # stop it (add -v to delete the data volumes)',
    '```',
    '',
    '| folder | what it is |',
    '|---|---|',
  );
  if (f.withFrontend) lines.push(`| \`${f.frontendPath}/\` | the page: Vite + TypeScript (\`npm run dev\` there for a dev server) |`);
  if (f.withBackend) {
    lines.push(`| \`${f.backendPath}/\` | the API: FastAPI, health endpoint at \`${API_PREFIX}/health\`${f.withFrontend ? ` (served under \`${API_PREFIX}\` on the page's origin)` : ''} |`);
  }
  if (f.withDatabase) lines.push('| service `db` | PostgreSQL; its credentials are in `.env` (never committed) |');
  lines.push('');
  return lines.join('\n');
}
