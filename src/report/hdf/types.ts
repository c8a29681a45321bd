/**
 * The part of MITRE's Heimdall Data Format (HDF, the InSpec exec JSON schema) that ixaudit writes.
 * Names follow the schema (snake_case); only what we fill is declared.
 */

export type HdfResultStatus = 'passed' | 'failed' | 'skipped' | 'error';

export interface HdfResult {
  status: HdfResultStatus;
  code_desc: string;
  start_time: string;
  resource: string;
  resource_id: string;
  message?: string;
  skip_message?: string;
}

export interface HdfWaiverData {
  justification: string;
  expiration_date: string;
  /** The control was evaluated in spite of the waiver (ixaudit always evaluates). */
  run: boolean;
  skipped_due_to_waiver: boolean;
  message: string;
  /** Each waiver behind this control's waiver data, as findings.json lists it. */
  ixaudit_waivers: Array<{
    id: string;
    operator: string;
    status: string;
    expires: string;
    subjects: string[];
    location: string;
    justification: string;
    approvedBy: string;
    ticket: string;
    compensatingControls: string[];
  }>;
}

export interface HdfControl {
  id: string;
  title: string;
  desc: string;
  descriptions: Array<{ label: string; data: string }>;
  impact: number;
  refs: Array<{ ref: string }>;
  tags: Record<string, unknown>;
  source_location: { ref: string; line: number };
  results: HdfResult[];
  waiver_data?: HdfWaiverData;
}

export interface HdfProfile {
  name: string;
  title: string;
  maintainer: string;
  license: string;
  summary: string;
  version: string;
  sha256: string;
  status: 'loaded';
  supports: never[];
  attributes: Array<{ name: string; options: { value: unknown } }>;
  groups: Array<{ id: string; title: string; controls: string[] }>;
  controls: HdfControl[];
}

export interface HdfExecJson {
  platform: { name: string; release: string; target_id: string };
  profiles: HdfProfile[];
  statistics: {
    controls: { total: number; passed: { total: number }; failed: { total: number }; skipped: { total: number } };
  };
  version: string;
  passthrough: Record<string, unknown>;
}
