/**
 * Modal dialogs: ask for a reason, or confirm a dangerous action.
 */
import { h } from './dom.ts';

/** Options of {@link askReason}. */
export interface ReasonOptions {
  title: string;
  confirmLabel: string;
  required: boolean;
  /** Extra content above the reason field (e.g. a warning). */
  body?: HTMLElement;
  danger?: boolean;
  /** For what cannot be undone: the operator must type this (the agent's name) before confirming. */
  typeToConfirm?: string;
}

/** Shows a modal asking for a reason; resolves with it, or null when cancelled. */
export function askReason(options: ReasonOptions): Promise<string | null> {
  return new Promise((resolve) => {
    const input = h('textarea', {
      name: 'reason',
      rows: 3,
      'data-testid': 'reason-input',
      placeholder: options.required ? 'Why? (required, goes in the audit log)' : 'Why? (optional)',
    });
    const confirm = h(
      'button',
      { type: 'submit', class: options.danger ? 'danger' : 'primary', 'data-testid': 'modal-confirm' },
      options.confirmLabel,
    );
    const cancel = h('button', { type: 'button', 'data-testid': 'modal-cancel' }, 'Cancel');
    const typed =
      options.typeToConfirm === undefined
        ? null
        : h('input', {
            name: 'confirm',
            autocomplete: 'off',
            'data-testid': 'type-to-confirm',
            placeholder: `type ${options.typeToConfirm} to confirm`,
          });
    const form = h(
      'form',
      { method: 'dialog', class: 'modal-form' },
      h('h3', {}, options.title),
      options.body ?? null,
      input,
      typed === null ? null : h('label', {}, `Type ${options.typeToConfirm} to confirm `, typed),
      h('div', { class: 'modal-actions' }, cancel, confirm),
    );
    const dialog = h('dialog', { class: 'modal', 'data-testid': 'modal' }, form);
    const close = (value: string | null): void => {
      dialog.close();
      dialog.remove();
      resolve(value);
    };
    const ready = (): boolean =>
      !(options.required && input.value.trim() === '') &&
      (typed === null || typed.value.trim() === options.typeToConfirm);
    const sync = (): void => {
      confirm.disabled = !ready();
    };
    input.addEventListener('input', sync);
    typed?.addEventListener('input', sync);
    sync();
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      if (!ready()) return;
      close(input.value.trim());
    });
    cancel.addEventListener('click', () => close(null));
    dialog.addEventListener('cancel', () => close(null));
    document.body.append(dialog);
    dialog.showModal();
    input.focus();
  });
}
