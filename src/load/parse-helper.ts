import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import jsyaml from 'js-yaml';
import { packageRoot } from '../paths.js';

/*
 * A large table's pieces (see piecewiseParse in large.ts) are parsed by this thread and one helper
 * thread together. js-yaml is most of loading a national table and runs on one core; the pieces are
 * independent, so the helper takes them from the back of the table while this thread takes them from
 * the front, until they meet. The helper sends each piece back as JSON text, which this thread reads
 * in about a fifth of the time js-yaml takes to parse it (200,000 routes: 0.72 s against 3.7 s;
 * structured clone took 1.7 s). Loading stays synchronous, as it is without the helper: this thread
 * waits for the helper's last pieces on a shared counter and takes its messages with
 * receiveMessageOnPort. A piece whose value JSON cannot carry exactly (-0, an infinity, NaN, a
 * `__proto__` key), nested deeper than MAX_SENT_DEPTH, that the helper could not parse, or that it has
 * not sent for `stallMs`, is parsed here: the values are those of this thread's own parse, whatever the
 * helper does.
 */

/**
 * The switch: off, every piece is parsed in this thread (the plain path, which tests compare against).
 * `minPieces`: fewer pieces than this are parsed here, since the helper costs ~0.1 s to start. `share`:
 * the fraction of the pieces, from the back, whose text the helper is sent (it parses at most those). It
 * sends JSON, which costs this thread a fifth of a parse, so the two meet near the middle: at 200,000
 * routes this thread took 17–21 of the 40 pieces. `stallMs`: how long this thread waits for the
 * helper's next piece before parsing the rest itself; `broken` is then set and no other helper is
 * started. `helperFirst` (tests): this thread starts only once the helper has taken its first piece, so
 * that on a small table the helper's path is taken at all. `started` counts the helper threads started,
 * `helped` the pieces whose value came from one, `declined` those it took and left to this thread.
 */
export const parseHelper = {
  enabled: true,
  minPieces: 4,
  share: 0.75,
  stallMs: 5_000,
  broken: false,
  helperFirst: false,
  started: 0,
  helped: 0,
  declined: 0,
};

/** One piece of a table's routes: a YAML sequence, parsed alike in either thread. */
export function parsePiece(text: string): unknown {
  return jsyaml.load(text, { schema: jsyaml.CORE_SCHEMA });
}

const WORKER_SCRIPT = join(packageRoot, 'dist', 'load', 'parse-worker.js');

/** What the helper is sent for one table: the texts of the pieces it may take, the last ones. */
export interface PieceJob {
  job: number;
  /** Pieces in the table. */
  pieces: number;
  /** Texts of the last texts.length pieces, in table order. */
  texts: string[];
  /** Int32Array over it: [CLAIMED] pieces taken by either thread, [SENT] pieces the helper has posted. */
  claims: SharedArrayBuffer;
}

/** What it posts per piece it took: the piece's value as JSON, or nothing when this thread must parse it. */
export interface PieceAnswer {
  job: number;
  piece: number;
  json?: string;
}

export const CLAIMED = 0;
export const SENT = 1;

interface Helper {
  worker: Worker;
  port: MessagePort;
}

let helper: Helper | undefined;
let jobs = 0;

/**
 * Every piece's value, parsed by `parseHere` in this thread or by the helper, in table order; `onParsed`
 * hears each piece as its value arrives. `threads` below 2 (--jobs 1), the switch off, too few pieces or
 * no compiled helper: every piece is parsed here, in order. An exception of `parseHere` is thrown, as it
 * would be without the helper.
 */
export function parsePieces(
  texts: readonly string[],
  parseHere: (text: string) => unknown,
  threads: number,
  onParsed?: (piece: number) => void,
): unknown[] {
  const count = texts.length;
  const values: unknown[] = new Array(count);
  const running =
    threads >= 2 && parseHelper.enabled && count >= parseHelper.minPieces && !parseHelper.broken
      ? startedHelper()
      : undefined;
  if (!running) {
    for (let k = 0; k < count; k++) {
      values[k] = parseHere(texts[k]);
      onParsed?.(k);
    }
    return values;
  }
  const job = ++jobs;
  const claims = new Int32Array(new SharedArrayBuffer(8));
  const offered = Math.min(count, Math.ceil(count * parseHelper.share));
  running.port.postMessage({ job, pieces: count, texts: texts.slice(count - offered), claims: claims.buffer });
  if (parseHelper.helperFirst) awaitFirstClaim(claims);
  const have = new Uint8Array(count);
  const settle = (k: number, value: unknown) => {
    values[k] = value;
    have[k] = 1;
    onParsed?.(k);
  };
  const take = (answer: PieceAnswer, fromHelper = true) => {
    if (answer.job !== job || have[answer.piece]) return; // a stalled job's late answer
    if (answer.json === undefined) {
      if (fromHelper) parseHelper.declined++;
      settle(answer.piece, parseHere(texts[answer.piece]));
    } else {
      parseHelper.helped++;
      settle(answer.piece, JSON.parse(answer.json));
    }
  };
  const drain = () => {
    for (let m = receiveMessageOnPort(running.port); m; m = receiveMessageOnPort(running.port)) take(m.message);
  };
  let front = 0;
  try {
    while (Atomics.add(claims, CLAIMED, 1) < count) {
      settle(front, parseHere(texts[front]));
      front++;
      drain();
    }
    // The helper took [front, count): wait for each, hearing it has sent another on the shared counter.
    for (let missing = missingFrom(have, front); missing >= 0; missing = missingFrom(have, missing)) {
      const sent = Atomics.load(claims, SENT);
      drain();
      if (have[missing]) continue;
      if (Atomics.wait(claims, SENT, sent, parseHelper.stallMs) === 'timed-out') {
        // The helper has gone quiet (it cannot be heard dying while this thread waits): parse what it
        // owes here, and start no other.
        stopHelper();
        parseHelper.broken = true;
        for (let k = missing; k < count; k++) if (!have[k]) take({ job, piece: k }, false);
      }
    }
  } finally {
    // An exception here (a piece that does not parse) stops the helper taking more of this table.
    Atomics.store(claims, CLAIMED, count);
  }
  return values;
}

/** Waits until the helper has taken a piece of this job, or 5 s have passed (helperFirst, for tests). */
function awaitFirstClaim(claims: Int32Array): void {
  while (Atomics.load(claims, CLAIMED) === 0) if (Atomics.wait(claims, CLAIMED, 0, 5_000) === 'timed-out') return;
}

/** The first piece at or after `from` not yet parsed, or -1. */
function missingFrom(have: Uint8Array, from: number): number {
  for (let k = from; k < have.length; k++) if (!have[k]) return k;
  return -1;
}

function startedHelper(): Helper | undefined {
  if (helper) return helper;
  if (!existsSync(WORKER_SCRIPT)) return undefined;
  const { port1, port2 } = new MessageChannel();
  let worker: Worker;
  try {
    worker = new Worker(WORKER_SCRIPT, { workerData: { port: port2 }, transferList: [port2] });
  } catch {
    parseHelper.broken = true; // no thread to be had: parse here
    return undefined;
  }
  parseHelper.started++;
  // Neither keeps the process alive; an error of the helper (none is expected: it catches its own)
  // breaks it, and its pieces are parsed here.
  worker.unref();
  port1.unref();
  worker.on('error', () => {
    parseHelper.broken = true;
  });
  helper = { worker, port: port1 };
  return helper;
}

/** Ends the helper thread, if one runs (loadFiles calls it when its files are read). */
export function stopHelper(): void {
  if (!helper) return;
  void helper.worker.terminate();
  helper.port.close();
  helper = undefined;
}

/**
 * Deepest nesting of a piece the helper sends (the piece's own sequence is 1, a route 2). A route is
 * nested a few levels; a deeper piece is parsed in the loader's thread, because the two threads do not
 * fail at the same depth: a worker's stack is 4 MB against the main thread's ~1 MB, so js-yaml there
 * parsed a 5,000-deep flow sequence that the main thread rejects as "nesting too deep", and the table
 * was audited with the helper and not without it (found by a review that attacked the helper).
 */
export const MAX_SENT_DEPTH = 64;

/**
 * Whether JSON.parse(JSON.stringify(value)) gives back what js-yaml gave: plain objects and arrays of
 * strings, booleans, null and finite numbers other than -0 (JSON writes -0 as 0 and an infinity or NaN as
 * null), nested at most MAX_SENT_DEPTH deep. A `__proto__` key is left to the loader too.
 */
export function carriedByJson(value: unknown): boolean {
  const stack: unknown[] = [value];
  const depths: number[] = [0];
  while (stack.length > 0) {
    const v = stack.pop();
    const depth = depths.pop()!;
    if (v === null || typeof v === 'string' || typeof v === 'boolean') continue;
    if (typeof v === 'number') {
      if (!Number.isFinite(v) || Object.is(v, -0)) return false;
      continue;
    }
    if (depth >= MAX_SENT_DEPTH) return false;
    if (Array.isArray(v)) {
      for (const item of v) {
        stack.push(item);
        depths.push(depth + 1);
      }
      continue;
    }
    if (typeof v !== 'object' || Object.getPrototypeOf(v) !== Object.prototype) return false;
    for (const key in v) {
      if (key === '__proto__') return false;
      stack.push((v as Record<string, unknown>)[key]);
      depths.push(depth + 1);
    }
    if (Object.hasOwn(v, '__proto__')) return false;
  }
  return true;
}
