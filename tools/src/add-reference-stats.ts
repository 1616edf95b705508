/**
 * `npm run reference-stats -- --type lgbm|clip [--version V] [--data DIR] [--set-default]`:
 * publishes a version trained before the trainers wrote reference-stats.json again, as a new
 * version with that file (store/republish-with-reference.ts; docs/drift.md).
 */
import path from 'node:path';
import { assertModelType, defaultVersion } from '@cataract/model-store';
import { parseCli, runCli, UsageError } from './common/args';
import { defaultDataDir, listLabelledImages, repoRoot } from './common/dataset';
import { republishWithReference } from './store/republish-with-reference';

const SPEC = {
  type: { type: 'string', description: 'model type: lgbm or clip' },
  version: { type: 'string', description: "the published version to start from (default: the type's default version)" },
  data: { type: 'string', default: defaultDataDir, description: 'the photos the version was trained on, DIR/{cataract,normal}/*' },
  models: { type: 'string', default: process.env.MODELS_DIR || path.join(repoRoot, 'models'), description: 'the versioned model store (MODELS_DIR)' },
  candidates: { type: 'string', default: path.join(repoRoot, 'models-candidates'), description: 'where the new version is staged before it is published' },
  'set-default': { type: 'boolean', default: false, description: 'name the new version in <type>/default (what serves while Redis holds no state)' },
} as const;

async function main(): Promise<void> {
  const o = parseCli('npm run reference-stats --', SPEC);
  if (!o) return;
  if (!o.type) throw new UsageError('--type lgbm|clip is required');
  const type = assertModelType(o.type);
  const modelsDir = path.resolve(o.models);
  const from = o.version ?? defaultVersion(modelsDir, type);
  if (!from) throw new UsageError(`${type} has no default version in ${modelsDir}: name one with --version`);
  const data = path.resolve(o.data);
  const p = await republishWithReference({
    modelsDir,
    candidatesDir: path.resolve(o.candidates),
    type,
    from,
    photos: listLabelledImages(data),
    source: { tool: 'npm run reference-stats', data_dir: path.relative(repoRoot, data) || '.' },
    setDefault: o['set-default'],
  });
  console.log(`published ${type} ${p.version}: ${from}'s files and ${'reference-stats.json'} over ${p.reference.samples} photos on the ${p.view.width}x${p.view.height} '${p.view.fit}' view, in ${path.relative(process.cwd(), p.dir) || p.dir}`);
  console.log(p.setDefault ? `${type}/default now names ${p.version}` : `next: npm run models -- promote ${type} ${p.version} (or again with --set-default)`);
}

runCli(main);
