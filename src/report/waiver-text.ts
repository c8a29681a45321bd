import type { WaiverOutcome } from '../model/finding.js';

/** The parts of a waiver that record the decision, as declared (empty parts are left out). */
export type WaiverDecision = Pick<WaiverOutcome, 'justification' | 'approvedBy' | 'ticket' | 'compensatingControls'>;

/**
 * The waiver's decision in one sentence for interchange formats (SARIF suppression justification, OSCAL
 * risk log, HDF waiver justification): "Accepted because …; approved by …; ticket …; compensating
 * controls: …." '' when the waiver declares none of it.
 */
export function waiverDecisionText(w: WaiverDecision): string {
  const parts = [
    w.justification.trim()
      ? `Accepted because: ${w.justification
          .trim()
          .replace(/\s*\n\s*/g, ' ')
          .replace(/[.!?]+$/, '')}`
      : '',
    w.approvedBy ? `approved by ${w.approvedBy}` : '',
    w.ticket ? `ticket ${w.ticket}` : '',
    w.compensatingControls.length > 0 ? `compensating controls: ${w.compensatingControls.join(', ')}` : '',
  ].filter((p) => p !== '');
  if (parts.length === 0) return '';
  const text = parts.join('; ');
  return /[.!?]$/.test(text) ? text : `${text}.`;
}
