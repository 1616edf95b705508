/**
 * Reads a Keras layers model shipped inside the installed `nsfwjs` npm package. nsfwjs bundles each
 * model as UMD JavaScript modules: `model.min.js` exports the tfjs model.json object and each
 * `groupN-shardKofM.min.js` exports one weights shard as a base64 string. Nothing is downloaded.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { TfjsModelJson } from '@cataract/keras-onnx';

export type NsfwjsModelName = 'mobilenet_v2' | 'mobilenet_v2_mid' | 'inception_v3';

export interface NsfwjsModelFiles {
  modelJson: TfjsModelJson;
  /** Shard bytes by manifest path, e.g. "group1-shard1of1". */
  shards: Map<string, Uint8Array>;
  /** nsfwjs package version and licence, for the model's provenance. */
  packageVersion: string;
  license: string;
  dir: string;
}

/** The installed nsfwjs package root (its `exports` map hides package.json, so go via the main entry). */
export function nsfwjsRoot(): string {
  // dist/cjs/index.js -> package root
  return path.resolve(path.dirname(require.resolve('nsfwjs')), '..', '..');
}

export function loadNsfwjsModel(name: NsfwjsModelName = 'mobilenet_v2'): NsfwjsModelFiles {
  const root = nsfwjsRoot();
  const dir = path.join(root, 'dist', 'models', name);
  const modelFile = path.join(dir, 'model.min.js');
  if (!existsSync(modelFile)) throw new Error(`nsfwjs model not found: ${modelFile} (is nsfwjs installed?)`);
  const modelJson = require(modelFile) as TfjsModelJson;
  const shards = new Map<string, Uint8Array>();
  for (const group of modelJson.weightsManifest) {
    for (const p of group.paths) {
      const b64 = require(path.join(dir, `${p}.min.js`)) as unknown;
      if (typeof b64 !== 'string') throw new Error(`nsfwjs shard ${p}.min.js does not export a base64 string`);
      shards.set(p, new Uint8Array(Buffer.from(b64, 'base64')));
    }
  }
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string; license: string };
  return { modelJson, shards, packageVersion: pkg.version, license: pkg.license, dir };
}

/** Shard lookup in the form `readKerasModel` expects. */
export function shardReader(files: NsfwjsModelFiles): (p: string) => Uint8Array {
  return (p) => {
    const s = files.shards.get(p);
    if (!s) throw new Error(`weights shard ${p} missing from ${files.dir}`);
    return s;
  };
}
