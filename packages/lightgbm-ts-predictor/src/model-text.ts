/**
 * Parser for LightGBM's text model format (`model.txt`, `version=v2`..`v4`), following
 * GBDT::LoadModelFromString (src/boosting/gbdt_model_text.cpp) and Tree::Tree(const char*, size_t*)
 * (src/io/tree.cpp). It is stricter than LightGBM where LightGBM would read garbage (array
 * lengths, child indices, truncated files) and every complaint carries the 1-based line number.
 */
import { ModelFormatError, UnsupportedModelError } from './errors';
import { NO_OBJECTIVE, Objective, parseObjective } from './objective';
import { parseDoubleToken, parseIntToken, splitList } from './text-numbers';

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

/** Linear-leaf model of one tree (`is_linear=1`): leaf output = const + sum(coeff * x[feature]). */
export interface ParsedLinearLeaves {
  readonly leafConst: Float64Array;
  /** Per leaf: how many features its linear model uses. */
  readonly numFeatures: Int32Array;
  /** All leaves' feature indices, concatenated in leaf order. */
  readonly features: Int32Array;
  /** All leaves' coefficients, aligned with `features`. */
  readonly coeff: Float64Array;
}

export interface ParsedTree {
  /** 0-based tree index (the `Tree=` number). */
  readonly index: number;
  /** 1-based line of the `Tree=` header. */
  readonly line: number;
  readonly numLeaves: number;
  readonly numCat: number;
  /** Internal nodes (numLeaves - 1 entries each). Children: >= 0 internal node, < 0 is ~leaf. */
  readonly splitFeature: Int32Array;
  readonly threshold: Float64Array;
  readonly decisionType: Uint8Array;
  readonly leftChild: Int32Array;
  readonly rightChild: Int32Array;
  /** numLeaves entries; shrinkage is already applied by LightGBM. */
  readonly leafValue: Float64Array;
  /** numCat + 1 word offsets into catThreshold. */
  readonly catBoundaries: Int32Array;
  /** Categorical bitsets, 32-bit words. */
  readonly catThreshold: Uint32Array;
  readonly linear: ParsedLinearLeaves | undefined;
}

export interface ParsedModel {
  readonly header: ModelHeader;
  readonly trees: readonly ParsedTree[];
}

interface Field {
  readonly value: string;
  readonly line: number;
}

const END_OF_TREES = 'end of trees';
const TREE_PREFIX = 'Tree=';
const UINT32 = /^\d+$/;

export function parseModelText(text: string): ParsedModel {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i] as string;
    if (l.endsWith('\r')) lines[i] = l.slice(0, -1);
  }
  // A trailing newline yields one empty last element, which is not a line of the file.
  const lineCount = lines.length > 0 && lines[lines.length - 1] === '' ? lines.length - 1 : lines.length;

  let i = 0;
  while (i < lineCount && lines[i] === '') i++;
  if (i >= lineCount) throw new ModelFormatError('empty model file', 1);
  if (lines[i] !== 'tree') {
    throw new ModelFormatError(
      `expected the model type line "tree" (a LightGBM text model), found "${clip(lines[i] as string)}"`,
      i + 1,
    );
  }
  i++;

  // Header: key=value lines (and bare flags such as `average_output`) up to the first tree.
  const fields = new Map<string, Field>();
  for (; i < lineCount; i++) {
    const line = lines[i] as string;
    if (line === '') continue;
    if (line.startsWith(TREE_PREFIX) || line === END_OF_TREES) break;
    const eq = line.indexOf('=');
    if (eq < 0) fields.set(line, { value: '', line: i + 1 });
    else fields.set(line.slice(0, eq), { value: line.slice(eq + 1), line: i + 1 });
  }
  if (i >= lineCount) {
    throw new ModelFormatError(`truncated model: no "Tree=" block and no "${END_OF_TREES}" line`, lineCount);
  }
  const header = parseHeader(fields, i + 1);

  const trees: ParsedTree[] = [];
  const blockSizes: number[] = [];
  for (;;) {
    while (i < lineCount && lines[i] === '') i++;
    if (i >= lineCount) {
      throw new ModelFormatError(
        `truncated model: missing "${END_OF_TREES}" after ${trees.length} tree(s)`,
        Math.max(lineCount, 1),
      );
    }
    const line = lines[i] as string;
    if (line === END_OF_TREES) break;
    if (!line.startsWith(TREE_PREFIX)) {
      throw new ModelFormatError(`expected "Tree=${trees.length}" or "${END_OF_TREES}", found "${clip(line)}"`, i + 1);
    }
    const number = parseIntToken(line.slice(TREE_PREFIX.length));
    if (number !== trees.length) {
      throw new ModelFormatError(`expected "Tree=${trees.length}", found "${clip(line)}"`, i + 1);
    }
    const start = i;
    const treeFields = new Map<string, Field>();
    for (i++; i < lineCount; i++) {
      const body = lines[i] as string;
      if (body === '') break;
      if (body.startsWith(TREE_PREFIX) || body === END_OF_TREES) break;
      const eq = body.indexOf('=');
      if (eq <= 0) throw new ModelFormatError(`tree ${number}: expected key=value, found "${clip(body)}"`, i + 1);
      treeFields.set(body.slice(0, eq), { value: body.slice(eq + 1), line: i + 1 });
    }
    while (i < lineCount && lines[i] === '') i++;
    // LightGBM's tree_sizes count the block's bytes: header, body and the blank lines after it.
    let bytes = 0;
    for (let j = start; j < i; j++) bytes += (lines[j] as string).length + 1;
    blockSizes.push(bytes);
    trees.push(parseTree(number, start + 1, treeFields, header));
  }

  if (header.treeSizes !== undefined) {
    if (header.treeSizes.length !== trees.length) {
      throw new ModelFormatError(
        `tree_sizes lists ${header.treeSizes.length} trees but the file has ${trees.length}`,
        fieldLine(fields, 'tree_sizes'),
      );
    }
    // LightGBM finds tree t at the sum of the sizes before it, so every size but the last one
    // must be exact; a mismatch means an edited or damaged file that LightGBM would misread.
    for (let t = 0; t + 1 < trees.length; t++) {
      if (header.treeSizes[t] !== blockSizes[t]) {
        throw new ModelFormatError(
          `tree ${t} block is ${blockSizes[t]} bytes but tree_sizes says ${header.treeSizes[t]} (edited or damaged file)`,
          (trees[t] as ParsedTree).line,
        );
      }
    }
  }
  if (trees.length % header.numTreePerIteration !== 0) {
    throw new ModelFormatError(
      `${trees.length} trees is not a whole number of iterations of num_tree_per_iteration=${header.numTreePerIteration}`,
      i + 1,
    );
  }
  return { header, trees };
}

function parseHeader(fields: Map<string, Field>, firstTreeLine: number): ModelHeader {
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

function parseTree(index: number, line: number, fields: Map<string, Field>, header: ModelHeader): ParsedTree {
  const where = `tree ${index}`;
  const need = (key: string): Field => {
    const field = fields.get(key);
    if (field === undefined) throw new ModelFormatError(`${where}: missing ${key}=`, line);
    return field;
  };

  const numLeaves = intValue(need('num_leaves'), `${where} num_leaves`, 1);
  // Single-leaf trees written by some tools carry only num_leaves and leaf_value.
  const numCatField = fields.get('num_cat');
  const numCat = numCatField === undefined ? 0 : intValue(numCatField, `${where} num_cat`, 0);
  const leafValue = doubles(need('leaf_value'), numLeaves, `${where} leaf_value`, 'num_leaves');
  const isLinearField = fields.get('is_linear');
  const isLinear = isLinearField === undefined ? false : intValue(isLinearField, `${where} is_linear`, 0) !== 0;

  const internal = numLeaves - 1;
  let splitFeature: Int32Array = new Int32Array(0);
  let threshold: Float64Array = new Float64Array(0);
  let decisionType: Uint8Array = new Uint8Array(0);
  let leftChild: Int32Array = new Int32Array(0);
  let rightChild: Int32Array = new Int32Array(0);
  let catBoundaries: Int32Array = new Int32Array(1);
  let catThreshold: Uint32Array = new Uint32Array(0);

  if (internal > 0) {
    splitFeature = ints(need('split_feature'), internal, `${where} split_feature`, 'num_leaves-1', 0, header.maxFeatureIdx);
    threshold = doubles(need('threshold'), internal, `${where} threshold`, 'num_leaves-1');
    leftChild = ints(need('left_child'), internal, `${where} left_child`, 'num_leaves-1', -numLeaves, internal - 1);
    rightChild = ints(need('right_child'), internal, `${where} right_child`, 'num_leaves-1', -numLeaves, internal - 1);
    const dtField = fields.get('decision_type');
    decisionType =
      dtField === undefined
        ? new Uint8Array(internal)
        : Uint8Array.from(ints(dtField, internal, `${where} decision_type`, 'num_leaves-1', 0, 127));
    checkTreeShape(index, line, numLeaves, leftChild, rightChild, fields);

    if (numCat > 0) {
      const boundariesField = need('cat_boundaries');
      catBoundaries = ints(boundariesField, numCat + 1, `${where} cat_boundaries`, 'num_cat+1', 0, 0x7fffffff);
      if (catBoundaries[0] !== 0) {
        throw new ModelFormatError(`${where}: cat_boundaries must start at 0`, boundariesField.line);
      }
      for (let c = 0; c < numCat; c++) {
        if ((catBoundaries[c + 1] as number) < (catBoundaries[c] as number)) {
          throw new ModelFormatError(`${where}: cat_boundaries must not decrease`, boundariesField.line);
        }
      }
      catThreshold = uint32s(need('cat_threshold'), catBoundaries[numCat] as number, `${where} cat_threshold`);
      for (let n = 0; n < internal; n++) {
        if (((decisionType[n] as number) & 1) === 0) continue;
        const catIdx = threshold[n] as number;
        if (!Number.isInteger(catIdx) || catIdx < 0 || catIdx >= numCat) {
          throw new ModelFormatError(
            `${where}: categorical node ${n} has threshold ${catIdx}, expected a bitset index in [0, ${numCat})`,
            (fields.get('threshold') as Field).line,
          );
        }
      }
    }
  }

  const linear = isLinear ? parseLinearLeaves(where, line, numLeaves, fields, header) : undefined;
  return {
    index,
    line,
    numLeaves,
    numCat,
    splitFeature,
    threshold,
    decisionType,
    leftChild,
    rightChild,
    leafValue,
    catBoundaries,
    catThreshold,
    linear,
  };
}

function parseLinearLeaves(
  where: string,
  line: number,
  numLeaves: number,
  fields: Map<string, Field>,
  header: ModelHeader,
): ParsedLinearLeaves {
  const constField = fields.get('leaf_const');
  const leafConst = constField === undefined ? new Float64Array(numLeaves) : doubles(constField, numLeaves, `${where} leaf_const`, 'num_leaves');
  const countField = fields.get('num_features');
  const numFeatures =
    countField === undefined ? new Int32Array(numLeaves) : ints(countField, numLeaves, `${where} num_features`, 'num_leaves', 0, 0x7fffffff);
  let total = 0;
  for (let l = 0; l < numLeaves; l++) total += numFeatures[l] as number;
  if (total === 0) return { leafConst, numFeatures, features: new Int32Array(0), coeff: new Float64Array(0) };

  const featuresField = fields.get('leaf_features');
  const coeffField = fields.get('leaf_coeff');
  if (featuresField === undefined || coeffField === undefined) {
    throw new ModelFormatError(`${where}: linear tree uses ${total} leaf features but leaf_features=/leaf_coeff= is missing`, line);
  }
  const features = ints(featuresField, total, `${where} leaf_features`, 'sum of num_features', 0, header.maxFeatureIdx);
  const coeff = doubles(coeffField, total, `${where} leaf_coeff`, 'sum of num_features');
  return { leafConst, numFeatures, features, coeff };
}

/**
 * Every internal node but the root and every leaf must be the child of exactly one node, and all
 * must hang from the root: otherwise the walk could loop or skip leaves.
 */
function checkTreeShape(
  index: number,
  line: number,
  numLeaves: number,
  left: Int32Array,
  right: Int32Array,
  fields: Map<string, Field>,
): void {
  const internal = numLeaves - 1;
  const nodeParents = new Int32Array(internal);
  const leafParents = new Int32Array(numLeaves);
  const childLine = (fields.get('left_child') as Field).line;
  for (let n = 0; n < internal; n++) {
    for (const child of [left[n] as number, right[n] as number]) {
      if (child >= 0) {
        if (child === 0) throw new ModelFormatError(`tree ${index}: node ${n} points back to the root`, childLine);
        nodeParents[child]++;
      } else {
        leafParents[~child]++;
      }
    }
  }
  for (let n = 1; n < internal; n++) {
    if (nodeParents[n] !== 1) {
      throw new ModelFormatError(`tree ${index}: node ${n} is the child of ${nodeParents[n]} nodes, expected 1`, childLine);
    }
  }
  for (let l = 0; l < numLeaves; l++) {
    if (leafParents[l] !== 1) {
      throw new ModelFormatError(`tree ${index}: leaf ${l} is the child of ${leafParents[l]} nodes, expected 1`, childLine);
    }
  }
  // With single parents everywhere, a cycle detached from the root is the only remaining defect.
  const stack = [0];
  let reached = 0;
  while (stack.length > 0) {
    const n = stack.pop() as number;
    reached++;
    if ((left[n] as number) >= 0) stack.push(left[n] as number);
    if ((right[n] as number) >= 0) stack.push(right[n] as number);
  }
  if (reached !== internal) {
    throw new ModelFormatError(`tree ${index}: only ${reached} of ${internal} internal nodes hang from the root`, line);
  }
}

function intValue(field: Field, what: string, min: number): number {
  const value = parseIntToken(field.value.trim());
  if (value === undefined) throw new ModelFormatError(`${what} "${clip(field.value)}" is not an integer`, field.line);
  if (value < min) throw new ModelFormatError(`${what}=${value} must be at least ${min}`, field.line);
  return value;
}

function ints(field: Field, expected: number, what: string, expectedName: string, min: number, max: number): Int32Array {
  const tokens = splitList(field.value);
  checkCount(tokens.length, expected, what, expectedName, field.line);
  const out = new Int32Array(expected);
  for (let k = 0; k < expected; k++) {
    const value = parseIntToken(tokens[k] as string);
    if (value === undefined) {
      throw new ModelFormatError(`${what}: value ${k + 1} "${clip(tokens[k] as string)}" is not an integer`, field.line);
    }
    if (value < min || value > max) {
      throw new ModelFormatError(`${what}: value ${k + 1} (${value}) is outside [${min}, ${max}]`, field.line);
    }
    out[k] = value;
  }
  return out;
}

function uint32s(field: Field, expected: number, what: string): Uint32Array {
  const tokens = splitList(field.value);
  checkCount(tokens.length, expected, what, 'the last cat_boundaries entry', field.line);
  const out = new Uint32Array(expected);
  for (let k = 0; k < expected; k++) {
    const token = tokens[k] as string;
    const value = UINT32.test(token) ? Number(token) : NaN;
    if (!(value <= 0xffffffff)) {
      throw new ModelFormatError(`${what}: value ${k + 1} "${clip(token)}" is not a 32-bit unsigned integer`, field.line);
    }
    out[k] = value;
  }
  return out;
}

function doubles(field: Field, expected: number, what: string, expectedName: string): Float64Array {
  const tokens = splitList(field.value);
  checkCount(tokens.length, expected, what, expectedName, field.line);
  const out = new Float64Array(expected);
  for (let k = 0; k < expected; k++) {
    const value = parseDoubleToken(tokens[k] as string);
    if (value === undefined) {
      throw new ModelFormatError(`${what}: value ${k + 1} "${clip(tokens[k] as string)}" is not a number`, field.line);
    }
    out[k] = value;
  }
  return out;
}

function checkCount(actual: number, expected: number, what: string, expectedName: string, line: number): void {
  if (actual !== expected) {
    throw new ModelFormatError(`${what} has ${actual} values, expected ${expectedName}=${expected}`, line);
  }
}

function fieldLine(fields: Map<string, Field>, key: string): number {
  return (fields.get(key) as Field).line;
}

/** Keep quoted file content short in messages. */
function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
