/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Path of the API on this origin (e.g. "/api"), set at build time when the stack has a backend. */
  readonly VITE_API_PATH?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
