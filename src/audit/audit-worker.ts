import { parentPort } from 'node:worker_threads';
import type { EffectiveProfile } from '../enrich/profile.js';
import { addToSubmission, emptySubmission, emptyWorld, type World } from '../enrich/world.js';
import { fromWire, type WireDocument } from '../load/wire.js';
import {
  type AuditStep,
  auditOperator,
  compileCatalog,
  type FaultInjection,
  type OperatorOutcome,
} from './run-audit.js';

export interface WorkerTask {
  operatorId: string;
  /** Every Carrier and Owner of the run (the shared part of all submissions). */
  shared: WireDocument[];
  /** The Operator document and its agreements, tables, firewall policies and waivers. */
  own: WireDocument[];
  profile: EffectiveProfile;
  controlsDir?: string;
  listRouteFindingsUpTo?: number;
  /** Subjects a counted table lists all the same, by control (auditOperator's listedAnyway). */
  listedAnyway?: Record<string, string[]>;
  /** AuditOptions.faults, the test hooks. */
  faults?: FaultInjection;
}

/** What a worker posts back: progress steps while it audits, then the operator's outcome. */
export type WorkerMessage = { kind: 'step'; step: AuditStep } | { kind: 'outcome'; outcome: OperatorOutcome };

/** The world one operator needs, rebuilt from documents the main thread already validated and checked. */
function worldFor(task: WorkerTask): World {
  const world = emptyWorld();
  for (const doc of task.shared.map(fromWire))
    if (doc.kind === 'Carrier') world.carriers.set(doc.id, doc);
    else if (doc.kind === 'Owner') world.owners.set(doc.id, doc);
  const submission = emptySubmission();
  for (const doc of task.own.map(fromWire)) {
    if (doc.kind === 'Operator') world.operators.set(doc.id, doc);
    else addToSubmission(submission, doc);
  }
  world.submissions.set(task.operatorId, submission);
  return world;
}

if (parentPort) {
  const port = parentPort;
  let catalog: ReturnType<typeof compileCatalog> | undefined;
  port.on('message', (task: WorkerTask) => {
    // Fault injection for the tests: a worker that dies mid-run (docs/security.md).
    if (task.faults?.worker === task.operatorId) throw new Error('worker fault injected (AuditOptions.faults.worker)');
    catalog ??= compileCatalog(task.controlsDir);
    const disabled = new Set(task.profile.disabled);
    const controls = catalog.controls.filter((c) => !disabled.has(c.definition.id));
    const world = worldFor(task);
    const post = (message: WorkerMessage) => port.postMessage(message);
    const outcome = auditOperator(
      world,
      task.profile,
      controls,
      task.operatorId,
      undefined,
      task.listRouteFindingsUpTo,
      task.faults,
      (step) => post({ kind: 'step', step }),
      task.listedAnyway,
    );
    post({ kind: 'outcome', outcome });
  });
}
