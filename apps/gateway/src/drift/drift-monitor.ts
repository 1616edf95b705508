import type { DriftStatus, ModelType } from '@cataract/contracts';
import { driftReport } from './drift-report';
import type { DriftSettings } from './drift-settings';
import type { DriftWindow } from './drift-window';
import type { VersionBaseline, VersionBaselines } from './version-baselines';

export interface DriftMonitorDeps {
  window: Pick<DriftWindow, 'read'>;
  baselines: Pick<VersionBaselines, 'get'>;
  /** The version a type serves now (the cluster's model state, else the store's default). */
  servingVersion: (model: ModelType) => Promise<string | undefined>;
  /** Types the deployment serves: reported even before their first answer. */
  servedModels: readonly ModelType[];
  settings: DriftSettings;
  /**
   * A report is reused this long: /drift_status may be called anonymously and every worker of
   * every gateway answers /metrics scrapes from it, so Redis reads the window at most once per
   * interval per worker, however often it is asked.
   */
  cacheMs?: number;
  now?: () => number;
}

/** The read side of drift monitoring: the current report, from the shared window, cached briefly. */
export class DriftMonitor {
  private cached: { at: number; report: Promise<DriftStatus> } | undefined;

  constructor(private readonly deps: DriftMonitorDeps) {}

  get settings(): DriftSettings {
    return this.deps.settings;
  }

  /** The whole report; rejects when Redis cannot be read (the route answers 503). */
  status(): Promise<DriftStatus> {
    const now = (this.deps.now ?? Date.now)();
    if (this.cached && now - this.cached.at < (this.deps.cacheMs ?? 2000)) return this.cached.report;
    const report = this.build(now);
    this.cached = { at: now, report };
    report.catch(() => {
      if (this.cached?.report === report) this.cached = undefined; // a failed read is not reused
    });
    return report;
  }

  private async build(now: number): Promise<DriftStatus> {
    const snapshot = await this.deps.window.read();
    const models = [...new Set<ModelType>([...this.deps.servedModels, ...snapshot.versions.map((v) => v.model)])];
    const serving: Partial<Record<ModelType, string>> = {};
    await Promise.all(
      models.map(async (m) => {
        const v = await this.deps.servingVersion(m).catch(() => undefined);
        if (v) serving[m] = v;
      }),
    );
    const baselines = new Map<string, VersionBaseline>();
    const pairs = models.flatMap((m) => [...new Set([...snapshot.versions.filter((v) => v.model === m).map((v) => v.version), ...(serving[m] ? [serving[m]] : [])])].map((v) => [m, v] as const));
    await Promise.all(pairs.map(async ([m, v]) => baselines.set(`${m}:${v}`, await this.deps.baselines.get(m, v))));
    return driftReport({
      snapshot,
      models,
      serving,
      baseline: (m, v) => baselines.get(`${m}:${v}`) ?? {},
      settings: this.deps.settings,
      now: new Date(now),
    });
  }
}
