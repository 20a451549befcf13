/**
 * Options for `EnvValue.fromEnvFile`.
 */
export interface EnvFileValueOptions {
  /**
   * What the variable means; documented above it in `.env.example`.
   */
  readonly description: string;

  /**
   * Name of the variable in `.env`.
   *
   * @default - `<SERVICE>_<NAME>`, e.g. `API_LOG_LEVEL`
   */
  readonly variable?: string;

  /**
   * Value written to `.env` on the first synth and shown in `.env.example`. Without a default,
   * the variable is required: compose refuses to start while it is unset or empty.
   *
   * @default - none (required)
   */
  readonly default?: string;
}

/**
 * Options for `EnvValue.secret`.
 */
export interface SecretValueOptions {
  /**
   * What the secret is for; documented in `.env.example` (which never holds the value).
   */
  readonly description: string;

  /**
   * Name of the variable in `.env` (or of the secret file, lowercased).
   *
   * @default - `<SERVICE>_<NAME>`, e.g. `API_JWT_SECRET`
   */
  readonly variable?: string;
}

/** @internal */
export type EnvValueSpec =
  | { readonly kind: 'literal'; readonly value: string }
  | { readonly kind: 'env'; readonly options: EnvFileValueOptions }
  | { readonly kind: 'secret'; readonly options: SecretValueOptions };

/**
 * The value of a container environment variable: a literal written into `compose.yaml`, a value
 * the user sets in `.env`, or a generated secret.
 */
export class EnvValue {
  /**
   * A plain value, written into `compose.yaml` as is (`$` is escaped, so it stays literal).
   * Not for secrets: `compose.yaml` is committed.
   */
  public static literal(value: string): EnvValue {
    return new EnvValue({ kind: 'literal', value });
  }

  /**
   * A value from the user-owned `.env`, documented in `.env.example`.
   */
  public static fromEnvFile(options: EnvFileValueOptions): EnvValue {
    return new EnvValue({ kind: 'env', options });
  }

  /**
   * A secret: generated randomly into `.env` on the first synth (or into a secret file when the
   * stack uses file secrets), required by `compose.yaml`, never written to a committed file or
   * an image.
   */
  public static secret(options: SecretValueOptions): EnvValue {
    return new EnvValue({ kind: 'secret', options });
  }

  /** @internal */
  public readonly _spec: EnvValueSpec;

  private constructor(spec: EnvValueSpec) {
    this._spec = spec;
  }
}
