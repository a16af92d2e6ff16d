import { describe, expect, it } from 'vitest';
import { buildReport, toMarkdown } from './report';
import type { ResultRow } from './scenario';
import { median, percentile } from './support/stats';

const machine = { cpu: 'Test CPU', cores: 2, memoryGiB: 24, os: 'Linux', node: 'v20', redis: '7.0' };

describe('buildReport', () => {
  const rows: ResultRow[] = [
    { scenario: 'a', metric: 'jobs/s', floodgate: 95, baseline: 100, better: 'higher', target: 0.95 },
    { scenario: 'b', metric: 'p99 ms', floodgate: 4, baseline: 2, better: 'lower', target: 0.8, note: 'lower is better' },
    { scenario: 'c', metric: 'not yet', floodgate: null, baseline: null, better: 'higher', target: 0.8 },
  ];

  it('turns each pair into a ratio that reads "higher is better" and checks the target', () => {
    const report = buildReport(rows, machine, true, new Date('2026-01-01T00:00:00Z'));
    expect(report.rows.map((r) => [r.ratio, r.met])).toEqual([
      [0.95, true],
      [0.5, false],
      [null, null],
    ]);
  });

  it('renders a markdown table with notes and the machine', () => {
    const markdown = toMarkdown(buildReport(rows, machine, false, new Date('2026-01-01T00:00:00Z')));
    expect(markdown).toContain('| a | jobs/s | 95 | 100 | 0.95× | ≥ 0.95× | yes |');
    expect(markdown).toContain('| b | p99 ms | 4 | 2 | 0.5× | ≥ 0.8× | **no** |');
    expect(markdown).toContain('| c | not yet | — | — | — | ≥ 0.8× | — |');
    expect(markdown).toContain('- b, p99 ms: lower is better');
    expect(markdown).toContain('Machine: Test CPU, 2 cores, 24 GiB');
  });
});

describe('percentile', () => {
  it('uses the nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
    expect(median([3, 1, 2])).toBe(2);
    expect(percentile([], 50)).toBeNaN();
  });
});
