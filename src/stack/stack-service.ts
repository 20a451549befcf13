import * as fs from 'fs';
import * as path from 'path';
import { IConstruct } from 'constructs';
import { Component } from 'projen';
import { ComposeStack, generateSecret } from './compose-stack';
import { ComposeComments, ComposeService, composeLiteral, requiredVariable } from '../compose/compose-document';
import { EnvVariableSpec } from '../env/env-file';
import { EnvValue } from '../env/env-value';
import { ENV_NAME_RE, envPrefix, hasLineBreak, SERVICE_NAME_RE, suggestServiceName } from '../internal/names';
import { RenderedFile, RenderedFileOptions } from '../internal/rendered-file';

/**
 * A stage of a generated Dockerfile, for extra instructions.
 */
export enum BuildStage {
  /** The build stage (dependencies, compilers); extra instructions run before the dependency install. */
  BUILD = 'build',
  /** The runtime stage; extra instructions run as root before the app files are copied. */
  RUNTIME = 'runtime',
}

/**
 * When a service may start, relative to a service it depends on.
 */
export enum DependencyCondition {
  /** Once the dependency is healthy (its healthcheck passes). */
  HEALTHY = 'service_healthy',
  /** Once the dependency has started. */
  STARTED = 'service_started',
  /** Once the dependency (a one-shot job) has exited with status 0. */
  COMPLETED_SUCCESSFULLY = 'service_completed_successfully',
}

/**
 * A service of a `ComposeStack`: a compose service plus the files it generates.
 */
export abstract class StackService extends Component {
  /** The compose service name (the construct id). */
  public readonly serviceName: string;
  /** The stack this service belongs to. */
  public readonly stack: ComposeStack;
  /** Prefix of this service's variables in `.env`, e.g. `DB` for a service named `db`. */
  public readonly envPrefix: string;

  private readonly managedFiles: RenderedFile[] = [];
  private readonly extraEnv: Array<{ name: string; value: EnvValue }> = [];
  private readonly extraInstructions: Record<string, string[]> = {};
  private readonly dependencies: Array<{ service: StackService; condition: DependencyCondition }> = [];

  constructor(stack: ComposeStack, id: string) {
    super(stack, id);
    this.serviceName = id;
    this.stack = stack;
    this.envPrefix = envPrefix(id);
    this.node.addValidation({
      validate: () => {
        const errors: string[] = [];
        if (!SERVICE_NAME_RE.test(id)) {
          errors.push(
            `"${id}" is not a valid service name: use lowercase letters, digits, "-" and "_", starting with a letter (it names the compose service and the ${'<NAME>_'} variables in .env; for example "${suggestServiceName(id)}").`,
          );
        }
        for (const { name, value } of this.extraEnv) {
          if (!ENV_NAME_RE.test(name)) errors.push(this._problem(`environment variable name "${name}" is not valid (letters, digits, "_", not starting with a digit)`));
          const spec = value._spec;
          const variable = spec.kind === 'literal' ? undefined : spec.options.variable;
          if (variable !== undefined && !ENV_NAME_RE.test(variable)) {
            errors.push(this._problem(`${name}: variable "${variable}" is not a valid name for .env (letters, digits, "_", not starting with a digit)`));
          }
          if (spec.kind === 'env' && spec.options.default !== undefined && /[\n\r\0]/.test(spec.options.default)) {
            errors.push(this._problem(`${name}: the default value cannot contain line breaks or NUL (.env holds one value per line); use EnvValue.literal for such a value`));
          }
        }
        const names = this.extraEnv.map((e) => e.name);
        for (const dup of new Set(names.filter((n, i) => names.indexOf(n) !== i))) {
          errors.push(this._problem(`environment variable ${dup} is added twice; keep one addEnvironment call`));
        }
        for (const f of this.managedFiles) {
          const problem = f.checkNotUserOwned();
          if (problem) errors.push(problem);
        }
        for (const d of this.dependencies) {
          const other = this._sameStackProblem(d.service, 'dependsOn');
          if (other) errors.push(this._problem(other));
          if (d.service === this) errors.push(this._problem('a service cannot depend on itself'));
        }
        for (const [stage, lines] of Object.entries(this.extraInstructions)) {
          for (const l of lines) {
            if (!/^[A-Za-z]+\s/.test(l.trim()) || /^\s*FROM\s/i.test(l) || hasLineBreak(l) || /\\\s*$/.test(l)) {
              errors.push(
                this._problem(
                  `extra ${stage} instruction ${JSON.stringify(l)} must be one single-line Dockerfile instruction such as "RUN ..." (not FROM, no line break or trailing "\\"; pass several instructions as several arguments)`,
                ),
              );
            }
          }
        }
        return errors;
      },
    });
  }

  /** @internal A short name of the construct kind for messages, e.g. `FrontendService`. */
  protected abstract get _kind(): string;

  /** @internal The compose service entry, built at synth time. */
  public abstract _composeService(comments: ComposeComments, at: string): ComposeService;

  /**
   * Adds an environment variable to the service's container: a literal, a value from `.env`
   * (documented in `.env.example`) or a generated secret.
   */
  public addEnvironment(name: string, value: EnvValue): void {
    this.extraEnv.push({ name, value });
  }

  /**
   * Adds Dockerfile instructions (e.g. `RUN apt-get install ...`, `ENV ...`) to a stage of this
   * service's generated Dockerfile. Services without a Dockerfile ignore them.
   */
  public addDockerfileInstructions(stage: BuildStage, ...instructions: string[]): void {
    (this.extraInstructions[stage] ??= []).push(...instructions);
  }

  /**
   * Starts this service only once `service` is healthy, started, or (for a one-shot job) has
   * completed successfully.
   */
  public dependsOn(service: StackService, condition: DependencyCondition = DependencyCondition.HEALTHY): void {
    this.dependencies.push({ service, condition });
  }

  /** @internal Extra instructions for a stage. */
  protected _extraInstructions(stage: BuildStage): string[] {
    return this.extraInstructions[stage] ?? [];
  }

  /** @internal Adds the `dependsOn` entries to a compose service. */
  public _applyDependencies(svc: ComposeService): void {
    if (!this.dependencies.length) return;
    svc.depends_on = svc.depends_on ?? {};
    for (const d of this.dependencies) svc.depends_on[d.service.serviceName] = { condition: d.condition };
  }

  /** @internal The service in the development compose file (default: as in production). */
  public _devComposeService(comments: ComposeComments, at: string): ComposeService {
    return this._composeService(comments, at);
  }

  /** @internal Named volumes only the development compose file needs. */
  public _devVolumes(): string[] {
    return [];
  }

  /** @internal Variables this service needs in `.env` (or as secret files). */
  public _envVariables(): EnvVariableSpec[] {
    const out: EnvVariableSpec[] = [];
    for (const { name, value } of this.extraEnv) {
      const spec = value._spec;
      if (spec.kind === 'env') {
        const def = spec.options.default;
        out.push({
          name: spec.options.variable ?? `${this.envPrefix}_${name}`,
          description: `${spec.options.description} (service ${this.serviceName}, ${name})`,
          initialValue: () => def ?? '',
          exampleValue: def ?? '',
          secret: false,
          usedBy: this.node.path,
        });
      } else if (spec.kind === 'secret') {
        out.push({
          name: spec.options.variable ?? `${this.envPrefix}_${name}`,
          description: `${spec.options.description} (service ${this.serviceName}, ${name}). Secret: synth generates a random value.`,
          initialValue: generateSecret,
          exampleValue: '',
          secret: true,
          usedBy: this.node.path,
        });
      }
    }
    return out;
  }

  /**
   * @internal Renders the variables added with `addEnvironment` and the given secret references
   * into the compose service (environment entries, and `secrets:` when the stack uses files).
   */
  protected _applyEnvironment(svc: ComposeService, secrets: Array<{ envName: string; variable: string }>): void {
    const env: Record<string, string> = { ...(svc.environment ?? {}) };
    const hint = `set it in ${this.stack.envFile} (copy ${this.stack.envExampleFile} or run npx projen)`;
    const secretRefs = [...secrets];
    // a variable the construct already sets (DATABASE_URL, PG*, POSTGRES_*, ...) is not silently replaced
    const taken = new Set([...Object.keys(env), ...secrets.flatMap((r) => [r.envName, `${r.envName}_FILE`])]);
    for (const { name } of this.extraEnv) {
      if (taken.has(name) || taken.has(name.replace(/_FILE$/, ''))) {
        throw new Error(
          `[${this.node.path}] ${this._problem(`environment variable ${name} is already set by the construct (its options or a connection); remove the addEnvironment call, or use another name`)}`,
        );
      }
    }
    for (const { name, value } of this.extraEnv) {
      const spec = value._spec;
      if (spec.kind === 'literal') {
        env[name] = composeLiteral(spec.value);
      } else if (spec.kind === 'env') {
        const variable = spec.options.variable ?? `${this.envPrefix}_${name}`;
        env[name] = spec.options.default === undefined ? requiredVariable(variable, hint) : '${' + variable + '-}';
      } else {
        secretRefs.push({ envName: name, variable: spec.options.variable ?? `${this.envPrefix}_${name}` });
      }
    }
    for (const ref of secretRefs) {
      if (this.stack.fileSecrets) {
        const secretName = ref.variable.toLowerCase();
        env[`${ref.envName}_FILE`] = `/run/secrets/${secretName}`;
        svc.secrets = [...(svc.secrets ?? []), secretName].filter((v, i, a) => a.indexOf(v) === i);
      } else {
        env[ref.envName] = requiredVariable(ref.variable, hint);
      }
    }
    if (Object.keys(env).length) svc.environment = env;
  }

  /** @internal Named volumes this service needs. */
  public _volumes(): string[] {
    return [];
  }

  /** @internal Networks this service declares (name -> internal). */
  public _networks(): Record<string, boolean> {
    return {};
  }

  /** @internal Host ports this service publishes: address and port. */
  public _publishedPorts(): Array<{ address: string; port: number }> {
    return [];
  }

  /** @internal Adds a managed file in this service's folder, rendered at synth time. */
  protected _addManagedFile(filePath: string, options: Omit<RenderedFileOptions, 'owner'>): RenderedFile {
    const existing = this.project.tryFindFile(filePath);
    if (existing) {
      throw new Error(
        `[${this.node.path}] ${this._problem(`${filePath} is already generated by ${existing.node.scope?.node.path ?? existing.node.path}; give each service its own folder (path option)`)}`,
      );
    }
    const f = new RenderedFile(this, filePath, { ...options, owner: this });
    this.managedFiles.push(f);
    return f;
  }

  /** @internal Error text that names this construct and its kind. */
  protected _problem(message: string): string {
    return `${this._kind} "${this.serviceName}": ${message}`;
  }

  /** @internal Whether a folder exists relative to the project root. */
  protected _folderExists(folder: string): boolean {
    return fs.existsSync(path.join(this.project.outdir, folder));
  }

  /** @internal Asserts `other` belongs to the same stack (for connections). */
  protected _sameStackProblem(other: IConstruct, how: string): string | undefined {
    const otherStack = ComposeStack.of(other);
    if (otherStack !== this.stack) {
      return `${how} target "${other.node.path}" belongs to another ComposeStack (${otherStack?.composeFile ?? 'none'}); services can only connect within one stack — create the target in "${this.stack.composeFile}"'s stack`;
    }
    return undefined;
  }
}
