import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { IConstruct } from 'constructs';
import { Component, Project } from 'projen';
import type { StackService } from './stack-service';
import { ComposeComments, ComposeDocument, renderCompose } from '../compose/compose-document';
import { dotenvReadersAgree, EnvParseError, EnvVariableSpec, mergeEnvFile, renderEnvFile } from '../env/env-file';
import { composeProjectName } from '../internal/names';
import { RenderedFile } from '../internal/rendered-file';

const STACK_SYMBOL = Symbol.for('projen-compose-stack.ComposeStack');

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

  /** @internal The network that frontends and backends share. */
  public readonly _webNetwork = 'web';

  private readonly requestedName: string;
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

    // .env holds real values and secrets: never in git (also matches nested .env files)
    project.gitignore.exclude(`/${this.envFile}`, '.env', `/${this.secretsDir}/`);
    project.gitignore.include(`/${this.envExampleFile}`);

    this.managedFiles.push(
      new RenderedFile(this, composeFile, { owner: this, commentPrefix: '#', render: () => this.renderComposeFile() }),
      new RenderedFile(this, this.envExampleFile, { owner: this, commentPrefix: '#', render: () => this.renderEnvExample() }),
    );

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
  }

  public synthesize(): void {
    this.writeEnvFile();
    this.writeSecretFiles();
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

  private renderComposeFile(): string {
    const comments: ComposeComments = new Map();
    const doc: ComposeDocument = { name: this.projectName, services: {} };
    const networks: Record<string, boolean> = {};
    const volumes: string[] = [];
    for (const s of this.services) {
      doc.services[s.serviceName] = s._composeService(comments, `services.${s.serviceName}`);
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
    return renderCompose(doc, comments, [
      `Run: docker compose up -d --build --wait   (values come from ${path.posix.basename(this.envFile)}; see ${path.posix.basename(this.envExampleFile)})`,
    ]);
  }

  /** Secret files (file-secrets mode): compose secret name and path relative to the project root. */
  private secretFiles(): Array<{ name: string; file: string; spec: EnvVariableSpec }> {
    if (!this.fileSecrets) return [];
    const seen = new Set<string>();
    return this._envVariables()
      .filter((v) => v.secret && !seen.has(v.name) && seen.add(v.name))
      .map((spec) => ({ name: spec.name.toLowerCase(), file: path.posix.join(this.secretsDir, spec.name.toLowerCase()), spec }));
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

/** A strong random development secret (hex: safe unquoted in every env-file reader and URL). */
export function generateSecret(): string {
  return crypto.randomBytes(24).toString('hex');
}
