import { cdk, javascript } from 'projen';

const project = new cdk.JsiiProject({
  name: 'projen-compose-stack',
  description:
    'projen constructs that generate a hardened, tested container stack: a Node-built frontend served by nginx, a Python (uvicorn) backend, Postgres, compose.yaml and .env files.',
  author: 'projen-compose-stack maintainers',
  authorAddress: 'maintainers@projen-compose-stack.dev',
  repositoryUrl: 'https://github.com/projen-compose-stack/projen-compose-stack.git',
  keywords: ['projen', 'docker', 'compose', 'nginx', 'fastapi', 'postgres', 'constructs'],
  defaultReleaseBranch: 'main',
  jsiiVersion: '~6.0.0',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  // lint src/ and test/ with the dev tsconfig (it is not named tsconfig.json, so no project service)
  eslintOptions: { dirs: ['src'], devdirs: ['test'], projectService: false, tsconfigPath: './tsconfig.dev.json' },
  tsconfigDevFile: 'tsconfig.dev.json',
  tsconfigDev: {
    include: ['.projenrc.ts'],
    exclude: ['examples', 'assets', 'bench/out'],
    // the example company project type imports the library by its package name
    compilerOptions: { paths: { 'projen-compose-stack': ['./src/index.ts'] } },
  },

  peerDeps: ['projen@^0.103.25', 'constructs@^10.8.1'],
  bundledDeps: ['yaml@^2.6.0'],
  devDeps: ['ajv@^8', 'ajv-formats@^3', 'dclint@3.1.0', 'fast-check@^3', 'dotenv@^16', 'playwright-core@^1'],

  jestOptions: {
    // snapshots are assertions: a changed output fails until the snapshot is updated on purpose
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      testTimeout: 120_000,
      // the end-to-end suites share one Docker engine: keep the number of workers small
      maxWorkers: 2,
      testPathIgnorePatterns: ['/node_modules/', '/examples/'],
      coveragePathIgnorePatterns: ['/node_modules/', '/test/'],
      // examples import the library by its package name, as users do
      moduleNameMapper: { '^projen-compose-stack$': '<rootDir>/src/index.ts' },
    },
  },

  // no release workflow or GitHub automation: CI is `.ci/run`
  release: false,
  buildWorkflow: false,
  depsUpgrade: false,
  pullRequestTemplate: false,
  githubOptions: { mergify: false, pullRequestLint: false },
});

// The bundled example is a projen project of its own; its dependencies and local state stay out of git.
project.gitignore.exclude(
  '/examples/*/node_modules/',
  '/examples/*/package-lock.json',
  '/examples/**/.env',
  '/examples/**/secrets/',
  '/examples/**/node_modules/',
  '/examples/**/dist/',
  '/examples/**/__pycache__/',
  '/.tools/',
);
project.npmignore?.exclude('/examples/', '/scripts/', '/.ci/', '/bench/', '/docs/', '/.tools/', '/requirements-dev.txt');
project.eslint?.addIgnorePattern('examples/');

// Quick start: installs, builds, and synthesizes the bundled example (`-- --up` also starts it).
project.package.setScript('quickstart', 'bash scripts/quickstart.sh');
// The whole test suite on a fresh clone: install, compile, then every test (unit, static gates, end to end).
project.package.setScript('test:all', 'bash scripts/test-all.sh');

project.addTask('example', {
  description: 'Synthesize examples/fullstack with the library as built from this repository',
  exec: 'bash scripts/synth-example.sh',
});

// Benchmarks (not tests): synth overhead and scaling, image sizes, rebuilds, build context; writes docs/benchmarks.md
project.addTask('bench', {
  description: 'Run the benchmark suite and write docs/benchmarks.md (--synth-only skips the Docker figures)',
  exec: 'node bench/run.js',
  receiveArgs: true,
});

project.synth();
