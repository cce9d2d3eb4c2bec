import { defineConfig } from "@playwright/test";

// The built UI with the Tauri IPC mocked, in Debian's headless Chromium
// (Playwright's own browser download is not used).
const PORT = 4174;

export default defineConfig({
  testDir: ".",
  testMatch: "*.spec.ts",
  outputDir: "../../test-artifacts/browser",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  timeout: 20_000,
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    browserName: "chromium",
    viewport: { width: 1280, height: 800 },
    locale: "pl-PL",
    screenshot: "on",
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    },
  },
  webServer: {
    command: `VITE_MOCK_IPC=1 npx vite build --config ui/vite.config.ts --outDir dist-mock --logLevel warn && npx vite preview --config ui/vite.config.ts --outDir dist-mock --port ${PORT} --strictPort --host 127.0.0.1`,
    cwd: "../..",
    url: `http://127.0.0.1:${PORT}`,
    reuseExistingServer: false,
    timeout: 60_000,
  },
});
