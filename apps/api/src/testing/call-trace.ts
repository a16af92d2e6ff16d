import { Session } from 'node:inspector/promises';
import { Worker } from 'node:worker_threads';

/** A call into one of the traced files from another: `to`'s function `fn` was entered from `from`. */
export interface FileEntry {
  /** The caller's file, or '' for any file not traced (Node's events and timers, a library calling back). */
  from: string;
  to: string;
  fn: string;
}

/**
 * The debugger side, in a worker thread (a breakpoint stops the thread that
 * hits it, so the main thread cannot be its own debugger): it sets a breakpoint
 * at the first statement of each function it is given and, while recording,
 * notes each hit (the function, its caller's file, whether `within` is on its
 * sync or async stack) and resumes.
 */
const DEBUGGER = `
const { parentPort } = require('node:worker_threads');
const { Session } = require('node:inspector');
const session = new Session();
session.connectToMainThread();
const post = (method, params) => new Promise((resolve, reject) => session.post(method, params, (err, result) => (err ? reject(err) : resolve(result))));
const functions = new Map();
const scripts = new Map();
session.on('Debugger.scriptParsed', ({ params }) => scripts.set(params.scriptId, params.url));
let recording;
let within;
session.on('Debugger.paused', ({ params }) => {
  const fn = params.hitBreakpoints?.map((id) => functions.get(id)).find(Boolean);
  if (recording && fn) {
    const urls = params.callFrames.map((frame) => scripts.get(frame.location.scriptId) ?? '');
    for (let trace = params.asyncStackTrace; trace; trace = trace.parent) urls.push(...trace.callFrames.map((frame) => frame.url));
    if (urls.some((url) => within.test(url))) recording.push({ ...fn, from: urls[1] ?? '' });
  }
  session.post('Debugger.resume');
});
parentPort.on('message', async (message) => {
  try {
    if (message.op === 'arm') {
      await post('Debugger.enable');
      await post('Debugger.setAsyncCallStackDepth', { maxDepth: 64 });
      within = new RegExp(message.within);
      for (const target of message.functions) {
        const { scriptSource } = await post('Debugger.getScriptSource', { scriptId: target.scriptId });
        const at = (offset) => {
          const before = scriptSource.slice(0, offset).split('\\n');
          return { scriptId: target.scriptId, lineNumber: before.length - 1, columnNumber: before[before.length - 1].length };
        };
        // vite-node reads an import through an accessor in the exporting file: \`() => { try { return name } catch {} }\`.
        if (/^\\(\\) => \\{ try \\{ return [\\w$]+ \\} catch \\{\\} \\}/.test(scriptSource.slice(target.start, target.end))) continue;
        const { locations } = await post('Debugger.getPossibleBreakpoints', { start: at(target.start), end: at(target.end), restrictToFunction: true });
        if (!locations.length) continue;
        const { breakpointId } = await post('Debugger.setBreakpoint', { location: locations[0] });
        functions.set(breakpointId, { to: target.url, fn: target.name });
      }
      parentPort.postMessage({ ok: true });
    } else if (message.op === 'record') {
      recording = [];
      parentPort.postMessage({ ok: true });
    } else if (message.op === 'stop') {
      const entries = recording;
      recording = undefined;
      await post('Debugger.disable');
      parentPort.postMessage({ ok: true, entries });
    }
  } catch (err) {
    parentPort.postMessage({ ok: false, error: String(err && err.stack || err) });
  }
});
`;

/** V8's precise coverage (call counts per function) of what `run` runs. */
async function preciseCoverage(run: () => Promise<void>) {
  const profiler = new Session();
  profiler.connect();
  try {
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.startPreciseCoverage', { callCount: true, detailed: false });
    await run();
    const { result } = await profiler.post('Profiler.takePreciseCoverage');
    await profiler.post('Profiler.stopPreciseCoverage');
    return result;
  } finally {
    // Also when `run` throws: a session left connected would keep precise coverage on, counting every call from then on.
    profiler.disconnect();
  }
}

/**
 * Every call between the files matching `files` that `run` makes, in order:
 * what a request's path looks like, file by file, as it runs. `run` is called
 * twice: once to find the functions it runs (V8's precise coverage), once
 * traced. Only calls with a frame of `within` on their stack (sync or async)
 * are kept, so the timers of the rest of the process do not count.
 */
export async function traceFileEntries(options: { files: RegExp; within: RegExp; run: () => Promise<void> }): Promise<FileEntry[]> {
  const functions = (await preciseCoverage(options.run))
    .filter((script) => options.files.test(script.url))
    .flatMap((script) =>
      script.functions
        .filter((fn) => fn.ranges[0] && fn.ranges[0].count > 0 && fn.ranges[0].startOffset > 0)
        .map((fn) => ({ scriptId: script.scriptId, url: script.url, name: fn.functionName || '(anonymous)', start: fn.ranges[0]!.startOffset, end: fn.ranges[0]!.endOffset })),
    );
  const worker = new Worker(DEBUGGER, { eval: true });
  // A worker that dies answers nothing: the question asked then, or the next one, fails at once instead of waiting out the test.
  const died = new Promise<never>((_resolve, reject) => worker.once('error', reject));
  died.catch(() => {}); // seen by the questions it fails
  const ask = (message: object) => {
    const answer = new Promise<{ entries?: Array<{ to: string; fn: string; from: string }> }>((resolve, reject) => {
      worker.once('message', (reply: { ok: boolean; error?: string; entries?: Array<{ to: string; fn: string; from: string }> }) =>
        reply.ok ? resolve(reply) : reject(new Error(reply.error)),
      );
      worker.postMessage(message);
    });
    return Promise.race([answer, died]);
  };
  try {
    await ask({ op: 'arm', functions, within: options.within.source });
    await ask({ op: 'record' });
    await options.run();
    const { entries = [] } = await ask({ op: 'stop' });
    return entries.filter((entry) => entry.from !== entry.to).map((entry) => ({ ...entry, from: options.files.test(entry.from) ? entry.from : '' }));
  } finally {
    await worker.terminate();
  }
}

/**
 * The files entered from a second stage: a file's first caller is its stage's
 * parent, and it may be called again by that parent, or call back up to a
 * stage above it (a callback), but a call from anywhere else enters it twice.
 * `helpers` (shared by several stages by design) are not stages: calls into
 * them and from them are not counted.
 */
export function filesEnteredTwice(entries: readonly FileEntry[], helpers: ReadonlySet<string>): string[] {
  const entered = new Set<string>();
  const parent = new Map<string, string>();
  const above = (file: string, stage: string): boolean => {
    for (let at = parent.get(stage); at !== undefined; at = parent.get(at)) if (at === file) return true;
    return false;
  };
  const twice: string[] = [];
  for (const { from, to } of entries) {
    if (helpers.has(to)) continue;
    if (!entered.has(to)) {
      entered.add(to);
      if (from !== '' && !helpers.has(from)) parent.set(to, from);
      continue;
    }
    if (from === '' || helpers.has(from)) continue;
    const first = parent.get(to);
    if (first !== from && !above(to, from)) twice.push(`${to}: entered from ${first ?? 'outside'}, then from ${from}`);
  }
  return twice;
}
