import { Project } from 'projen';
import { ProjenrcTs } from 'projen/lib/typescript';
import { BackendService, ComposeStack, FrontendService, PostgresDatabase } from 'projen-compose-stack';

// A plain projen project: this folder only holds the app's sources and its container stack.
const project = new Project({ name: 'fullstack-example', commitGenerated: true });
new ProjenrcTs(project, { tsconfigFileName: 'tsconfig.projen.json' });
// the library comes from a local tarball whose checksum changes with every build: no lockfile here
project.gitignore.exclude('node_modules/', '/package-lock.json');

const stack = new ComposeStack(project, { name: 'shop' });

const db = new PostgresDatabase(stack, 'db', { database: 'shop', user: 'shop_app' });

const api = new BackendService(stack, 'api', {
  path: 'backend',
  app: 'main:app',
  healthCheckPath: '/api/health',
});
api.connectTo(db);

const web = new FrontendService(stack, 'web', {
  path: 'frontend',
  hostPort: 3000,
  buildArgs: { VITE_APP_VERSION: '1.0.0' },
  runtimeConfig: { APP_TITLE: 'Shop items' },
});
web.proxyApi(api, { pathPrefix: '/api' });

project.synth();
