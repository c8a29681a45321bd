/**
 * The part of SARIF 2.1.0 that ixaudit writes (OASIS SARIF v2.1.0 errata 01). Names follow the
 * standard; only the properties we fill are declared.
 */

export type SarifLevel = 'error' | 'warning' | 'note' | 'none';
export type SarifKind = 'fail' | 'review' | 'open' | 'pass' | 'notApplicable' | 'informational';
/** What a comparison with a previous run says about a result (SARIF §3.27.24). */
export type SarifBaselineState = 'new' | 'unchanged' | 'updated' | 'absent';

export interface SarifMessage {
  text: string;
  markdown?: string;
}

export interface SarifArtifactLocation {
  uri: string;
  uriBaseId?: string;
  index?: number;
  description?: SarifMessage;
}

export interface SarifRegion {
  startLine: number;
  startColumn?: number;
  endLine?: number;
  snippet?: { text: string };
}

export interface SarifLocation {
  physicalLocation?: {
    artifactLocation: SarifArtifactLocation;
    region?: SarifRegion;
    contextRegion?: SarifRegion;
  };
  logicalLocations?: Array<{ name?: string; fullyQualifiedName: string; kind: string }>;
  message?: SarifMessage;
  /** ixaudit's: the occurrence's fingerprint, its own evidence and its baseline state (docs/interchange.md). */
  properties?: Record<string, unknown>;
}

export interface SarifSuppression {
  kind: 'external' | 'inSource';
  status: 'accepted' | 'underReview' | 'rejected';
  justification: string;
  location?: SarifLocation;
  properties?: Record<string, unknown>;
}

export interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  kind: SarifKind;
  level: SarifLevel;
  message: SarifMessage;
  locations: SarifLocation[];
  partialFingerprints: Record<string, string>;
  baselineState?: SarifBaselineState;
  suppressions?: SarifSuppression[];
  properties: Record<string, unknown>;
}

export interface SarifRule {
  id: string;
  name?: string;
  shortDescription: SarifMessage;
  fullDescription: SarifMessage;
  help: SarifMessage;
  /** Absolute URI of the rule's documentation (SARIF §3.49.12). */
  helpUri?: string;
  defaultConfiguration: { level: SarifLevel };
  properties: Record<string, unknown>;
}

export interface SarifNotificationDescriptor {
  id: string;
  name: string;
  shortDescription: SarifMessage;
  fullDescription: SarifMessage;
  help: SarifMessage;
}

export interface SarifArtifact {
  location: SarifArtifactLocation;
  length: number;
  hashes: Record<string, string>;
  roles: string[];
}

export interface SarifNotification {
  level: SarifLevel;
  message: SarifMessage;
  descriptor: { id: string; index: number };
  locations?: SarifLocation[];
  properties?: Record<string, unknown>;
}

export interface SarifRun {
  tool: {
    driver: {
      name: string;
      version: string;
      semanticVersion: string;
      /** Absolute URI of the tool's home page (SARIF §3.19.17). */
      informationUri?: string;
      rules: SarifRule[];
      notifications: SarifNotificationDescriptor[];
      properties: Record<string, unknown>;
    };
  };
  automationDetails: { id: string; description: SarifMessage };
  originalUriBaseIds: Record<string, SarifArtifactLocation | { description: SarifMessage }>;
  invocations: Array<{
    executionSuccessful: boolean;
    toolExecutionNotifications: SarifNotification[];
    properties: Record<string, unknown>;
  }>;
  artifacts: SarifArtifact[];
  columnKind: 'utf16CodeUnits' | 'unicodeCodePoints';
  results: SarifResult[];
  properties: Record<string, unknown>;
}

export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: SarifRun[];
}
