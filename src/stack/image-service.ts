import { ComposeStack } from './compose-stack';
import { validPort } from './postgres-database';
import { StackService } from './stack-service';
import { ComposeComments, ComposeService, composeLiteral } from '../compose/compose-document';
import { imageRefProblem } from '../internal/names';

/**
 * Options for `ImageService`.
 */
export interface ImageServiceOptions {
  /**
   * The image reference, e.g. `redis:7-alpine` (the organisation's pins and registry prefix apply).
   */
  readonly image: string;

  /**
   * The command (exec form). Arguments reach the container as given: compose does not
   * interpolate `$` in them.
   *
   * @default - the image's own
   */
  readonly command?: string[];

  /**
   * Healthcheck test in compose form, e.g. `['CMD', 'redis-cli', 'ping']`. Services that depend
   * on this one with `DependencyCondition.HEALTHY` need it. Passed as given (no compose
   * interpolation of `$`; with `CMD-SHELL` the container's shell expands its own variables).
   *
   * @default - the image's own healthcheck, if any
   */
  readonly healthcheck?: string[];

  /**
   * Named volumes to mount, as `name:/path` (declared in the compose file).
   *
   * @default - none
   */
  readonly volumes?: string[];

  /**
   * Mount the root filesystem read-only (with a tmpfs on /tmp).
   *
   * @default false
   */
  readonly readOnly?: boolean;

  /**
   * Publish this port on 127.0.0.1 (`hostPort` maps to `port`).
   *
   * @default - not published
   */
  readonly hostPort?: number;

  /**
   * Port inside the container, for `hostPort`.
   *
   * @default - required with hostPort
   */
  readonly port?: number;
}

/**
 * Any further service from an image (a cache such as redis, a queue, a mail catcher): on the
 * stack's network, reachable by its name, with `no-new-privileges` (capabilities are left to the
 * image, whose entrypoint may need them to switch users; `readOnly` makes its root read-only).
 */
export class ImageService extends StackService {
  private readonly options: ImageServiceOptions;

  constructor(stack: ComposeStack, id: string, options: ImageServiceOptions) {
    super(stack, id);
    this.options = options;
    this.node.addValidation({
      validate: () => {
        const errors: string[] = [];
        const imageProblem = imageRefProblem(options.image ?? '', 'image');
        if (imageProblem) errors.push(this._problem(imageProblem));
        for (const arg of [...(options.command ?? []), ...(options.healthcheck ?? [])]) {
          if (/\0/.test(arg)) errors.push(this._problem('command and healthcheck arguments cannot contain NUL'));
        }
        if (options.hostPort !== undefined && (!validPort(options.hostPort) || options.port === undefined || !validPort(options.port))) {
          errors.push(this._problem('hostPort needs a valid port option too (the port inside the container), both 1-65535'));
        }
        for (const v of options.volumes ?? []) {
          if (!/^[a-z0-9][a-z0-9_.-]*:\/\S*$/.test(v)) errors.push(this._problem(`volume "${v}" must look like "name:/path/in/container"`));
        }
        return errors;
      },
    });
  }

  /** @internal */
  protected get _kind(): string {
    return 'ImageService';
  }

  /** @internal */
  public _volumes(): string[] {
    return (this.options.volumes ?? []).map((v) => v.split(':')[0]);
  }

  /** @internal */
  public _networks(): Record<string, boolean> {
    return { [this.stack._webNetwork]: false };
  }

  /** @internal */
  public _publishedPorts(): Array<{ address: string; port: number }> {
    return this.options.hostPort !== undefined ? [{ address: '127.0.0.1', port: this.options.hostPort }] : [];
  }

  /** @internal */
  public _composeService(comments: ComposeComments, at: string): ComposeService {
    const svc: ComposeService = {
      image: this.stack._resolveImage(this.options.image),
      restart: 'unless-stopped',
      security_opt: ['no-new-privileges:true'],
      networks: [this.stack._webNetwork],
    };
    // "$" is written as "$$": the container sees the arguments as given (a shell in the container may still expand them)
    if (this.options.command) svc.command = this.options.command.map(composeLiteral);
    if (this.options.healthcheck) svc.healthcheck = { test: this.options.healthcheck.map(composeLiteral), interval: '5s', timeout: '5s', retries: 10, start_period: '10s' };
    if (this.options.volumes?.length) svc.volumes = [...this.options.volumes];
    if (this.options.readOnly) {
      svc.read_only = true;
      svc.tmpfs = ['/tmp'];
    }
    if (this.options.hostPort !== undefined) {
      svc.ports = [`127.0.0.1:${this.options.hostPort}:${this.options.port}`];
      comments.set(`${at}.ports`, 'Published on 127.0.0.1 only');
    }
    this._applyEnvironment(svc, []);
    return svc;
  }
}
