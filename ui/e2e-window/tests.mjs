// The real-window scenarios. Each gets a fresh demo profile.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// Records every IPC answer the Rust side delivers to the page. Tauri's `invoke` is
// frozen, but answers arrive through the callback map it exposes for debugging.
const RECORD_IPC_ANSWERS = `
  const callbacks = window.__TAURI_INTERNALS__.callbacks;
  window.__ipcAnswers = [];
  callbacks.get = function (id) {
    const callback = Map.prototype.get.call(this, id);
    return callback && ((data) => {
      window.__ipcAnswers.push(JSON.stringify(data) ?? "");
      return callback(data);
    });
  };`;

/** Every file under `dir` except `skip` (relative directory names). */
function filesUnder(dir, skip) {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((path) => !skip.some((s) => path.startsWith(join(dir, s))));
}

/** A self-signed certificate of the NIP's owner (as KSeF Test accepts) with its key
 * encrypted under `password`, made by openssl in a fresh directory. */
function selfSignedCertificate(nip, password) {
  const dir = mkdtempSync(join(tmpdir(), "ksef-desk-cert-"));
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-keyout",
      "owner.key",
      "-out",
      "owner.crt",
      "-days",
      "400",
      "-subj",
      `/CN=Anna Nowak/serialNumber=TINPL-${nip}/C=PL`,
      "-passout",
      `pass:${password}`,
    ],
    { cwd: dir, stdio: "pipe" },
  );
  return { dir, certificate: join(dir, "owner.crt"), key: join(dir, "owner.key") };
}

export const tests = [
  {
    name: "tokens-refused-certificates-still-work",
    // Rehearses 1 January 2027: the built-in simulator refuses token sign-in already.
    args: ["--sim-refuse-tokens-from", "2020-01-01T00:00:00Z"],
    async run(win) {
      // The demo company signs in with its certificate: the demo still works.
      await win.until(
        () => win.text("[data-testid=status-connection]"),
        (t) => t === "Połączono z KSeF",
        "the demo company signed in with token sign-in switched off",
        30_000,
      );
      // ... and retrieves its demo costs with the certificate.
      await win.click("[data-testid=nav-costs]");
      await win.until(
        () => win.text("[data-testid=stat-to-describe]"),
        (t) => /Do opisania\s+\d{3}\s/.test(t),
        "the demo costs retrieved with token sign-in switched off",
        45_000,
      );
      await win.click("[data-testid=company-switcher]");
      await win.click("[data-testid=add-company]");
      await win.type("[data-testid=wizard-nip]", "774-000-14-54");
      await win.type("[data-testid=wizard-name]", "Hurtownia Certyfikat Sp. z o.o.");
      // The seller's address goes on every invoice.
      await win.type("#wizard-address1", "ul. Długa 1");
      await win.type("#wizard-address2", "00-001 Warszawa");
      await win.click("[data-testid=wizard-next]");
      // The certificate is first and preselected; the token names its last day.
      if (!(await win.prop("[data-testid=wizard-method-certificate]", "checked"))) {
        throw new Error("the certificate must be preselected");
      }
      await win.expectText(
        "[data-testid=wizard-method-token-title]",
        "Token KSeF — działa do 31.12.2026",
      );
      // A token no longer signs in: the switch is on.
      await win.click("[data-testid=wizard-method-token-option]");
      await win.click("[data-testid=wizard-next]");
      await win.click("[data-testid=wizard-demo-token]");
      await win.until(
        () => win.prop("[data-testid=wizard-token]", "value"),
        (v) => typeof v === "string" && v.length > 20,
        "a simulator token filled in",
      );
      await win.click("[data-testid=wizard-test]");
      await win.expectText("[data-testid=wizard-error]", /\S/);
      if ((await win.count("[data-testid=wizard-report]")) !== 0) {
        throw new Error("a token must not sign in after the switch");
      }
      // Back to the recommended way in, with a self-signed certificate and its key.
      const cert = selfSignedCertificate("7740001454", "Tajne-Haslo");
      try {
        await win.click("[data-testid=wizard-back]");
        await win.click("[data-testid=wizard-method-certificate-option]");
        await win.click("[data-testid=wizard-next]");
        await win.type("[data-testid=certificate-path]", cert.certificate);
        await win.type("[data-testid=certificate-key-path]", cert.key);
        await win.type("[data-testid=certificate-password]", "zle-haslo");
        await win.click("[data-testid=certificate-submit]");
        await win.expectText("[data-testid=certificate-error-password]", /Hasło/);
        await win.type("[data-testid=certificate-password]", "Tajne-Haslo");
        await win.click("[data-testid=certificate-submit]");
        await win.until(
          () => win.textContent("[data-testid=active-company]"),
          (t) => t === "Hurtownia Certyfikat Sp. z o.o.",
          "the company added with a certificate is active",
          30_000,
        );
      } finally {
        rmSync(cert.dir, { recursive: true, force: true });
      }
      await win.until(
        () => win.text("[data-testid=status-connection]"),
        (t) => t === "Połączono z KSeF",
        "the new company connected",
        20_000,
      );
      // It issues and sends an invoice; KSeF gives it a number.
      await win.click("[data-testid=nav-sales]");
      await win.click("[data-testid=new-invoice]");
      await win.click("[data-testid=buyer-search]");
      await win.click("[data-testid=buyer-add]");
      await win.type("[data-testid=contractor-nip]", "526-587-76-35");
      await win.type("[data-testid=contractor-name]", "Pracownia Demo Sp. z o.o.");
      const address = "[data-testid=contractor-form] label:nth-of-type";
      await win.type(`${address}(4) input`, "ul. Marszałkowska 84/92");
      await win.type(`${address}(5) input`, "00-514 Warszawa");
      await win.click("[data-testid=contractor-save]");
      await win.expectText("[data-testid=buyer-chosen]", /Pracownia Demo/);
      await win.type("[data-testid=line-0-name]", "Usługa księgowa");
      await win.type("[data-testid=line-0-price]", "500");
      await win.expectText("[data-testid=total-gross]", /615,00/);
      await win.click("[data-testid=issue]");
      await win.expectText("[data-testid=document-number]", /^FV\/\d+\/\d{2}\/\d{4}$/);
      await win.click("[data-testid=send-now]");
      await win.until(
        () => win.text("[data-testid=ksef-number]"),
        (t) => /^7740001454-\d{8}-[0-9A-F]{12}-[0-9A-F]{2}$/.test(t),
        "the KSeF number from the simulator",
        45_000,
      );
      // And it retrieves costs with the certificate (nobody invoiced it yet).
      await win.click("[data-testid=nav-costs]");
      await win.click("[data-testid=sync-now]");
      await win.expectText("[data-testid=sync-message]", "Brak nowych kosztów w KSeF.");
    },
  },
  {
    name: "costs-retrieved-from-the-simulator",
    async run(win) {
      await win.click("[data-testid=nav-costs]");
      await win.expectText("[data-testid=page-title]", "Koszty");
      // Demo mode retrieves the simulator's 300+ demo costs by itself at start.
      await win.until(
        () => win.text("[data-testid=stat-to-describe]"),
        (t) => /Do opisania\s+\d{3}\s/.test(t),
        "the demo costs retrieved and counted",
        30_000,
      );
      await win.until(
        () => win.count("[data-testid=cost-row]"),
        (n) => n > 5,
        "the first rows of the inbox",
      );
      await win.click("[data-testid=cost-row]");
      await win.expectText("[data-testid=cost-stage]", "Nowy");
      // The invoice's own XML is downloaded after the listing (on a busy machine a
      // while later) and then shown beside the workflow: reopen until it is there.
      await win.until(
        async () => {
          await win.click("[data-testid=cost-row]");
          return win.count("[data-testid=cost-visualisation]");
        },
        (n) => n === 1,
        "the invoice visualisation",
        45_000,
      );
      await win.expectText("[data-testid=cost-history]", /Pobrano z KSeF/);
    },
  },
  {
    name: "demo-company-signs-in-with-a-certificate",
    async run(win) {
      // At start the built-in simulator issues the demo company a KSeF certificate and the
      // app signs in with XAdES (tokens stop working after 31.12.2026).
      await win.until(
        () => win.text("[data-testid=status-connection]"),
        (t) => t === "Połączono z KSeF",
        "the demo company signed in to the built-in simulator",
        30_000,
      );
      await win.click("[data-testid=nav-settings]");
      await win.until(
        () => win.text("[data-testid=credentials-method]"),
        (t) => t === "Certyfikat KSeF",
        "the certificate as the sign-in method",
        20_000,
      );
      await win.expectText("[data-testid=credentials-validity]", /^od .+ do .+$/);
      await win.expectText(
        "[data-testid=credentials-panel]",
        /Klucz prywatny jest w systemowym sejfie/,
      );
      // A fresh certificate needs no warning, and nothing says "token" any more.
      if ((await win.count("[data-testid=status-credentials]")) !== 0) {
        throw new Error("a fresh certificate must not warn in the status bar");
      }
    },
  },
  {
    name: "opens-demo-company-in-polish",
    async run(win) {
      await win.expectText("[data-testid=page-title]", "Pulpit");
      await win.until(
        () => win.textContent("[data-testid=active-company]"),
        (t) => t === "Pracownia Demo Sp. z o.o.",
        "the demo company in the switcher",
      );
      await win.expectText("[data-testid=status-environment]", "Symulator KSeF (demo)");
      // The demo sales include end-of-day documents (sent at 18:00, or at a later start).
      await win.expectText(
        "[data-testid=status-queue]",
        /^(Kolejka pusta|\d+ dokument\S* w kolejce)$/,
      );
      // Demo mode starts the built-in simulator and authenticates with it for real.
      await win.until(
        () => win.text("[data-testid=status-connection]"),
        (t) => t === "Połączono z KSeF",
        "the demo company connected to the built-in simulator",
        20_000,
      );
      // Counts come from the real SQLite store through IPC.
      await win.expectText("[data-testid=stat-contractors]", /Kontrahenci\s+20\s/);
    },
  },
  {
    name: "contractors-from-the-store",
    async run(win) {
      await win.click("[data-testid=nav-contractors]");
      await win.expectText("[data-testid=page-title]", "Kontrahenci");
      await win.until(
        () => win.count("[data-testid=contractor-table] tbody tr"),
        (n) => n === 20,
        "twenty demo contractors",
      );
      await win.type("[data-testid=contractor-search]", "bajt");
      await win.until(
        () => win.count("[data-testid=contractor-table] tbody tr"),
        (n) => n === 1,
        "one match for 'bajt'",
      );
      await win.expectText("[data-testid=contractor-table] tbody tr", /Serwis IT Bajt/);
    },
  },
  {
    name: "wizard-connects-a-company-to-the-simulator",
    async run(win) {
      await win.click("[data-testid=company-switcher]");
      await win.click("[data-testid=add-company]");
      await win.type("[data-testid=wizard-nip]", "774-000-14-54");
      await win.type("[data-testid=wizard-name]", "Hurtownia Testowa Sp. z o.o.");
      await win.click("[data-testid=wizard-next]");
      await win.click("[data-testid=wizard-method-token-option]");
      await win.click("[data-testid=wizard-next]");
      await win.click("[data-testid=wizard-demo-token]");
      await win.until(
        () => win.prop("[data-testid=wizard-token]", "value"),
        (v) => typeof v === "string" && v.length > 20,
        "a simulator token filled in",
      );
      await win.click("[data-testid=wizard-test]");
      // A real authentication against the built-in simulator; permissions from GET /tokens.
      await win.expectText("[data-testid=wizard-feature-send_sales_invoices]", /dostępne/);
      await win.expectText("[data-testid=wizard-feature-receive_cost_invoices]", /dostępne/);
      await win.click("[data-testid=wizard-save]");
      await win.until(
        () => win.textContent("[data-testid=active-company]"),
        (t) => t === "Hurtownia Testowa Sp. z o.o.",
        "the new company is active",
        15_000,
      );
      await win.expectText("[data-testid=status-connection]", "Połączono z KSeF");
    },
  },
  {
    name: "language-switch-persists",
    async run(win) {
      await win.click("[data-testid=nav-settings]");
      await win.click("[data-testid=locale-en]");
      await win.expectText("[data-testid=page-title]", "Settings");
      await win.expectText("[data-testid=nav-dashboard]", "Dashboard");
      // The demo may still be connecting: either state, but in English.
      await win.expectText(
        "[data-testid=status-connection]",
        /^(Not connected|Connected) to KSeF$/,
      );
      // Reload the window: the choice comes back from the store, not from memory.
      await win.until(
        async () => {
          await win.refresh();
          return win.text("[data-testid=page-title]");
        },
        (t) => t === "Dashboard",
        "English after reload",
      );
    },
  },
  {
    name: "company-tokens-from-the-simulator",
    async run(win) {
      await win.until(
        () => win.text("[data-testid=status-connection]"),
        (t) => t === "Połączono z KSeF",
        "the demo company connected",
        20_000,
      );
      await win.click("[data-testid=nav-settings]");
      await win.click("[data-testid=tokens-load]");
      // GET /tokens over loopback, signed in with the demo company's certificate: the
      // simulator's demo token is listed with every permission, and none is the app's
      // own any more (the app signs in with the certificate).
      await win.until(
        () => win.text("[data-testid=tokens-list]"),
        (t) =>
          t.includes("Token firmy demonstracyjnej") &&
          t.includes("Zarządzanie uprawnieniami") &&
          !t.includes("Używany przez aplikację"),
        "the company's tokens with their permissions",
        15_000,
      );
    },
  },
  {
    name: "the-token-never-leaves-the-vault",
    async run(win, { dataDir }) {
      await win.click("[data-testid=company-switcher]");
      await win.click("[data-testid=add-company]");
      await win.type("[data-testid=wizard-nip]", "774-000-14-54");
      await win.type("[data-testid=wizard-name]", "Hurtownia Testowa Sp. z o.o.");
      await win.click("[data-testid=wizard-next]");
      await win.click("[data-testid=wizard-method-token-option]");
      await win.click("[data-testid=wizard-next]");
      await win.click("[data-testid=wizard-demo-token]");
      const token = await win.until(
        () => win.prop("[data-testid=wizard-token]", "value"),
        (v) => typeof v === "string" && v.length > 20,
        "a simulator token filled in",
      );
      await win.click("[data-testid=wizard-test]");
      await win.expectText("[data-testid=wizard-feature-send_sales_invoices]", /dostępne/);
      // From saving on, the token may travel only into the vault.
      await win.execute(RECORD_IPC_ANSWERS);
      await win.click("[data-testid=wizard-save]");
      await win.until(
        () => win.textContent("[data-testid=active-company]"),
        (t) => t === "Hurtownia Testowa Sp. z o.o.",
        "the new company is active",
        15_000,
      );
      // Visit everything that reads from the backend.
      for (const page of ["dashboard", "sales", "costs", "contractors", "settings"]) {
        await win.click(`[data-testid=nav-${page}]`);
        await win.expectText("[data-testid=page-title]", /\S/);
      }
      await win.click("[data-testid=tokens-load]");
      await win.until(
        () => win.text("[data-testid=tokens-list]"),
        (t) => t.includes("Używany przez aplikację"),
        "the token list from the simulator",
        15_000,
      );
      await win.click("[data-testid=nav-dashboard]");
      await win.click("[data-testid=dashboard-all]");
      await win.expectText("[data-testid=overview-table]", /Hurtownia Testowa/);

      // The token company moves to a certificate in Settings (well under a minute):
      // from then on neither the private key nor its password may leave the vault.
      const password = "Haslo-Klucza-9f2d";
      const cert = selfSignedCertificate("7740001454", password);
      let keyPem;
      try {
        keyPem = readFileSync(cert.key, "utf8");
        await win.click("[data-testid=nav-settings]");
        await win.expectText("[data-testid=credentials-method]", /Token/);
        const started = Date.now();
        await win.click("[data-testid=credentials-switch]");
        await win.type("[data-testid=certificate-path]", cert.certificate);
        await win.type("[data-testid=certificate-key-path]", cert.key);
        await win.type("[data-testid=certificate-password]", password);
        await win.click("[data-testid=certificate-submit]");
        await win.until(
          () => win.text("[data-testid=credentials-method]"),
          (t) => /Certyfikat/.test(t),
          "the company moved to its certificate",
          30_000,
        );
        if (Date.now() - started > 60_000) throw new Error("the move took over a minute");
      } finally {
        rmSync(cert.dir, { recursive: true, force: true });
      }
      // Still connected, now through the certificate.
      await win.expectText("[data-testid=status-connection]", "Połączono z KSeF");

      const answers = await win.execute("return window.__ipcAnswers;");
      // The recording worked: it holds the saved company and the token list.
      for (const expected of ["Hurtownia Testowa", "usedByThisApp"]) {
        if (!answers.some((a) => a.includes(expected))) {
          throw new Error(`no IPC answer with ${expected} among ${answers.length}`);
        }
      }
      const secret = token.split("|").pop();
      const leaking = answers.filter((a) => a.includes(token) || a.includes(secret));
      if (leaking.length > 0) throw new Error(`the token came back over IPC: ${leaking[0]}`);
      // The profile on disk: SQLite (with its WAL) and the logs. The built-in
      // simulator's own data plays KSeF's part, which knows the token by nature.
      const files = filesUnder(dataDir, ["simulator"]);
      if (!files.some((f) => f.endsWith(".sqlite3"))) throw new Error("no database found");
      // The encrypted key file's body and the password: neither over IPC nor on disk.
      const keyBody = keyPem
        .split("\n")
        .filter((line) => line && !line.startsWith("-----"))
        .join("");
      const keySample = keyBody.slice(0, 48);
      const keyLeak = answers.filter((a) => a.includes(password) || a.includes(keySample));
      if (keyLeak.length > 0) throw new Error(`the key or its password came back over IPC`);
      for (const file of files) {
        const bytes = readFileSync(file);
        if (bytes.includes(secret)) throw new Error(`the token is written in ${file}`);
        if (bytes.includes(password)) throw new Error(`the key's password is written in ${file}`);
      }
    },
  },
  {
    name: "sales-issue-send-ksef-number-and-upo",
    async run(win) {
      // The demo company connects to the built-in simulator at start.
      await win.until(
        () => win.text("[data-testid=status-connection]"),
        (t) => t === "Połączono z KSeF",
        "the demo company connected to the built-in simulator",
        20_000,
      );
      await win.click("[data-testid=nav-sales]");
      // The demo seed: 200 documents in every state, from the real store.
      await win.expectText("[data-testid=page-title]", "Sprzedaż");
      await win.until(
        () => win.count("[data-testid=sales-list] [data-testid=status-badge]"),
        (n) => n > 5,
        "the demo sales in the list",
      );
      await win.click("[data-testid=new-invoice]");
      await win.type("[data-testid=buyer-search]", "bajt\uE007");
      await win.expectText("[data-testid=buyer-chosen]", /Serwis IT Bajt/);
      await win.type("[data-testid=line-0-name]", "Przegląd serwera");
      await win.type("[data-testid=line-0-price]", "150");
      await win.expectText("[data-testid=total-gross]", /184,50/);
      await win.click("[data-testid=issue]");
      await win.expectText("[data-testid=document-number]", /^FV\/\d+\/\d{2}\/\d{4}$/);
      await win.click("[data-testid=send-now]");
      // Real HTTP to the simulator: session, encrypted send, status, UPO.
      const ksef = await win.until(
        () => win.text("[data-testid=ksef-number]"),
        (t) => /^5265877635-\d{8}-[0-9A-F]{12}-[0-9A-F]{2}$/.test(t),
        "the KSeF number from the simulator",
        30_000,
      );
      await win.until(
        () => win.text("[data-testid=upo]"),
        (t) => t.includes(ksef),
        "the UPO naming the same KSeF number",
        30_000,
      );
      await win.expectText("[data-testid=history]", /Odebrano UPO/);
    },
  },
  {
    name: "a-second-launch-on-the-profile-sends-nothing-twice",
    // One process per profile: a second launch while the first sends ends at once
    // (showing the first window over D-Bus, or with code 3 where there is no bus),
    // and KSeF receives the invoice once.
    async run(win, { dataDir, app }) {
      await win.until(
        () => win.text("[data-testid=status-connection]"),
        (t) => t === "Połączono z KSeF",
        "the demo company connected to the built-in simulator",
        20_000,
      );
      await win.click("[data-testid=nav-sales]");
      await win.click("[data-testid=new-invoice]");
      await win.type("[data-testid=buyer-search]", "bajt\uE007");
      await win.expectText("[data-testid=buyer-chosen]", /Serwis IT Bajt/);
      await win.type("[data-testid=line-0-name]", "Przegląd serwera");
      await win.type("[data-testid=line-0-price]", "150");
      await win.click("[data-testid=issue]");
      const number = await win.expectText(
        "[data-testid=document-number]",
        /^FV\/\d+\/\d{2}\/\d{4}$/,
      );

      const second = spawn(app, ["--demo", "--data-dir", dataDir], { stdio: "ignore" });
      const secondExit = new Promise((resolveExit) => second.on("exit", resolveExit));
      await win.click("[data-testid=send-now]");
      const code = await Promise.race([
        secondExit,
        new Promise((_, reject) =>
          setTimeout(() => reject(new Error("second launch still running")), 15_000),
        ),
      ]);
      if (code !== 0 && code !== 3) throw new Error(`second launch ended with code ${code}`);

      const ksef = await win.until(
        () => win.text("[data-testid=ksef-number]"),
        (t) => /^5265877635-\d{8}-[0-9A-F]{12}-[0-9A-F]{2}$/.test(t),
        "the KSeF number from the simulator",
        30_000,
      );
      const received = execFileSync(
        "sqlite3",
        [
          join(dataDir, "simulator", "ksef-sim.sqlite"),
          `SELECT count(*) FROM invoice WHERE invoice_number = '${number}'`,
        ],
        { encoding: "utf8" },
      ).trim();
      if (received !== "1") throw new Error(`KSeF received ${number} ${received} times (${ksef})`);
      const log = readFileSync(
        join(dataDir, "logs", readdirSync(join(dataDir, "logs"))[0]),
        "utf8",
      );
      const opened = log.split("starting KSeF Desk").length - 1;
      if (opened !== 1) throw new Error(`the profile was opened ${opened} times`);
    },
  },
];
