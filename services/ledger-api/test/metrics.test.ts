import t from 'tap';
import { CollectedMetric, Counter, Histogram, MetricsRegistry } from '../src/http/metrics.js';

t.test(
  'the registry encodes counters, collected values and histograms in Prometheus text format',
  async (t) => {
    const registry = new MetricsRegistry();
    const counter = registry.register(new Counter('app_things_total', 'Things'));
    counter.inc({ outcome: 'ok' });
    counter.inc({ outcome: 'ok' }, 2);
    counter.inc({ outcome: 'say "hi"\n\\' });
    registry.register(new CollectedMetric('app_lag', 'Lag', 'gauge', () => [{ value: 7 }]));
    const histogram = registry.register(new Histogram('app_seconds', 'Latency', [0.1, 1]));
    histogram.observe({ route: '/a' }, 0.05);
    histogram.observe({ route: '/a' }, 0.5);
    histogram.observe({ route: '/a' }, 3);
    t.equal(
      registry.encode(),
      [
        '# HELP app_things_total Things',
        '# TYPE app_things_total counter',
        'app_things_total{outcome="ok"} 3',
        'app_things_total{outcome="say \\"hi\\"\\n\\\\"} 1',
        '# HELP app_lag Lag',
        '# TYPE app_lag gauge',
        'app_lag 7',
        '# HELP app_seconds Latency',
        '# TYPE app_seconds histogram',
        'app_seconds_bucket{route="/a",le="0.1"} 1',
        'app_seconds_bucket{route="/a",le="1"} 2',
        'app_seconds_bucket{route="/a",le="+Inf"} 3',
        'app_seconds_sum{route="/a"} 3.55',
        'app_seconds_count{route="/a"} 3',
        '',
      ].join('\n'),
    );
  },
);

t.test('misuse is refused loudly', async (t) => {
  const registry = new MetricsRegistry();
  registry.register(new Counter('a_total', 'A'));
  t.throws(() => registry.register(new Counter('a_total', 'again')), /twice/);
  t.throws(() => registry.register(new Counter('bad-name', 'B')), /invalid metric name/);
  t.throws(() => new Counter('c_total', 'C').inc({}, -1), RangeError);
  t.throws(() => new Histogram('h', 'H', [1, 1]), RangeError);
});
