import { describe, expect, it } from 'vitest';
import { metricValue, parsePrometheus } from './prometheus-text';

const text = `# HELP x_total help
# TYPE x_total counter
x_total{app="api",route="/a",status="200"} 3
x_total{status="500",route="/a",app="api"} 1
y 2.5
`;

describe('parsePrometheus', () => {
  it('reads names, labels and values', () => {
    expect(parsePrometheus(text)).toEqual([
      { name: 'x_total', labels: { app: 'api', route: '/a', status: '200' }, value: 3 },
      { name: 'x_total', labels: { status: '500', route: '/a', app: 'api' }, value: 1 },
      { name: 'y', labels: {}, value: 2.5 },
    ]);
  });

  it('sums the samples that carry the given labels, in any order', () => {
    expect(metricValue(text, 'x_total', { route: '/a' })).toBe(4);
    expect(metricValue(text, 'x_total', { status: '500' })).toBe(1);
    expect(metricValue(text, 'x_total', { status: '404' })).toBeUndefined();
    expect(metricValue(text, 'y')).toBe(2.5);
  });
});
