export * from './stack/compose-stack';
export * from './stack/stack-service';
export * from './stack/postgres-database';
export * from './stack/backend-service';
export * from './stack/frontend-service';
export * from './env/env-value';
export * from './stack/image-service';
export * from './stack/backend-process';
