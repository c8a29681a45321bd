export function isDateTime(text: string): boolean;
export function sofficeCsvArgs(dir: string, ...files: string[]): string[];
export function multitoolBinary(): string | undefined;
export function multitoolEnv(): NodeJS.ProcessEnv;
export const HDF_TOOLS_DIR: string;
export function safBinary(): string | undefined;
export const SAF_INSTALL_HINT: string;
