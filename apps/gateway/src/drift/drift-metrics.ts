import type { DriftStatus, DriftVersion } from '@cataract/contracts';
import { Gauge, Registry } from 'prom-client';

const LEVEL = { ok: 0, warn: 1, alert: 2 } as const;
type VersionLabels = 'model' | 'version' | 'serving';

/**
 * GET /drift_status's figures as Prometheus gauges, read from the same report at scrape time.
 * Each gauge collects on its own (prom-client collects a registry's metrics concurrently), from
 * the monitor's cached report, so one scrape costs one window read. Every worker reads the same
 * shared window, so the cluster's merge of worker registries takes their `max`. A scrape while
 * Redis is down leaves the drift gauges out rather than stale.
 */
export function registerDriftMetrics(registry: Registry, report: () => Promise<DriftStatus>, onError: (err: Error) => void): void {
  const registers = [registry];
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[], fill: (g: Gauge<L>, r: DriftStatus) => void) => {
    const g: Gauge<L> = new Gauge<L>({
      name,
      help,
      labelNames: [...labelNames],
      aggregator: 'max',
      registers,
      collect: async () => {
        g.reset();
        try {
          fill(g, await report());
        } catch (err) {
          onError(err instanceof Error ? err : new Error(String(err)));
        }
      },
    });
  };
  const perVersion = (name: string, help: string, value: (v: DriftVersion) => number | null) =>
    gauge<VersionLabels>(name, help, ['model', 'version', 'serving'], (g, r) => {
      for (const [model, v] of versionsOf(r)) {
        const x = value(v);
        if (x !== null) g.set({ model, version: v.version, serving: String(v.serving) }, x);
      }
    });

  gauge('cataract_drift_status', 'Overall drift status of GET /drift_status: 0 ok, 1 warn, 2 alert', [], (g, r) => g.set(LEVEL[r.status]));
  perVersion('cataract_drift_answers', 'Answers in the drift window, by model version', (v) => v.answers);
  perVersion('cataract_drift_positive_rate', 'Share of cataract answers in the drift window, by model version', (v) => v.positive_rate);
  perVersion('cataract_drift_reviews', 'Reviewed labels in the drift window, by model version', (v) => v.reviews.count);
  perVersion('cataract_drift_accuracy', 'Accuracy on reviewed labels in the drift window, by model version', (v) => v.reviews.accuracy);
  gauge<VersionLabels | 'statistic'>(
    'cataract_drift_psi',
    "Population stability index of an input statistic in the drift window against the version's training photos",
    ['model', 'version', 'serving', 'statistic'],
    (g, r) => {
      for (const [model, v] of versionsOf(r)) {
        for (const [statistic, x] of Object.entries(v.input.psi)) if (x !== null) g.set({ model, version: v.version, serving: String(v.serving), statistic }, x);
      }
    },
  );
  gauge('cataract_drift_ensemble_answers', 'Ensemble answers in the drift window on which both lgbm and clip answered', [], (g, r) => g.set(r.ensemble.answers));
  gauge('cataract_drift_disagreement_rate', 'Share of those on which lgbm and clip gave different labels', [], (g, r) => {
    if (r.ensemble.disagreement_rate !== null) g.set(r.ensemble.disagreement_rate);
  });
}

function versionsOf(r: DriftStatus): Array<[string, DriftVersion]> {
  return Object.entries(r.models).flatMap(([model, section]) => (section?.versions ?? []).map((v): [string, DriftVersion] => [model, v]));
}
