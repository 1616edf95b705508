import { decide, InputStatsRecord, LightgbmManifest } from '@cataract/contracts';
import { assertFeatureSet, decodeWorkingImage, featuresFromWorkingImage, inputStatsOfRgb, LGBM_FEATURE_SET, LGBM_STATS_VIEW, sourceSizeOf } from '@cataract/imaging';
import { LightGBMModel, loadModel } from 'lightgbm-ts-predictor';
import { IncompatibleModelError, RuntimeNotLoadedError } from '../errors';
import type { LoadedModelFiles } from '../manifest';
import { recallFeatures, rememberFeatures } from './feature-memo';
import { measured } from './input-stats';
import type { ModelRuntime, RuntimeOptions, RuntimeOutcome } from './runtime';

/**
 * LightGBM text model on imaging's lgbm feature set. Feature extraction (decode + resize in
 * sharp's thread pool, then arithmetic on a small working image) dominates; the tree walk is
 * microseconds, so batching brings nothing and inputs are processed concurrently instead.
 */
export class LightgbmRuntime implements ModelRuntime {
  readonly kind = 'lightgbm' as const;
  readonly preferredBatchSize = 1;
  private model: LightGBMModel | undefined;

  constructor(
    private readonly files: LoadedModelFiles & { manifest: LightgbmManifest },
    private readonly opts: RuntimeOptions = {},
  ) {}

  async load(): Promise<void> {
    const { manifest, bytes } = this.files;
    assertFeatureSet(manifest.feature_set); // refuses a model trained on other features
    const model = loadModel(bytes.toString('utf8'));
    if (model.numOutputs !== 1 || model.objective.transform !== 'sigmoid') {
      throw new IncompatibleModelError(
        `expected a binary LightGBM model (objective binary), got objective '${model.objective.text}' with ${model.numOutputs} outputs`,
      );
    }
    const expected = LGBM_FEATURE_SET.names.length;
    if (model.numFeatures > expected) {
      throw new IncompatibleModelError(`model reads ${model.numFeatures} features, feature set ${LGBM_FEATURE_SET.name} has ${expected}`);
    }
    // Fail now, not on the first request: the model must answer a probability for a feature row.
    const probe = model.predict(new Float64Array(expected));
    decide(probe[0], manifest.threshold);
    this.model = model;
  }

  async predict(inputs: readonly Buffer[]): Promise<RuntimeOutcome[]> {
    const model = this.model;
    if (!model) throw new RuntimeNotLoadedError();
    return Promise.all(
      inputs.map(async (buf): Promise<RuntimeOutcome> => {
        try {
          const t0 = performance.now();
          let features = recallFeatures(buf);
          let inputStats: InputStatsRecord | undefined;
          if (!features) {
            const limits = { maxPixels: this.opts.maxPixels };
            // extractLgbmFeatures' two steps, so the input statistics read the same working square
            // (a shadow copy reuses the features and reports none: its answers are only compared).
            const working = await decodeWorkingImage(buf, limits);
            features = featuresFromWorkingImage(working);
            rememberFeatures(buf, features);
            inputStats = measured(() => inputStatsOfRgb(working, LGBM_STATS_VIEW.width, LGBM_STATS_VIEW.height, sourceSizeOf(buf, limits)));
          }
          const t1 = performance.now();
          const p = model.predict(features)[0];
          const timings = { preprocessMs: t1 - t0, inferenceMs: performance.now() - t1, batchSize: 1 };
          return { ok: true, probabilities: { cataract: p, normal: 1 - p }, timings, inputStats };
        } catch (err) {
          return { ok: false, error: err as Error };
        }
      }),
    );
  }

  async close(): Promise<void> {
    this.model = undefined;
  }
}
