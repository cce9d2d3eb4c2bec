// The real-window scenarios. Each gets a fresh demo profile.
export const tests = [
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
      // The invoice's own XML was downloaded and is shown beside the workflow.
      await win.until(
        () => win.count("[data-testid=cost-visualisation]"),
        (n) => n === 1,
        "the invoice visualisation",
      );
      await win.expectText("[data-testid=cost-history]", /Pobrano z KSeF/);
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
      await win.expectText("[data-testid=status-queue]", "Kolejka pusta");
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
      await win.click("[data-testid=wizard-demo-token]");
      await win.until(
        () => win.prop("[data-testid=wizard-token]", "value"),
        (v) => typeof v === "string" && v.length > 20,
        "a simulator token filled in",
      );
      await win.click("[data-testid=wizard-test]");
      // A real authentication against the built-in simulator, with permission probes.
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
];
