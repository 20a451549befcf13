import * as fs from 'fs';
import * as path from 'path';
import { Component, Project } from 'projen';

/**
 * Folder of the starter apps shipped with the package: `assets/starter/` at the package root,
 * two levels above this module (`lib/project/` once compiled, `src/project/` under ts-jest).
 */
export const STARTER_ASSETS_DIR = path.join(__dirname, '..', '..', 'assets', 'starter');

/** One starter app: a folder of `assets/starter/` copied to a folder of the new project. */
export interface StarterApp {
  /** Folder under `assets/starter/`. */
  readonly template: string;
  /** Target folder, relative to the project root. */
  readonly dir: string;
  /** Changes a file's text before it is written (path relative to the template folder). */
  readonly transform?: (file: string, text: string) => string;
}

/**
 * Writes the starter apps when `projen new` creates the project, before the stack validates that
 * the app folders exist. A target folder that already exists is left alone entirely, so files the
 * user wrote are never overwritten; later synths write nothing.
 *
 * projen writes sample files (`SampleDir`, `SampleFile`) in `synthesize()`, after the stack's
 * validation in `preSynthesize()` has failed on the missing folders: hence this component, created
 * before the stack so that its `preSynthesize()` runs first.
 */
export class StarterApps extends Component {
  private readonly apps: StarterApp[];

  constructor(project: Project, apps: StarterApp[]) {
    super(project, 'StarterApps');
    this.apps = apps;
  }

  public preSynthesize(): void {
    // `initProject` is set only while `projen new` creates the project (the `__new__` option).
    // projen deprecates it in favour of the projectCreation() hook, which runs too late here.
    if (this.project.initProject) this.writeApps();
  }

  /** `projen new --no-synth` runs only the creation hooks: write the apps there too. */
  public projectCreation(): void {
    this.writeApps();
  }

  /** Copies each starter app whose target folder does not exist yet. */
  public writeApps(): void {
    for (const app of this.apps) {
      const target = path.join(this.project.outdir, app.dir);
      if (fs.existsSync(target)) continue;
      const source = path.join(STARTER_ASSETS_DIR, app.template);
      if (!fs.existsSync(source)) {
        throw new Error(`starter app "${app.template}" is missing from the package (${source}); reinstall projen-compose-stack`);
      }
      for (const file of listFiles(source)) {
        const dest = path.join(target, file);
        fs.mkdirSync(path.dirname(dest), { recursive: true });
        const text = fs.readFileSync(path.join(source, file), 'utf-8');
        fs.writeFileSync(dest, app.transform ? app.transform(file, text) : text);
      }
      this.project.logger.info(`${app.dir}/ created from the ${app.template} starter`);
    }
  }
}

/** Files under `dir`, relative to it, in a stable order. */
function listFiles(dir: string, base = dir): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...listFiles(p, base));
    else if (e.isFile()) out.push(path.relative(base, p).split(path.sep).join('/'));
  }
  return out;
}
