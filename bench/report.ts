import { mkdirSync, writeFileSync } from 'node:fs';

/** One line of the table: a figure of ours beside its baseline, measured in the same run. */
export interface Row {
  readonly scenario: string;
  readonly ours: string;
  readonly baseline: string;
  /** The ratio as the goal states it; null where the scenario has none (the Mesh row's note). */
  readonly ratio: number | null;
  readonly goal: string;
  /** Whether the goal holds; null without a goal. */
  readonly met: boolean | null;
  readonly note: string;
}

export function formatTable(rows: readonly Row[]): string {
  const header = ['#', 'scenario', 'ours', 'baseline', 'ratio', 'goal', 'met', 'note'];
  const cells = rows.map((row, index) => [
    String(index + 1),
    row.scenario,
    row.ours,
    row.baseline,
    row.ratio === null ? '-' : row.ratio.toFixed(2),
    row.goal,
    row.met === null ? '-' : row.met ? 'yes' : 'NO',
    row.note,
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((line) => line[column]!.length)));
  const line = (values: readonly string[]) => `| ${values.map((value, column) => value.padEnd(widths[column]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...cells.map(line)].join('\n');
}

export function writeResults(path: URL, results: unknown): void {
  mkdirSync(new URL('.', path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
}

export const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
export const ms = (millis: number): string => `${Math.round(millis)} ms`;
