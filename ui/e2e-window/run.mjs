// Real-window end-to-end tests: the built app in its own WebKitGTK window,
// driven through tauri-driver + WebKitWebDriver (W3C WebDriver over HTTP).
// Run under Xvfb: `xvfb-run -a node ui/e2e-window/run.mjs`. Each test starts
// the app on a fresh demo profile and saves a screenshot to
// test-artifacts/window/<test>.png. Ends with "N passed, N failed".
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { tests } from "./tests.mjs";

const root = resolve(import.meta.dirname, "../..");
const app = resolve(root, process.env.KSEF_DESK_BINARY ?? "target/debug/ksef-desk");
const driverBinary = resolve(root, process.env.TAURI_DRIVER ?? ".ci-tools/bin/tauri-driver");
const artifacts = join(root, "test-artifacts/window");
const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

/** A port nobody listens on now, so parallel runs on one machine do not collide. */
function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

const PORT = await freePort();
const NATIVE_PORT = await freePort();

mkdirSync(artifacts, { recursive: true });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function ready(port) {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/status`);
    return res.ok;
  } catch {
    return false;
  }
}

async function startDriver() {
  const driver = spawn(
    driverBinary,
    ["--port", String(PORT), "--native-port", String(NATIVE_PORT)],
    {
      stdio: ["ignore", "inherit", "inherit"],
    },
  );
  // tauri-driver answers /status before WebKitWebDriver listens: wait for both.
  for (let i = 0; i < 100; i++) {
    if ((await ready(PORT)) && (await ready(NATIVE_PORT))) return driver;
    await sleep(100);
  }
  driver.kill();
  throw new Error(`tauri-driver did not become ready on ports ${PORT}/${NATIVE_PORT}`);
}

async function wd(method, path, body) {
  const res = await fetch(`http://127.0.0.1:${PORT}${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) {
    throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json.value ?? json)}`);
  }
  return json.value;
}

/** A thin page object over one WebDriver session. */
class Window {
  constructor(id) {
    this.id = id;
  }
  async find(css, timeoutMs = 10_000) {
    const deadline = Date.now() + timeoutMs;
    let last;
    while (Date.now() < deadline) {
      try {
        const el = await wd("POST", `/session/${this.id}/element`, {
          using: "css selector",
          value: css,
        });
        return el[ELEMENT];
      } catch (error) {
        last = error;
        await sleep(100);
      }
    }
    throw new Error(`no element ${css}: ${last?.message}`);
  }
  async text(css) {
    return wd("GET", `/session/${this.id}/element/${await this.find(css)}/text`);
  }
  async prop(css, name) {
    return wd("GET", `/session/${this.id}/element/${await this.find(css)}/property/${name}`);
  }
  /** The DOM text, including what CSS clips (WebDriver's text is only what is visible). */
  async textContent(css) {
    return this.prop(css, "textContent");
  }
  async click(css) {
    await wd("POST", `/session/${this.id}/element/${await this.find(css)}/click`, {});
  }
  async type(css, value) {
    const el = await this.find(css);
    await wd("POST", `/session/${this.id}/element/${el}/clear`, {});
    await wd("POST", `/session/${this.id}/element/${el}/value`, { text: value });
  }
  async count(css) {
    const els = await wd("POST", `/session/${this.id}/elements`, {
      using: "css selector",
      value: css,
    });
    return els.length;
  }
  /** Polls until `read()` satisfies `ok`, so tests do not race the UI. */
  async until(read, ok, what, timeoutMs = 10_000) {
    const deadline = Date.now() + timeoutMs;
    let value;
    while (Date.now() < deadline) {
      try {
        value = await read();
        if (ok(value)) return value;
      } catch {
        // not there yet
      }
      await sleep(100);
    }
    throw new Error(`${what}: last saw ${JSON.stringify(value)}`);
  }
  async expectText(css, expected) {
    return this.until(
      () => this.text(css),
      (t) => (expected instanceof RegExp ? expected.test(t) : t === expected),
      `${css} should read ${expected}`,
    );
  }
  /** Runs `script` (a function body) in the page and returns its value. */
  async execute(script, args = []) {
    return wd("POST", `/session/${this.id}/execute/sync`, { script, args });
  }
  async refresh() {
    await wd("POST", `/session/${this.id}/refresh`, {});
  }
  async screenshot(name) {
    const png = await wd("GET", `/session/${this.id}/screenshot`);
    writeFileSync(join(artifacts, `${name}.png`), Buffer.from(png, "base64"));
  }
}

async function runOne(test) {
  const dataDir = mkdtempSync(join(tmpdir(), "ksef-desk-e2e-"));
  const session = await wd("POST", "/session", {
    capabilities: {
      alwaysMatch: {
        browserName: "wry",
        "tauri:options": {
          application: app,
          // A scenario may add launch options of its own (e.g. the token switch).
          args: ["--demo", "--data-dir", dataDir, ...(test.args ?? [])],
        },
      },
    },
  });
  const win = new Window(session.sessionId);
  try {
    await test.run(win, { dataDir, app });
  } finally {
    await win.screenshot(test.name).catch(() => {});
    await wd("DELETE", `/session/${win.id}`).catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const driver = await startDriver();
let passed = 0;
let failed = 0;
try {
  // E2E_ONLY=name-part runs the matching scenarios only (while working on one).
  const only = process.env.E2E_ONLY;
  for (const test of tests.filter((t) => !only || t.name.includes(only))) {
    const started = Date.now();
    try {
      await runOne(test);
      passed++;
      console.log(`  PASS  ${test.name} (${Date.now() - started} ms)`);
    } catch (error) {
      failed++;
      console.log(`  FAIL  ${test.name}: ${error.message}`);
    }
  }
} finally {
  driver.kill();
}
console.log(`window e2e: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
