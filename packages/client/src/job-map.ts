/** What the client needs to know of one job type: what a job takes and what it gives back. */
export interface JobSpec {
  payload: unknown;
  result: unknown;
}

/**
 * Your job types, by name: `{ [type]: { payload: P; result: R } }`. Write it by
 * hand, or derive it from your definitions with {@link JobMapOf}. The constraint
 * is written over `J`'s own keys so that an `interface` fits too (an interface
 * has no index signature, so it would not fit `Record<string, JobSpec>`). Not
 * an object, not a map: `Job<'sum'>` is a mistake for `Job<MyJobs, 'sum'>`.
 */
export type JobMap<J> = { [K in keyof J]: JobSpec } & object;

/** What a client knows without a job map: any type name, payloads and results unknown. */
export type AnyJobs = Record<string, JobSpec>;

/** The job type names of a job map. */
export type TypeOf<Jobs> = Extract<keyof Jobs, string>;

/** The payload a job of type `T` takes. */
export type PayloadOf<Jobs extends JobMap<Jobs>, T extends TypeOf<Jobs>> = Jobs[T]['payload'];

/** The result a job of type `T` gives back once completed. */
export type ResultOf<Jobs extends JobMap<Jobs>, T extends TypeOf<Jobs>> = Jobs[T]['result'];

/**
 * The type a schema parses into (zod's `z.output`), read structurally so that
 * this package imports no zod: zod 3 and zod 4 both declare `_output` on every
 * schema, and zod 4's core (`zod/mini`) keeps it under `_zod.output`.
 */
export type SchemaOutput<S> = S extends { _output: infer O } ? O : S extends { _zod: { output: infer O } } ? O : unknown;

/** The type a schema accepts (zod's `z.input`): what the API validates a payload against. */
export type SchemaInput<S> = S extends { _input: infer I } ? I : S extends { _zod: { input: infer I } } ? I : unknown;

/**
 * A job map derived from job definitions with zod `payload` and `result` schemas, keyed by type name (floodgate's catalog
 * or yours): a payload is typed as its schema's input (the API fills in defaults), a result as its schema's output.
 * @example const floodgate = new FloodgateClient<JobMapOf<typeof catalog>>({ baseUrl, apiKey });
 */
export type JobMapOf<Definitions> = {
  [K in keyof Definitions]: Definitions[K] extends { payload: infer P; result: infer R } ? { payload: SchemaInput<P>; result: SchemaOutput<R> } : never;
};
