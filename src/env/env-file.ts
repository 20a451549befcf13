/**
 * The env-file model: parses a `.env` keeping every line verbatim, and writes values in a form
 * that Docker Compose reads back exactly.
 */

/** One variable the stack needs, as documented in `.env.example`. */
export interface EnvVariableSpec {
  readonly name: string;
  /** What the variable means; becomes the comment above it. */
  readonly description: string;
  /** Value written to `.env` on first synth (a generated secret or a default). */
  readonly initialValue: () => string;
  /** Value shown in `.env.example` (secrets: empty). */
  readonly exampleValue: string;
  readonly secret: boolean;
  /** Construct path of the service that uses it, for messages. */
  readonly usedBy: string;
}

export interface EnvLine {
  /** The line(s) exactly as written, without the final newline. */
  readonly raw: string;
  /** 1-based line number where the entry starts. */
  readonly line: number;
  readonly key?: string;
  /** The value as Docker Compose reads it (before interpolation of `$` in unquoted/double-quoted values). */
  readonly value?: string;
  readonly quote?: '' | "'" | '"';
}

export class EnvParseError extends Error {
  constructor(public readonly line: number, message: string) {
    super(`line ${line}: ${message}`);
  }
}

const KEY_RE = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s?/;

/** Parses env-file text into lines, keeping each entry's raw text. */
export function parseEnvFile(text: string): EnvLine[] {
  const physical = text.split('\n');
  if (physical.length > 0 && physical[physical.length - 1] === '') physical.pop();
  const out: EnvLine[] = [];
  for (let i = 0; i < physical.length; i++) {
    const rawLine = physical[i].replace(/\r$/, '');
    const trimmed = rawLine.trim();
    if (trimmed === '' || trimmed.startsWith('#')) {
      out.push({ raw: physical[i], line: i + 1 });
      continue;
    }
    const m = KEY_RE.exec(rawLine);
    if (!m) {
      throw new EnvParseError(i + 1, `expected KEY=value, a comment or a blank line, found ${JSON.stringify(rawLine.slice(0, 40))}`);
    }
    const key = m[1];
    let rest = rawLine.slice(m[0].length).replace(/^\s+/, '');
    const start = i;
    const q = rest[0];
    if (q === "'" || q === '"') {
      // a quoted value may span lines until its closing quote
      let body = rest.slice(1);
      let close = findClosingQuote(body, q);
      while (close < 0 && i + 1 < physical.length) {
        i++;
        body += '\n' + physical[i];
        close = findClosingQuote(body, q);
      }
      if (close < 0) throw new EnvParseError(start + 1, `the ${q === '"' ? 'double' : 'single'} quote of ${key} is never closed`);
      const inner = body.slice(0, close);
      const value = q === '"' ? unescapeDouble(inner) : inner;
      out.push({ raw: physical.slice(start, i + 1).join('\n'), line: start + 1, key, value, quote: q });
    } else {
      // unquoted: an inline comment starts at whitespace followed by #
      const hash = rest.search(/\s#/);
      if (hash >= 0) rest = rest.slice(0, hash);
      out.push({ raw: physical[i], line: i + 1, key, value: rest.trim(), quote: '' });
    }
  }
  return out;
}

function findClosingQuote(body: string, q: string): number {
  for (let j = 0; j < body.length; j++) {
    if (q === '"' && body[j] === '\\') {
      j++;
      continue;
    }
    if (body[j] === q) return j;
  }
  return -1;
}

function unescapeDouble(inner: string): string {
  return inner.replace(/\\(.)/gs, (_m, c: string) => {
    switch (c) {
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      default:
        return c;
    }
  });
}

/** Characters that every reader (compose, python-dotenv, npm dotenv) takes literally when unquoted. */
const PLAIN_RE = /^[A-Za-z0-9_./:@%+,=-]*$/;

/**
 * Formats `KEY=value` so that Docker Compose reads `value` exactly.
 *
 * - plain characters only: unquoted;
 * - otherwise single quotes, which compose, python-dotenv and npm dotenv all read literally
 *   (no `$` interpolation, no escapes);
 * - a value containing a single quote: double quotes, with `\`, `"` and `$` escaped.
 *
 * @throws when the value cannot be represented (newlines, NUL)
 */
export function formatEnvAssignment(key: string, value: string): string {
  if (/[\n\r\0]/.test(value)) {
    throw new Error(`${key}: values with line breaks or NUL characters cannot be written to an env file; use a secret file instead`);
  }
  if (PLAIN_RE.test(value)) return `${key}=${value}`;
  // compose reads a quote after a backslash as escaped, even in single quotes: a value ending in
  // a backslash goes in double quotes
  if (!value.includes("'") && !value.endsWith('\\')) return `${key}='${value}'`;
  return `${key}="${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\$/g, '\\$')}"`;
}

/**
 * Whether python-dotenv and the npm `dotenv` package read the line that `formatEnvAssignment`
 * writes for `value` exactly as Docker Compose does. Where no form satisfies all three readers,
 * the writer keeps the form compose reads exactly and this returns false.
 */
export function dotenvReadersAgree(value: string): boolean {
  if (PLAIN_RE.test(value)) return true;
  if (!value.includes("'") && !value.endsWith('\\')) {
    // single quotes: python-dotenv reads two backslashes as one, and expands ${...} even here
    return !value.includes('\\\\') && !/\$\{[^}]*\}/.test(value);
  }
  // double quotes: npm dotenv keeps the escapes that compose and python-dotenv remove
  return !/[\\"$]/.test(value);
}

/** Comment lines (`# ...`) for a description. */
export function commentBlock(text: string): string[] {
  return text.split('\n').map((l) => (l ? `# ${l}` : '#'));
}

/** Renders a complete env file from variable specs (used for `.env.example` and a new `.env`). */
export function renderEnvFile(header: readonly string[], vars: ReadonlyArray<{ spec: EnvVariableSpec; value: string }>): string {
  const out: string[] = [...header];
  for (const { spec, value } of vars) {
    out.push('');
    out.push(...commentBlock(spec.description));
    out.push(formatEnvAssignment(spec.name, value));
  }
  return out.join('\n') + '\n';
}

export interface EnvMergeResult {
  /** The new file text; equal to the input when nothing was added. */
  readonly text: string;
  readonly added: string[];
  /** Keys in the file that no service uses. */
  readonly unused: string[];
  /** Lines whose value compose will read differently from how it looks. */
  readonly warnings: string[];
}

/**
 * Merges the variables a stack needs into the user's existing `.env` text: existing lines are
 * kept byte for byte; missing keys are appended with their documentation.
 */
export function mergeEnvFile(existing: string, needed: readonly EnvVariableSpec[], fileName: string): EnvMergeResult {
  const lines = parseEnvFile(existing);
  const present = new Set(lines.filter((l) => l.key).map((l) => l.key!));
  const neededNames = new Set(needed.map((n) => n.name));
  const warnings: string[] = [];
  for (const l of lines) {
    if (l.key && l.quote !== "'" && l.value !== undefined && /\$/.test(l.value)) {
      warnings.push(
        `${fileName}:${l.line}: ${l.key} contains "$", which Docker Compose treats as a variable reference in ${l.quote === '"' ? 'double-quoted' : 'unquoted'} values; put the value in single quotes to keep it literal`,
      );
    }
  }
  const missing = needed.filter((n) => !present.has(n.name));
  const unused = [...present].filter((k) => !neededNames.has(k));
  if (missing.length === 0) return { text: existing, added: [], unused, warnings };
  let text = existing;
  if (text.length > 0 && !text.endsWith('\n')) text += '\n';
  const out: string[] = [];
  for (const spec of missing) {
    out.push('');
    out.push(...commentBlock(spec.description));
    out.push(formatEnvAssignment(spec.name, spec.initialValue()));
  }
  text += out.join('\n').replace(/^\n/, text.length ? '\n' : '') + '\n';
  return { text, added: missing.map((m) => m.name), unused, warnings };
}
