// Process-level tests of the built app: how it starts and ends as an OS process,
// which the WebDriver tests cannot see (they own the process). Each test starts the
// app itself on a fresh demo profile, with XDG_DATA_HOME pointed at a fresh folder so
// that no real profile is touched. Run under Xvfb and a D-Bus session bus:
// `xvfb-run -a dbus-run-session -- node ui/e2e-window/processes.mjs`.
// Ends with "N passed, N failed".
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "../..");
const app = resolve(root, process.env.KSEF_DESK_BINARY ?? "target/debug/ksef-desk");
const PROFILE_IN_USE_EXIT_CODE = 3;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(read, what, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = read();
    if (value) return value;
    await sleep(100);
  }
  throw new Error(`${what} (waited ${timeoutMs} ms)`);
}

/** pid -> { ppid, state, cmdline } of every process now. */
function processTable() {
  const table = new Map();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      // The command name may hold spaces and parentheses: read after the last ')'.
      const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const cmdline = readFileSync(`/proc/${name}/cmdline`, "utf8").replaceAll("\0", " ");
      table.set(Number(name), { ppid: Number(ppid), state, cmdline });
    } catch {
      // gone meanwhile
    }
  }
  return table;
}

/** The process and all its descendants now. */
function tree(pid) {
  const table = processTable();
  const found = [pid];
  for (let i = 0; i < found.length; i++) {
    for (const [child, info] of table) {
      if (info.ppid === found[i]) found.push(child);
    }
  }
  return found.map((p) => ({ pid: p, cmdline: table.get(p)?.cmdline ?? "" }));
}

/** Running (a zombie has ended; nobody may reap orphans in a container). */
function alive(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

/** The app's processes running on `dataDir` (launch arguments name it). */
function appProcessesOn(dataDir) {
  return [...processTable()].filter(
    ([, info]) =>
      info.state !== "Z" && info.cmdline.startsWith(app) && info.cmdline.includes(dataDir),
  );
}

function logOf(dataDir) {
  try {
    const dir = join(dataDir, "logs");
    return readdirSync(dir)
      .map((name) => readFileSync(join(dir, name), "utf8"))
      .join("");
  } catch {
    return "";
  }
}

const count = (text, part) => text.split(part).length - 1;

class Launch {
  constructor(dataDir, env, extraArgs = []) {
    this.stderr = "";
    this.exit = new Promise((resolveExit) => {
      this.child = spawn(app, ["--demo", "--data-dir", dataDir, ...extraArgs], {
        env: { ...process.env, ...env },
        stdio: ["ignore", "ignore", "pipe"],
      });
      this.child.stderr.on("data", (chunk) => (this.stderr += chunk));
      this.child.on("exit", (code, signal) => resolveExit({ code, signal }));
    });
    this.pid = this.child.pid;
  }
  /** The exit status, or an error after `ms`. */
  async exited(ms) {
    const timeout = sleep(ms).then(() => {
      throw new Error(`pid ${this.pid} still running after ${ms} ms`);
    });
    return Promise.race([this.exit, timeout]);
  }
  /** The window is up and the profile open: WebKit's processes run, the log says so. */
  async ready(dataDir) {
    await until(
      () => tree(this.pid).some((p) => p.cmdline.includes("WebKitWebProcess")),
      `WebKit's web process under pid ${this.pid}; stderr: ${this.stderr}`,
      30_000,
    );
    await until(
      () => logOf(dataDir).includes("starting KSeF Desk"),
      "the start in the profile's log",
      10_000,
    );
  }
  kill(signal) {
    if (alive(this.pid)) process.kill(this.pid, signal);
  }
}

/** A fresh app-data folder and profile for one test, removed afterwards. */
async function withProfile(run) {
  const base = mkdtempSync(join(tmpdir(), "ksef-desk-proc-"));
  const env = { XDG_DATA_HOME: join(base, "data-home") };
  const launches = [];
  const launch = (dataDir, extraEnv = {}) => {
    const l = new Launch(dataDir, { ...env, ...extraEnv });
    launches.push(l);
    return l;
  };
  try {
    await run({ base, dataDir: join(base, "profile"), launch });
  } finally {
    for (const l of launches) {
      for (const p of tree(l.pid)) if (alive(p.pid)) process.kill(p.pid, "SIGKILL");
    }
    rmSync(base, { recursive: true, force: true });
  }
}

const tests = [
  {
    name: "sigterm-ends-the-app-and-its-webkit-processes",
    run: () =>
      withProfile(async ({ dataDir, launch }) => {
        const first = launch(dataDir);
        await first.ready(dataDir);
        const processes = tree(first.pid);
        if (!processes.some((p) => p.cmdline.includes("WebKitNetworkProcess"))) {
          throw new Error(`no WebKit network process: ${JSON.stringify(processes)}`);
        }
        const started = Date.now();
        first.kill("SIGTERM");
        const { code, signal } = await first.exited(10_000);
        if (code !== 0) throw new Error(`exit code ${code} (signal ${signal}), expected 0`);
        await until(
          () => processes.every((p) => !alive(p.pid)),
          `processes of the app's tree outlived it: ${JSON.stringify(
            processes.filter((p) => alive(p.pid)),
          )}`,
          5_000,
        );
        const log = logOf(dataDir);
        for (const line of ["SIGTERM received", "the outbox sender stopped", "KSeF Desk ended"]) {
          if (!log.includes(line)) throw new Error(`the log lacks "${line}"; it was flushed?`);
        }
        // The profile's lock went with the process.
        execFileSync("flock", ["--nonblock", join(dataDir, ".lock"), "true"]);
        console.log(`        ended with its tree in ${Date.now() - started} ms`);
      }),
  },
  {
    name: "a-second-launch-on-one-profile-shows-the-first-and-ends",
    run: () =>
      withProfile(async ({ base, dataDir, launch }) => {
        const first = launch(dataDir);
        await first.ready(dataDir);
        const second = launch(dataDir);
        const { code } = await second.exited(15_000);
        if (code !== 0) throw new Error(`second launch exit code ${code}: ${second.stderr}`);
        await until(
          () => logOf(dataDir).includes("launched again on this profile"),
          "the first process heard of the second launch",
          5_000,
        );
        const log = logOf(dataDir);
        if (count(log, "starting KSeF Desk") !== 1) {
          throw new Error(`the profile was opened ${count(log, "starting KSeF Desk")} times`);
        }
        if (!alive(first.pid)) throw new Error("the first process ended");
        const running = appProcessesOn(dataDir);
        if (running.length !== 1) {
          throw new Error(`${running.length} app processes on the profile, expected 1`);
        }
        // Another profile is another process, side by side.
        const otherDir = join(base, "other-profile");
        const other = launch(otherDir);
        await other.ready(otherDir);
        if (!alive(first.pid) || !alive(other.pid)) throw new Error("a process ended");
        first.kill("SIGTERM");
        other.kill("SIGTERM");
        await first.exited(10_000);
        await other.exited(10_000);
      }),
  },
  {
    name: "a-locked-profile-out-of-reach-ends-the-launch-with-its-own-code",
    run: () =>
      withProfile(async ({ dataDir, launch }) => {
        const first = launch(dataDir);
        await first.ready(dataDir);
        // No bus to hand over on, as for a process in another user's session.
        const second = launch(dataDir, { DBUS_SESSION_BUS_ADDRESS: "unix:path=/nonexistent/bus" });
        const { code } = await second.exited(15_000);
        if (code !== PROFILE_IN_USE_EXIT_CODE) {
          throw new Error(
            `exit code ${code}, expected ${PROFILE_IN_USE_EXIT_CODE}: ${second.stderr}`,
          );
        }
        if (!second.stderr.includes("already open in another KSeF Desk process")) {
          throw new Error(`no clear message on stderr: ${second.stderr}`);
        }
        if (!logOf(dataDir).includes("already open in another KSeF Desk process")) {
          throw new Error("no clear message in the profile's log");
        }
        if (count(logOf(dataDir), "starting KSeF Desk") !== 1) {
          throw new Error("the second launch opened the profile");
        }
        if (!alive(first.pid)) throw new Error("the first process ended");
        first.kill("SIGTERM");
        await first.exited(10_000);
      }),
  },
];

let passed = 0;
let failed = 0;
const only = process.env.E2E_ONLY;
for (const test of tests.filter((t) => !only || t.name.includes(only))) {
  const started = Date.now();
  try {
    await test.run();
    passed++;
    console.log(`  PASS  ${test.name} (${Date.now() - started} ms)`);
  } catch (error) {
    failed++;
    console.log(`  FAIL  ${test.name}: ${error.message}`);
  }
}
console.log(`process e2e: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
