/** Shows the chosen photo next to the form, before and while it is analysed. */
import { formatBytes } from './format';

let latest: File | undefined; // a slow read of an earlier photo must not replace a newer one

export function showPreview(figure: HTMLElement, img: HTMLImageElement, caption: HTMLElement, file: File): void {
  latest = file;
  const name = file.name || 'photo';
  figure.hidden = false;
  caption.textContent = `${name} · ${formatBytes(file.size)}`;
  img.alt = `The photo you chose: ${name}`;
  img.hidden = false;
  img.onerror = () => {
    img.hidden = true;
    img.removeAttribute('src');
    img.alt = '';
    caption.textContent = `${name} · ${formatBytes(file.size)} – this browser cannot display it.`;
  };
  // A data: URL rather than a blob: URL, because the gateway's default Content-Security-Policy
  // allows `img-src 'self' data:` only.
  const reader = new FileReader();
  reader.onload = () => {
    if (latest === file && typeof reader.result === 'string') img.src = reader.result;
  };
  reader.readAsDataURL(file);
}
