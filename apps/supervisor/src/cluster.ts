import type { Logger } from 'pino';
import type { ModelType } from '@cataract/contracts';
import { Backoff } from './backoff';
import { SupervisedChild, type ChildSpec } from './child-process';
import type { SupervisorConfig } from './config';
import type { ModelPresence } from './models';
import type { EmbeddedRedis } from './redis-bootstrap';
import { PARENT_WATCH_PRELOAD } from './runtime-files';

export interface ClusterPlan {
  /** Model types that get actors (present on disk and wanted), in the order of SERVED_MODELS. */
  served: ModelType[];
  gateway: ChildSpec;
  actors: ChildSpec[];
}

/**
 * What to run: one gateway, N actors per served model type, all pointed at the same Redis.
 * `extraEnv` (set-up problems and their work-arounds, setup-check.ts) goes to every child.
 */
export function planCluster(config: SupervisorConfig, models: ModelPresence[], redisUrl: string, extraEnv: NodeJS.ProcessEnv = {}): ClusterPlan {
  const served = models.filter((m) => m.present && config.actors[m.type] > 0).map((m) => m.type);
  const common: NodeJS.ProcessEnv = {
    ...process.env,
    ...extraEnv,
    PORT: String(config.port),
    REDIS_URL: redisUrl,
    MODELS_DIR: config.modelsDir,
    SERVED_MODELS: served.join(','),
    SUPERVISOR_PID: String(process.pid),
    SUPERVISOR_SHUTDOWN_GRACE_MS: String(config.shutdownGraceMs),
  };
  const node = (entry: string, args: string[] = []) => [...['--require', PARENT_WATCH_PRELOAD], entry, ...args];
  const gateway: ChildSpec = {
    name: 'gateway',
    command: process.execPath,
    args: node(config.gatewayEntry),
    env: { ...common, SUPERVISOR_CHILD_NAME: 'gateway' },
  };
  const actors = served.flatMap((type) =>
    Array.from({ length: config.actors[type] }, (_, i): ChildSpec => {
      const name = `${type}-actor-${i + 1}`;
      return {
        name,
        command: process.execPath,
        args: node(config.actorEntry, ['--model', type]),
        env: { ...common, SUPERVISOR_CHILD_NAME: name },
      };
    }),
  );
  return { served, gateway, actors };
}

/** The running cluster: supervised children plus the embedded Redis when one was started. */
export class Cluster {
  readonly gateway: SupervisedChild;
  readonly actors: SupervisedChild[];

  constructor(
    plan: ClusterPlan,
    config: SupervisorConfig,
    log: Logger,
    readonly redis?: EmbeddedRedis,
  ) {
    const supervise = (spec: ChildSpec) => new SupervisedChild(spec, new Backoff(config.restart), log);
    this.gateway = supervise(plan.gateway);
    this.actors = plan.actors.map(supervise);
  }

  /** Actors first, so the gateway's /health turns ok as soon as it listens. */
  start(): void {
    for (const actor of this.actors) actor.start();
    this.gateway.start();
  }

  get children(): SupervisedChild[] {
    return [this.gateway, ...this.actors];
  }

  /** Synchronous SIGKILL of everything, for crashes and forced exits. */
  killAll(): void {
    for (const child of this.children) child.kill();
    this.redis?.kill();
  }
}
