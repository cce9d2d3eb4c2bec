// The message catalogs, one file per language and area so that areas grow
// independently: the shell's messages plus `sales` and `costs`.
import costsEn from "./costs.en.json";
import costsPl from "./costs.pl.json";
import en from "./en.json";
import ksefCertsEn from "./ksefCerts.en.json";
import ksefCertsPl from "./ksefCerts.pl.json";
import pl from "./pl.json";
import salesEn from "./sales.en.json";
import salesPl from "./sales.pl.json";

export const catalogs = {
  pl: { ...pl, sales: salesPl, costs: costsPl, ksefCerts: ksefCertsPl },
  en: { ...en, sales: salesEn, costs: costsEn, ksefCerts: ksefCertsEn },
} as const;
