import * as prom from 'prom-client';
import { describe, expect, it } from 'vitest';
import { BucketCounts, countedHistogram } from '../../src/ops/counted-histogram.js';

const BUCKETS = [0.000_01, 0.000_025, 0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.005, 0.025];
/** Values on, between, below and above the bounds. */
const VALUES = [0, 0.000_005, 0.000_01, 0.000_011, 0.000_03, 0.000_1, 0.000_3, 0.002, 0.025, 0.03, 1.5, 0.000_049];

describe('countedHistogram', () => {
  it('exports exactly what a prom-client Histogram fed the same observations exports', async () => {
    const ours = new prom.Registry();
    const theirs = new prom.Registry();
    const counts = countedHistogram(prom, { registry: ours, name: 'x_seconds', help: 'h', buckets: BUCKETS });
    const reference = new prom.Histogram({ name: 'x_seconds', help: 'h', buckets: BUCKETS, registers: [theirs] });
    expect(await ours.metrics()).toBe(await theirs.metrics());
    for (const value of VALUES) {
      counts.observe(value);
      reference.observe(value);
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
    expect(await ours.getMetricsAsJSON()).toEqual(await theirs.getMetricsAsJSON());
    ours.resetMetrics();
    theirs.resetMetrics();
    expect(await ours.metrics()).toBe(await theirs.metrics());
    counts.observe(0.000_02);
    reference.observe(0.000_02);
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });

  it('counts each value in the first bucket whose bound it does not exceed', () => {
    const counts = new BucketCounts([1, 2]);
    for (const value of [0, 1, 1.5, 2, 3]) counts.observe(value);
    expect(counts.counts).toEqual([2, 2]);
    expect(counts.count).toBe(5);
    expect(counts.sum).toBe(7.5);
  });
});
