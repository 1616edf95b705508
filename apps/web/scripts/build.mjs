// Bundles the page into dist/ (index.html, app.js, app.css, favicon.svg) with esbuild.
// Everything the page needs ends up in dist/: no CDN, no web fonts, so it works offline.
import { build } from 'esbuild';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
const out = join(root, 'dist');

// Files are overwritten in place rather than deleting dist/ first: a running gateway may be serving it.
await mkdir(out, { recursive: true });

await build({
  // Same base name, different extensions: app.js and app.css.
  entryPoints: [
    { in: join(src, 'main.ts'), out: 'app' },
    { in: join(src, 'app.css'), out: 'app' },
  ],
  outdir: out,
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2020'], // browsers from 2020 on: phones a few years old still run the page
  legalComments: 'none',
  logLevel: 'warning',
});

await copyFile(join(src, 'index.html'), join(out, 'index.html'));
await copyFile(join(src, 'favicon.svg'), join(out, 'favicon.svg'));

// Guard the offline promise: the built page must not name any external URL.
for (const file of ['index.html', 'app.js', 'app.css']) {
  const text = await readFile(join(out, file), 'utf8');
  const external = text.match(/(?:src|href|url\()\s*=?\s*["']?(?:https?:)?\/\/[^"')\s]+/i);
  if (external) throw new Error(`dist/${file} references an external URL: ${external[0]}`);
}
