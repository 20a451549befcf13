import './style.css';

/** An item as returned by the backend API. */
interface Item {
  id: number;
  name: string;
  created_at: string;
}

/** Runtime title from /config.js (rendered by the web server), with a default. */
const appTitle: string = window.__APP_CONFIG__?.APP_TITLE || 'Items';
/** Build-time version (VITE_APP_VERSION), with a default. */
const appVersion: string = import.meta.env.VITE_APP_VERSION || 'dev';

/** Create an element with optional attributes and text content (never HTML). */
function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  text?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

// ---------------------------------------------------------------------------
// API
// ---------------------------------------------------------------------------

async function fetchItems(): Promise<Item[]> {
  const res = await fetch('/api/items', { headers: { Accept: 'application/json' } });
  if (!res.ok) throw new Error(`GET /api/items failed: ${res.status}`);
  return (await res.json()) as Item[];
}

async function createItem(name: string): Promise<Item> {
  const res = await fetch('/api/items', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ name }),
  });
  if (!res.ok) throw new Error(`POST /api/items failed: ${res.status}`);
  return (await res.json()) as Item;
}

// ---------------------------------------------------------------------------
// Views
// ---------------------------------------------------------------------------

/** Fill the list with items; names are set via textContent, so they are escaped. */
function renderItems(list: HTMLUListElement, items: Item[]): void {
  list.replaceChildren(
    ...items.map((item) => el('li', { class: 'item', 'data-id': String(item.id) }, item.name)),
  );
}

function homeView(): HTMLElement {
  const section = el('section', { class: 'view view-home' });
  const list = el('ul', { id: 'items' });
  const status = el('p', { id: 'status', class: 'status', role: 'status' });

  const form = el('form', { id: 'item-form', class: 'item-form' });
  const input = el('input', {
    id: 'item-name',
    name: 'name',
    type: 'text',
    placeholder: 'New item',
    maxlength: '200',
    required: '',
    autocomplete: 'off',
  });
  const button = el('button', { type: 'submit' }, 'Add');
  form.append(input, button);

  const refresh = async (): Promise<void> => {
    try {
      renderItems(list, await fetchItems());
      status.textContent = '';
    } catch (err) {
      status.textContent = `Could not load items: ${(err as Error).message}`;
    }
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const name = input.value.trim();
    if (!name) return;
    button.disabled = true;
    try {
      await createItem(name);
      input.value = '';
      await refresh();
    } catch (err) {
      status.textContent = `Could not add item: ${(err as Error).message}`;
    } finally {
      button.disabled = false;
      input.focus();
    }
  });

  section.append(el('h1', {}, appTitle), form, status, list);
  void refresh();
  return section;
}

function aboutView(): HTMLElement {
  const section = el('section', { class: 'view view-about' });
  section.append(
    el('h1', { id: 'about-title' }, 'About'),
    el(
      'p',
      {},
      'A small example app: a Vite + TypeScript single-page frontend talking to a FastAPI backend backed by PostgreSQL.',
    ),
  );
  return section;
}

function notFoundView(path: string): HTMLElement {
  const section = el('section', { class: 'view view-not-found' });
  section.append(
    el('h1', { id: 'not-found-title' }, 'Not found'),
    el('p', {}, `There is no page at ${path}.`),
  );
  return section;
}

// ---------------------------------------------------------------------------
// Router (History API)
// ---------------------------------------------------------------------------

const routes: Record<string, () => HTMLElement> = {
  '/': homeView,
  '/about': aboutView,
};

const root = document.querySelector<HTMLDivElement>('#app')!;
const header = el('header', { class: 'header' });
const nav = el('nav', { class: 'nav' });
nav.append(
  el('a', { href: '/', 'data-link': '' }, 'Home'),
  el('a', { href: '/about', 'data-link': '' }, 'About'),
);
header.append(el('span', { id: 'app-title', class: 'app-title' }, appTitle), nav);
const outlet = el('main', { id: 'view' });
const footer = el('footer', { id: 'app-version', class: 'footer' }, appVersion);
root.replaceChildren(header, outlet, footer);
document.title = appTitle;

/** Render the view for the current location. */
function render(): void {
  const path = window.location.pathname;
  const view = routes[path];
  outlet.replaceChildren(view ? view() : notFoundView(path));
  for (const link of nav.querySelectorAll<HTMLAnchorElement>('a')) {
    if (link.pathname === path) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

/** Navigate client-side to `url` (pushes a history entry). */
function navigate(url: string): void {
  if (url !== window.location.pathname + window.location.search + window.location.hash) {
    window.history.pushState(null, '', url);
  }
  render();
}

// Intercept plain left clicks on same-origin links; let the browser handle the rest.
document.addEventListener('click', (event) => {
  if (event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const link = (event.target as Element | null)?.closest?.('a');
  if (!link || link.origin !== window.location.origin) return;
  if (link.target && link.target !== '_self') return;
  if (link.hasAttribute('download') || link.pathname.startsWith('/api/')) return;
  event.preventDefault();
  navigate(link.pathname + link.search + link.hash);
});

window.addEventListener('popstate', render);

render();
