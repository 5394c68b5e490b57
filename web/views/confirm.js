// The confirmation every action goes through: what will be sent, an optional number input, then
// the request; its Status message (or "done") becomes a toast.
import { useState } from 'preact/hooks';
import { html } from '../html.js';

/** title, detail, input ({label, value, min}), okLabel, run(value) → Promise, done(value) → toast text */
export function ConfirmDialog({ title, detail, input, okLabel = 'Confirm', run, done, notify, onClose }) {
  const [value, setValue] = useState(input ? String(input.value) : '');
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    try {
      await run(input ? Number(value) : undefined);
      notify(done ? done(value) : `${title}: done`);
      onClose();
    } catch (err) {
      notify(`${title}: ${err.message}`, true);
      setBusy(false);
    }
  };
  return html`<div class="modal-backdrop">
    <form class="modal" role="dialog" aria-label=${title} onSubmit=${submit}>
      <h2>${title}</h2>
      ${detail && html`<p>${detail}</p>`}
      ${input && html`<label>${input.label} <input type="number" name="value" min=${input.min ?? 0} value=${value} onInput=${(e) => setValue(e.target.value)} autofocus /></label>`}
      <div class="buttons">
        <button type="button" onClick=${onClose}>Cancel</button>
        <button type="submit" class="primary" data-testid="confirm" disabled=${busy}>${okLabel}</button>
      </div>
    </form>
  </div>`;
}
