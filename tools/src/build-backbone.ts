/**
 * `npm run build:backbone [-- --out FILE]`: converts nsfwjs's MobileNetV2 (installed npm package, no
 * network) to an ONNX graph ending at the 1280-d pooled embedding.
 */
import path from 'node:path';
import { parseCli, repoRoot, runCli, sha256Buffer, writeFileAtomic } from './common';
import { buildBackbone } from './clip/backbone';

export const DEFAULT_BACKBONE_PATH = path.join(repoRoot, 'models', 'clip', 'backbone.onnx');

async function main(): Promise<void> {
  const opts = parseCli('build-backbone', { out: { type: 'string', default: DEFAULT_BACKBONE_PATH, description: 'output ONNX file' } });
  if (!opts) return;
  const { bytes, source } = buildBackbone();
  await writeFileAtomic(opts.out, Buffer.from(bytes));
  console.log(`wrote ${path.relative(process.cwd(), opts.out)}: ${(bytes.length / 1e6).toFixed(2)} MB sha256 ${sha256Buffer(Buffer.from(bytes))}`);
  console.log(`source: ${source.package}@${source.version} (${source.license}) ${source.model}, cut at ${source.layer}`);
}

runCli(main);
