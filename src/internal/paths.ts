import * as path from 'path';

/** A project-relative path in POSIX form (backslashes as `/`, `.` and `..` segments resolved). */
export function posixPath(value: string): string {
  return path.posix.normalize(value.replace(/\\/g, '/'));
}

/** Checks a folder option: relative to the project root and inside it. */
export function checkRelativeFolder(value: string, what: string): string | undefined {
  if (path.isAbsolute(value)) return `${what} must be relative to the project root, got "${value}"`;
  const n = posixPath(value);
  if (n === '..' || n.startsWith('../')) return `${what} "${value}" is outside the project root; use a folder inside it`;
  return undefined;
}
