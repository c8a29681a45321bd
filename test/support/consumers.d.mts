export function isDateTime(text: string): boolean;
export function sofficeCsvArgs(dir: string, file: string): string[];
export function multitoolBinary(): string | undefined;
