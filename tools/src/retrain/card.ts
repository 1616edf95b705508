/** The model card's retraining sections: the reviewed uploads a version learned from and how it compares with the serving version. */
import { comparisonCard, type Comparison } from './comparison';
import type { ReviewedSummary } from './training-photos';

export function reviewedCard(r: ReviewedSummary | undefined): string {
  if (!r) return '## Reviewed uploads\n\nNone: trained on the labelled photos only (no `--reviewed`).\n';
  const lines = [
    '## Reviewed uploads',
    '',
    `${r.used} reviewed uploads from the retained uploads (\`--reviewed\`) joined the photos above (${r.by_label.cataract} cataract, ${r.by_label.normal} normal, by their reviewed label);`,
    `${r.unreviewed_ignored} uploads without a review were left out, ${r.skipped.length} records were skipped as unreadable or damaged, ${r.duplicates_dropped.length} byte-identical`,
    `repeats of a training photo or of another upload were dropped, and ${r.grouped_with_training_photos} share a near-duplicate group (so every fold) with a training photo.`,
    'The manifest\'s `training.reviewed` lists each skipped record and dropped duplicate.',
  ];
  return lines.join('\n') + '\n';
}

/** "`DIR`" or "`DIR` and N reviewed uploads": what a card says the photos were. */
export function photosOf(dataDir: string, r: ReviewedSummary | undefined): string {
  return `\`${dataDir}\`${r ? ` and ${r.used} reviewed uploads` : ''}`;
}

export function retrainingCard(r: ReviewedSummary | undefined, c: Comparison | undefined): string {
  return `${reviewedCard(r)}\n${comparisonCard(c)}`;
}
