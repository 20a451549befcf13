import * as fs from 'fs';
import * as path from 'path';
import { ComposeStack, generateSecret } from './compose-stack';
import { StackService } from './stack-service';
import { ComposeComments, ComposeService, requiredVariable } from '../compose/compose-document';
import { EnvVariableSpec } from '../env/env-file';
import { checkRelativeFolder } from '../internal/paths';
import { DEFAULT_IMAGES } from '../versions';

/**
 * Options for `PostgresDatabase`.
 */
export interface PostgresDatabaseOptions {
  /**
   * Name of the database to create.
   *
   * @default - the construct id
   */
  readonly database?: string;

  /**
   * Name of the database owner role. It is the initial value of `<ID>_USER` in `.env`.
   *
   * @default - the database name
   */
  readonly user?: string;

  /**
   * Major version of the official `postgres` image.
   *
   * @default "18"
   */
  readonly version?: string;

  /**
   * The full image reference; overrides `version` (for example a mirror or a digest pin).
   * Its tag's major version decides the data path; set `dataPath` when the tag has none.
   *
   * @default - `postgres:<version>-alpine`
   */
  readonly image?: string;

  /**
   * Path of the data volume inside the container.
   *
   * @default - `/var/lib/postgresql` from major version 18 on, `/var/lib/postgresql/data` before
   */
  readonly dataPath?: string;

  /**
   * A folder of init scripts (`*.sql`, `*.sh`), relative to the project root, mounted read-only
   * at `/docker-entrypoint-initdb.d`. They run once, when the data volume is empty.
   *
   * @default - none
   */
  readonly initScripts?: string;

  /**
   * Publish the database port on the host, on 127.0.0.1 only (for local tools such as psql).
   * The port is not published at all by default.
   *
   * @default - not published
   */
  readonly hostPort?: number;
}

/**
 * A PostgreSQL database from the official image: credentials from `.env`, a healthcheck that
 * uses them, a named volume, a private network and no published port by default.
 */
export class PostgresDatabase extends StackService {
  /** Name of the database. */
  public readonly database: string;
  /** The image reference. */
  public readonly image: string;
  /** Name of the `.env` variable holding the role name. */
  public readonly userVariable: string;
  /** Name of the `.env` variable holding the password. */
  public readonly passwordVariable: string;
  /** The private network that this database and the services connected to it share. */
  public readonly networkName: string;
  /** The port inside the network. */
  public readonly port: number = 5432;

  private readonly options: PostgresDatabaseOptions;
  private readonly defaultUser: string;

  constructor(stack: ComposeStack, id: string, options: PostgresDatabaseOptions = {}) {
    super(stack, id);
    this.options = options;
    this.database = options.database ?? id;
    this.defaultUser = options.user ?? this.database;
    this.image = options.image ?? `postgres:${options.version ?? DEFAULT_IMAGES.postgresVersion}-alpine`;
    this.userVariable = `${this.envPrefix}_USER`;
    this.passwordVariable = `${this.envPrefix}_PASSWORD`;
    this.networkName = `${id}-net`;
    this.node.addValidation({ validate: () => this.validateOptions() });
  }

  /** The major version read from the image tag, if any. */
  public get majorVersion(): number | undefined {
    const tag = this.image.split('@')[0].split('/').pop()!.split(':')[1];
    const m = tag ? /^(\d+)/.exec(tag) : null;
    return m ? Number(m[1]) : undefined;
  }

  /** @internal */
  protected get _kind(): string {
    return 'PostgresDatabase';
  }

  private get dataPath(): string {
    if (this.options.dataPath) return this.options.dataPath;
    const major = this.majorVersion ?? 18;
    return major >= 18 ? '/var/lib/postgresql' : '/var/lib/postgresql/data';
  }

  private validateOptions(): string[] {
    const errors: string[] = [];
    const ident = /^[a-z_][a-z0-9_]{0,62}$/;
    const suggest = (v: string, fallback: string) => {
      const n = v.toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^[0-9_]+/, '').slice(0, 63);
      return ident.test(n) && !n.startsWith('pg_') ? n : fallback;
    };
    if (!ident.test(this.database)) {
      errors.push(this._problem(`database name "${this.database}" must be a lowercase SQL identifier of at most 63 characters (letters, digits, "_"; for example "${suggest(this.database, 'app')}")`));
    } else if (['template0', 'template1'].includes(this.database)) {
      errors.push(this._problem(`database name "${this.database}" is one of PostgreSQL's template databases; choose the app's own name (for example "app")`));
    }
    if (!ident.test(this.defaultUser) || this.defaultUser.startsWith('pg_')) {
      errors.push(
        this._problem(
          `user "${this.defaultUser}" must be a lowercase SQL identifier of at most 63 characters (letters, digits, "_"), not starting with "pg_" (reserved by PostgreSQL); for example "${suggest(this.defaultUser, 'app')}"`,
        ),
      );
    }
    if (!this.options.image && this.options.version && !/^\d+(\.\d+)?$/.test(this.options.version)) {
      errors.push(this._problem(`version "${this.options.version}" must be a major version such as "17" or "18"; use the image option for other tags`));
    }
    if (this.options.dataPath !== undefined && !/^\/[A-Za-z0-9._\/-]*$/.test(this.options.dataPath)) {
      errors.push(this._problem(`dataPath "${this.options.dataPath}" must be an absolute path inside the container, such as /var/lib/postgresql`));
    }
    if (this.options.image && this.majorVersion === undefined && !this.options.dataPath) {
      errors.push(this._problem(`cannot read a major version from image "${this.options.image}"; set dataPath (/var/lib/postgresql for 18+, /var/lib/postgresql/data before)`));
    }
    if (this.options.initScripts) {
      const p = checkRelativeFolder(this.options.initScripts, 'initScripts');
      if (p) {errors.push(this._problem(p));} else if (!this._folderExists(this.options.initScripts)) {errors.push(this._problem(`initScripts folder "${this.options.initScripts}" does not exist; create it or remove the option`));} else if (!fs.statSync(path.join(this.project.outdir, this.options.initScripts)).isDirectory()) {
        errors.push(this._problem(`initScripts "${this.options.initScripts}" is a file; point it at a folder of *.sql / *.sh scripts`));
      }
    }
    if (this.options.hostPort !== undefined && !validPort(this.options.hostPort)) {
      errors.push(this._problem(`hostPort ${this.options.hostPort} is not a port number (1-65535)`));
    }
    return errors;
  }

  /** @internal */
  public _envVariables(): EnvVariableSpec[] {
    const usedBy = this.node.path;
    return [
      {
        name: this.userVariable,
        description: `Role that owns database "${this.database}" (service ${this.serviceName}). Changing it after the first start needs a new data volume.`,
        initialValue: () => this.defaultUser,
        exampleValue: this.defaultUser,
        secret: false,
        usedBy,
      },
      {
        name: this.passwordVariable,
        description: `Password of that role (service ${this.serviceName}). Any characters work; synth generates a random one.`,
        initialValue: generateSecret,
        exampleValue: '',
        secret: true,
        usedBy,
      },
      // and the variables added with addEnvironment
      ...super._envVariables(),
    ];
  }

  /** @internal */
  public _volumes(): string[] {
    return [`${this.serviceName}-data`];
  }

  /** @internal */
  public _networks(): Record<string, boolean> {
    const n: Record<string, boolean> = { [this.networkName]: true };
    if (this.options.hostPort !== undefined) n[`${this.serviceName}-host`] = false;
    return n;
  }

  /** @internal */
  public _publishedPorts(): Array<{ address: string; port: number }> {
    return this.options.hostPort !== undefined ? [{ address: '127.0.0.1', port: this.options.hostPort }] : [];
  }

  /** @internal */
  public _composeService(comments: ComposeComments, at: string): ComposeService {
    const hint = `set it in ${this.stack.envFile} (copy ${this.stack.envExampleFile} or run npx projen)`;
    const svc: ComposeService = {
      image: this.stack._resolveImage(this.image),
      environment: {
        POSTGRES_DB: this.database,
        POSTGRES_USER: requiredVariable(this.userVariable, hint),
      },
      volumes: [`${this.serviceName}-data:${this.dataPath}`],
      networks: Object.keys(this._networks()),
      healthcheck: {
        // TCP on 127.0.0.1: the init-time server listens on the socket only, so this turns healthy
        // only once init scripts are done; -U/-d avoid "role/database does not exist" log lines
        test: ['CMD-SHELL', 'pg_isready -h 127.0.0.1 -p 5432 -U "$${POSTGRES_USER}" -d "$${POSTGRES_DB}" -q'],
        interval: '5s',
        timeout: '5s',
        retries: 10,
        start_period: '30s',
      },
      restart: 'unless-stopped',
      shm_size: '128mb',
      security_opt: ['no-new-privileges:true'],
      cap_drop: ['ALL'],
      cap_add: ['CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'SETGID', 'SETUID'],
      stop_grace_period: '30s',
    };
    this._applyEnvironment(svc, [{ envName: 'POSTGRES_PASSWORD', variable: this.passwordVariable }]);
    comments.set(
      `${at}.environment`,
      `Credentials come from ${this.stack.envFile}${this.stack.fileSecrets ? ' and a secret file' : ''}; compose refuses to start without them`,
    );
    comments.set(`${at}.volumes`, `Data survives "down"; the path is where postgres ${this.majorVersion ?? ''} keeps its data`.replace('  ', ' '));
    comments.set(`${at}.cap_add`, 'The entrypoint needs these to prepare the data folder and drop to the postgres user');
    if (this.options.initScripts) {
      svc.volumes!.push(`${this.stack._composePath(this.options.initScripts)}:/docker-entrypoint-initdb.d:ro`);
    }
    if (this.options.hostPort !== undefined) {
      svc.ports = [`127.0.0.1:${this.options.hostPort}:5432`];
      comments.set(`${at}.ports`, 'Published for local tools on 127.0.0.1 only');
    } else {
      comments.set(`${at}.networks`, 'No published port: only services connected to this database reach it');
    }
    return svc;
  }
}

export function validPort(p: number): boolean {
  return Number.isInteger(p) && p >= 1 && p <= 65535;
}
