/** Types of scripts/package-imports.mjs (plain Node, run by scripts/pack-sdk.mjs). */
export function packageOf(specifier: string): string | undefined;
export function importedSpecifiers(code: string): string[];
export function undeclaredImports(dir: string, declared: Record<string, string>): string[];
