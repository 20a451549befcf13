/**
 * An example of a company's own project type, built on projen-compose-stack: every repository
 * created with it (`npx projen new --from @acme/projen-stack`) gets the same hardened stack with
 * the company's base-image mirror, pinned base images, OCI labels, limits and log rotation.
 */
import { ComposeStackProject, ComposeStackProjectOptions, StackDefaults } from 'projen-compose-stack';

/** Acme's mirror of Docker Hub: every `FROM` and `image:` is pulled from there. */
export const ACME_MIRROR = 'registry.acme.test/dockerhub/';

/**
 * The base images Acme has vetted, pinned by digest. Keys are the references the constructs
 * use by default; a repository that picks another image gets it unpinned (through the mirror).
 * The digests here are placeholders: a real table holds the mirror's digests
 * (`docker buildx imagetools inspect <image>` prints them).
 */
export const ACME_IMAGE_PINS: { [image: string]: string } = {
  'node:24-alpine': 'node:24-alpine@sha256:8c0165dbe6d9801aa02966d5072954399d3075c8aadf2fad5d095e83799e650c',
  'python:3.13-slim': 'python:3.13-slim@sha256:cf1b6e9cc15cc669d1c096bf5918d3acfa4808bfa16bfd5176ccae1864d93e2d',
  'nginxinc/nginx-unprivileged:1.28-alpine': 'nginxinc/nginx-unprivileged:1.28-alpine@sha256:98c499a286b21b733c23db6ebf98f6cea04d22355bbabde1213584e80675c75b',
  'postgres:18-alpine': 'postgres:18-alpine@sha256:7b22e7efa1fab5e6c34c22833b8790fbbdbcddb00ce1e922eb2d9e3c738e78c0',
};

/** Options of Acme's project type: those of `ComposeStackProject`, plus what Acme's labels need. */
export interface AcmeStackProjectOptions extends ComposeStackProjectOptions {
  /**
   * Pin the base images by digest (`ACME_IMAGE_PINS`).
   *
   * @default true
   */
  readonly pinBaseImages?: boolean;

  /**
   * Source revision written into the images' `org.opencontainers.image.revision` label.
   *
   * @default "unknown"
   */
  readonly revision?: string;
}

/** Acme's organisation defaults for a repository (its URL goes into the source label). */
export function acmeDefaults(options: { repository: string; revision?: string; pinBaseImages?: boolean }): StackDefaults {
  return {
    registryPrefix: ACME_MIRROR,
    imagePins: options.pinBaseImages ?? true ? ACME_IMAGE_PINS : undefined,
    labels: {
      'org.opencontainers.image.source': options.repository,
      'org.opencontainers.image.revision': options.revision ?? 'unknown',
      'org.opencontainers.image.vendor': 'Acme Corp',
      'org.opencontainers.image.licenses': 'LicenseRef-Acme-Proprietary',
    },
    cpuLimit: '1.0',
    memoryLimit: '512m',
    logMaxSize: '10m',
    logMaxFiles: 5,
    dockerignore: ['*.pem', '.idea/', '.vscode/'],
  };
}

/**
 * Acme's web-app repository: `ComposeStackProject` with Acme's organisation defaults. Options a
 * repository passes in `stackOptions.defaults` win over Acme's.
 *
 * @pjid acme-stack
 */
export class AcmeStackProject extends ComposeStackProject {
  constructor(options: AcmeStackProjectOptions) {
    const repository = options.repository ?? `https://git.acme.test/${options.name}`;
    super({
      ...options,
      repository,
      stackOptions: {
        ...options.stackOptions,
        defaults: {
          ...acmeDefaults({ repository, revision: options.revision, pinBaseImages: options.pinBaseImages }),
          ...options.stackOptions?.defaults,
        },
      },
    });
  }
}
