import type { ModelManifest } from '@cataract/contracts';
import { UnsupportedRuntimeError } from '../errors';
import type { LoadedModelFiles } from '../manifest';
import { CalibratedRuntime } from './calibrated-runtime';
import { LightgbmRuntime } from './lightgbm-runtime';
import { OnnxRuntime } from './onnx-runtime';
import type { ModelRuntime, RuntimeOptions } from './runtime';

type Factory = (files: LoadedModelFiles, opts: RuntimeOptions) => ModelRuntime;

/**
 * Runtime implementations by manifest `runtime`; a manifest `calibration` wraps any of them. A new runtime (e.g. 'onnx') registers here;
 * nothing else in the actor changes.
 */
const FACTORIES: Partial<Record<ModelManifest['runtime'], Factory>> = {
  lightgbm: (files, opts) => {
    if (files.manifest.runtime !== 'lightgbm') throw new Error('unreachable: runtime mismatch');
    return new LightgbmRuntime({ ...files, manifest: files.manifest }, opts);
  },
  onnx: (files, opts) => {
    if (files.manifest.runtime !== 'onnx') throw new Error('unreachable: runtime mismatch');
    return new OnnxRuntime({ ...files, manifest: files.manifest }, opts);
  },
};

export function createRuntime(files: LoadedModelFiles, opts: RuntimeOptions = {}): ModelRuntime {
  const factory = FACTORIES[files.manifest.runtime];
  if (!factory) throw new UnsupportedRuntimeError(files.manifest.runtime, Object.keys(FACTORIES));
  const runtime = factory(files, opts);
  const { calibration } = files.manifest;
  return calibration ? new CalibratedRuntime(runtime, calibration) : runtime;
}
