/**
 * The API key field. The key lives only in this tab's sessionStorage (never localStorage or a
 * cookie), so it is gone when the tab closes and is never shared with other tabs.
 */
import type { KeyProblem } from './messages';

const STORAGE_KEY = 'cataract-cluster.api-key';

export interface ApiKeyField {
  /** The key to send, or undefined when none is entered. */
  get(): string | undefined;
  /** Opens the key panel and moves focus to the field after a 401/403. */
  ask(problem: KeyProblem): void;
}

export function setupApiKeyField(panel: HTMLDetailsElement, input: HTMLInputElement, forget: HTMLButtonElement): ApiKeyField {
  const stored = read();
  if (stored) {
    input.value = stored;
    panel.open = true;
  }
  input.addEventListener('input', () => {
    input.removeAttribute('aria-invalid');
    write(input.value.trim());
  });
  forget.addEventListener('click', () => {
    input.value = '';
    input.removeAttribute('aria-invalid');
    write('');
    input.focus();
  });
  return {
    get: () => input.value.trim() || undefined,
    ask(problem) {
      panel.open = true;
      if (problem === 'rejected') input.setAttribute('aria-invalid', 'true');
      input.focus();
      if (problem === 'rejected') input.select();
    },
  };
}

// Storage can throw (disabled cookies, some private modes); the field still works for this page view.
function read(): string | undefined {
  try {
    return sessionStorage.getItem(STORAGE_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

function write(value: string): void {
  try {
    if (value) sessionStorage.setItem(STORAGE_KEY, value);
    else sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    /* see read() */
  }
}
