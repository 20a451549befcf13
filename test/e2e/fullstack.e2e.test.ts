/**
 * End to end: the bundled example, synthesized with the packed library, builds on a Docker
 * engine, comes up healthy, serves the SPA and its API through nginx, keeps data across a
 * restart, runs no container as root, exposes no database port, and renders in Chromium.
 */
import * as fs from 'fs';
import { chromium as playwright } from 'playwright-core';
import { synthExampleCopy } from '../support/example';
import { canConnect, hostAddresses, http, RunningStack, startStack } from '../support/stack';
import { chromium, describeWithTools, dockerEngine } from '../support/tools';

jest.setTimeout(1_200_000);

describeWithTools('examples/fullstack on a Docker engine', [dockerEngine(), chromium()], () => {
  let stack: RunningStack;
  let base: string;
  const itemName = `e2e item ${Date.now()} <b>&</b>`;

  beforeAll(async () => {
    const dir = synthExampleCopy('fullstack');
    ({ stack, base } = await startStack(dir, 'pcs-e2e-fullstack'));
  }, 1_800_000);

  afterAll(() => {
    if (!stack) return;
    // eslint-disable-next-line no-console
    console.log(
      `fullstack e2e: build ${stack.timings.build}s, up to healthy ${stack.timings['up-to-healthy']}s, ` +
        `images: web ${stack.imageSizeMb('web')} MB, api ${stack.imageSizeMb('api')} MB`,
    );
    stack.destroy();
    fs.rmSync(stack.dir, { recursive: true, force: true });
  }, 600_000);

  test('GET / returns the app shell', async () => {
    const r = await http('GET', `${base}/`);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/text\/html/);
    expect(r.headers['cache-control']).toBe('no-cache');
    expect(r.headers.server).toBe('nginx'); // no version banner
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.text()).toContain('<script src="/config.js"></script>');
  });

  test('GET /about (a deep link to a client-side route) returns the app shell', async () => {
    const r = await http('GET', `${base}/about`);
    expect(r.status).toBe(200);
    expect(r.text()).toContain('<div id="app">');
  });

  test('a missing file with an extension is a 404, not the app shell', async () => {
    for (const missing of ['/assets/missing.js', '/missing.css', '/items/42/photo.png']) {
      expect({ missing, status: (await http('GET', `${base}${missing}`)).status }).toEqual({ missing, status: 404 });
    }
  });

  test('hashed assets are cached for a year and served gzip-compressed', async () => {
    const html = (await http('GET', `${base}/`)).text();
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1];
    const r = await http('GET', `${base}${asset}`, { headers: { 'accept-encoding': 'gzip' } });
    expect(r.status).toBe(200);
    expect(r.headers['cache-control']).toContain('immutable');
    expect(r.headers['content-encoding']).toBe('gzip');
  });

  test('/config.js carries the runtime setting from .env', async () => {
    const r = await http('GET', `${base}/config.js`);
    expect(r.status).toBe(200);
    expect(r.text()).toBe('window.__APP_CONFIG__ = {"APP_TITLE": "Shop items"};\n');
  });

  test('POST /api/items then GET /api/items returns the item through the nginx proxy', async () => {
    const post = await http('POST', `${base}/api/items`, { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: itemName }) });
    expect(post.status).toBe(201);
    const list = (await http('GET', `${base}/api/items`)).json<Array<{ name: string }>>();
    expect(list.map((i) => i.name)).toContain(itemName);
  });

  test('the main process of every container runs as a non-root uid', () => {
    for (const service of ['web', 'api', 'db']) {
      const uid = stack.mainProcessUid(service);
      expect({ service, root: uid === 0 }).toEqual({ service, root: false });
    }
  });

  test('the database port answers on no host address', async () => {
    expect(stack.compose(['port', 'db', '5432'], { allowFail: true }).stdout.trim()).toMatch(/^(:0)?$/);
    for (const address of hostAddresses()) {
      expect({ address, open: await canConnect(address, 5432) }).toEqual({ address, open: false });
    }
  });

  test('headless Chromium renders the page with the item and the runtime title', async () => {
    const browser = await playwright.launch({ executablePath: chromium().command![0], args: ['--disable-gpu', '--disable-quic', '--disable-background-networking'] });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(`${base}/`, { waitUntil: 'networkidle' });
      await page.waitForSelector(`li.item >> text=${itemName}`, { timeout: 30_000 });
      expect(await page.textContent('#app-title')).toBe('Shop items');
      expect(await page.textContent('#app-version')).toBe('1.0.0');
      // a deep link opened directly renders the client-side route
      await page.goto(`${base}/about`, { waitUntil: 'networkidle' });
      expect(await page.textContent('#about-title')).toBe('About');
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  test('after down (volumes kept) and up, the item is still there', async () => {
    stack.timed('down', () => stack.compose(['down'], { timeout: 300_000 }));
    stack.up('restart-to-healthy');
    const list = (await http('GET', `${base}/api/items`)).json<Array<{ name: string }>>();
    expect(list.map((i) => i.name)).toContain(itemName);
  });
});
