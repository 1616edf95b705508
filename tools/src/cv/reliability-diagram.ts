/**
 * Reliability diagram (PNG) of out-of-fold predictions: per bin, the share of cataract photos
 * against the mean predicted P(cataract), raw and calibrated, with the diagonal a calibrated model
 * follows and bar heights showing how many photos each bin holds. Drawn as SVG, rasterised by sharp.
 */
import sharp from 'sharp';
import type { ReliabilityBin } from './calibration';

export interface DiagramSeries {
  name: string;
  color: string;
  bins: ReliabilityBin[];
  ece: number;
}

const W = 520;
const H = 520;
const M = { left: 60, right: 20, top: 40, bottom: 60 };

export function reliabilitySvg(title: string, series: readonly DiagramSeries[]): string {
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const x = (v: number) => M.left + v * pw;
  const y = (v: number) => M.top + (1 - v) * ph;
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="14">${esc(title)}</text>`,
    `<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`,
    `<line x1="${x(0)}" y1="${y(0)}" x2="${x(1)}" y2="${y(1)}" stroke="#999" stroke-dasharray="4 4"/>`,
  ];
  for (let t = 0; t <= 10; t += 2) {
    const v = t / 10;
    parts.push(`<text x="${x(v)}" y="${y(0) + 16}" text-anchor="middle">${v.toFixed(1)}</text>`);
    parts.push(`<text x="${x(0) - 6}" y="${y(v) + 4}" text-anchor="end">${v.toFixed(1)}</text>`);
  }
  parts.push(`<text x="${W / 2}" y="${H - 24}" text-anchor="middle">mean predicted P(cataract) in bin</text>`);
  parts.push(`<text transform="translate(16 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle">share of cataract photos</text>`);
  const total = Math.max(1, ...series.flatMap((s) => s.bins.map((b) => b.n)));
  const first = series[0];
  if (first) {
    for (const b of first.bins) {
      const h = (b.n / total) * ph * 0.25;
      parts.push(`<rect x="${x(b.lo) + 1}" y="${y(0) - h}" width="${x(b.hi) - x(b.lo) - 2}" height="${h}" fill="#ddd"/>`);
    }
  }
  series.forEach((s, k) => {
    const pts = s.bins.filter((b) => b.n > 0).map((b) => `${x(b.confidence).toFixed(1)},${y(b.frequency).toFixed(1)}`);
    parts.push(`<polyline points="${pts.join(' ')}" fill="none" stroke="${s.color}" stroke-width="2"/>`);
    for (const p of pts) {
      const [cx, cy] = p.split(',');
      parts.push(`<circle cx="${cx}" cy="${cy}" r="3.5" fill="${s.color}"/>`);
    }
    parts.push(`<text x="${M.left + 10}" y="${M.top + 18 + 16 * k}" fill="${s.color}">${esc(s.name)}: ECE ${s.ece.toFixed(4)}</text>`);
  });
  parts.push(`<text x="${x(1) - 6}" y="${y(0) - 6}" text-anchor="end" fill="#888">grey bars: photos per bin</text>`);
  parts.push('</svg>');
  return parts.join('\n');
}

export async function reliabilityPng(title: string, series: readonly DiagramSeries[]): Promise<Buffer> {
  return sharp(Buffer.from(reliabilitySvg(title, series))).png({ compressionLevel: 9 }).toBuffer();
}
