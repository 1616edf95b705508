import { COMPOSE, docker, sh } from './docker';

export type Service = 'redis' | 'gateway' | 'clip-actor' | 'lgbm-actor' | 'nginx';

/** One compose project of the suite: `docker-compose -p NAME` with the suite's environment. */
export class ComposeProject {
  constructor(
    readonly name: string,
    readonly env: NodeJS.ProcessEnv,
  ) {}

  run(args: string[], extraEnv: NodeJS.ProcessEnv = {}, timeoutMs = 300_000): Promise<string> {
    return sh(COMPOSE, ['-p', this.name, ...args], { env: { ...this.env, ...extraEnv }, timeoutMs }).then((r) => r.stdout);
  }

  /** Running container ids (= their hostnames) of a service, sorted. */
  async containers(service?: Service): Promise<string[]> {
    const filters = ['--filter', `label=com.docker.compose.project=${this.name}`];
    if (service) filters.push('--filter', `label=com.docker.compose.service=${service}`);
    const out = await docker(['ps', '-q', ...filters]);
    return out.split('\n').filter(Boolean).sort();
  }

  /** Container id -> "service startedAt restartCount health". */
  async states(): Promise<Map<string, { service: string; startedAt: string; restarts: number; health: string }>> {
    const ids = await this.containers();
    const out = new Map<string, { service: string; startedAt: string; restarts: number; health: string }>();
    if (ids.length === 0) return out;
    const fmt = '{{.Id}} {{index .Config.Labels "com.docker.compose.service"}} {{.State.StartedAt}} {{.RestartCount}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}';
    for (const line of (await docker(['inspect', '-f', fmt, ...ids])).split('\n')) {
      const [id, service, startedAt, restarts, health] = line.split(' ');
      out.set(id.slice(0, 12), { service, startedAt, restarts: Number(restarts), health });
    }
    return out;
  }
}
