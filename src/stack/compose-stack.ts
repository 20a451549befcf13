import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { IConstruct } from 'constructs';
import { Component, Project } from 'projen';
import { renderStackReadme } from './stack-readme';
import type { StackService } from './stack-service';
import { addStackTasks } from './stack-tasks';
import { ComposeComments, ComposeDocument, ComposeService, renderCompose } from '../compose/compose-document';
import { dotenvReadersAgree, EnvParseError, EnvVariableSpec, mergeEnvFile, renderEnvFile } from '../env/env-file';
import { composeProjectName } from '../internal/names';
import { RenderedFile } from '../internal/rendered-file';

const STACK_SYMBOL = Symbol.for('projen-compose-stack.ComposeStack');

/**
 * Organisation-wide defaults for every file a stack generates: what a platform team sets once
 * (in a project type of its own, or passed to `ComposeStack`) for all its repositories.
 */
export interface StackDefaults {
  /**
   * Prefix for every base image reference (`FROM` lines and compose `image:` keys), such as a
   * company mirror: `registry.example.com/mirror/` turns `node:24-alpine` into
   * `registry.example.com/mirror/node:24-alpine`.
   *
   * @default - none: images come from Docker Hub
   */
  readonly registryPrefix?: string;

  /**
   * Pinned references per image, keyed by the reference the constructs would use (for example
   * `node:24-alpine`); the value is a more precise tag or a digest
   * (`node:24.11.1-alpine@sha256:...`). The registry prefix applies to the pinned value.
   *
   * @default - none
   */
  readonly imagePins?: { [image: string]: string };

  /**
   * Labels for every built image (e.g. the OCI `org.opencontainers.image.source`, `.revision`,
   * `.vendor`, `.licenses`), written as `LABEL` in the runtime stage of every Dockerfile.
   *
   * @default - none
   */
  readonly labels?: { [name: string]: string };

  /**
   * CPU limit of every service (`deploy.resources.limits.cpus`), e.g. `"1.0"`.
   *
   * @default - no limit
   */
  readonly cpuLimit?: string;

  /**
   * Memory limit of every service (`deploy.resources.limits.memory`), e.g. `"512m"`.
   *
   * @default - no limit
   */
  readonly memoryLimit?: string;

  /**
   * Rotate container logs at this size (json-file `max-size`), e.g. `"10m"`.
   *
   * @default - the engine's logging settings
   */
  readonly logMaxSize?: string;

  /**
   * Number of rotated log files kept (json-file `max-file`); used with `logMaxSize`.
   *
   * @default 3
   */
  readonly logMaxFiles?: number;

  /**
   * Extra `.dockerignore` patterns for every build context.
   *
   * @default - none
   */
  readonly dockerignore?: string[];
}

/**
 * Options for `ComposeStack`.
 */
export interface ComposeStackOptions {
  /**
   * The compose project name (`name:` in `compose.yaml`), normalised to what compose accepts:
   * lowercase letters, digits, `-` and `_`. It keeps containers, networks and volumes of two
   * stacks apart even when both live in folders of the same name.
   *
   * @default - the projen project's name
   */
  readonly name?: string;

  /**
   * Path of the compose file, relative to the project root.
   *
   * @default "compose.yaml"
   */
  readonly composeFile?: string;

  /**
   * Path of the user-owned env file that compose reads. It is created on the first synth with
   * generated development secrets, and afterwards only gains new keys.
   *
   * @default ".env"
   */
  readonly envFile?: string;

  /**
   * Path of the managed, committed env template documenting every variable.
   *
   * @default ".env.example"
   */
  readonly envExampleFile?: string;

  /**
   * Keep secrets in files instead of `.env`: each secret is generated once into
   * `<secretsDir>/<name>` (git-ignored, never in a build context) and reaches containers as a
   * compose secret at `/run/secrets/<name>`, named by a `<VAR>_FILE` variable
   * (`POSTGRES_PASSWORD_FILE`, `PGPASSWORD_FILE`, ...). The app reads `*_FILE` variables.
   *
   * @default false
   */
  readonly fileSecrets?: boolean;

  /**
   * Folder of the secret files, relative to the compose file's folder.
   *
   * @default "secrets"
   */
  readonly secretsDir?: string;

  /**
   * Organisation-wide defaults (registry mirror, pins, labels, limits, log rotation, ignores).
   *
   * @default - none
   */
  readonly defaults?: StackDefaults;

  /**
   * Registry for the images the stack builds: each built service gets
   * `image: <imageRegistry>/<project>-<service>:<imageTag>` next to `build:`, so
   * `docker compose build` and `docker compose push` publish them.
   *
   * @default - no image names: compose names built images `<project>-<service>` locally
   */
  readonly imageRegistry?: string;

  /**
   * Tag of the built images (with `imageRegistry`); `${VAR}` interpolation works, e.g.
   * `"${IMAGE_TAG:-latest}"`.
   *
   * @default "latest"
   */
  readonly imageTag?: string;

  /**
   * Generate a development compose file (`compose.dev.yaml`): the frontend's dev server with hot
   * reload and the backend with `--reload`, both on the host's sources, dev ports on 127.0.0.1
   * only. Compose never loads it by itself: use `npx projen stack:dev` or
   * `docker compose -f compose.dev.yaml up`.
   *
   * @default true
   */
  readonly devMode?: boolean;

  /**
   * Add the `stack:*` tasks (up, down, logs, config, lint, dev) to the project.
   *
   * @default true
   */
  readonly tasks?: boolean;

  /**
   * Generate `README.Docker.md` next to the compose file: how to run, configure and deploy the
   * stack, with every `.env` variable and its meaning.
   *
   * @default true
   */
  readonly readme?: boolean;

  /**
   * Target platform of every service, e.g. `linux/amd64`.
   *
   * @default - the engine's platform
   */
  readonly platform?: string;
}

/**
 * A Docker Compose stack: writes `compose.yaml`, `.env.example` and the user-owned `.env`,
 * and holds the services (`FrontendService`, `BackendService`, `PostgresDatabase`).
 */
export class ComposeStack extends Component {
  /**
   * The stack that `construct` belongs to, or undefined.
   */
  public static of(construct: IConstruct): ComposeStack | undefined {
    let c: IConstruct | undefined = construct;
    while (c) {
      if ((c as any)[STACK_SYMBOL] === true) return c as ComposeStack;
      c = c.node.scope;
    }
    return undefined;
  }

  /** The compose project name. */
  public readonly projectName: string;
  /** Path of the compose file, relative to the project root. */
  public readonly composeFile: string;
  /** Path of the user-owned env file. */
  public readonly envFile: string;
  /** Path of the env template. */
  public readonly envExampleFile: string;
  /** Whether secrets are kept in files (compose secrets) rather than in `.env`. */
  public readonly fileSecrets: boolean;
  /** Folder of the secret files, relative to the project root. */
  public readonly secretsDir: string;
  /** Organisation-wide defaults in effect. */
  public readonly defaults: StackDefaults;
  /** Path of the development compose file, when dev mode is on. */
  public readonly devComposeFile?: string;

  /** @internal The network that frontends and backends share. */
  public readonly _webNetwork = 'web';

  private readonly requestedName: string;
  private readonly options: ComposeStackOptions;
  private readonly overrides: Array<{ path: string; value: any }> = [];
  private readonly managedFiles: RenderedFile[] = [];

  constructor(project: Project, options: ComposeStackOptions = {}) {
    const composeFile = options.composeFile ?? 'compose.yaml';
    super(project, `ComposeStack[${composeFile.replace(/\//g, '_')}]`);
    Object.defineProperty(this, STACK_SYMBOL, { value: true });
    this.requestedName = options.name ?? project.name;
    this.projectName = composeProjectName(this.requestedName);
    this.composeFile = composeFile;
    const dir = path.posix.dirname(composeFile);
    this.envFile = options.envFile ?? path.posix.join(dir, '.env');
    this.envExampleFile = options.envExampleFile ?? path.posix.join(dir, '.env.example');
    this.fileSecrets = options.fileSecrets ?? false;
    this.secretsDir = path.posix.join(dir, options.secretsDir ?? 'secrets');
    this.defaults = options.defaults ?? {};
    this.options = options;

    // .env holds real values and secrets: never in git (also matches nested .env files)
    project.gitignore.exclude(`/${this.envFile}`, '.env', `/${this.secretsDir}/`);
    project.gitignore.include(`/${this.envExampleFile}`);

    this.managedFiles.push(
      new RenderedFile(this, composeFile, { owner: this, commentPrefix: '#', render: () => this.renderComposeFile() }),
      new RenderedFile(this, this.envExampleFile, { owner: this, commentPrefix: '#', render: () => this.renderEnvExample() }),
    );
    if (options.devMode ?? true) {
      this.devComposeFile = path.posix.join(dir, 'compose.dev.yaml');
      this.managedFiles.push(new RenderedFile(this, this.devComposeFile, { owner: this, commentPrefix: '#', render: () => this.renderComposeFile(true) }));
    }
    if (options.readme ?? true) {
      this.managedFiles.push(new RenderedFile(this, path.posix.join(dir, 'README.Docker.md'), { owner: this, commentPrefix: '<!--', commentSuffix: ' -->', render: () => renderStackReadme(this) }));
    }

    this.node.addValidation({ validate: () => this.validateStack() });
  }

  /** The services of this stack, in the order they were added. */
  public get services(): StackService[] {
    return this.node.children.filter((c): c is StackService => typeof (c as any)._composeService === 'function');
  }

  public preSynthesize(): void {
    // every construct of the stack reports its problems at once, each with its construct path
    const errors: string[] = [];
    for (const c of this.node.findAll()) {
      for (const e of c.node.validate()) errors.push(`  [${c.node.path}] ${e}`);
    }
    if (errors.length) {
      throw new Error(`ComposeStack "${this.projectName}" (${this.composeFile}) is not valid:\n${errors.join('\n')}`);
    }
    if (this.options.tasks ?? true) addStackTasks(this);
  }

  public synthesize(): void {
    this.writeEnvFile();
    this.writeSecretFiles();
  }

  /**
   * Sets a value anywhere in the rendered `compose.yaml`, as projen's `addOverride` does for
   * object files: `dottedPath` is dot-separated (`services.api.deploy.replicas`); a `null` value
   * deletes the key. Applied last, after everything the constructs render.
   */
  public addOverride(dottedPath: string, value: any): void {
    this.overrides.push({ path: dottedPath, value });
  }

  /** @internal The image reference after the organisation's pins and registry prefix. */
  public _resolveImage(ref: string): string {
    const pinned = this.defaults.imagePins?.[ref] ?? ref;
    return (this.defaults.registryPrefix ?? '') + pinned;
  }

  /** @internal LABEL pairs for built images. */
  public _labels(): Array<[string, string]> {
    return Object.entries(this.defaults.labels ?? {});
  }

  /** @internal Extra .dockerignore lines. */
  public _extraDockerignore(): string[] {
    const extra = this.defaults.dockerignore ?? [];
    return extra.length ? ['# Organisation-wide patterns', ...extra] : [];
  }

  /** @internal All variables the services need, in service order. */
  public _envVariables(): EnvVariableSpec[] {
    return this.services.flatMap((s) => s._envVariables());
  }

  private validateStack(): string[] {
    const errors: string[] = [];
    if (!this.projectName) {
      errors.push(`project name "${this.requestedName}" has no letters or digits; set ComposeStackOptions.name to a name such as "shop"`);
    }
    // two services publishing the same host port would fail at `up`
    const seen = new Map<number, string>();
    for (const s of this.services) {
      for (const p of s._publishedPorts()) {
        const other = seen.get(p.port);
        if (other) {
          errors.push(`services "${other}" and "${s.serviceName}" both publish host port ${p.port}; give one of them another hostPort`);
        } else {
          seen.set(p.port, s.serviceName);
        }
      }
    }
    const names = new Map<string, string>();
    for (const v of this._envVariables()) {
      const prev = names.get(v.name);
      if (prev && prev !== v.usedBy) errors.push(`variable ${v.name} is declared by both ${prev} and ${v.usedBy}; rename one of them`);
      names.set(v.name, v.usedBy);
    }
    for (const f of this.managedFiles) {
      const problem = f.checkNotUserOwned();
      if (problem) errors.push(problem);
    }
    return errors;
  }

  private renderComposeFile(dev = false): string {
    const comments: ComposeComments = new Map();
    const doc: ComposeDocument = { name: dev ? `${this.projectName}-dev` : this.projectName, services: {} };
    const networks: Record<string, boolean> = {};
    const volumes: string[] = [];
    for (const s of this.services) {
      const at = `services.${s.serviceName}`;
      const svc = dev ? s._devComposeService(comments, at) : s._composeService(comments, at);
      if (dev) volumes.push(...s._devVolumes());
      s._applyDependencies(svc);
      this.applyServiceDefaults(s.serviceName, svc);
      doc.services[s.serviceName] = svc;
      Object.assign(networks, s._networks());
      volumes.push(...s._volumes());
    }
    if (Object.keys(networks).length) {
      doc.networks = {};
      for (const [n, internal] of Object.entries(networks)) {
        doc.networks[n] = internal ? { internal: true } : {};
        if (internal) comments.set(`networks.${n}`, 'internal: no route to the host or the internet; only services that connect join it');
      }
    }
    if (volumes.length) {
      doc.volumes = {};
      for (const v of volumes) doc.volumes[v] = {};
    }
    const secrets = this.secretFiles();
    if (secrets.length) {
      doc.secrets = {};
      for (const s of secrets) doc.secrets[s.name] = { file: `./${path.posix.relative(path.posix.dirname(this.composeFile), s.file)}` };
      comments.set('secrets', `Generated once by synth into ${this.secretsDir}/ (git-ignored); containers read them at /run/secrets/<name>`);
    }
    comments.set('name', 'Project name: keeps containers, networks and volumes apart from other stacks on this host');
    if (dev) {
      return renderCompose(doc, comments, [
        'Development stack: dev servers with hot reload on the host\'s sources, ports on 127.0.0.1 only.',
        `Run: docker compose -f ${path.posix.basename(this.devComposeFile!)} up --build   (a plain "docker compose up" runs the production stack)`,
      ]);
    }
    for (const o of this.overrides) applyOverride(doc as any, o.path, o.value);
    return renderCompose(doc, comments, [
      `Run: docker compose up -d --build --wait   (values come from ${path.posix.basename(this.envFile)}; see ${path.posix.basename(this.envExampleFile)})`,
    ]);
  }

  /** Image names, platform, limits and log rotation that apply to every service. */
  private applyServiceDefaults(name: string, svc: ComposeService): void {
    if (svc.build && this.options.imageRegistry && !svc.image) {
      svc.image = `${this.options.imageRegistry.replace(/\/+$/, '')}/${this.projectName}-${name}:${this.options.imageTag ?? 'latest'}`;
    }
    if (this.options.platform) svc.platform = this.options.platform;
    const d = this.defaults;
    if (d.cpuLimit || d.memoryLimit) {
      svc.deploy = { resources: { limits: { ...(d.cpuLimit ? { cpus: d.cpuLimit } : {}), ...(d.memoryLimit ? { memory: d.memoryLimit } : {}) } } };
    }
    if (d.logMaxSize) {
      svc.logging = { driver: 'json-file', options: { 'max-size': d.logMaxSize, 'max-file': String(d.logMaxFiles ?? 3) } };
    }
  }

  /** Secret files (file-secrets mode): compose secret name and path relative to the project root. */
  private secretFiles(): Array<{ name: string; file: string; spec: EnvVariableSpec }> {
    if (!this.fileSecrets) return [];
    const seen = new Set<string>();
    return this._envVariables()
      .filter((v) => v.secret && !seen.has(v.name) && seen.add(v.name))
      .map((spec) => ({ name: spec.name.toLowerCase(), file: path.posix.join(this.secretsDir, spec.name.toLowerCase()), spec }));
  }

  /** @internal Secret files, for the generated README. */
  public _secretFileList(): Array<{ name: string; file: string; spec: EnvVariableSpec }> {
    return this.secretFiles();
  }

  /** @internal Variables kept in `.env` (in file-secrets mode, secrets live in files instead). */
  public _envFileVariables(): EnvVariableSpec[] {
    return this.envFileVariables();
  }

  /** Variables kept in `.env` (in file-secrets mode, secrets live in files instead). */
  private envFileVariables(): EnvVariableSpec[] {
    const seen = new Set<string>();
    return this._envVariables().filter((v) => !(this.fileSecrets && v.secret) && !seen.has(v.name) && seen.add(v.name));
  }

  private renderEnvExample(): string {
    const vars = this.envFileVariables().map((spec) => ({ spec, value: spec.exampleValue }));
    return renderEnvFile(
      [
        `# Copy to ${path.posix.basename(this.envFile)} (or run "npx projen", which creates it with generated secrets).`,
        `# ${path.posix.basename(this.envFile)} is yours: later synths only add new keys to it, never change a value.`,
        '# Values are read by Docker Compose; single-quoted values are taken literally.',
        ...this.secretFiles().map((f) => `# Secret file ${f.file}: ${f.spec.description}`),
      ],
      vars,
    );
  }

  /** Creates missing secret files (file-secrets mode); existing ones are never touched. */
  private writeSecretFiles(): void {
    for (const f of this.secretFiles()) {
      const abs = path.join(this.project.outdir, f.file);
      if (fs.existsSync(abs)) continue;
      // the folder is private to the owner; the file stays readable for the non-root users of
      // the containers, which see it through a bind mount
      fs.mkdirSync(path.dirname(abs), { recursive: true, mode: 0o700 });
      fs.writeFileSync(abs, f.spec.initialValue(), { mode: 0o644 });
      this.project.logger.info(`${f.file} created`);
    }
  }

  private writeEnvFile(): void {
    const abs = path.join(this.project.outdir, this.envFile);
    const needed = this.envFileVariables().map((spec) => {
      // values are drawn once, so the warning below and the file see the same value
      let value: string | undefined;
      return { ...spec, initialValue: () => (value ??= spec.initialValue()) };
    });
    const warnDotenv = (names: string[]) => {
      for (const spec of needed.filter((n) => names.includes(n.name))) {
        if (!dotenvReadersAgree(spec.initialValue())) {
          this.project.logger.warn(
            `${this.envFile}: ${spec.name} is written so that Docker Compose reads it exactly; python-dotenv or the npm dotenv package would read it differently`,
          );
        }
      }
    };
    if (!fs.existsSync(abs)) {
      const text = renderEnvFile(
        [
          '# Local settings and development secrets for this stack. This file is yours and is never committed:',
          '# later synths only append keys that are missing; values you change here are kept.',
        ],
        needed.map((spec) => ({ spec, value: spec.initialValue() })),
      );
      fs.mkdirSync(path.dirname(abs), { recursive: true });
      fs.writeFileSync(abs, text, { mode: 0o600 });
      warnDotenv(needed.map((n) => n.name));
      this.project.logger.info(`${this.envFile} created with ${needed.length} variables`);
      return;
    }
    const existing = fs.readFileSync(abs, 'utf-8');
    let result;
    try {
      result = mergeEnvFile(existing, needed, this.envFile);
    } catch (e) {
      if (e instanceof EnvParseError) {
        throw new Error(`${this.envFile} ${e.message}. The file was left untouched; fix that line (KEY=value) and run synth again.`);
      }
      throw e;
    }
    for (const w of result.warnings) this.project.logger.warn(w);
    if (result.unused.length) {
      this.project.logger.warn(`${this.envFile}: not used by any service of the stack: ${result.unused.join(', ')} (kept; delete them if you no longer need them)`);
    }
    if (result.added.length) {
      fs.writeFileSync(abs, result.text);
      warnDotenv(result.added);
      this.project.logger.info(`${this.envFile}: added ${result.added.join(', ')}`);
    }
  }
}

/** Sets (or with `null`, deletes) a dot-separated path in an object, creating maps on the way. */
function applyOverride(doc: Record<string, any>, dotted: string, value: any): void {
  const keys = dotted.split('.');
  let cur = doc;
  for (const k of keys.slice(0, -1)) {
    if (typeof cur[k] !== 'object' || cur[k] === null) cur[k] = {};
    cur = cur[k];
  }
  const last = keys[keys.length - 1];
  if (value === null) delete cur[last];
  else cur[last] = value;
}

/** A strong random development secret (hex: safe unquoted in every env-file reader and URL). */
export function generateSecret(): string {
  return crypto.randomBytes(24).toString('hex');
}
