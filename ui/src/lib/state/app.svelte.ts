// The window's shared state: who we are working for, in which language, and
// how the link to KSeF looks. Components read it; only these methods change it.
import { commands, type CompanyDto, type RoleDto, type StatusDto } from "../bindings";
import { setUiLocale, type Locale } from "../i18n/index.svelte";
import { call } from "../ipc";

export type Page = "dashboard" | "sales" | "costs" | "contractors" | "settings";
export const PAGES: readonly Page[] = ["dashboard", "sales", "costs", "contractors", "settings"];

const STATUS_REFRESH_MS = 5_000;

class AppState {
  ready = $state(false);
  startError = $state<unknown>(null);
  version = $state("");
  /** The last day of KSeF token sign-in (`YYYY-MM-DD`), from the backend. */
  tokenLastDay = $state("");
  /** Started on the demo profile: its data may be reset. */
  demo = $state(false);
  companies = $state<CompanyDto[]>([]);
  activeCompanyId = $state<number | null>(null);
  status = $state<StatusDto | null>(null);
  /** The current user's roles in the active company: the UI mirrors what the core enforces. */
  roles = $state<RoleDto[]>([]);
  /** Whether `roles` is known yet (until then every area is shown). */
  rolesKnown = $state(false);
  page = $state<Page>("dashboard");
  activeCompany = $derived(this.companies.find((c) => c.id === this.activeCompanyId) ?? null);

  async start(): Promise<void> {
    this.startError = null;
    try {
      const startup = await call(commands.startup());
      setUiLocale(startup.locale);
      this.version = startup.version;
      this.tokenLastDay = startup.tokenLastDay;
      this.demo = startup.demo;
      this.companies = startup.companies;
      this.activeCompanyId = startup.activeCompanyId;
      this.ready = true;
      void this.refreshStatus();
      void this.refreshRoles();
      setInterval(() => void this.refreshStatus(), STATUS_REFRESH_MS);
    } catch (error) {
      this.startError = error;
    }
  }

  async refreshStatus(): Promise<void> {
    try {
      this.status = await call(commands.status());
    } catch {
      // The status bar keeps its last known state; the next tick tries again.
    }
  }

  async refreshRoles(): Promise<void> {
    const companyId = this.activeCompanyId;
    if (companyId === null) {
      this.roles = [];
      this.rolesKnown = false;
      return;
    }
    try {
      const roles = await call(commands.currentRoles(companyId));
      if (this.activeCompanyId !== companyId) return;
      this.roles = roles;
      this.rolesKnown = true;
      if (!this.mayOpen(this.page)) this.page = "dashboard";
    } catch {
      this.rolesKnown = false;
    }
  }

  /** Whether the user's roles open `page` (the core refuses the rest anyway). */
  mayOpen(page: Page): boolean {
    if (!this.rolesKnown) return true;
    switch (page) {
      case "sales":
        return this.can("sales") || this.can("accounting");
      case "costs":
        return this.can("costs") || this.can("accounting") || this.can("finance");
      default:
        return true;
    }
  }

  /** Whether the current user may act as `role` in the active company (admin may all). */
  can(role: RoleDto): boolean {
    return this.roles.includes("admin") || this.roles.includes(role);
  }

  async selectCompany(companyId: number): Promise<void> {
    const company = await call(commands.selectCompany(companyId));
    this.activeCompanyId = company.id;
    void this.refreshStatus();
    void this.refreshRoles();
  }

  /** After the wizard connected a company: list it and work on it. */
  async companyAdded(company: CompanyDto): Promise<void> {
    this.companies = [...this.companies.filter((c) => c.id !== company.id), company].sort((a, b) =>
      a.name.localeCompare(b.name, "pl"),
    );
    await this.selectCompany(company.id);
  }

  async changeLocale(next: Locale): Promise<void> {
    setUiLocale(await call(commands.setLocale(next)));
  }

  go(page: Page): void {
    if (this.mayOpen(page)) this.page = page;
  }
}

export const app = new AppState();
