import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Heartbeat, startHeartbeat } from '../src/cli/heartbeat.js';
import { LARGE_RUN_ROUTES, type ProgressEvent, progressReporter } from '../src/cli/summary.js';
import { tempFiles } from './support/files.js';

// Issue 15: "A terminal that never goes quiet for more than 2 seconds". Progress events are shown between
// calls, so one long call (the presentation model at 1,000,000 routes, a PDF's last pages and its
// compression, a full garbage collection) left the terminal quiet for 2.1–3.2 s on heavy-1m. The
// heartbeat's worker repeats the last line while the main thread is held.

/** Holds this thread as one long synchronous call does: no event, no timer, no stream write runs. */
function hold(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** A heartbeat writing to a temp file; returns what it wrote once `body` is done and it is stopped. */
function beating(body: (beat: Heartbeat) => void, tty = false): string {
  const file = join(tempFiles({}), 'stderr');
  const fd = openSync(file, 'w');
  const beat = startHeartbeat(fd, { tty, quietMs: 200, tickMs: 20, decorate: (s) => `<dim>${s}</dim>` });
  try {
    body(beat);
  } finally {
    beat.stop();
    closeSync(fd);
  }
  return readFileSync(file, 'utf8');
}

describe('the heartbeat while one call holds the main thread', () => {
  it('repeats the last line with how long its step has taken, every quiet interval', () => {
    const written = beating((beat) => {
      beat.shown('preparing the reports…');
      hold(900);
    });
    const lines = written.split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines) expect(line).toMatch(/^preparing the reports \(still working, \d+\.\d s\)…$/);
    // The seconds count up: the user sees it is alive, not a frozen line.
    const seconds = lines.map((l) => Number(/working, ([\d.]+) s/.exec(l)![1]));
    expect(seconds).toEqual([...seconds].sort((a, b) => a - b));
    expect(seconds.at(-1)!).toBeGreaterThan(seconds[0]!);
  });

  it('says the latest step, even one the reporter did not show', () => {
    const written = beating((beat) => {
      beat.shown('writing pdf: op-bench/report.pdf, 2 pages…');
      beat.latest('writing pdf: op-bench/report.pdf, 68 pages…');
      hold(500);
    });
    expect(written).toContain('writing pdf: op-bench/report.pdf, 68 pages (still working,');
    expect(written).not.toContain('2 pages');
  });

  it('writes nothing before a line was shown, nor while lines keep coming', () => {
    const written = beating((beat) => {
      hold(400);
      for (let i = 0; i < 8; i++) {
        beat.shown(`step ${i}…`);
        hold(60);
      }
    });
    expect(written).toBe('');
  });

  it('writes nothing once stopped', () => {
    const file = join(tempFiles({}), 'stderr');
    const fd = openSync(file, 'w');
    const beat = startHeartbeat(fd, { tty: false, quietMs: 100, tickMs: 10 });
    beat.shown('assembling the findings of every operator…');
    beat.stop();
    hold(400);
    closeSync(fd);
    expect(readFileSync(file, 'utf8')).toBe('');
  });

  it('on a terminal rewrites the line in place, styled as the reporter styles its own', () => {
    const written = beating((beat) => {
      beat.shown('loaded 1,000,000 route(s); auditing 1 operator(s)…');
      hold(500);
    }, true);
    expect(written).toMatch(
      /^\r\u001b\[2K<dim>loaded 1,000,000 route\(s\); auditing 1 operator\(s\) \(still working, [\d.]+ s\)…<\/dim>/,
    );
    expect(written).not.toContain('\n');
  });
});

describe('progressReporter and its heartbeat', () => {
  /** A heartbeat that records what it is told. */
  function recorder() {
    const calls: string[] = [];
    const factory = () => {
      calls.push('start');
      return {
        shown: (line: string) => calls.push(`shown ${line}`),
        latest: (line: string) => calls.push(`latest ${line}`),
        stop: () => calls.push('stop'),
      };
    };
    return { calls, factory };
  }
  const stream = { isTTY: false, write: () => true } as unknown as NodeJS.WriteStream;

  it('starts for a large run, hears every line and step, stops at done and starts again for the reports', () => {
    const { calls, factory } = recorder();
    let clock = 0;
    const report = progressReporter(stream, false, () => clock, factory);
    const events: ProgressEvent[] = [
      { stage: 'loading' },
      { stage: 'loaded', operators: 1, routes: LARGE_RUN_ROUTES },
      { stage: 'evaluating', operatorId: 'op', done: 0, total: 41, control: 'ICX-RT-01' } as ProgressEvent,
      { stage: 'evaluating', operatorId: 'op', done: 0, total: 41, control: 'ICX-RT-01' } as ProgressEvent,
      { stage: 'done' },
      { stage: 'preparing' },
      { stage: 'done' },
    ];
    for (const e of events) {
      report(e);
      clock += 100;
    }
    expect(calls).toEqual([
      'start',
      `shown loaded ${(LARGE_RUN_ROUTES).toLocaleString('en-US')} route(s); auditing 1 operator(s)…`,
      'latest auditing op: control 1/41 (ICX-RT-01)…',
      'latest auditing op: control 1/41 (ICX-RT-01)…',
      'stop',
      'start',
      'shown preparing the reports…',
      'stop',
    ]);
  });

  it('goes on without repeats when the heartbeat cannot start', () => {
    const written: string[] = [];
    const log = { isTTY: false, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream;
    let attempts = 0;
    const report = progressReporter(
      log,
      false,
      () => 0,
      () => {
        attempts++;
        throw new Error('ERR_WORKER_INIT_FAILED');
      },
    );
    report({ stage: 'loaded', operators: 1, routes: LARGE_RUN_ROUTES });
    report({ stage: 'preparing' });
    report({ stage: 'done' });
    expect(written).toEqual([
      `loaded ${LARGE_RUN_ROUTES.toLocaleString('en-US')} route(s); auditing 1 operator(s)…\n`,
      'preparing the reports…\n',
    ]);
    expect(attempts).toBe(1);
  });

  it('does not start for a small run', () => {
    const { calls, factory } = recorder();
    const report = progressReporter(stream, false, () => 0, factory);
    for (const e of [
      { stage: 'loading' },
      { stage: 'loaded', operators: 2, routes: 40 },
      { stage: 'preparing' },
      { stage: 'writing', format: 'pdf', index: 1, total: 8 },
      { stage: 'done' },
    ] as ProgressEvent[])
      report(e);
    expect(calls).toEqual([]);
  });
});
