/**
 * The try-it page in a real browser (Debian's chromium driven by playwright-core) against the real
 * service: upload a photo, read the verdict, see an error in words, and check a phone-width layout.
 * Screenshots land in test-output/page/ (gitignored).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { accessibilityViolations } from './accessibility';
import { testPhoto } from './photos';
import { REPO_ROOT, startService, SUPERVISOR_MAIN, type RunningService } from './service';

const CHROMIUM = '/usr/bin/chromium';
/** Point the test at a service that is already running (e.g. docker compose) instead of starting one. */
const EXTERNAL_URL = process.env.PAGE_TEST_BASE_URL;
const OUT = join(REPO_ROOT, 'test-output', 'page');
const hasRedis = spawnSync('redis-server', ['--version']).status === 0;
const missing = !existsSync(CHROMIUM) ? `${CHROMIUM} absent (apt install chromium)` : !hasRedis && !EXTERNAL_URL ? 'redis-server absent' : undefined;
const maybe = missing ? describe.skip : describe;
// A first inference after start-up can take a while on a loaded 2-core machine; the page itself waits up to 60 s.
jest.setTimeout(120_000);

maybe(`the try-it page in chromium${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let service: RunningService;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    // Test the page as it is in the source tree, not whatever dist/ was left behind.
    execFileSync('npm', ['run', '--silent', 'build', '-w', '@cataract/web'], { cwd: REPO_ROOT, stdio: 'pipe' });
    if (EXTERNAL_URL) {
      service = { baseUrl: EXTERNAL_URL.replace(/\/$/, ''), stop: async () => undefined };
    } else {
      if (!existsSync(SUPERVISOR_MAIN)) throw new Error(`${SUPERVISOR_MAIN} is not built: run npm run build first`);
      service = await startService(join(OUT, 'service.log'));
    }
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 150_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await service?.stop();
  }, 60_000);

  /** A fresh page that records what would otherwise fail silently: script errors, CSP refusals, missing assets. */
  async function openPage(options: Parameters<Browser['newContext']>[0]): Promise<{ page: Page; problems: string[] }> {
    const context = await browser.newContext(options);
    contexts.push(context);
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`script error: ${e.message}`));
    page.on('console', (m) => {
      // The browser logs every 4xx/5xx API answer; those the page must put in words are asserted separately.
      if (m.type() === 'error' && !/\/predict_/.test(m.location().url)) problems.push(`console: ${m.text()} (${m.location().url})`);
    });
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
    page.on('response', (r) => {
      if (r.url().includes('/ui/') && r.status() >= 400) problems.push(`asset ${r.url()}: ${r.status()}`);
    });
    page.on('request', (r) => {
      if (!r.url().startsWith(service.baseUrl) && !r.url().startsWith('data:')) problems.push(`external request: ${r.url()}`);
    });
    await page.goto(`${service.baseUrl}/`, { waitUntil: 'load' });
    return { page, problems };
  }

  /** Waits for either outcome so a failure shows the page's own words instead of a bare timeout. */
  async function outcome(page: Page): Promise<'result' | 'error'> {
    await page.waitForSelector('#verdict, #error:not([hidden])', { timeout: 60_000 });
    return (await page.isVisible('#verdict')) ? 'result' : 'error';
  }

  it('serves the page to browsers at / and JSON to API clients', async () => {
    const html = await (await fetch(`${service.baseUrl}/`, { headers: { Accept: 'text/html' } })).text();
    expect(html).toMatch(/<input type="file"[^>]*accept="image\/jpeg,image\/png,image\/webp"/);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//); // nothing from a CDN
    const json = await fetch(`${service.baseUrl}/`, { headers: { Accept: 'application/json' } });
    expect(json.headers.get('content-type')).toMatch(/application\/json/);
    expect(await json.json()).toHaveProperty('models');
  });

  it('shows the verdict, its probability, each model and the time for a real photo', async () => {
    const photo = await testPhoto('cataract');
    const { page, problems } = await openPage({ viewport: { width: 1280, height: 900 } });
    expect(await page.getByRole('note').textContent()).toContain('Not a medical device');
    await page.setInputFiles('#file', { name: photo.name, mimeType: photo.mimeType, buffer: photo.buffer });
    await page.waitForSelector('#preview-image[src^="data:image/"]');

    const shown = await outcome(page);
    if (shown === 'error') throw new Error(`page showed an error for ${photo.source}: ${await page.textContent('#error')}`);
    expect(['Cataract', 'Normal']).toContain((await page.textContent('#verdict'))?.trim());
    expect(['cataract', 'normal']).toContain(await page.getAttribute('[data-verdict]', 'data-verdict'));

    const meter = page.locator('[data-testid="main-meter"]');
    expect(await meter.getAttribute('role')).toBe('meter');
    const now = Number(await meter.getAttribute('aria-valuenow'));
    expect(now).toBeGreaterThanOrEqual(0);
    expect(now).toBeLessThanOrEqual(100);
    expect(await page.locator('.meter-block.large .meter-value').textContent()).toMatch(/^(<1|>99|\d{1,3})%$/);

    const rows = page.locator('.model-list > li');
    expect(await rows.count()).toBeGreaterThanOrEqual(1);
    expect(await rows.first().textContent()).toMatch(/LightGBM/);
    expect(await rows.first().locator('.model-version').textContent()).toMatch(/^version \S+/);
    expect(await page.locator('.facts').textContent()).toMatch(/Processing time\s*\d+(\.\d+)? (ms|s)/);
    expect(await page.getAttribute('#result', 'aria-live')).toBe('polite');
    // the footer says the drift status (GET /drift_status) in words
    await page.waitForSelector('#drift-status:not([hidden])');
    expect(await page.textContent('#drift-status')).toMatch(/^Drift watch: (ok|warn|alert) — /);

    await page.screenshot({ path: join(OUT, 'result-desktop.png'), fullPage: true });
    expect(await accessibilityViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('can be worked by keyboard alone, and says how the cascade answered', async () => {
    const photo = await testPhoto('normal');
    const { page, problems } = await openPage({ viewport: { width: 1280, height: 900 } });
    // Listen first: Playwright turns on file-chooser interception asynchronously, so a listener added
    // in the same breath as the key press can miss the dialog on a loaded machine.
    const chooserOpened = page.waitForEvent('filechooser', { timeout: 60_000 });
    const focused = (): Promise<string> => page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.id || (document.activeElement as HTMLInputElement | null)?.value || '');
    await page.keyboard.press('Tab'); // skip link
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('choose-button');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('weighted');
    await page.keyboard.press('ArrowDown');
    expect(await page.isChecked('input[name="strategy"][value="cascade"]')).toBe(true);
    await page.keyboard.press('Shift+Tab');
    expect(await focused()).toBe('choose-button');
    await page.keyboard.press('Enter');
    const chooser = await chooserOpened;
    await chooser.setFiles({ name: photo.name, mimeType: photo.mimeType, buffer: photo.buffer });
    if ((await outcome(page)) === 'error') throw new Error(`page showed an error: ${await page.textContent('#error')}`);
    // Either the cascade decision, or (on a gateway without the ensemble) why a single model answered.
    expect(await page.locator('.notes').textContent()).toMatch(/Cascade: LightGBM (was sure enough|was unsure|failed)|no ensemble endpoint/);
    await page.screenshot({ path: join(OUT, 'result-cascade-keyboard.png'), fullPage: true });
    expect(problems).toEqual([]);
  });

  it('takes a photo dropped on the drop zone', async () => {
    const photo = await testPhoto('cataract');
    const { page, problems } = await openPage({ viewport: { width: 1280, height: 900 } });
    const dataTransfer = await page.evaluateHandle(
      ({ bytes, name, type }) => {
        const dt = new DataTransfer();
        dt.items.add(new File([Uint8Array.from(atob(bytes), (c) => c.charCodeAt(0))], name, { type }));
        return dt;
      },
      { bytes: photo.buffer.toString('base64'), name: photo.name, type: photo.mimeType },
    );
    await page.dispatchEvent('#dropzone', 'dragenter', { dataTransfer });
    expect(await page.getAttribute('#dropzone', 'data-state')).toBe('over');
    await page.dispatchEvent('#dropzone', 'drop', { dataTransfer });
    if ((await outcome(page)) === 'error') throw new Error(`page showed an error: ${await page.textContent('#error')}`);
    expect(await page.textContent('#preview-caption')).toContain(photo.name);
    expect(['Cataract', 'Normal']).toContain((await page.textContent('#verdict'))?.trim());
    expect(problems).toEqual([]);
  });

  it('says in words that a text file renamed .jpg is not a photo', async () => {
    const { page, problems } = await openPage({ viewport: { width: 1280, height: 900 } });
    await page.setInputFiles('#file', { name: 'notes.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('these are my notes, not a photo\n') });
    expect(await outcome(page)).toBe('error');
    expect(await page.getByRole('alert').textContent()).toContain('This file is not a photo we can read (JPEG, PNG or WebP)');
    expect(await page.locator('#verdict').count()).toBe(0);
    await page.screenshot({ path: join(OUT, 'error-not-a-photo.png'), fullPage: true });
    expect(await accessibilityViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('fits a phone screen (390 x 844) and offers the camera', async () => {
    const photo = await testPhoto('normal');
    const { page, problems } = await openPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    expect(await page.isVisible('#camera-button')).toBe(true);
    expect(await page.getAttribute('#camera', 'capture')).toBe('environment');
    await page.setInputFiles('#file', { name: photo.name, mimeType: photo.mimeType, buffer: photo.buffer });
    if ((await outcome(page)) === 'error') throw new Error(`page showed an error: ${await page.textContent('#error')}`);
    // No sideways scrolling at phone width.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    // The result was scrolled into view once it arrived.
    await page.waitForFunction(() => {
      const r = document.getElementById('verdict')?.getBoundingClientRect();
      return r !== undefined && r.top >= 0 && r.bottom <= window.innerHeight;
    }, undefined, { timeout: 5_000 });
    await page.screenshot({ path: join(OUT, 'phone-390.png'), fullPage: true });
    expect(await accessibilityViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('analyses several photos at once and lists each one’s verdict, a text file with its own error', async () => {
    const [a, b] = [await testPhoto('cataract'), await testPhoto('normal')];
    const { page, problems } = await openPage({ viewport: { width: 1280, height: 900 } });
    await page.setInputFiles('#batch-files', [
      { name: 'left.jpg', mimeType: a.mimeType, buffer: a.buffer },
      { name: 'notes.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('not a photo\n') },
      { name: 'right.jpg', mimeType: b.mimeType, buffer: b.buffer },
    ]);
    await page.waitForSelector('#batch-results > li:nth-child(3)', { timeout: 60_000 });
    const lines = await page.locator('#batch-results > li').allTextContents();
    expect(lines[0]).toMatch(/^left\.jpg: (Cataract|Normal) \(confidence/);
    expect(lines[1]).toMatch(/^notes\.jpg: no result/);
    expect(lines[2]).toMatch(/^right\.jpg: (Cataract|Normal) \(confidence/);
    expect(await page.textContent('#batch-status')).toMatch(/^2 answered .*1 without a result/);
    await page.screenshot({ path: join(OUT, 'batch.png'), fullPage: true });
    expect(await accessibilityViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
  });
});
