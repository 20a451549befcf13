/**
 * Service names: what compose accepts, what works as a DNS name on the stack's networks, and
 * what makes a valid variable prefix in `.env` (so it starts with a letter).
 */
export const SERVICE_NAME_RE = /^[a-z][a-z0-9_-]*$/;

/** Environment variable names that compose, shells and dotenv readers all accept. */
export const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Image references: `name[:tag][@digest]`, optionally with a registry host. Whitespace, quotes
 * and line breaks are refused (they would break or inject into a Dockerfile or compose file).
 */
const IMAGE_REF_RE = /^[a-z0-9]+(?:(?:[._-]|__|-+)[a-z0-9]+)*(?::[0-9]+)?(?:\/[a-z0-9]+(?:(?:[._-]|__|-+)[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

/** A problem with an image reference option, or undefined when it is a valid reference. */
export function imageRefProblem(value: string, what: string): string | undefined {
  // a registry host may carry upper-case letters and a port: check the rest
  const firstSlash = value.indexOf('/');
  const host = firstSlash > 0 ? value.slice(0, firstSlash) : '';
  const rest = /[.:]|^localhost$/.test(host) ? `${host.toLowerCase()}${value.slice(firstSlash)}` : value;
  if (IMAGE_REF_RE.test(rest)) return undefined;
  return `${what} "${value}" is not an image reference such as "python:3.13-slim" or "registry.example.com/team/app:1.2@sha256:<64 hex digits>" (lowercase name, optional tag and digest, no spaces)`;
}

/** A problem with a registry prefix (a registry host and optional path, ending in "/"), or undefined. */
export function registryPrefixProblem(value: string, what: string): string | undefined {
  if (/^[A-Za-z0-9][A-Za-z0-9.-]*(?::[0-9]+)?(?:\/[a-z0-9]+(?:[._-]+[a-z0-9]+)*)*\/?$/.test(value)) return undefined;
  return `${what} "${value}" must be a registry host with an optional path, such as "registry.example.com/mirror/"`;
}

/** True when the text contains a line break or NUL (which would end or corrupt a generated line). */
export function hasLineBreak(value: string): boolean {
  return /[\r\n\0\u2028\u2029\u0085]/.test(value);
}

/**
 * Normalises a project name to what compose accepts as a project name: lowercase letters,
 * digits, `-` and `_`, starting with a letter or digit.
 */
export function composeProjectName(name: string): string {
  const n = name
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[-_]+/, '')
    .replace(/-+$/, '');
  return n;
}

/** Upper-case prefix for a service's variables: `web-app` -> `WEB_APP`. */
export function envPrefix(serviceName: string): string {
  return serviceName.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
}

/** Suggests a valid service name for an invalid one. */
export function suggestServiceName(name: string): string {
  const n = composeProjectName(name).replace(/^[0-9_-]+/, '');
  return n || 'service';
}
