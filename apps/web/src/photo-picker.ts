/**
 * Every way to hand the page a photo: the "Choose a photo" button (file picker), the "Take a photo"
 * button (camera on phones), dragging a file onto the drop zone, and pasting an image.
 * The native file inputs stay in the DOM (hidden); the buttons are the keyboard-operable controls.
 */
export interface PhotoPickerElements {
  dropzone: HTMLElement;
  fileInput: HTMLInputElement;
  cameraInput: HTMLInputElement;
  chooseButton: HTMLButtonElement;
  cameraButton: HTMLButtonElement;
}

export function setupPhotoPicker(els: PhotoPickerElements, onPhoto: (file: File) => void): void {
  const { dropzone, fileInput, cameraInput, chooseButton, cameraButton } = els;

  chooseButton.addEventListener('click', () => fileInput.click());
  cameraButton.addEventListener('click', () => cameraInput.click());
  // Desktop browsers ignore `capture` and would open the same file picker twice over; offer the
  // camera button only where a touch screen suggests a device camera (and no mouse to drag with).
  const touch = window.matchMedia('(pointer: coarse)').matches;
  cameraButton.hidden = !touch;
  const text = dropzone.querySelector('.dropzone-text');
  if (touch && text) text.textContent = 'Choose a photo of one eye, or take one with the camera.';

  for (const input of [fileInput, cameraInput]) {
    input.addEventListener('change', () => {
      const file = input.files?.[0];
      if (file) onPhoto(file);
      // Clear so that choosing the same file again still fires `change`.
      input.value = '';
    });
  }

  // A click anywhere on the zone (not only on the buttons) opens the picker, for mouse and touch users.
  dropzone.addEventListener('click', (event) => {
    if (event.target === dropzone || (event.target instanceof HTMLElement && event.target.classList.contains('dropzone-text'))) {
      fileInput.click();
    }
  });

  let depth = 0; // dragenter/dragleave fire for every child element crossed
  dropzone.addEventListener('dragenter', (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    depth += 1;
    dropzone.dataset.state = 'over';
  });
  dropzone.addEventListener('dragover', (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy';
  });
  dropzone.addEventListener('dragleave', () => {
    depth = Math.max(0, depth - 1);
    if (depth === 0) dropzone.dataset.state = 'idle';
  });
  dropzone.addEventListener('drop', (event) => {
    event.preventDefault();
    depth = 0;
    dropzone.dataset.state = 'idle';
    const file = event.dataTransfer?.files[0];
    if (file) onPhoto(file);
  });
  // A photo dropped beside the zone would otherwise make the browser navigate away to show it.
  window.addEventListener('dragover', (event) => event.preventDefault());
  window.addEventListener('drop', (event) => event.preventDefault());

  document.addEventListener('paste', (event) => {
    const file = Array.from(event.clipboardData?.files ?? []).find((f) => f.type.startsWith('image/'));
    if (file) {
      event.preventDefault();
      onPhoto(file);
    }
  });
}

function hasFiles(event: DragEvent): boolean {
  return Array.from(event.dataTransfer?.types ?? []).includes('Files');
}
