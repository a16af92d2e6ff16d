/**
 * `W`, a shape of the generated wire types, for one of your job types: its
 * `type` is `T`, and each field named in `Over` has that type instead (a
 * payload or result typed by your job map). A mapped type, so each field keeps
 * its documentation.
 */
export type OfType<W, T extends string, Over = object> = {
  [K in keyof W]: K extends keyof Over ? Over[K] : K extends 'type' ? T : W[K];
};
