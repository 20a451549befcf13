import { defineConfig } from 'vite';

/**
 * Path of the API on the page's origin, when the stack has one: the image build gets it as the
 * build arg VITE_API_PATH, the development stack (compose.dev.yaml) as API_PATH_PREFIX.
 */
const apiPath = process.env.VITE_API_PATH || process.env.API_PATH_PREFIX;

export default defineConfig({
  define: apiPath ? { 'import.meta.env.VITE_API_PATH': JSON.stringify(apiPath) } : {},
  build: {
    // The container serves dist/ (hashed assets in dist/assets/, cached for a year by nginx).
    outDir: 'dist',
  },
  server: {
    // The dev server forwards API calls to the backend: in the development stack API_PROXY_TARGET
    // names it; run locally, start it with `uvicorn main:app --port 8000` and
    // `VITE_API_PATH=/api npm run dev`.
    proxy: apiPath ? { [apiPath]: process.env.API_PROXY_TARGET || 'http://localhost:8000' } : {},
  },
});
