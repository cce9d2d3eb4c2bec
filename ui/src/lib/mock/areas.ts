// Mock IPC handlers per area (sales, costs, ...), so each area keeps its own
// fake data next to the others without editing one big switch.
import type { LocaleDto } from "../bindings";
import { createSalesMock } from "./sales";
import { costsMock } from "./costs";
import { createKsefCertificatesMock } from "./ksefCertificates";

export interface MockContext {
  locale: LocaleDto;
  activeCompanyId: number;
  /** Companies that sign in with a certificate (KSeF enrols only for those). */
  onCertificate: ReadonlySet<number>;
}

export interface AreaMock {
  handles(cmd: string): boolean;
  handle(cmd: string, args: Record<string, unknown>, context: MockContext): unknown;
}

export const areaMocks: AreaMock[] = [createSalesMock(), costsMock, createKsefCertificatesMock()];
