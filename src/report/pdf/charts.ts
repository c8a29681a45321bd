import { SEVERITIES, type Severity } from '../../model/types.js';
import type { OperatorReport, TrafficShare } from './model.js';
import type { Theme } from './settings.js';
import type { PdfWriter } from './writer.js';
import { countText, percentText } from '../number-text.js';

/**
 * The two charts, drawn as vector graphics (paths and text, no bitmaps) so they print sharply and their
 * labels stay selectable text. Each has alternative text that states the same figures in words.
 */

export interface ChartLabels {
  familyName(family: string): string;
  severity(severity: Severity): string;
  passed: string;
  avoidable: string;
  unavoidable: string;
  limit: string;
  noRoutes: string;
  protocol(protocol: string): string;
}

/** A round axis maximum and its tick step: 0–4 → 5 by 1, 7 → 10 by 2, 23 → 25 by 5, 130 → 150 by 50 … */
export function axisScale(max: number): { max: number; step: number } {
  if (max <= 0) return { max: 5, step: 1 };
  const magnitude = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 2.5, 5, 10]) {
    const step = (m * magnitude) / 5;
    const top = Math.ceil(max / step) * step;
    if (top / step <= 5 && top >= max) return { max: round(top), step: round(step) };
  }
  return { max: 10 * magnitude, step: 2 * magnitude };
}

function round(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}

/** A count with separators (the axis of counts), a share with at most two decimals. */
function formatNumber(n: number): string {
  return Number.isInteger(n) ? countText(n) : percentText(n);
}

export function familyChartAlt(report: OperatorReport, labels: ChartLabels): string {
  const parts = report.familySeverity.map((f) => {
    const total = SEVERITIES.reduce((s, sev) => s + f.bySeverity[sev], 0);
    const detail = SEVERITIES.filter((s) => f.bySeverity[s] > 0).map(
      (s) => `${countText(f.bySeverity[s])} ${labels.severity(s)}`,
    );
    return `${labels.familyName(f.family)}: ${countText(total)}${detail.length ? ` (${detail.join(', ')})` : ''}, ${countText(f.passed)} ${labels.passed}`;
  });
  return parts.join('; ');
}

export function familyChartHeight(report: OperatorReport): number {
  return 26 + report.familySeverity.length * 20 + 22 + 20;
}

/** Stacked horizontal bars: findings needing action per family, one segment per severity. */
export function drawFamilyChart(
  w: PdfWriter,
  theme: Theme,
  report: OperatorReport,
  labels: ChartLabels,
  x: number,
  y: number,
): void {
  const doc = w.doc;
  const labelWidth = 150;
  const countWidth = 96;
  const barX = x + labelWidth;
  const barWidth = w.width - labelWidth - countWidth;
  const rowHeight = 20;
  const totals = report.familySeverity.map((f) => SEVERITIES.reduce((s, sev) => s + f.bySeverity[sev], 0));
  const scale = axisScale(Math.max(...totals, 0));
  const top = y + 16;
  const gridBottom = top + report.familySeverity.length * rowHeight;
  const muted = theme.colours.muted;

  // Grid and tick labels.
  for (let t = 0; t <= scale.max + 1e-9; t += scale.step) {
    const gx = barX + (t / scale.max) * barWidth;
    doc
      .save()
      .moveTo(gx, top - 2)
      .lineTo(gx, gridBottom)
      .lineWidth(0.4)
      .strokeColor(theme.colours.rule)
      .stroke()
      .restore();
    w.drawTextAt([{ text: formatNumber(t) }], gx - 20, gridBottom + 3, 40, { size: 7, color: muted, align: 'center' });
  }
  report.familySeverity.forEach((f, i) => {
    const ry = top + i * rowHeight;
    w.drawTextAt([{ text: labels.familyName(f.family) }], x, ry + 4, labelWidth - 8, {
      size: 8,
      color: theme.colours.text,
      align: 'right',
    });
    let bx = barX;
    for (const sev of SEVERITIES) {
      const n = f.bySeverity[sev];
      if (n === 0) continue;
      const bw = (n / scale.max) * barWidth;
      doc
        .save()
        .rect(bx, ry + 3, bw, rowHeight - 6)
        .fill(theme.colours.severity[sev])
        .restore();
      if (bw > 12)
        w.drawTextAt([{ text: countText(n), bold: true }], bx, ry + 5.5, bw, {
          size: 7,
          color: '#FFFFFF',
          align: 'center',
        });
      bx += bw;
    }
    w.drawTextAt(
      [
        { text: countText(totals[i]), bold: true },
        { text: ` · ${countText(f.passed)} ${labels.passed}`, color: muted },
      ],
      bx + 5,
      ry + 4.5,
      countWidth + barX + barWidth - bx - 5,
      { size: 7.5, color: theme.colours.text },
    );
  });
  doc
    .save()
    .moveTo(barX, top - 2)
    .lineTo(barX, gridBottom)
    .lineWidth(0.8)
    .strokeColor(theme.colours.text)
    .stroke()
    .restore();
  // Legend.
  let lx = barX;
  const ly = gridBottom + 20;
  for (const sev of SEVERITIES) {
    doc
      .save()
      .rect(lx, ly + 1.5, 8, 8)
      .fill(theme.colours.severity[sev])
      .restore();
    const text = labels.severity(sev);
    w.drawTextAt([{ text }], lx + 11, ly, 80, { size: 7.5, color: theme.colours.text });
    lx += 11 + w.measure(text, 7.5) + 14;
  }
}

export function trafficChartAlt(shares: TrafficShare[], labels: ChartLabels): string {
  if (shares.length === 0) return labels.noRoutes;
  return shares
    .map(
      (s) =>
        `${labels.protocol(s.protocol)}: ${formatNumber(s.avoidable)} % ${labels.avoidable}, ${formatNumber(s.unavoidable)} % ${labels.unavoidable} (${labels.limit} ${formatNumber(s.limit)} %)`,
    )
    .join('; ');
}

export function trafficChartHeight(shares: TrafficShare[]): number {
  return shares.length === 0 ? 24 : 26 + shares.length * 22 + 22 + 20;
}

/** Horizontal bars per protocol: the avoidable and unavoidable share of traffic, with the profile's limit marked. */
export function drawTrafficChart(
  w: PdfWriter,
  theme: Theme,
  shares: TrafficShare[],
  labels: ChartLabels,
  x: number,
  y: number,
): void {
  const doc = w.doc;
  if (shares.length === 0) {
    w.drawTextAt([{ text: labels.noRoutes }], x, y + 4, w.width, { size: 8.5, color: theme.colours.muted });
    return;
  }
  const labelWidth = 150;
  const valueWidth = 130;
  const barX = x + labelWidth;
  const barWidth = w.width - labelWidth - valueWidth;
  const rowHeight = 22;
  const maxValue = Math.max(...shares.map((s) => s.avoidable + s.unavoidable), ...shares.map((s) => s.limit), 10);
  const scale = axisScale(Math.min(100, maxValue));
  const top = y + 16;
  const gridBottom = top + shares.length * rowHeight;
  const avoidableColour = theme.colours.status.fail;
  const unavoidableColour = theme.colours.severity.medium;
  const muted = theme.colours.muted;
  for (let t = 0; t <= scale.max + 1e-9; t += scale.step) {
    const gx = barX + (t / scale.max) * barWidth;
    doc
      .save()
      .moveTo(gx, top - 2)
      .lineTo(gx, gridBottom)
      .lineWidth(0.4)
      .strokeColor(theme.colours.rule)
      .stroke()
      .restore();
    w.drawTextAt([{ text: `${formatNumber(t)} %` }], gx - 20, gridBottom + 3, 40, {
      size: 7,
      color: muted,
      align: 'center',
    });
  }
  shares.forEach((s, i) => {
    const ry = top + i * rowHeight;
    w.drawTextAt([{ text: labels.protocol(s.protocol) }], x, ry + 5, labelWidth - 8, {
      size: 8,
      color: theme.colours.text,
      align: 'right',
    });
    doc
      .save()
      .rect(barX, ry + 4, barWidth, rowHeight - 8)
      .fill(theme.colours.shade)
      .restore();
    const aw = (Math.min(s.avoidable, scale.max) / scale.max) * barWidth;
    const uw = (Math.min(s.unavoidable, scale.max - Math.min(s.avoidable, scale.max)) / scale.max) * barWidth;
    if (aw > 0)
      doc
        .save()
        .rect(barX, ry + 4, aw, rowHeight - 8)
        .fill(avoidableColour)
        .restore();
    if (uw > 0)
      doc
        .save()
        .rect(barX + aw, ry + 4, uw, rowHeight - 8)
        .fill(unavoidableColour)
        .restore();
    const over = s.avoidable > s.limit;
    w.drawTextAt(
      [
        { text: `${formatNumber(s.avoidable)} %`, bold: true, color: over ? avoidableColour : theme.colours.text },
        { text: ` + ${formatNumber(s.unavoidable)} % ${labels.unavoidable}`, color: muted },
      ],
      barX + barWidth + 6,
      ry + 5.5,
      valueWidth - 6,
      { size: 7.5, color: theme.colours.text },
    );
  });
  // The limit as a dashed line across all protocols (the profile's maxHighRiskTrafficShare).
  const limit = shares[0].limit;
  const lx = barX + (Math.min(limit, scale.max) / scale.max) * barWidth;
  doc
    .save()
    .moveTo(lx, top - 6)
    .lineTo(lx, gridBottom + 1)
    .lineWidth(1.2)
    .dash(3, { space: 2 })
    .strokeColor(theme.colours.text)
    .stroke()
    .undash()
    .restore();
  w.drawTextAt([{ text: `${labels.limit} ${formatNumber(limit)} %`, bold: true }], lx + 3, top - 14, 120, {
    size: 7,
    color: theme.colours.text,
  });
  doc
    .save()
    .moveTo(barX, top - 2)
    .lineTo(barX, gridBottom)
    .lineWidth(0.8)
    .strokeColor(theme.colours.text)
    .stroke()
    .restore();
  // Legend.
  const ly = gridBottom + 20;
  let cx = barX;
  for (const [colour, text] of [
    [avoidableColour, labels.avoidable],
    [unavoidableColour, labels.unavoidable],
  ] as const) {
    doc
      .save()
      .rect(cx, ly + 1.5, 8, 8)
      .fill(colour)
      .restore();
    w.drawTextAt([{ text }], cx + 11, ly, 200, { size: 7.5, color: theme.colours.text });
    cx += 11 + w.measure(text, 7.5) + 14;
  }
}
