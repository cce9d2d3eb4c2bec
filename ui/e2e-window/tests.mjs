// The real-window scenarios. Each gets a fresh demo profile.
export const tests = [
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
      await win.expectText("[data-testid=status-connection]", "Nie połączono z KSeF");
      await win.expectText("[data-testid=status-queue]", "Kolejka pusta");
      // Counts come from the real SQLite store through IPC.
      await win.expectText("[data-testid=stat-contractors]", /Kontrahenci\s+5\s/);
    },
  },
  {
    name: "contractors-from-the-store",
    async run(win) {
      await win.click("[data-testid=nav-contractors]");
      await win.expectText("[data-testid=page-title]", "Kontrahenci");
      await win.until(
        () => win.count("[data-testid=contractor-table] tbody tr"),
        (n) => n === 5,
        "five demo contractors",
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
    name: "language-switch-persists",
    async run(win) {
      await win.click("[data-testid=nav-settings]");
      await win.click("[data-testid=locale-en]");
      await win.expectText("[data-testid=page-title]", "Settings");
      await win.expectText("[data-testid=nav-dashboard]", "Dashboard");
      await win.expectText("[data-testid=status-connection]", "Not connected to KSeF");
      // Reload the window: the choice comes back from the store, not from memory.
      await win.until(
        async () => {
          await fetch(`http://127.0.0.1:4444/session/${win.id}/refresh`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: "{}",
          });
          return win.text("[data-testid=page-title]");
        },
        (t) => t === "Dashboard",
        "English after reload",
      );
    },
  },
];
