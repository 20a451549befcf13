/**
 * Default base images: current, pinned major versions. Every construct takes an option to
 * override its image.
 */
export const DEFAULT_IMAGES = {
  /** Node.js LTS, for the frontend build stage. */
  node: 'node:24-alpine',
  /** nginx stable, unprivileged variant (runs as uid 101, listens on 8080). */
  nginx: 'nginxinc/nginx-unprivileged:1.28-alpine',
  /** CPython, slim Debian variant. */
  python: 'python:3.13-slim',
  /** PostgreSQL, current stable major. */
  postgresVersion: '18',
} as const;

/** Pinned versions of the Python packaging tools installed in build stages. */
export const TOOL_VERSIONS = {
  uv: '0.13.9',
  poetry: '2.5.1',
} as const;
