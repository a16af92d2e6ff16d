/**
 * `@floodgate/shared/wire`: every shape on the HTTP wire, as zod schemas. The
 * API validates and answers with them, OpenAPI is generated from them, and
 * `@floodgate/client` takes its types from them (type-only), so they cannot drift.
 */
export * from './answers';
export * from './enqueue-options';
export * from './envelope';
export * from './error-body';
export * from './job-states';
export * from './job-type-name';
export * from './job-view';
export * from './operations';
export * from './per-type';
export * from './lists';
export * from './queries';
export * from './route-match';
export * from './routes';
