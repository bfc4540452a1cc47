import { describe, expect, it } from 'vitest';
import type { EchoRow } from '../measure/echo-row.ts';
import { echoTable, markdownTable } from './markdown.ts';

const latency = (median: number) => ({
  count: 200,
  median,
  p90: median * 2,
  p99: median * 3,
  min: median / 2,
  max: median * 4,
});
const measured = (id: string, median: number, callsPerSecond: number, errors = 0): EchoRow => ({
  id,
  label: id,
  status: 'measured',
  latency: latency(median),
  throughput: [1, 32].map((concurrency) => ({ concurrency, callsPerSecond, calls: 100, errors, seconds: 4 })),
});

describe('markdownTable', () => {
  it('right-aligns numeric columns and escapes pipes', () => {
    expect(markdownTable(['path', 'ms'], [['a | b', '1.00']], [false, true])).toBe(
      '| path | ms |\n| --- | ---: |\n| a \\| b | 1.00 |',
    );
  });

  it('refuses a row that does not fit the header', () => {
    expect(() => markdownTable(['a', 'b'], [['1']])).toThrow(/a row has 1 cells, the header 2/);
  });
});

describe('echoTable', () => {
  it('gives each row its ratio to the floor and sums errors', () => {
    const table = echoTable([measured('floor', 0.2, 5000), measured('gateway', 4, 300, 2)], [1, 32]);
    const lines = table.split('\n');
    expect(lines[2]).toBe('| floor | 0.20 | 0.40 | 0.60 | 1.0× | 5000 | 5000 | 0 |');
    expect(lines[3]).toBe('| gateway | 4.00 | 8.00 | 12.00 | 20× | 300 | 300 | 4 |');
  });

  it('says why a row is missing instead of showing figures', () => {
    const table = echoTable(
      [
        measured('floor', 0.2, 5000),
        { id: 'native', label: 'native', status: 'not available', reason: 'no /mcp/native' },
      ],
      [1, 32],
    );
    expect(table.split('\n')[3]).toBe('| native | not available: no /mcp/native |  |  |  |  |  |  |');
  });
});
