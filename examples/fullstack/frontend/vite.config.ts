import { defineConfig, type Connect, type Plugin } from 'vite';

/**
 * In production the web server renders /config.js at container start. Vite's
 * dev and preview servers would answer that URL with index.html (SPA
 * fallback), which the browser then fails to run as a script. Serve an empty
 * config there instead. This plugin has no build hooks: nothing lands in dist/.
 */
function localRuntimeConfig(): Plugin {
  const middleware: Connect.NextHandleFunction = (req, res, next) => {
    if (req.url?.split('?')[0] !== '/config.js') return next();
    res.setHeader('Content-Type', 'text/javascript; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.end('window.__APP_CONFIG__ = window.__APP_CONFIG__ || {};\n');
  };
  return {
    name: 'local-runtime-config',
    configureServer: (server) => void server.middlewares.use(middleware),
    configurePreviewServer: (server) => void server.middlewares.use(middleware),
  };
}

export default defineConfig({
  plugins: [localRuntimeConfig()],
  build: {
    // Hashed assets end up in dist/assets/ (Vite's default assetsDir).
    outDir: 'dist',
  },
  server: {
    // In `vite dev`, forward API calls to the backend: API_PROXY_TARGET is set by the stack's
    // development compose file (compose.dev.yaml); otherwise the backend runs locally.
    proxy: {
      '/api': process.env.API_PROXY_TARGET ?? 'http://localhost:8000',
    },
  },
});
