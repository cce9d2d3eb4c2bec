import { fileURLToPath } from "node:url";
import { svelte } from "@sveltejs/vite-plugin-svelte";
import { defineConfig } from "vitest/config";

const root = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root,
  plugins: [svelte()],
  clearScreen: false,
  server: { port: 1420, strictPort: true, host: "127.0.0.1" },
  // WebKitGTK and macOS WKWebView: Safari 15 is the oldest engine we ship on.
  build: { outDir: "dist", emptyOutDir: true, target: "safari15" },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});
