/** Service names: what compose accepts and what works as a DNS name on the stack's networks. */
export const SERVICE_NAME_RE = /^[a-z0-9][a-z0-9_-]*$/;

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
  return composeProjectName(name) || 'service';
}
