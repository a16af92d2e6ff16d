export * from './catalog';
export * from './compute';
export * from './define-job';
export * from './json-schema';
export * from './page-extract';
export * from './queue-identity';
export * from './sentiment';
export * from './job-options';
