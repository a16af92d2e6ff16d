/**
 * The generated wire types against the API's own, checked by the type checker
 * alone (`npm run typecheck`; not built, not shipped): the build fails when a
 * route may answer something its generated type (`Answers`) does not allow.
 */
import type { AnswerOf, RouteName, Routes } from '@floodgate/shared/wire';
import type { Answers } from './wire.generated.js';

type Fits<Answer, Client> = [Answer] extends [Client] ? true : false;

/** `route status` for each answer of the API's that its generated type refuses; `never` when there is none. */
type Misfits = {
  [N in keyof Answers & RouteName]: {
    [S in keyof Answers[N] & keyof Routes[N]['responses']]: Fits<AnswerOf<N, S>, Answers[N][S]> extends true ? never : `${N} ${S & number}`;
  }[keyof Answers[N] & keyof Routes[N]['responses']];
}[keyof Answers & RouteName];

export const everyAnswerFits: [Misfits] extends [never] ? true : Misfits = true;
