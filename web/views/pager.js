// Paging for long lists (nodes, deployments): the DOM holds one page, never the whole cluster.
import { useState } from 'preact/hooks';
import { html } from '../html.js';

export function usePage(total, size) {
  const [n, setN] = useState(0);
  const pages = Math.max(1, Math.ceil(total / size));
  const cur = Math.min(n, pages - 1);
  return { page: cur, pages, start: cur * size, end: Math.min(total, (cur + 1) * size), total, setPage: setN };
}

export function Pager({ page, pages, start, end, total, setPage }) {
  if (pages <= 1) return null;
  return html`<div class="pager">
    <button disabled=${page === 0} onClick=${() => setPage(page - 1)}>‹</button>
    <span>${start + 1}–${end} of ${total}</span>
    <button disabled=${page >= pages - 1} onClick=${() => setPage(page + 1)}>›</button>
  </div>`;
}
