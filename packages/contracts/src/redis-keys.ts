import type { ModelType } from './model-types';

/** Namespace of the cluster's own Redis keys (BullMQ's live under BULL_PREFIX). */
export const KEY_NAMESPACE = 'cataract';

/** What redisKeys.upload names: the namespace, `upload:` and a short id of letters, digits and dashes (a UUID). */
export const UPLOAD_KEY_PATTERN = new RegExp(`^${KEY_NAMESPACE}:upload:[A-Za-z0-9-]{1,64}$`);

export const redisKeys = {
  /** Raw image bytes of one request, with a TTL just past its deadline. */
  upload: (uploadId: string) => `${KEY_NAMESPACE}:upload:${uploadId}`,
  /** One actor's heartbeat (JSON, expires). */
  actor: (model: ModelType, actorId: string) => `${KEY_NAMESPACE}:actors:${model}:${actorId}`,
  /** Set of actor ids of a model type that have beaten at least once; stale members are pruned by readers. */
  actorIndex: (model: ModelType) => `${KEY_NAMESPACE}:actors:${model}`,
  /** Which versions of a model type serve (JSON ModelState, see model-state.ts); absent: the store's default. */
  modelState: (model: ModelType) => `${KEY_NAMESPACE}:models:${model}:state`,
  /** A version the actors of a type load and warm ahead of a promotion (JSON, expires). */
  modelPrepare: (model: ModelType) => `${KEY_NAMESPACE}:models:${model}:prepare`,
  /** Shadow comparison counters of one shadow version (hash: compared, agreed, by label). */
  shadowStats: (model: ModelType, version: string) => `${KEY_NAMESPACE}:models:${model}:shadow:${version}`,
  /** Pub/sub channel on which a change of any type's model state is announced (message: the type). */
  modelStateChannel: `${KEY_NAMESPACE}:models:changed`,
  /** Pub/sub channel of one gateway worker. */
  replyChannel: (gatewayInstanceId: string) => `${KEY_NAMESPACE}:replies:${gatewayInstanceId}`,
} as const;
