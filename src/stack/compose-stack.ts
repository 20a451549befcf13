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
import { composeProjectName, ENV_NAME_RE, hasLineBreak, imageRefProblem, registryPrefixProblem } from '../internal/names';
import { checkRelativeFolder, posixPath } from '../internal/paths';
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
   * Path of the managed, committed env template documenting every variable, relative to the
   * project root. (The user-owned env file is always `.env` next to the compose file: the file
   * compose reads by itself.)
   *
   * @default ".env.example" next to the compose file
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
  private readonly overrides: Array<{ keys: string[]; value: any }> = [];
  private readonly managedFiles: RenderedFile[] = [];

  constructor(project: Project, options: ComposeStackOptions = {}) {
    const composeFile = options.composeFile ?? 'compose.yaml';
    const taken = project.tryFindFile(composeFile) ?? project.tryFindFile(path.posix.join(path.posix.dirname(composeFile), '.env.example'));
    if (taken && !options.envExampleFile) {
      throw new Error(`ComposeStack: ${taken.path} is already generated by ${taken.node.scope?.node.path ?? taken.node.path}; give each stack its own folder (composeFile: "<folder>/compose.yaml")`);
    }
    super(project, `ComposeStack[${composeFile.replace(/\//g, '_')}]`);
    Object.defineProperty(this, STACK_SYMBOL, { value: true });
    this.requestedName = options.name ?? project.name;
    this.projectName = composeProjectName(this.requestedName);
    this.composeFile = composeFile;
    const dir = path.posix.dirname(composeFile);
    // the file compose reads for interpolation without any flag: .env in the project directory
    this.envFile = path.posix.join(dir, '.env');
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
    // "\." is a literal dot inside a key (labels such as com.example.team)
    const keys = dottedPath.split(/(?<!\\)\./).map((k) => k.replace(/\\\./g, '.'));
    const bad = keys.find((k) => k === '' || ['__proto__', 'constructor', 'prototype'].includes(k));
    if (bad !== undefined) {
      throw new Error(`ComposeStack "${this.projectName}": addOverride path "${dottedPath}" has ${bad === '' ? 'an empty key' : `the key "${bad}"`}; use dot-separated keys such as "services.api.deploy.replicas" (write "\\." for a dot inside a key)`);
    }
    this.overrides.push({ keys, value });
  }

  /** @internal The image reference after the organisation's pins and registry prefix. */
  public _resolveImage(ref: string): string {
    const pinned = this.defaults.imagePins?.[ref] ?? ref;
    const prefix = this.defaults.registryPrefix ?? '';
    return (prefix && !prefix.endsWith('/') ? `${prefix}/` : prefix) + pinned;
  }

  /** @internal A path relative to the project root, as the compose file must write it (relative to its own folder). */
  public _composePath(projectPath: string): string {
    const rel = path.posix.relative(path.posix.dirname(this.composeFile), posixPath(projectPath));
    return rel.startsWith('../') || rel === '..' ? rel : `./${rel}`;
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
    errors.push(...this.validateOptions());
    // two services whose names differ only in "-" and "_" would share their .env variables
    const prefixes = new Map<string, string>();
    const reserved = new Map<string, string>();
    for (const s of this.services) {
      const other = prefixes.get(s.envPrefix);
      if (other) errors.push(`services "${other}" and "${s.serviceName}" share the variable prefix ${s.envPrefix}_ in ${this.envFile}; rename one of them`);
      prefixes.set(s.envPrefix, s.serviceName);
      for (const suffix of ['HOST_PORT', 'DEV_PORT']) reserved.set(`${s.envPrefix}_${suffix}`, s.serviceName);
    }
    for (const v of this._envVariables()) {
      const owner = reserved.get(v.name);
      if (owner) errors.push(`variable ${v.name} (from ${v.usedBy}) is the port override of service "${owner}"; choose another name`);
      if (!ENV_NAME_RE.test(v.name)) errors.push(`variable name "${v.name}" (from ${v.usedBy}) is not valid in ${this.envFile} (letters, digits, "_", not starting with a digit)`);
    }
    // secret files are named by the lowercased variable: TOKEN and token would share one
    const secretNames = new Map<string, string>();
    for (const v of this._envVariables().filter((x) => x.secret)) {
      const other = secretNames.get(v.name.toLowerCase());
      if (this.fileSecrets && other && other !== v.name) errors.push(`secrets ${other} and ${v.name} would share the secret file ${v.name.toLowerCase()}; rename one of them`);
      secretNames.set(v.name.toLowerCase(), v.name);
    }
    // a named volume belongs to one service (a second one would share, say, the database's data)
    const volumeOwners = new Map<string, string>();
    for (const s of this.services) {
      for (const v of s._volumes()) {
        const other = volumeOwners.get(v);
        if (other && other !== s.serviceName) errors.push(`services "${other}" and "${s.serviceName}" both use the volume "${v}"; give the volume of "${s.serviceName}" another name`);
        volumeOwners.set(v, s.serviceName);
      }
    }
    // render both compose files once: errors found while rendering, and dependency cycles, are reported here with the rest
    if (!errors.length) errors.push(...this.checkRenderedDocument());
    return errors;
  }

  /** Checks of the options of the stack itself. */
  private validateOptions(): string[] {
    const errors: string[] = [];
    const o = this.options;
    const inside = (value: string | undefined, what: string) => {
      if (value === undefined) return;
      if (checkRelativeFolder(value, what) || hasLineBreak(value)) errors.push(`${what} "${value}" must be a path inside the project (relative to its root)`);
    };
    inside(o.composeFile, 'composeFile');
    const envAbs = path.join(this.project.outdir, this.envFile);
    if (fs.existsSync(envAbs) && !fs.statSync(envAbs).isFile()) errors.push(`${this.envFile} is not a file (a directory?); move it away so synth can create the env file there`);
    for (const other of this.project.components) {
      if (other !== this && (other as any)[STACK_SYMBOL] === true && (other as ComposeStack).projectName === this.projectName && this.projectName) {
        errors.push(`another ComposeStack in this project (${(other as ComposeStack).composeFile}) has the same name "${this.projectName}": their containers, networks and volumes would mix; give each stack its own name`);
      }
    }
    inside(o.envExampleFile, 'envExampleFile');
    inside(this.secretsDir, 'secretsDir');
    if (o.composeFile !== undefined && !/\.ya?ml$/.test(o.composeFile)) errors.push(`composeFile "${o.composeFile}" must end in .yaml or .yml`);
    const files = [this.composeFile, this.envFile, this.envExampleFile, ...(this.devComposeFile ? [this.devComposeFile] : [])];
    files.forEach((f, i) => (files[i] = path.posix.normalize(f)));
    if (new Set(files).size !== files.length) errors.push(`composeFile, ${this.envFile} and envExampleFile must be different files (got ${files.join(', ')})`);
    const d = this.defaults;
    if (d.registryPrefix !== undefined) {
      const p = registryPrefixProblem(d.registryPrefix, 'defaults.registryPrefix');
      if (p) errors.push(p);
    }
    for (const [from, to] of Object.entries(d.imagePins ?? {})) {
      const p = imageRefProblem(to, `defaults.imagePins["${from}"]`);
      if (p) errors.push(p);
    }
    for (const [k, v] of Object.entries(d.labels ?? {})) {
      if (!/^[A-Za-z0-9][A-Za-z0-9._\/-]*$/.test(k)) errors.push(`label name "${k}" must be letters, digits, ".", "-", "_" and "/" (such as "org.opencontainers.image.source")`);
      if (hasLineBreak(v)) errors.push(`label ${k}: values cannot contain line breaks`);
    }
    if (d.cpuLimit !== undefined && !/^\d+(\.\d+)?$/.test(d.cpuLimit)) errors.push(`defaults.cpuLimit "${d.cpuLimit}" must be a number of CPUs such as "0.5" or "2"`);
    for (const [what, v] of [['memoryLimit', d.memoryLimit], ['logMaxSize', d.logMaxSize]] as const) {
      if (v !== undefined && !/^\d+[bkmgBKMG]?$/.test(v)) errors.push(`defaults.${what} "${v}" must be a size such as "512m" or "1g"`);
    }
    if (d.logMaxFiles !== undefined && !(Number.isInteger(d.logMaxFiles) && d.logMaxFiles > 0)) errors.push(`defaults.logMaxFiles ${d.logMaxFiles} must be a positive integer`);
    for (const pattern of d.dockerignore ?? []) if (hasLineBreak(pattern)) errors.push(`defaults.dockerignore entry ${JSON.stringify(pattern)} cannot contain line breaks; give one pattern per entry`);
    if (o.imageRegistry !== undefined) {
      const p = registryPrefixProblem(o.imageRegistry, 'imageRegistry');
      if (p) errors.push(p);
    }
    if (o.imageTag !== undefined && !/^(?:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|\$\{[A-Za-z_][A-Za-z0-9_]*(?::?-[A-Za-z0-9_.-]*)?\})$/.test(o.imageTag)) {
      errors.push(`imageTag "${o.imageTag}" must be a tag such as "1.2.3" or a variable such as "\${IMAGE_TAG:-latest}"`);
    }
    if (o.platform !== undefined && !/^[a-z0-9]+\/[a-z0-9_]+(?:\/[a-z0-9]+)?$/.test(o.platform)) errors.push(`platform "${o.platform}" must look like "linux/amd64"`);
    return errors;
  }

  /** Renders the compose files and checks what only the whole document shows (dependency cycles). */
  private checkRenderedDocument(): string[] {
    const errors: string[] = [];
    for (const dev of this.devComposeFile ? [false, true] : [false]) {
      let doc: ComposeDocument;
      try {
        doc = this.buildDocument(dev).doc;
      } catch (e) {
        return [(e as Error).message];
      }
      const cycle = findCycle(Object.fromEntries(Object.entries(doc.services).map(([n, s]) => [n, Object.keys(s.depends_on ?? {})])));
      if (cycle) {
        errors.push(`services depend on each other in a cycle (${cycle.join(' -> ')}), so compose cannot start them; remove one of the dependsOn / connectTo / proxyApi links`);
        break;
      }
      if (dev) {
        // the development stack publishes dev servers too: two on one host port would fail at up
        const ports = new Map<string, string>();
        for (const [name, s] of Object.entries(doc.services)) {
          for (const p of (s.ports ?? []) as string[]) {
            const m = /^(?:[0-9.:]+:)?(?:\$\{[A-Za-z0-9_]+:-(\d+)\}|(\d+)):\d+$/.exec(p);
            const port = m?.[1] ?? m?.[2];
            if (!port) continue;
            const other = ports.get(port);
            if (other) errors.push(`in ${this.devComposeFile}, services "${other}" and "${name}" both publish host port ${port}; give one of them another hostPort`);
            else ports.set(port, name);
          }
        }
      }
      for (const [name, s] of Object.entries(doc.services)) {
        for (const [dep, cond] of Object.entries<any>(s.depends_on ?? {})) {
          const target = doc.services[dep];
          // a healthcheck switched off (an image's own HEALTHCHECK cannot be seen from here)
          const noHealthcheck = target?.healthcheck?.test?.[0] === 'NONE';
          if (cond?.condition === 'service_healthy' && noHealthcheck) {
            errors.push(`service "${name}" waits for "${dep}" to be healthy, but "${dep}" has no healthcheck; give it one (healthcheck option) or depend on it with DependencyCondition.STARTED`);
          }
        }
      }
    }
    return errors;
  }

  private renderComposeFile(dev = false): string {
    const { doc, comments } = this.buildDocument(dev);
    if (dev) {
      return renderCompose(doc, comments, [
        'Development stack: dev servers with hot reload on the host\'s sources, ports on 127.0.0.1 only.',
        `Run: docker compose -f ${path.posix.basename(this.devComposeFile!)} up --build   (a plain "docker compose up" runs the production stack)`,
      ]);
    }
    return renderCompose(doc, comments, [`Run: docker compose up -d --build --wait   (values come from ${path.posix.basename(this.envFile)}; see ${path.posix.basename(this.envExampleFile)})`]);
  }

  /** The compose document (production or development) and its comments. */
  private buildDocument(dev: boolean): { doc: ComposeDocument; comments: ComposeComments } {
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
      for (const s of secrets) doc.secrets[s.name] = { file: this._composePath(s.file) };
      comments.set('secrets', `Generated once by synth into ${this.secretsDir}/ (git-ignored); containers read them at /run/secrets/<name>`);
    }
    comments.set('name', 'Project name: keeps containers, networks and volumes apart from other stacks on this host');
    if (!dev) for (const o of this.overrides) applyOverride(doc as any, o.keys, o.value);
    return { doc, comments };
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
    const bytes = fs.readFileSync(abs);
    const existing = bytes.toString('utf-8');
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
      // the user's bytes stay as they are (whatever their encoding); only the new keys are appended
      const appended = result.text.slice(existing.length);
      fs.writeFileSync(abs, Buffer.concat([bytes, Buffer.from(appended, 'utf-8')]));
      warnDotenv(result.added);
      this.project.logger.info(`${this.envFile}: added ${result.added.join(', ')}`);
    }
  }
}

/** Sets (or with `null`, deletes) a dot-separated path in an object, creating maps on the way. */
function applyOverride(doc: Record<string, any>, keys: string[], value: any): void {
  let cur = doc;
  for (const k of keys.slice(0, -1)) {
    if (typeof cur[k] !== 'object' || cur[k] === null) cur[k] = {};
    cur = cur[k];
  }
  const last = keys[keys.length - 1];
  if (value === null) delete cur[last];
  else cur[last] = value;
}

/** The first dependency cycle of a graph (service -> services it depends on), or undefined. */
function findCycle(graph: Record<string, string[]>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string): string[] | undefined => {
    if (state.get(n) === 'done') return undefined;
    if (state.get(n) === 'visiting') return [...stack.slice(stack.indexOf(n)), n];
    state.set(n, 'visiting');
    stack.push(n);
    for (const m of graph[n] ?? []) {
      const c = visit(m);
      if (c) return c;
    }
    stack.pop();
    state.set(n, 'done');
    return undefined;
  };
  for (const n of Object.keys(graph)) {
    const c = visit(n);
    if (c) return c;
  }
  return undefined;
}

/** A strong random development secret (hex: safe unquoted in every env-file reader and URL). */
export function generateSecret(): string {
  return crypto.randomBytes(24).toString('hex');
}
