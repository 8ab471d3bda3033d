import type { MetricValueWithName, Registry } from 'prom-client';

/**
 * A histogram's counts as plain numbers. Observing costs a short scan of the bounds and three additions, where
 * prom-client's own `observe` builds a closure, checks labels, hashes them and finds the bucket by its bound's
 * string form: about 100 ns a call, paid on every client frame while metrics are on.
 */
export class BucketCounts {
  /** Observations per bucket (not cumulative), one entry per bound; a value above every bound is in none. */
  readonly counts: number[];
  sum = 0;
  count = 0;

  constructor(readonly bounds: readonly number[]) {
    this.counts = bounds.map(() => 0);
  }

  observe(value: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > (bounds[i] as number)) i++;
    if (i < bounds.length) (this.counts[i] as number)++;
    this.sum += value;
    this.count++;
  }

  reset(): void {
    this.counts.fill(0);
    this.sum = 0;
    this.count = 0;
  }
}

/**
 * A prom-client Histogram (no labels) fed from {@link BucketCounts}: observations are counted there, on the hot
 * path, and read only when the registry is scraped, in the form prom-client's own histogram exports them
 * (cumulative `_bucket` lines, `+Inf`, `_sum`, `_count`). Returns the counts to observe into.
 */
export function countedHistogram(
  prom: typeof import('prom-client'),
  options: { registry: Registry; name: string; help: string; buckets: readonly number[] },
): BucketCounts {
  const { name, help } = options;
  const counts = new BucketCounts(options.buckets);
  const histogram = new prom.Histogram({ name, help, buckets: [...options.buckets], registers: [options.registry] });
  // What prom-client's Histogram#get resolves to (its aggregator is the one given to the constructor: 'sum').
  // prom-client's reset() forgets the series: nothing is exported until the next observation.
  let forgotten = false;
  const read = async () => {
    if (forgotten && counts.count === 0) return { name, help, type: 'histogram', values: [], aggregator: 'sum' };
    let cumulative = 0;
    // Field for field as prom-client's (buckets carry a null exemplar, the sum and count an undefined one).
    const values: Array<MetricValueWithName<string> & { exemplar: null | undefined }> = counts.bounds.map((le, i) => ({
      labels: { le },
      value: (cumulative += counts.counts[i] as number),
      metricName: `${name}_bucket`,
      exemplar: null,
    }));
    values.push(
      { labels: { le: '+Inf' }, value: counts.count, metricName: `${name}_bucket`, exemplar: null },
      { labels: {}, value: counts.sum, metricName: `${name}_sum`, exemplar: undefined },
      { labels: {}, value: counts.count, metricName: `${name}_count`, exemplar: undefined },
    );
    return { name, help, type: 'histogram', values, aggregator: 'sum' };
  };
  // The registry reads a metric through getForPromString when it has one (prom-client 15), else through get().
  Object.assign(histogram, {
    get: read,
    getForPromString: read,
    reset: () => {
      counts.reset();
      forgotten = true;
    },
  });
  return counts;
}
