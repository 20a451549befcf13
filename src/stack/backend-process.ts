import { BackendService } from './backend-service';
import { ComposeStack } from './compose-stack';
import { StackService } from './stack-service';
import { ComposeComments, ComposeService, composeLiteral } from '../compose/compose-document';

/**
 * Options for `BackendProcess`.
 */
export interface BackendProcessOptions {
  /**
   * The backend whose image, environment, connections and networks this process shares.
   */
  readonly backend: BackendService;

  /**
   * The command (exec form), e.g. `['python', '-m', 'worker']` or `['alembic', 'upgrade', 'head']`.
   * Arguments reach the container as given: compose does not interpolate `$` in them.
   */
  readonly command: string[];

  /**
   * A one-shot job (such as a migration) rather than a long-running worker: it is not
   * restarted, and services can wait for it with `DependencyCondition.COMPLETED_SUCCESSFULLY`.
   *
   * @default false
   */
  readonly oneShot?: boolean;
}

/**
 * Another process from a backend's image: a worker, or a one-shot job such as a database
 * migration that the backend waits for.
 */
export class BackendProcess extends StackService {
  /** The backend this process runs the image of. */
  public readonly backend: BackendService;
  private readonly options: BackendProcessOptions;

  constructor(stack: ComposeStack, id: string, options: BackendProcessOptions) {
    super(stack, id);
    this.options = options;
    this.backend = options.backend;
    this.node.addValidation({
      validate: () => {
        const errors: string[] = [];
        const other = this._sameStackProblem(options.backend, 'backend');
        if (other) errors.push(this._problem(other));
        if (!options.command.length) errors.push(this._problem('command must not be empty'));
        return errors;
      },
    });
  }

  /** @internal */
  protected get _kind(): string {
    return 'BackendProcess';
  }

  /** @internal */
  public _networks(): Record<string, boolean> {
    return this.backend._networks();
  }

  /** @internal */
  public _composeService(comments: ComposeComments, at: string): ComposeService {
    // the backend's service as rendered (build, environment, connections), with another command
    const base = this.backend._composeService(new Map(), `services.${this.backend.serviceName}`);
    const svc: ComposeService = {
      ...base,
      // "$" is written as "$$": the container sees the arguments as given, not the host's variables
      command: this.options.command.map(composeLiteral),
      // the image's HTTP probe is for the server, not for this process
      healthcheck: { test: ['NONE'] },
      restart: this.options.oneShot ? 'no' : 'unless-stopped',
    };
    delete svc.ports;
    comments.set(`${at}.build`, `The image of ${this.backend.serviceName} (built once, shared)`);
    this._applyEnvironment(svc, []);
    return svc;
  }
}
