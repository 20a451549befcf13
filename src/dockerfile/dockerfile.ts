/**
 * A typed model of a multi-stage Dockerfile and its renderer.
 *
 * Constructs build stages out of instructions; `renderDockerfile` writes the text. Only syntax
 * that the Dockerfile frontend built into Docker Engine 20.10 understands is produced, so no
 * `# syntax=` line is needed (and none is written unless asked for).
 */

export type Instruction =
  | { readonly kind: 'FROM'; readonly image: string; readonly as?: string }
  | { readonly kind: 'ARG'; readonly name: string; readonly default?: string }
  | { readonly kind: 'ENV'; readonly vars: ReadonlyArray<readonly [string, string]> }
  | { readonly kind: 'WORKDIR'; readonly path: string }
  | { readonly kind: 'COPY'; readonly sources: readonly string[]; readonly dest: string; readonly from?: string; readonly chown?: string; readonly chmod?: string }
  | { readonly kind: 'RUN'; readonly commands: readonly string[]; readonly mounts?: readonly string[] }
  | { readonly kind: 'USER'; readonly user: string }
  | { readonly kind: 'EXPOSE'; readonly port: number }
  | { readonly kind: 'LABEL'; readonly labels: ReadonlyArray<readonly [string, string]> }
  | { readonly kind: 'STOPSIGNAL'; readonly signal: string }
  | { readonly kind: 'HEALTHCHECK'; readonly test: readonly string[]; readonly interval?: string; readonly timeout?: string; readonly startPeriod?: string; readonly retries?: number }
  | { readonly kind: 'CMD' | 'ENTRYPOINT'; readonly argv: readonly string[] }
  | { readonly kind: 'RAW'; readonly text: string };

/** An instruction with the comment lines that explain it. */
export interface CommentedInstruction {
  readonly instruction: Instruction;
  readonly comment?: string;
}

export class DockerfileStage {
  public readonly items: CommentedInstruction[] = [];

  constructor(public readonly name: string, image: string, comment?: string) {
    this.add({ kind: 'FROM', image, as: name }, comment);
  }

  public add(instruction: Instruction, comment?: string): this {
    this.items.push({ instruction, comment });
    return this;
  }
}

export class DockerfileModel {
  public readonly stages: DockerfileStage[] = [];
  /** Comment lines at the top of the file. */
  public readonly header: string[] = [];
  public stage(name: string, image: string, comment?: string): DockerfileStage {
    if (this.stages.some((s) => s.name === name)) {
      throw new Error(`Dockerfile already has a stage named "${name}"`);
    }
    const s = new DockerfileStage(name, image, comment);
    this.stages.push(s);
    return s;
  }

  public getStage(name: string): DockerfileStage | undefined {
    return this.stages.find((s) => s.name === name);
  }
}

/** JSON-array (exec) form: the program is PID 1 and receives stop signals itself. */
function execForm(argv: readonly string[]): string {
  return '[' + argv.map((a) => JSON.stringify(a)).join(', ') + ']';
}

/** Quotes an ENV/ARG/LABEL value when it needs it. */
function quoteValue(value: string): string {
  if (/^[A-Za-z0-9_./:@%+,=-]+$/.test(value) && !value.startsWith('$')) {
    return value;
  }
  if (/^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?(:[A-Za-z0-9_./$-]*)*$/.test(value)) {
    return `"${value}"`;
  }
  return JSON.stringify(value);
}

function renderInstruction(i: Instruction): string {
  switch (i.kind) {
    case 'FROM':
      return `FROM ${i.image}${i.as ? ` AS ${i.as}` : ''}`;
    case 'ARG':
      return `ARG ${i.name}${i.default !== undefined ? `=${quoteValue(i.default)}` : ''}`;
    case 'ENV':
      return 'ENV ' + i.vars.map(([k, v]) => `${k}=${quoteValue(v)}`).join(' \\\n    ');
    case 'WORKDIR':
      return `WORKDIR ${i.path}`;
    case 'COPY': {
      const flags = [i.from ? `--from=${i.from}` : undefined, i.chown ? `--chown=${i.chown}` : undefined, i.chmod ? `--chmod=${i.chmod}` : undefined].filter(Boolean);
      return ['COPY', ...flags, ...i.sources, i.dest].join(' ');
    }
    case 'RUN': {
      const mounts = (i.mounts ?? []).map((m) => `--mount=${m}`);
      const head = ['RUN', ...mounts].join(' ');
      return `${head} ${i.commands.join(' \\\n    && ')}`;
    }
    case 'USER':
      return `USER ${i.user}`;
    case 'EXPOSE':
      return `EXPOSE ${i.port}`;
    case 'LABEL':
      // double-quoted, with "$" escaped: Docker would otherwise substitute build variables into the value
      return 'LABEL ' + i.labels.map(([k, v]) => `${k}=${JSON.stringify(v).replace(/\$/g, '\\$')}`).join(' \\\n      ');
    case 'STOPSIGNAL':
      return `STOPSIGNAL ${i.signal}`;
    case 'HEALTHCHECK': {
      const flags = [
        i.interval ? `--interval=${i.interval}` : undefined,
        i.timeout ? `--timeout=${i.timeout}` : undefined,
        i.startPeriod ? `--start-period=${i.startPeriod}` : undefined,
        i.retries !== undefined ? `--retries=${i.retries}` : undefined,
      ].filter(Boolean);
      return ['HEALTHCHECK', ...flags, 'CMD', execForm(i.test)].join(' ');
    }
    case 'CMD':
    case 'ENTRYPOINT':
      return `${i.kind} ${execForm(i.argv)}`;
    case 'RAW':
      return i.text;
  }
}

function commentLines(comment: string | undefined): string[] {
  if (!comment) return [];
  return comment.split('\n').map((l) => (l.length ? `# ${l}` : '#'));
}

/**
 * The parts of an instruction that are written verbatim: a line break in any of them would end
 * the instruction and start another one.
 */
function verbatimParts(i: Instruction): string[] {
  switch (i.kind) {
    case 'FROM':
      return [i.image, i.as ?? ''];
    case 'ARG':
      return [i.name];
    case 'ENV':
      return i.vars.map(([k]) => k);
    case 'WORKDIR':
      return [i.path];
    case 'COPY':
      return [...i.sources, i.dest, i.from ?? '', i.chown ?? '', i.chmod ?? ''];
    case 'RUN':
      return [...i.commands, ...(i.mounts ?? [])];
    case 'USER':
      return [i.user];
    case 'LABEL':
      return i.labels.map(([k]) => k);
    case 'STOPSIGNAL':
      return [i.signal];
    case 'RAW':
      return [i.text];
    default:
      return [];
  }
}

/** Renders the Dockerfile text (without projen's marker, which the file adds). */
export function renderDockerfile(model: DockerfileModel): string {
  for (const stage of model.stages) {
    for (const { instruction } of stage.items) {
      const bad = verbatimParts(instruction).find((p) => /[\r\n\0]/.test(p) || (instruction.kind !== 'RUN' && /\s/.test(p) && instruction.kind !== 'RAW'));
      if (bad !== undefined) {
        throw new Error(`Dockerfile ${instruction.kind} instruction: ${JSON.stringify(bad)} contains whitespace or a line break, which would change or add instructions`);
      }
      if (instruction.kind === 'RAW' && /\\\s*$/.test(instruction.text)) {
        throw new Error(`Dockerfile instruction ${JSON.stringify(instruction.text)} ends with a line continuation, which would swallow the next instruction`);
      }
    }
  }
  const out: string[] = [];
  out.push(...commentLines(model.header.join('\n')));
  for (const stage of model.stages) {
    out.push('');
    for (const item of stage.items) {
      out.push(...commentLines(item.comment));
      out.push(renderInstruction(item.instruction));
    }
  }
  return out.join('\n') + '\n';
}
