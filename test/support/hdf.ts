import type { HdfControl } from '../../src/report/hdf/types.js';

/**
 * How Heimdall (inspecjs ExecControl.compute_status) reads a control's status from its results and
 * waiver data, so the tests can say what a Heimdall user will see.
 */
export function heimdallStatus(control: HdfControl): string {
  const statuses = control.results.map((r) => r.status);
  if (statuses.includes('error')) return 'Profile Error';
  if (control.waiver_data?.skipped_due_to_waiver || control.impact === 0) return 'Not Applicable';
  if (statuses.length === 0) return 'Profile Error';
  if (statuses.includes('failed')) return 'Failed';
  if (statuses.includes('passed')) return 'Passed';
  return 'Not Reviewed';
}
