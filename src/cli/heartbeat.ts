import { Worker } from 'node:worker_threads';

/**
 * A line on the terminal while the main thread is inside one long call. Progress events can only be
 * shown between calls, and some single calls of a national run (building the presentation model,
 * finishing a PDF, a full garbage collection) take seconds: the terminal must never go quiet for
 * more than 2 seconds. A small worker thread, which keeps running while the main thread is busy, watches
 * when the last line was shown and, after `quietMs` without one, writes that line again with how long it
 * has been at it — straight to the file descriptor, since the main thread's stream cannot be used then.
 */
export interface Heartbeat {
  /** The line just shown (plain text, no escapes): repeated if nothing follows it for a while. */
  shown(line: string): void;
  /** A step not shown (the reporter shows at most two a second): what a repeat says instead. */
  latest(line: string): void;
  /** Ends the worker; nothing is written after this. */
  stop(): void;
}

/** After this long without a line the heartbeat repeats the last one: under the 2 seconds. */
export const HEARTBEAT_QUIET_MS = 1_500;

export interface HeartbeatOptions {
  /** A terminal: the line is rewritten in place (as progressReporter does), else appended. */
  tty: boolean;
  /** Wraps the repeated line as the reporter styles its own (dim), e.g. `(s) => style(color, 'dim', s)`. */
  decorate?: (text: string) => string;
  quietMs?: number;
  /** How often the worker looks (tests make both small). */
  tickMs?: number;
}

// Shared memory: [0] a sequence number, odd while the main thread is writing (a seqlock: the worker
// retries instead of reading half a line), [1] ACTIVE once a line was shown and until stop, [2] the line's
// length in bytes; at byte 16 when a line was last shown and at 24 when the line's step began (Date.now(),
// one clock for both threads); from byte 32 the line's bytes.
const SEQ = 0;
const STATE = 1;
const LENGTH = 2;
const TIME_OFFSET = 16;
const TEXT_OFFSET = 32;
const TEXT_BYTES = 1_000;
const STOPPED = 0;
const ACTIVE = 1;

/** The worker's whole program (eval'd: the same in src/ under vitest and in dist/). */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { writeSync } = require('node:fs');
const { buffer, fd, quietMs, tickMs, tty, before, after } = workerData;
const ctrl = new Int32Array(buffer, 0, 4);
const time = new Float64Array(buffer, ${TIME_OFFSET}, 2);
const text = new Uint8Array(buffer, ${TEXT_OFFSET}, ${TEXT_BYTES});
const decoder = new TextDecoder();
let lastBeat = 0;
setInterval(() => {
  const seq = Atomics.load(ctrl, ${SEQ});
  if (seq % 2 === 1 || Atomics.load(ctrl, ${STATE}) !== ${ACTIVE}) return;
  const shownAt = time[0];
  const stepAt = time[1];
  const line = decoder.decode(text.slice(0, Atomics.load(ctrl, ${LENGTH})));
  if (Atomics.load(ctrl, ${SEQ}) !== seq) return;
  const now = Date.now();
  if (now - Math.max(shownAt, lastBeat) < quietMs) return;
  lastBeat = now;
  const seconds = (now - stepAt) / 1000;
  const beat = line.replace(/…$/, '') + ' (still working, ' + (seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)) + ' s)…';
  try {
    writeSync(fd, tty ? '\\r\\u001b[2K' + before + beat + after : beat + '\\n');
  } catch {
    // A full pipe or a closed terminal: the next beat tries again.
  }
}, tickMs);
`;

/** Starts the watching worker for file descriptor `fd` (2: stderr). */
export function startHeartbeat(fd: number, options: HeartbeatOptions): Heartbeat {
  const buffer = new SharedArrayBuffer(TEXT_OFFSET + TEXT_BYTES);
  const ctrl = new Int32Array(buffer, 0, 4);
  const time = new Float64Array(buffer, TIME_OFFSET, 2);
  const text = new Uint8Array(buffer, TEXT_OFFSET, TEXT_BYTES);
  const encoder = new TextEncoder();
  const [before, after] = (options.decorate ?? ((s: string) => s))('\u0000').split('\u0000');
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      buffer,
      fd,
      quietMs: options.quietMs ?? HEARTBEAT_QUIET_MS,
      tickMs: options.tickMs ?? 250,
      tty: options.tty,
      before,
      after,
    },
  });
  // It must never keep the process alive, nor fail it: a heartbeat that cannot start is only missing.
  worker.unref();
  worker.on('error', () => {});
  let stopped = false;
  const note = (line: string, shown: boolean) => {
    if (stopped) return;
    Atomics.add(ctrl, SEQ, 1);
    // encodeInto writes whole characters only, so a long line is cut at a character boundary.
    const { written } = encoder.encodeInto(line, text);
    Atomics.store(ctrl, LENGTH, written);
    const now = Date.now();
    if (shown) time[0] = now;
    time[1] = now;
    Atomics.store(ctrl, STATE, ACTIVE);
    Atomics.add(ctrl, SEQ, 1);
  };
  return {
    shown: (line) => note(line, true),
    latest: (line) => note(line, false),
    stop() {
      if (stopped) return;
      stopped = true;
      Atomics.store(ctrl, STATE, STOPPED);
      void worker.terminate();
    },
  };
}
