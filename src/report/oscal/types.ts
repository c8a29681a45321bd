/**
 * The part of OSCAL 1.2.1 (assessment-results, and the assessment-plan it imports) that ixaudit
 * writes. Names follow the OSCAL JSON model; only what we fill is declared. OSCAL arrays must never be
 * empty (minItems 1), so optional lists are left out rather than written as [].
 */

export interface OscalProp {
  name: string;
  ns: string;
  value: string;
  class?: string;
}

export interface OscalLink {
  href: string;
  rel?: string;
  text?: string;
}

export interface OscalOrigin {
  actors: Array<{ type: 'tool'; 'actor-uuid': string }>;
}

export interface OscalParty {
  uuid: string;
  type: 'organization';
  name: string;
  'short-name': string;
  props?: OscalProp[];
}

export interface OscalMetadata {
  title: string;
  'last-modified': string;
  version: string;
  'oscal-version': string;
  props?: OscalProp[];
  parties?: OscalParty[];
}

export interface OscalResource {
  uuid: string;
  title: string;
  description?: string;
  props?: OscalProp[];
  rlinks?: Array<{ href: string; 'media-type': string; hashes: Array<{ algorithm: 'SHA-256'; value: string }> }>;
}

export interface OscalComponent {
  uuid: string;
  type: 'software';
  title: string;
  description: string;
  props: OscalProp[];
  status: { state: 'operational' };
}

export interface OscalAssessmentAssets {
  components: OscalComponent[];
  'assessment-platforms': Array<{
    uuid: string;
    title: string;
    'uses-components': Array<{ 'component-uuid': string }>;
  }>;
}

export interface OscalReviewedControls {
  description: string;
  'control-selections': Array<{ 'include-controls': Array<{ 'control-id': string }> }>;
}

export interface OscalRelevantEvidence {
  href: string;
  description: string;
  props?: OscalProp[];
  remarks?: string;
}

export interface OscalObservation {
  uuid: string;
  title: string;
  description: string;
  props: OscalProp[];
  methods: string[];
  types: string[];
  origins: OscalOrigin[];
  subjects: Array<{ 'subject-uuid': string; type: 'party'; title: string; props: OscalProp[] }>;
  'relevant-evidence'?: OscalRelevantEvidence[];
  collected: string;
}

export type OscalRiskStatus =
  | 'open'
  | 'investigating'
  | 'remediating'
  | 'deviation-requested'
  | 'deviation-approved'
  | 'closed';

export interface OscalRisk {
  uuid: string;
  title: string;
  description: string;
  statement: string;
  props: OscalProp[];
  links?: OscalLink[];
  status: OscalRiskStatus;
  origins: OscalOrigin[];
  characterizations: Array<{ origin: OscalOrigin; facets: Array<{ name: string; system: string; value: string }> }>;
  deadline?: string;
  remediations?: Array<{ uuid: string; lifecycle: 'recommendation'; title: string; description: string }>;
  /** For a waived finding: the approved deviation, as the waiver declares it. */
  'risk-log'?: {
    entries: Array<{
      uuid: string;
      title: string;
      description: string;
      start: string;
      'status-change': OscalRiskStatus;
    }>;
  };
  'related-observations': Array<{ 'observation-uuid': string }>;
}

export interface OscalFinding {
  uuid: string;
  title: string;
  description: string;
  props: OscalProp[];
  origins: OscalOrigin[];
  target: {
    type: 'objective-id';
    'target-id': string;
    title: string;
    status: { state: 'satisfied' | 'not-satisfied'; reason: 'pass' | 'fail' | 'other'; remarks?: string };
  };
  'related-observations': Array<{ 'observation-uuid': string }>;
  'related-risks'?: Array<{ 'risk-uuid': string }>;
}

export interface OscalResult {
  uuid: string;
  title: string;
  description: string;
  start: string;
  props: OscalProp[];
  'local-definitions': { 'assessment-assets': OscalAssessmentAssets };
  'reviewed-controls': OscalReviewedControls;
  observations?: OscalObservation[];
  risks?: OscalRisk[];
  findings?: OscalFinding[];
}

export interface OscalAssessmentResults {
  'assessment-results': {
    uuid: string;
    metadata: OscalMetadata;
    'import-ap': { href: string; remarks?: string };
    results: OscalResult[];
    'back-matter'?: { resources: OscalResource[] };
  };
}

export interface OscalLocalObjective {
  'control-id': string;
  description: string;
  parts: Array<{ id?: string; name: string; ns?: string; title?: string; prose: string; props?: OscalProp[] }>;
}

export interface OscalAssessmentPlan {
  'assessment-plan': {
    uuid: string;
    metadata: OscalMetadata;
    'import-ssp': { href: string; remarks: string };
    'local-definitions': { 'objectives-and-methods': OscalLocalObjective[] };
    'reviewed-controls': OscalReviewedControls;
    'assessment-subjects'?: Array<{
      type: 'party';
      description: string;
      'include-subjects': Array<{ 'subject-uuid': string; type: 'party' }>;
    }>;
    'assessment-assets': OscalAssessmentAssets;
    'back-matter': { resources: OscalResource[] };
  };
}
