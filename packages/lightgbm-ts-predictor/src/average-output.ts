/**
 * Whether a random-forest (`average_output`) model's averaged scores go through the objective's
 * transform, which depends on the LightGBM release that wrote the file.
 *
 * LightGBM before 2.2.3 (GBDT::Predict in src/boosting/gbdt_prediction.cpp) did
 *   `if (average_output_) output /= n; else if (objective_function_) ConvertOutput(output)`
 * so an averaged model's prediction was the plain average of its raw tree outputs: no sigmoid,
 * softmax or exp (LightGBM issue #1843). Release 2.2.3 (PR #1906, "Fix bugs in RF") made it
 * average *then* convert, which is what 3.x and 4.x do. Files from 3.x and 4.x say `version=v3`
 * or `v4`; `version=v2` was written by every 2.x release, before and after the change, and the
 * header holds no release number. Files written before 2.2.3 are the ones that need this rule at
 * all (a v2 RF file from 2.2.3-2.3.x is predicted the current way only when asked), so `v2` and
 * files without a `version=` line default to the old behaviour; PredictOptions
 * `averageOutputTransform` overrides it.
 */

/** Default for `average_output` models: true when the writer's LightGBM transformed the average. */
export function averagedOutputIsTransformed(version: string | undefined): boolean {
  return version !== undefined && version !== 'v2';
}
