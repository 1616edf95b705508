/**
 * Parser for LightGBM's text model format (`model.txt`, `version=v2`..`v4`), following
 * GBDT::LoadModelFromString (src/boosting/gbdt_model_text.cpp): the file is cut into the header
 * (model-header.ts) and the `Tree=` blocks (tree-text.ts), then checked as a whole (tree_sizes,
 * whole iterations). It is stricter than LightGBM where LightGBM would read garbage (array
 * lengths, child indices, truncated files) and every complaint carries the 1-based line number.
 */
import { ModelFormatError } from './errors';
import { clip, Field, fieldLine } from './model-fields';
import { ModelHeader, parseHeader } from './model-header';
import { parseIntToken } from './text-numbers';
import { ParsedTree, parseTree } from './tree-text';

export interface ParsedModel {
  readonly header: ModelHeader;
  readonly trees: readonly ParsedTree[];
}

const END_OF_TREES = 'end of trees';
const TREE_PREFIX = 'Tree=';

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
