/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Application version, injected at build time. */
  readonly VITE_APP_VERSION?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}

/** Runtime configuration, provided by /config.js (rendered at container start). */
interface AppConfig {
  APP_TITLE?: string;
  [key: string]: unknown;
}

interface Window {
  __APP_CONFIG__?: AppConfig;
}
