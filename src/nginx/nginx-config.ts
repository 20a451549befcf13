/**
 * A typed model of an nginx configuration (directives and blocks) and its renderer.
 */

export interface NginxDirective {
  readonly name: string;
  readonly args: readonly string[];
  readonly comment?: string;
}

export class NginxBlock {
  public readonly children: Array<NginxDirective | NginxBlock> = [];

  /**
   * @param name block name, e.g. `http`, `server`, `location`
   * @param args block arguments, e.g. `['^~', '/api/']`
   */
  constructor(public readonly name: string, public readonly args: readonly string[] = [], public readonly comment?: string) {}

  public directive(name: string, args: readonly string[] | string, comment?: string): this {
    this.children.push({ name, args: typeof args === 'string' ? [args] : args, comment });
    return this;
  }

  public block(name: string, args: readonly string[] = [], comment?: string): NginxBlock {
    const b = new NginxBlock(name, args, comment);
    this.children.push(b);
    return b;
  }
}

/**
 * Quotes an nginx argument when it contains characters that nginx would otherwise split on or
 * interpret (whitespace, quotes, `;`, braces).
 */
export function nginxArg(arg: string): string {
  if (arg.length > 0 && !/[\s"';{}#]/.test(arg)) return arg;
  // already quoted, e.g. the empty string '' as a map key
  if (/^'[^'\\]*'$/.test(arg) || /^"[^"\\]*"$/.test(arg)) return arg;
  return '"' + arg.replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"';
}

function renderChildren(children: ReadonlyArray<NginxDirective | NginxBlock>, indent: string, out: string[]): void {
  let previousWasBlock = false;
  children.forEach((child, index) => {
    const isBlock = child instanceof NginxBlock;
    if (index > 0 && (isBlock || previousWasBlock || child.comment)) out.push('');
    if (child.comment) {
      for (const line of child.comment.split('\n')) out.push(`${indent}# ${line}`.trimEnd());
    }
    if (child instanceof NginxBlock) {
      out.push(`${indent}${[child.name, ...child.args.map(nginxArg)].join(' ')} {`);
      renderChildren(child.children, indent + '    ', out);
      out.push(`${indent}}`);
    } else {
      out.push(`${indent}${[child.name, ...child.args.map(nginxArg)].join(' ')};`);
    }
    previousWasBlock = isBlock;
  });
}

/** Renders a main-context configuration (the top-level block's children). */
export function renderNginxConfig(main: NginxBlock): string {
  const out: string[] = [];
  renderChildren(main.children, '', out);
  return out.join('\n') + '\n';
}
