import * as YAML from 'yaml';

/**
 * A typed model of the parts of a compose-spec document that the stack uses, and its renderer.
 * Values here are final compose text: interpolation references (`${VAR:?msg}`) are written by
 * the constructs, literal values are escaped with `composeLiteral`.
 */

export interface ComposeHealthcheck {
  test: string[];
  interval?: string;
  timeout?: string;
  retries?: number;
  start_period?: string;
}

export interface ComposeBuild {
  context: string;
  dockerfile?: string;
  target?: string;
  args?: Record<string, string>;
}

export interface ComposeDependsOn {
  condition: 'service_started' | 'service_healthy' | 'service_completed_successfully';
  restart?: boolean;
}

export interface ComposeService {
  image?: string;
  build?: ComposeBuild;
  command?: string[];
  environment?: Record<string, string>;
  env_file?: string[];
  ports?: string[];
  expose?: string[];
  volumes?: string[];
  networks?: string[];
  depends_on?: Record<string, ComposeDependsOn>;
  healthcheck?: ComposeHealthcheck;
  restart?: string;
  read_only?: boolean;
  tmpfs?: string[];
  cap_drop?: string[];
  cap_add?: string[];
  security_opt?: string[];
  shm_size?: string;
  stop_grace_period?: string;
  init?: boolean;
  user?: string;
  secrets?: string[];
  platform?: string;
  deploy?: { resources?: { limits?: { cpus?: string; memory?: string } } };
  logging?: { driver?: string; options?: Record<string, string> };
  pull_policy?: string;
  working_dir?: string;
}

export interface ComposeNetwork {
  internal?: boolean;
}

export interface ComposeDocument {
  name: string;
  services: Record<string, ComposeService>;
  networks?: Record<string, ComposeNetwork>;
  volumes?: Record<string, Record<string, never> | null>;
  secrets?: Record<string, { file: string }>;
}

/** Escapes a literal value so compose does not interpolate it (`$` becomes `$$`). */
export function composeLiteral(value: string): string {
  return value.replace(/\$/g, '$$$$');
}

/** A required variable: compose stops before starting anything when it is unset or empty. */
export function requiredVariable(name: string, hint: string): string {
  return '${' + name + ':?' + hint.replace(/[}$]/g, '') + '}';
}

/** Comments keyed by a dotted path into the document, e.g. `services.db.ports`. */
export type ComposeComments = Map<string, string>;

/** Renders the document as YAML with the comments attached to their keys. */
export function renderCompose(doc: ComposeDocument, comments: ComposeComments, header: string[] = []): string {
  const document = new YAML.Document(doc);
  if (header.length) document.commentBefore = header.map((h) => ` ${h}`).join('\n');
  for (const [path, text] of comments) {
    const keys = path.split('.');
    const parent = document.getIn(keys.slice(0, -1), true);
    if (!YAML.isMap(parent)) continue;
    const pair = parent.items.find((p) => YAML.isScalar(p.key) && p.key.value === keys[keys.length - 1]);
    if (!pair) continue;
    if (!YAML.isScalar(pair.key)) continue;
    pair.key.commentBefore = text
      .split('\n')
      .map((l) => ` ${l}`)
      .join('\n');
  }
  return document.toString({ lineWidth: 0, indentSeq: true });
}
