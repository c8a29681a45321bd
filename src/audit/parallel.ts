import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { AuditReport } from '../model/report.js';
import { packageRoot } from '../paths.js';
import { askWorker, workerCount } from '../model/workers.js';
import type { WorkerMessage, WorkerTask } from './audit-worker.js';
import { toWire } from '../load/wire.js';
import { releaseParsedRoutes } from '../enrich/world.js';
import { previousProblems } from '../engine/baseline.js';
import {
  assembleReport,
  auditAll,
  operatorErrorFinding,
  prepareAudit,
  ProfileError,
  type AuditOptions,
  type AuditStep,
  type OperatorOutcome,
  type PreparedAudit,
} from './run-audit.js';

export type ProgressListener = (
  event:
    | { stage: 'loading' }
    | AuditStep
    | { stage: 'loaded'; operators: number; routes: number }
    | { stage: 'operator'; outcome: OperatorOutcome; done: number; total: number }
    | { stage: 'assembling' },
) => void;

/** --jobs for the audit: see workerCount (the reports of the operators are drawn with as many). */
export function chooseJobs(prepared: PreparedAudit, requested: number | undefined, cores?: number): number {
  return workerCount(prepared.operatorIds.length, routesIn(prepared), requested, cores);
}

/** Routes loaded from every submission. */
function routesIn(prepared: PreparedAudit): number {
  let routes = 0;
  for (const docs of prepared.world.submissions.values())
    for (const t of docs.tables) routes += t.value.spec.routes.length;
  return routes;
}

/**
 * Audits each operator independently, on up to `jobs` worker threads. A worker that throws or dies
 * costs only its current operator (reported as an error finding); the others complete.
 */
export async function runAuditParallel(
  options: AuditOptions,
  requestedJobs?: number,
  onProgress?: ProgressListener,
): Promise<AuditReport> {
  onProgress?.({ stage: 'loading' });
  // Loading may use a second thread for a large table (src/load/parse-helper.ts) unless --jobs 1.
  const loadThreads = options.loadThreads ?? requestedJobs ?? availableParallelism();
  const prepared = prepareAudit({ ...options, loadThreads, ...(onProgress ? { onStep: onProgress } : {}) });
  if (prepared.profileErrors.length > 0) throw new ProfileError(prepared.profileErrors);
  onProgress?.({ stage: 'loaded', operators: prepared.operatorIds.length, routes: routesIn(prepared) });
  const jobs = chooseJobs(prepared, requestedJobs);
  const total = prepared.operatorIds.length;
  const outcomes = new Map<string, OperatorOutcome>();
  const finish = (outcome: OperatorOutcome) => {
    outcomes.set(outcome.operatorId, outcome);
    onProgress?.({ stage: 'operator', outcome, done: outcomes.size, total });
  };

  if (jobs <= 1) {
    auditAll(prepared, finish);
  } else {
    const shared = [...prepared.world.carriers.values(), ...prepared.world.owners.values()].map(toWire);
    const queue = [...prepared.operatorIds];
    const problems = previousProblems(options.baseline?.previous);
    const taskFor = (operatorId: string): WorkerTask => {
      const docs = prepared.world.submissions.get(operatorId)!;
      const own = [
        prepared.world.operators.get(operatorId)!,
        ...docs.agreements,
        ...docs.tables,
        ...docs.firewalls,
        ...docs.waivers,
      ];
      return {
        operatorId,
        shared,
        own: own.map(toWire),
        profile: prepared.profile,
        controlsDir: options.controlsDir,
        listRouteFindingsUpTo: options.listRouteFindingsUpTo,
        listedAnyway: problems.get(operatorId) ?? {},
        faults: options.faults,
      };
    };
    const onStep = (step: AuditStep) => onProgress?.(step);
    await Promise.all(Array.from({ length: jobs }, () => drain(queue, taskFor, finish, prepared, onStep)));
  }
  onProgress?.({ stage: 'assembling' });
  return assembleReport(
    prepared,
    prepared.operatorIds.map((id) => outcomes.get(id)!),
  );
}

/** One worker thread taking operators from the queue until it is empty; replaced if it dies. */
async function drain(
  queue: string[],
  taskFor: (id: string) => WorkerTask,
  finish: (o: OperatorOutcome) => void,
  prepared: PreparedAudit,
  onStep: (step: AuditStep) => void,
): Promise<void> {
  let worker: Worker | undefined;
  try {
    while (queue.length > 0) {
      const operatorId = queue.shift()!;
      worker ??= new Worker(join(packageRoot, 'dist', 'audit', 'audit-worker.js'));
      try {
        const running = runOn(worker, taskFor(operatorId), onStep);
        // The worker has its own copy now: this thread needs the operator's parsed routes no more.
        releaseParsedRoutes(prepared.world.submissions.get(operatorId)!);
        finish(await running);
      } catch (err) {
        await worker.terminate();
        worker = undefined;
        finish(crashedOutcome(prepared, operatorId, err));
      }
    }
  } finally {
    await worker?.terminate();
  }
}

function runOn(worker: Worker, task: WorkerTask, onStep: (step: AuditStep) => void): Promise<OperatorOutcome> {
  return askWorker<WorkerMessage, OperatorOutcome>(
    worker,
    task,
    (message) => {
      if (message.kind === 'outcome') return { value: message.outcome };
      onStep(message.step);
      return undefined;
    },
    (code) => `worker exited with code ${code}`,
  );
}

function crashedOutcome(prepared: PreparedAudit, operatorId: string, err: unknown): OperatorOutcome {
  const at = prepared.world.operators.get(operatorId)!.positions.locate(['metadata', 'id']);
  const message = `The worker auditing ${operatorId} failed: ${(err as Error)?.message ?? err}. The other operators were audited.`;
  return {
    operatorId,
    findings: [operatorErrorFinding(operatorId, at, message)],
    summarised: [],
    waivers: [],
    inventory: { operators: [], routes: [], carriers: [], agreements: [] },
    diagnostics: [],
  };
}
