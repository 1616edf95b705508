/**
 * The header of a LightGBM text model: the `key=value` lines between the model type line and the
 * first tree, as GBDT::LoadModelFromString (src/boosting/gbdt_model_text.cpp) reads them.
 */
import { ModelFormatError, UnsupportedModelError } from './errors';
import { clip, Field, intValue } from './model-fields';
import { NO_OBJECTIVE, Objective, parseObjective } from './objective';
import { parseIntToken, splitList } from './text-numbers';

export const SUPPORTED_VERSIONS: readonly string[] = ['v2', 'v3', 'v4'];

export interface ModelHeader {
  /** `version=` value (`v2`, `v3`, `v4`); undefined for files that predate the line. */
  readonly version: string | undefined;
  readonly numClass: number;
  /** Trees per boosting iteration (= num_class for multiclass). */
  readonly numTreePerIteration: number;
  readonly labelIndex: number;
  readonly maxFeatureIdx: number;
  /** Random forest: average the trees of the used iterations before the output transform. */
  readonly averageOutput: boolean;
  readonly objective: Objective;
  readonly featureNames: readonly string[];
  /** Byte size of each `Tree=` block, when the file has `tree_sizes=`. */
  readonly treeSizes: readonly number[] | undefined;
}

export function parseHeader(fields: Map<string, Field>, firstTreeLine: number): ModelHeader {
  const version = fields.get('version');
  if (version !== undefined && !SUPPORTED_VERSIONS.includes(version.value)) {
    throw new UnsupportedModelError(
      `unsupported model format version "${version.value}" (supported: ${SUPPORTED_VERSIONS.join(', ')})`,
      version.line,
    );
  }
  const requiredInt = (key: string, min: number): number => {
    const field = fields.get(key);
    if (field === undefined) throw new ModelFormatError(`header has no ${key}= line`, firstTreeLine);
    return intValue(field, key, min);
  };
  const numClass = requiredInt('num_class', 1);
  const ntpiField = fields.get('num_tree_per_iteration');
  const numTreePerIteration = ntpiField === undefined ? numClass : intValue(ntpiField, 'num_tree_per_iteration', 1);
  const labelIndex = requiredInt('label_index', -1);
  const maxFeatureIdx = requiredInt('max_feature_idx', 0);
  const numFeatures = maxFeatureIdx + 1;

  const namesField = fields.get('feature_names');
  const featureNames = namesField === undefined ? [] : splitList(namesField.value);
  if (namesField !== undefined && featureNames.length !== numFeatures) {
    throw new ModelFormatError(
      `feature_names has ${featureNames.length} names but max_feature_idx=${maxFeatureIdx} means ${numFeatures}`,
      namesField.line,
    );
  }
  const infosField = fields.get('feature_infos');
  if (infosField !== undefined && splitList(infosField.value).length !== numFeatures) {
    throw new ModelFormatError(
      `feature_infos has ${splitList(infosField.value).length} entries, expected ${numFeatures}`,
      infosField.line,
    );
  }

  const objectiveField = fields.get('objective');
  const objective = objectiveField === undefined ? NO_OBJECTIVE : parseObjective(objectiveField.value, objectiveField.line);
  if (objective.numOutputs !== undefined && objective.transform !== 'identity') {
    const where = (objectiveField as Field).line;
    if (objective.numOutputs !== numTreePerIteration) {
      throw new ModelFormatError(
        `objective "${objective.text}" produces ${objective.numOutputs} output(s) but num_tree_per_iteration=${numTreePerIteration}`,
        where,
      );
    }
    if (objective.numOutputs > 1 && objective.numOutputs !== numClass) {
      throw new ModelFormatError(`objective "${objective.text}" disagrees with num_class=${numClass}`, where);
    }
  }

  const sizesField = fields.get('tree_sizes');
  let treeSizes: number[] | undefined;
  if (sizesField !== undefined) {
    treeSizes = splitList(sizesField.value).map((token) => {
      const size = parseIntToken(token);
      if (size === undefined || size < 1) {
        throw new ModelFormatError(`tree_sizes entry "${clip(token)}" is not a positive integer`, sizesField.line);
      }
      return size;
    });
  }

  return {
    version: version?.value,
    numClass,
    numTreePerIteration,
    labelIndex,
    maxFeatureIdx,
    averageOutput: fields.has('average_output'),
    objective,
    featureNames,
    treeSizes,
  };
}
