/**
 * One `Tree=` block of a LightGBM text model, as Tree::Tree(const char*, size_t*) (src/io/tree.cpp)
 * reads it, stricter where LightGBM would read garbage (array lengths, child indices).
 */
import { ModelFormatError } from './errors';
import { doubles, Field, intValue, ints, uint32s } from './model-fields';
import type { ModelHeader } from './model-header';

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

export function parseTree(index: number, line: number, fields: Map<string, Field>, header: ModelHeader): ParsedTree {
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
