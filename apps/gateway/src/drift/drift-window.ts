import { INPUT_STATISTIC_NAMES, InputStatsRecord, KEY_NAMESPACE, ModelType, isModelType, PredictJobResult } from '@cataract/contracts';
import type { Redis } from '@cataract/service-kit';

/**
 * The rolling window drift monitoring reads, kept in Redis so every gateway worker and replica
 * records into and reads the same one. Bounded by construction: per model version one list of at
 * most N answers (newest first, LTRIM), one list of at most N ensemble comparisons, per model
 * version two sorted sets of at most N reviewed request ids (correct, wrong); every key expires
 * when nothing has been written to it for the time bound (plus an hour), or 30 days without one.
 * Entries older than the time bound are skipped when read.
 *
 *   drift:versions                      zset "<type>:<version>" -> last write (ms): what to read
 *   drift:answers:<type>:<version>      list "ms|positive|long_side|brightness|colourfulness|sharpness"
 *   drift:ensemble                      list "ms|1 when lgbm and clip disagreed, else 0"
 *   drift:reviews:<type>:<version>:ok   zset request id -> review time (ms); ":wrong" likewise
 *
 * Recording an answer is LPUSH + LTRIM sent back to back without waiting (one round trip, Redis
 * pipelining on the wire): it never delays or fails an answer. Not an ioredis pipeline(): on the
 * gateway's request connection each Pipeline copies the 64 scripts BullMQ defines there, which
 * made a recording cost more client CPU than the request's own Redis work. The key's expiry and
 * its entry in the index are refreshed by each worker at most every REFRESH interval (a tenth of
 * the time bound, at most a minute), not on every answer.
 */
const PREFIX = `${KEY_NAMESPACE}:drift`;
export const driftKeys = {
  versions: `${PREFIX}:versions`,
  answers: (model: ModelType, version: string) => `${PREFIX}:answers:${model}:${version}`,
  ensemble: `${PREFIX}:ensemble`,
  reviews: (model: ModelType, version: string, verdict: 'ok' | 'wrong') => `${PREFIX}:reviews:${model}:${version}:${verdict}`,
} as const;

export interface AnswerSample {
  at: number;
  positive: boolean;
  stats?: InputStatsRecord;
}

export interface VersionWindow {
  model: ModelType;
  version: string;
  answers: AnswerSample[];
  reviews: { correct: number; wrong: number };
}

export interface WindowSnapshot {
  versions: VersionWindow[];
  ensemble: Array<{ at: number; disagree: boolean }>;
}

/** One reviewed label of one model version's answer to one request. */
export interface ReviewEntry {
  model: ModelType;
  version: string;
  requestId: string;
  correct: boolean;
}

export interface DriftWindowOptions {
  windowAnswers: number;
  /** 0: no time bound. */
  windowHours: number;
  now?: () => number;
  /** A recording that failed (Redis down): logged by the caller, never thrown. */
  onError?: (err: Error) => void;
}

const THIRTY_DAYS_MS = 30 * 24 * 3600_000;
const MAX_REFRESH_MS = 60_000;

/** Six significant figures: enough for binning, a third of the bytes of a full double. */
const compact = (v: number) => Number(v.toPrecision(6));

export class DriftWindow {
  private readonly now: () => number;
  private readonly ttlMs: number;
  private readonly refreshMs: number;
  /** When this worker last refreshed a key's expiry (and index entry). */
  private readonly refreshed = new Map<string, number>();

  constructor(
    private readonly redis: Redis,
    private readonly opts: DriftWindowOptions,
  ) {
    this.now = opts.now ?? Date.now;
    this.ttlMs = opts.windowHours > 0 ? Math.ceil(opts.windowHours * 3600_000) + 3600_000 : THIRTY_DAYS_MS;
    this.refreshMs = opts.windowHours > 0 ? Math.min(MAX_REFRESH_MS, (opts.windowHours * 3600_000) / 10) : MAX_REFRESH_MS;
  }

  /** One model's answer (refusals are not answers: the actor saw no image it could read). */
  recordAnswer(model: ModelType, result: PredictJobResult): void {
    if (result.status !== 'ok') return;
    const at = this.now();
    const s = result.input_stats;
    const fields = [at, result.prediction === 'cataract' ? 1 : 0, ...(s ? INPUT_STATISTIC_NAMES.map((k) => compact(s[k])) : [])];
    const key = driftKeys.answers(model, result.model_version);
    const sent = [this.redis.lpush(key, fields.join('|')), this.redis.ltrim(key, 0, this.opts.windowAnswers - 1)];
    if (this.due(key, at)) {
      sent.push(
        this.redis.pexpire(key, this.ttlMs),
        this.redis.zadd(driftKeys.versions, at, `${model}:${result.model_version}`),
        this.redis.pexpire(driftKeys.versions, this.ttlMs),
      );
    }
    this.send(sent);
  }

  /** An ensemble answer on which both members answered: did their labels differ? */
  recordEnsemble(disagree: boolean): void {
    const key = driftKeys.ensemble;
    const at = this.now();
    const sent = [this.redis.lpush(key, `${at}|${disagree ? 1 : 0}`), this.redis.ltrim(key, 0, this.opts.windowAnswers - 1)];
    if (this.due(key, at)) sent.push(this.redis.pexpire(key, this.ttlMs));
    this.send(sent);
  }

  /**
   * Reviewed labels: a request's review replaces its earlier one (a corrected label moves the
   * request id from one set to the other), so a replaced review is never counted twice.
   */
  recordReviews(entries: readonly ReviewEntry[]): Promise<void> {
    if (entries.length === 0) return Promise.resolve();
    const at = this.now();
    const p = this.redis.pipeline();
    for (const e of entries) {
      const [into, from] = e.correct ? (['ok', 'wrong'] as const) : (['wrong', 'ok'] as const);
      const kept = driftKeys.reviews(e.model, e.version, into);
      p.zadd(kept, at, e.requestId)
        .zrem(driftKeys.reviews(e.model, e.version, from), e.requestId)
        .zremrangebyrank(kept, 0, -(this.opts.windowAnswers + 1))
        .pexpire(kept, this.ttlMs)
        .zadd(driftKeys.versions, at, `${e.model}:${e.version}`);
    }
    p.pexpire(driftKeys.versions, this.ttlMs);
    return p.exec().then(firstError).then((err) => {
      if (err) throw err;
    });
  }

  /** Everything in the window: two round trips whatever its size. */
  async read(): Promise<WindowSnapshot> {
    const since = this.opts.windowHours > 0 ? this.now() - this.opts.windowHours * 3600_000 : -Infinity;
    const min = Number.isFinite(since) ? String(Math.floor(since)) : '-inf';
    const members = (await this.redis.zrangebyscore(driftKeys.versions, min, '+inf')).flatMap((m) => {
      const cut = m.indexOf(':');
      const model = m.slice(0, cut);
      return isModelType(model) ? [{ model, version: m.slice(cut + 1) }] : [];
    });
    const p = this.redis.pipeline();
    if (Number.isFinite(since)) p.zremrangebyscore(driftKeys.versions, '-inf', `(${min}`);
    for (const { model, version } of members) {
      p.lrange(driftKeys.answers(model, version), 0, this.opts.windowAnswers - 1)
        .zcount(driftKeys.reviews(model, version, 'ok'), min, '+inf')
        .zcount(driftKeys.reviews(model, version, 'wrong'), min, '+inf');
    }
    p.lrange(driftKeys.ensemble, 0, this.opts.windowAnswers - 1);
    const replies = (await p.exec()) ?? [];
    const values = replies.map(([err, v]) => {
      if (err) throw err;
      return v;
    });
    if (Number.isFinite(since)) values.shift();
    const versions = members.map(({ model, version }, i): VersionWindow => {
      const [list, ok, wrong] = values.slice(i * 3, i * 3 + 3) as [string[], number, number];
      return { model, version, answers: list.map(parseAnswer).filter((a): a is AnswerSample => a !== undefined && a.at >= since), reviews: { correct: ok, wrong } };
    });
    const ensemble = (values[values.length - 1] as string[])
      .map((e) => e.split('|'))
      .map(([at, d]) => ({ at: Number(at), disagree: d === '1' }))
      .filter((e) => Number.isFinite(e.at) && e.at >= since);
    return { versions, ensemble };
  }

  /** True when `key`'s expiry is this worker's to refresh now (first write, or REFRESH passed). */
  private due(key: string, at: number): boolean {
    const last = this.refreshed.get(key);
    if (last !== undefined && at - last < this.refreshMs) return false;
    this.refreshed.set(key, at);
    return true;
  }

  /** Commands already written to the connection: their first failure (Redis down) is reported once. */
  private send(sent: Array<Promise<unknown>>): void {
    Promise.all(sent).catch((err: Error) => {
      this.opts.onError?.(err);
    });
  }
}

/** A pipeline resolves even when its commands failed (e.g. Redis unreachable): the first command error. */
function firstError(replies: Array<[Error | null, unknown]> | null): Error | undefined {
  return replies?.find(([err]) => err)?.[0] ?? undefined;
}

/** An answers-list entry back as a sample; a malformed one (another build's format) is skipped. */
export function parseAnswer(entry: string): AnswerSample | undefined {
  const f = entry.split('|').map(Number);
  if (f.length < 2 || !f.every(Number.isFinite)) return undefined;
  const sample: AnswerSample = { at: f[0], positive: f[1] === 1 };
  if (f.length === 2 + INPUT_STATISTIC_NAMES.length) {
    sample.stats = Object.fromEntries(INPUT_STATISTIC_NAMES.map((k, i) => [k, f[2 + i]])) as InputStatsRecord;
  }
  return sample;
}
