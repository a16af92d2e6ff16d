import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MachineInfo } from './machine';
import { ratioOf, type ResultRow } from './scenario';
import { round } from './support/stats';

export interface BenchReport {
  startedAt: string;
  quick: boolean;
  machine: MachineInfo;
  rows: Array<Omit<ResultRow, 'met'> & { ratio: number | null; met: boolean | null }>;
}

export function buildReport(rows: ResultRow[], machine: MachineInfo, quick: boolean, startedAt: Date): BenchReport {
  return {
    startedAt: startedAt.toISOString(),
    quick,
    machine,
    rows: rows.map((row) => {
      const ratio = ratioOf(row);
      const met = row.met ?? (ratio === null || row.target === null ? null : ratio >= row.target);
      return { ...row, ratio: ratio === null ? null : round(ratio), met };
    }),
  };
}

/** The results as a markdown table, with the machine underneath. */
export function toMarkdown(report: BenchReport): string {
  const lines = [
    '| scenario | metric | floodgate | baseline | ratio | target | met |',
    '|---|---|---:|---:|---:|---:|:---:|',
    ...report.rows.map((row) =>
      [
        row.scenario,
        row.metric,
        show(row.floodgate),
        show(row.baseline),
        row.ratio === null ? '—' : `${row.ratio}×`,
        row.target === null ? '—' : `≥ ${row.target}×`,
        row.met === null ? '—' : row.met ? 'yes' : '**no**',
      ].join(' | ').replace(/^/, '| ').replace(/$/, ' |'),
    ),
    '',
    ...report.rows.filter((row) => row.note).map((row) => `- ${row.scenario}, ${row.metric}: ${row.note}`),
    '',
    `Ratio: floodgate / baseline when higher is better, baseline / floodgate when lower is; ≥ target passes.`,
    `Machine: ${report.machine.cpu}, ${report.machine.cores} cores, ${report.machine.memoryGiB} GiB, ${report.machine.os}, ` +
      `Node.js ${report.machine.node}, Redis ${report.machine.redis}. Run ${report.startedAt}${report.quick ? ' (--quick)' : ''}.`,
  ];
  return `${lines.join('\n')}\n`;
}

/** Writes `<name>.json` and `<name>.md` under `dir`. */
export async function writeReport(report: BenchReport, dir: string, name: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, `${name}.json`), `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(join(dir, `${name}.md`), toMarkdown(report));
}

function show(value: number | null): string {
  return value === null ? '—' : String(value);
}
