/** Entry point: wires the photo picker, the API key field and the result panel to the API. */
import { predict, serviceInfo } from './api';
import { setupApiKeyField } from './api-key';
import { setupBatchPanel } from './batch-panel';
import { byId, prefersReducedMotion } from './dom';
import { describeError, type ErrorMessage } from './messages';
import { setupPhotoPicker } from './photo-picker';
import type { Strategy } from './prediction';
import { showPreview } from './preview';
import { toResultModel } from './result-model';
import { renderBusy, renderIdle, renderResult } from './result-view';
import { describeModels } from './service-info';
import { describeDrift, driftStatus } from './drift-status';

function start(): void {
  const form = byId('predict-form', HTMLFormElement);
  const analyse = byId('analyse-button', HTMLButtonElement);
  const errorBox = byId('error', HTMLDivElement);
  const result = byId('result', HTMLDivElement);
  const footerInfo = byId('service-info', HTMLParagraphElement);
  const driftLine = byId('drift-status', HTMLParagraphElement);
  const apiKey = setupApiKeyField(byId('key-panel', HTMLDetailsElement), byId('api-key', HTMLInputElement), byId('forget-key', HTMLButtonElement));

  let photo: File | undefined;
  let inflight: AbortController | undefined;
  let versionsShown = false;

  const showError = (message: ErrorMessage | undefined): void => {
    errorBox.hidden = message === undefined;
    errorBox.replaceChildren();
    if (!message) return;
    const text = document.createElement('p');
    text.textContent = message.text;
    errorBox.append(text);
    if (message.reference) {
      const ref = document.createElement('p');
      ref.className = 'reference';
      ref.textContent = `Reference: ${message.reference}`;
      errorBox.append(ref);
    }
  };

  const refreshVersions = async (): Promise<void> => {
    const line = describeModels(await serviceInfo({ apiKey: apiKey.get() }));
    versionsShown = line !== undefined;
    footerInfo.textContent = line ?? 'Model versions are not available right now (the service may need an API key).';
  };

  const refreshDrift = async (): Promise<void> => {
    const line = describeDrift(await driftStatus({ apiKey: apiKey.get() }));
    driftLine.hidden = line === undefined;
    driftLine.textContent = line ?? '';
  };

  const analysePhoto = async (): Promise<void> => {
    if (!photo) return;
    inflight?.abort();
    const controller = new AbortController();
    inflight = controller;
    showError(undefined);
    renderBusy(result);
    analyse.disabled = true;
    try {
      const outcome = await predict(photo, photo.name || 'photo.jpg', strategy(form), { apiKey: apiKey.get(), signal: controller.signal });
      if (controller.signal.aborted) return;
      renderResult(result, toResultModel(outcome));
      revealOnNarrowScreens(result);
      if (!versionsShown) void refreshVersions();
      void refreshDrift();
    } catch (err) {
      if (controller.signal.aborted) return; // a newer photo took over
      const message = describeError(err);
      renderIdle(result, 'No result for this photo.');
      showError(message);
      if (message.keyProblem) apiKey.ask(message.keyProblem);
    } finally {
      if (inflight === controller) {
        inflight = undefined;
        analyse.disabled = false;
      }
    }
  };

  setupPhotoPicker(
    {
      dropzone: byId('dropzone', HTMLDivElement),
      fileInput: byId('file', HTMLInputElement),
      cameraInput: byId('camera', HTMLInputElement),
      chooseButton: byId('choose-button', HTMLButtonElement),
      cameraButton: byId('camera-button', HTMLButtonElement),
    },
    (file) => {
      // A type the browser knows is not an image (text, PDF...) need not travel to the server to be
      // refused. Other image types (HEIC, GIF) go: the server decides, and its 415 is shown in words.
      if (file.type && !file.type.startsWith('image/')) {
        inflight?.abort();
        photo = undefined;
        analyse.disabled = true;
        byId('preview', HTMLElement).hidden = true;
        renderIdle(result, 'No result for this photo.');
        showError({ text: `“${file.name}” is not a photo we can read (JPEG, PNG or WebP). Choose another file.` });
        return;
      }
      photo = file;
      showPreview(byId('preview', HTMLElement), byId('preview-image', HTMLImageElement), byId('preview-caption', HTMLElement), file);
      void analysePhoto();
    },
  );

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void analysePhoto();
  });

  setupBatchPanel(
    { input: byId('batch-files', HTMLInputElement), choose: byId('batch-button', HTMLButtonElement), status: byId('batch-status', HTMLElement), list: byId('batch-results', HTMLOListElement) },
    { apiKey: () => apiKey.get(), strategy: () => strategy(form), askKey: (p) => apiKey.ask(p) },
  );

  void refreshVersions();
  void refreshDrift();
}

function strategy(form: HTMLFormElement): Strategy {
  const value = new FormData(form).get('strategy');
  return value === 'cascade' ? 'cascade' : 'weighted';
}

/** On a phone the result sits below the form; bring it into view once it is there. */
function revealOnNarrowScreens(region: HTMLElement): void {
  const target = region.closest('section') ?? region;
  if (target.getBoundingClientRect().top > window.innerHeight - 80) {
    target.scrollIntoView({ behavior: prefersReducedMotion() ? 'auto' : 'smooth', block: 'start' });
  }
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
