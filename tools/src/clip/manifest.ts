/**
 * What every clip version's manifest says of its graph, whichever tool wrote the version (train:clip
 * or publish:clip-finetuned): the file, the labels in the output's order, the decision threshold and
 * the input/output contract the actor runs it by. Each writer adds its own `training` and `metrics`.
 */
import type { Calibration } from '@cataract/contracts';
import type { TensorSpec } from '@cataract/imaging';

/** The graph's output, a [N, 2] softmax in this label order. */
export const CLIP_LABELS = ['normal', 'cataract'] as const;
export const CLIP_OUTPUT_NAME = 'probabilities';
export const CLIP_THRESHOLD = 0.5;

export interface ClipManifestHeadInput {
  version: string;
  sha256: string;
  calibration: Calibration;
  created: Date;
  input: TensorSpec & { name: string };
}

export function clipManifestHead({ version, sha256, calibration, created, input }: ClipManifestHeadInput) {
  const { name: inputName, ...spec } = input;
  return {
    name: 'clip' as const,
    version,
    runtime: 'onnx' as const,
    file: 'model.onnx',
    sha256,
    labels: [...CLIP_LABELS],
    positive_label: 'cataract' as const,
    threshold: CLIP_THRESHOLD,
    calibration,
    created: created.toISOString(),
    input: { name: inputName, ...spec },
    output: { name: CLIP_OUTPUT_NAME, kind: 'probabilities' as const },
  };
}
