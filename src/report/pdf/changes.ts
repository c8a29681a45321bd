import { BASELINE_STATES, type BaselineState, type Finding } from '../../model/finding.js';
import { byKeys } from '../../model/order.js';
import { severityRank, type Severity, type Status } from '../../model/types.js';
import { drawBlocks, L, render, styles, type BaseCtx, type Ctx } from './sections.js';
import { TEMPLATE_NAMES, type TemplateName } from './templates.js';
import { baselineEntries, type OperatorView } from '../view/operator.js';
import type { Cell, Span } from './writer.js';
import { countText } from '../number-text.js';

/**
 * An operator report's change summary (only with --baseline): how many of the operator's findings are
 * in each baseline state, and the findings that moved — regressed and new first — with their previous and
 * current status. Drawn in the executive summary, so a reader sees it before the findings.
 */

/** Findings that moved listed one row each; the rest are counted (each is marked in the findings section). */
export const CHANGE_LIST_LIMIT = 30;

/** The order moved findings are listed in: what needs attention first. */
export const LISTED_STATES: readonly BaselineState[] = ['regressed', 'new', 'improved', 'resolved', 'changed'];

export interface ChangeRow {
  state: BaselineState;
  control: string;
  title: string;
  severity: Severity;
  subject: string;
  previousStatus?: Status;
  /** `removed`: a previous problem whose subject is gone from the submission. */
  status: Status | 'removed';
}

export interface ChangeSummary {
  previousAuditDate: string;
  source: string;
  /** Per state, this operator's findings (removed subjects counted as resolved). */
  counts: Record<BaselineState, number>;
  /** Previous problems whose subject is gone (part of counts.resolved). */
  removed: number;
  /** Findings in any state but unchanged, in LISTED_STATES order, at most the limit. */
  rows: ChangeRow[];
  /** Moved findings beyond the rows. */
  more: number;
}

/** One operator's part of the comparison; null without --baseline. */
export function operatorChanges(view: OperatorView, limit = CHANGE_LIST_LIMIT): ChangeSummary | null {
  const { baseline } = view;
  if (!baseline) return null;
  const moved: ChangeRow[] = [];
  const row = (f: Finding, entry: ReturnType<typeof baselineEntries>[number]): ChangeRow => ({
    state: entry.state,
    control: f.control,
    title: f.title,
    severity: f.severity,
    subject: entry.subject,
    ...(entry.previousStatus ? { previousStatus: entry.previousStatus } : {}),
    status: f.status,
  });
  // --baseline compares subject by subject: each occurrence of a finding has its own state. The counts
  // are the operator view's; the rows list the same entries.
  for (const f of view.findings)
    for (const entry of baselineEntries(f)) if (entry.state !== 'unchanged') moved.push(row(f, entry));
  const { removed } = baseline;
  for (const r of removed)
    moved.push({
      state: 'resolved',
      control: r.control,
      title: r.title,
      severity: r.severity,
      subject: r.subject,
      previousStatus: r.previousStatus,
      status: 'removed',
    });
  const stateRank = (st: BaselineState) => LISTED_STATES.indexOf(st);
  moved.sort(
    byKeys(
      (m) => String(stateRank(m.state)),
      (m) => String(severityRank(m.severity)),
      (m) => m.control,
      (m) => m.subject,
    ),
  );
  return {
    previousAuditDate: baseline.previousAuditDate,
    source: baseline.source,
    counts: baseline.counts,
    removed: removed.length,
    rows: moved.slice(0, limit),
    more: Math.max(0, moved.length - limit),
  };
}

/** A baseline state's colour: worse in the failure colour, fixed in the pass colour. */
export function stateColour(ctx: BaseCtx, state: BaselineState): string {
  const c = ctx.theme.colours;
  switch (state) {
    case 'regressed':
    case 'new':
      return c.status.fail;
    case 'improved':
      return c.status['not-evidenced'];
    case 'resolved':
      return c.status.pass;
    case 'changed':
      return c.text;
    default:
      return c.muted;
  }
}

/** The narrative template (overridable with --template-dir like the others); without it, one sentence from the labels. */
const TEMPLATE = 'changes.hbs';

function statusSpan(ctx: BaseCtx, status: Status | 'removed' | undefined): Span {
  const c = ctx.theme.colours;
  if (status === undefined) return { text: '—', color: c.muted };
  if (status === 'removed') return { text: L(ctx, 'changes.gone'), color: c.status.pass, bold: true };
  return { text: L(ctx, `status.${status}`), color: c.status[status], bold: status === 'fail' || status === 'error' };
}

/** Draws the change summary after the executive summary's figures; nothing without --baseline. */
export function drawChangeSummary(ctx: Ctx, view: OperatorView): void {
  const changes = operatorChanges(view);
  if (!changes) return;
  const { w, theme } = ctx;
  const s = styles(theme);
  const c = theme.colours;
  w.group('Sect', () => {
    w.heading(2, [{ text: L(ctx, 'changes.title') }], s.h2, { destination: 'summary-changes', toc: false, keep: 120 });
    const moved = BASELINE_STATES.reduce((sum, st) => (st === 'unchanged' ? sum : sum + changes.counts[st]), 0);
    if ((TEMPLATE_NAMES as readonly string[]).includes(TEMPLATE)) {
      const variables = {
        ...changes.counts,
        previousAuditDate: changes.previousAuditDate,
        source: changes.source,
        removed: changes.removed,
        moved,
        listed: changes.rows.length,
      };
      drawBlocks(ctx, render(ctx, TEMPLATE as TemplateName, { changes: variables }), 'summary-changes');
    } else {
      w.paragraph(
        [
          { text: `${L(ctx, 'changes.comparedWith')} ` },
          { text: changes.previousAuditDate, bold: true },
          { text: ` (${changes.source}).` },
        ],
        s.body,
        { after: 6 },
      );
    }
    // Counts per state, in the order of BASELINE_STATES.
    w.table(
      [
        { header: L(ctx, 'changes.table.state'), width: 1.1 },
        { header: L(ctx, 'changes.table.findings'), width: 0.7, align: 'right' },
        { header: L(ctx, 'changes.table.meaning'), width: 3.2 },
      ],
      BASELINE_STATES.map((st): Cell[] => {
        const n = changes.counts[st];
        const strong = n > 0 && st !== 'unchanged';
        return [
          {
            spans: [{ text: L(ctx, `changes.state.${st}`), bold: true, color: n > 0 ? stateColour(ctx, st) : c.muted }],
          },
          {
            spans: [
              {
                text: countText(n),
                bold: strong,
                color: n === 0 ? c.muted : strong ? stateColour(ctx, st) : undefined,
              },
            ],
          },
          { spans: [{ text: L(ctx, `changes.meaning.${st}`), color: c.muted }] },
        ];
      }),
      { size: 7.5, headerFill: c.primary },
    );
    if (changes.rows.length === 0) {
      w.paragraph([{ text: L(ctx, 'changes.nothing') }], s.body, { after: 6 });
      return;
    }
    w.paragraph([{ text: L(ctx, 'changes.listed'), bold: true }], s.small, { after: 2 });
    w.table(
      [
        { header: L(ctx, 'changes.table.state'), width: 0.9 },
        { header: L(ctx, 'changes.table.control'), width: 0.9 },
        { header: L(ctx, 'changes.table.subject'), width: 3 },
        { header: L(ctx, 'changes.table.was'), width: 1 },
        { header: L(ctx, 'changes.table.now'), width: 1 },
      ],
      changes.rows.map((r): Cell[] => [
        { spans: [{ text: L(ctx, `changes.state.${r.state}`), bold: true, color: stateColour(ctx, r.state) }] },
        {
          spans: [
            { text: r.control, bold: true },
            { text: `\n${L(ctx, `severity.${r.severity}`)}`, color: c.severity[r.severity], size: 6.5 },
          ],
        },
        { spans: [{ text: r.subject }] },
        { spans: [statusSpan(ctx, r.previousStatus)] },
        { spans: [{ text: '→ ', color: c.muted }, statusSpan(ctx, r.status)] },
      ]),
      { size: 7.5, headerFill: c.primary },
    );
    if (changes.more > 0)
      w.paragraph([{ text: `${countText(changes.more)} ${L(ctx, 'changes.more')}` }], s.small, { after: 4 });
  });
}
