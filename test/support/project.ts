/** Temporary projen projects with app folders, for construct tests. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Project } from 'projen';

export interface AppFolders {
  readonly frontend?: { lockfile?: string | null };
  readonly backend?: boolean;
}

export function makeOutdir(folders: AppFolders = { frontend: {}, backend: true }): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'pcs-unit-'));
  if (folders.frontend) {
    fs.mkdirSync(path.join(outdir, 'frontend'), { recursive: true });
    fs.writeFileSync(path.join(outdir, 'frontend', 'package.json'), '{"name":"f","scripts":{"build":"vite build"}}\n');
    const lock = folders.frontend.lockfile === undefined ? 'package-lock.json' : folders.frontend.lockfile;
    if (lock) fs.writeFileSync(path.join(outdir, 'frontend', lock), '{}\n');
  }
  if (folders.backend) {
    fs.mkdirSync(path.join(outdir, 'backend'), { recursive: true });
    fs.writeFileSync(path.join(outdir, 'backend', 'requirements.txt'), 'fastapi==0.115.0\n');
    fs.writeFileSync(path.join(outdir, 'backend', 'main.py'), 'app = None\n');
  }
  return outdir;
}

export function newProject(outdir: string, name = 'shop'): Project {
  return new Project({ name, outdir });
}

export function read(outdir: string, file: string): string {
  return fs.readFileSync(path.join(outdir, file), 'utf-8');
}
