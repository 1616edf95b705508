/** Human names for the service's model types (the API uses the short keys). */
const NAMES: Record<string, { label: string; description: string }> = {
  lgbm: { label: 'LightGBM', description: 'fast model on colour and texture features' },
  clip: { label: 'CLIP', description: 'image model' },
  ensemble: { label: 'Ensemble', description: 'both models combined' },
};

export function modelLabel(key: string): string {
  return NAMES[key]?.label ?? key;
}

export function modelDescription(key: string): string | undefined {
  return NAMES[key]?.description;
}

/** Known models first in a fixed order, then any others alphabetically. */
export function compareModelKeys(a: string, b: string): number {
  const order = ['lgbm', 'clip'];
  const ia = order.indexOf(a);
  const ib = order.indexOf(b);
  if (ia !== -1 || ib !== -1) return (ia === -1 ? order.length : ia) - (ib === -1 ? order.length : ib);
  return a.localeCompare(b);
}
