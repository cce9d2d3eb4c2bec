//! Money: line values, totals per VAT rate, rounding to grosze.
//!
//! Polish practice (art. 106e ust. 10 ustawy o VAT, and what the schema's
//! `P_13_x`/`P_14_x` per-rate fields expect): VAT is computed once per rate from
//! the *sum* of line values, not summed from per-line VAT, and rounded to the
//! grosz half away from zero. Net-priced invoices (`P_9A`/`P_11`) take VAT from
//! the net sum; gross-priced ones (`P_9B`/`P_11A`, art. 106e ust. 7-8) extract
//! it from the gross sum (`gross * r / (100 + r)`) and net = gross - VAT. In a
//! foreign currency, `P_14_xW` is the rate's VAT converted to PLN at the
//! invoice's exchange rate and rounded again.
//!
//! `P_13_x`/`P_14_x` have one basis per invoice, but FA(3) lets each line carry
//! a net (`P_9A`/`P_11`) or a gross (`P_9B`/`P_11A`) price. An invoice with any
//! net-priced line is net-based; its gross-priced lines count at their net value,
//! their gross less the VAT it contains (rounded per line, so the line's own
//! gross is kept), and the rate's VAT is then taken from the net sum as usual. Correction rows marked
//! `StanPrzed` (before) count negatively, so a KOR's totals are the differences.

use std::collections::BTreeMap;

use rust_decimal::{Decimal, RoundingStrategy};

use crate::model::{Fa, Line, OssTotal, TaxedTotal, Totals, VatRate};

/// Round to 2 decimal places (grosze), half away from zero.
pub fn round2(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// Whether prices are net (VAT added on top) or gross (VAT extracted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PriceBasis {
    /// `P_9A`/`P_11`.
    Net,
    /// `P_9B`/`P_11A`.
    Gross,
}

/// Which basis one line is priced on: gross when it carries a gross price or
/// value and no net one.
pub fn line_basis(line: &Line) -> PriceBasis {
    price_basis(std::slice::from_ref(line))
}

/// Which basis a set of lines uses: gross when any line carries a gross price
/// or value and none a net one.
pub fn price_basis(lines: &[Line]) -> PriceBasis {
    let has_net = lines
        .iter()
        .any(|l| l.unit_net_price.is_some() || l.net.is_some());
    let has_gross = lines
        .iter()
        .any(|l| l.unit_gross_price.is_some() || l.gross.is_some());
    if has_gross && !has_net {
        PriceBasis::Gross
    } else {
        PriceBasis::Net
    }
}

/// The value of one line on `basis`: `quantity * unit price - discount`, rounded;
/// falls back to the stated `P_11`/`P_11A` when there is no unit price.
pub fn line_value(line: &Line, basis: PriceBasis) -> Option<Decimal> {
    let (price, stated) = match basis {
        PriceBasis::Net => (line.unit_net_price, line.net),
        PriceBasis::Gross => (line.unit_gross_price, line.gross),
    };
    match price {
        Some(p) => {
            let qty = line.quantity.unwrap_or(Decimal::ONE);
            Some(round2(qty * p - line.discount.unwrap_or_default()))
        }
        None => stated,
    }
}

/// What one line adds to its rate group on an invoice of `basis`: its own value
/// when priced on that basis, and on a net-based invoice a gross-priced line's
/// gross less the VAT in it at `percent` (none for rates without a percentage).
fn value_on(line: &Line, basis: PriceBasis, percent: Option<Decimal>) -> Option<Decimal> {
    match (basis, line_basis(line)) {
        (PriceBasis::Net, PriceBasis::Gross) => {
            let gross = line_value(line, PriceBasis::Gross)?;
            let vat = percent.map_or(Decimal::ZERO, |p| {
                round2(gross * p / (Decimal::ONE_HUNDRED + p))
            });
            Some(gross - vat)
        }
        _ => line_value(line, basis),
    }
}

/// Fill in `P_11` (net) or `P_11A` (gross) of each line from its unit price, on
/// the basis that line is priced on.
pub fn fill_line_values(lines: &mut [Line]) {
    for l in lines.iter_mut() {
        let basis = line_basis(l);
        let v = line_value(l, basis);
        match basis {
            PriceBasis::Net => l.net = v.or(l.net),
            PriceBasis::Gross => l.gross = v.or(l.gross),
        }
    }
}

/// Amounts of one rate group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RateAmounts {
    /// Net value.
    pub net: Decimal,
    /// VAT.
    pub vat: Decimal,
    /// VAT in PLN (foreign currency only).
    pub vat_pln: Option<Decimal>,
    /// Number of lines in the group.
    pub lines: usize,
}

impl RateAmounts {
    /// Net + VAT.
    pub fn gross(&self) -> Decimal {
        self.net + self.vat
    }
}

/// Groups lines can fall in: a schema rate, OSS (rate in `P_12_XII`), or no
/// rate (margin schemes and lines without `P_12`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Group {
    /// A `P_12` rate.
    Rate(VatRate),
    /// OSS procedure.
    Oss,
    /// No rate: counted in `P_13_11` when a margin scheme applies.
    NoRate,
}

/// Sum `lines` per group and compute VAT per group as described in the module docs.
/// `exchange_rate` converts VAT to PLN when `currency` is not PLN.
pub fn group_totals(
    lines: &[Line],
    currency: &str,
    exchange_rate: Option<Decimal>,
) -> BTreeMap<Group, RateAmounts> {
    let basis = price_basis(lines);
    let mut sums: BTreeMap<Group, (Decimal, usize, Option<Decimal>)> = BTreeMap::new();
    for l in lines {
        let group = match (l.rate, l.oss_rate) {
            (Some(r), _) => Group::Rate(r),
            (None, Some(_)) => Group::Oss,
            (None, None) => Group::NoRate,
        };
        let percent = match group {
            Group::Rate(r) => r.percent(),
            Group::Oss => l.oss_rate,
            Group::NoRate => None,
        };
        let v = value_on(l, basis, percent).unwrap_or_default();
        let signed = if l.before_correction { -v } else { v };
        let e = sums.entry(group).or_insert((Decimal::ZERO, 0, l.oss_rate));
        e.0 += signed;
        e.1 += 1;
    }
    let foreign = currency != "PLN";
    sums.into_iter()
        .map(|(group, (sum, count, oss_rate))| {
            let pct = match group {
                Group::Rate(r) => r.percent(),
                Group::Oss => oss_rate,
                Group::NoRate => None,
            };
            let (net, vat) = match (pct, basis) {
                (None, _) => (sum, Decimal::ZERO),
                (Some(p), PriceBasis::Net) => (sum, round2(sum * p / Decimal::ONE_HUNDRED)),
                (Some(p), PriceBasis::Gross) => {
                    let vat = round2(sum * p / (Decimal::ONE_HUNDRED + p));
                    (sum - vat, vat)
                }
            };
            let vat_pln = match (foreign, pct, exchange_rate) {
                (true, Some(_), Some(rate)) => Some(round2(vat * rate)),
                _ => None,
            };
            (
                group,
                RateAmounts {
                    net,
                    vat,
                    vat_pln,
                    lines: count,
                },
            )
        })
        .collect()
}

/// The exchange rate an invoice uses for `P_14_xW`: the first line's
/// `KursWaluty`, else `KursWalutyZ`.
pub fn invoice_exchange_rate(fa: &Fa) -> Option<Decimal> {
    fa.lines
        .iter()
        .find_map(|l| l.exchange_rate)
        .or(fa.advance_exchange_rate)
}

/// Totals (`P_13_*`, `P_14_*`, `P_15`) computed from the lines of `fa`.
pub fn compute_totals(fa: &Fa) -> Totals {
    let groups = group_totals(&fa.lines, &fa.currency, invoice_exchange_rate(fa));
    let mut t = Totals::default();
    let mut gross = Decimal::ZERO;
    let add_taxed = |slot: &mut Option<TaxedTotal>, a: &RateAmounts| {
        let s = slot.get_or_insert_with(TaxedTotal::default);
        s.net += a.net;
        s.vat += a.vat;
        if let Some(p) = a.vat_pln {
            s.vat_pln = Some(s.vat_pln.unwrap_or_default() + p);
        }
    };
    let add = |slot: &mut Option<Decimal>, a: &RateAmounts| {
        *slot = Some(slot.unwrap_or_default() + a.net);
    };
    for (group, a) in &groups {
        gross += a.gross();
        match group {
            Group::Rate(VatRate::R23 | VatRate::R22) => add_taxed(&mut t.basic, a),
            Group::Rate(VatRate::R8 | VatRate::R7) => add_taxed(&mut t.reduced1, a),
            Group::Rate(VatRate::R5) => add_taxed(&mut t.reduced2, a),
            Group::Rate(VatRate::R4 | VatRate::R3) => add_taxed(&mut t.taxi, a),
            Group::Rate(VatRate::ZeroDomestic) => add(&mut t.zero_domestic, a),
            Group::Rate(VatRate::ZeroIntraEu) => add(&mut t.zero_intra_eu, a),
            Group::Rate(VatRate::ZeroExport) => add(&mut t.zero_export, a),
            Group::Rate(VatRate::Exempt) => add(&mut t.exempt, a),
            Group::Rate(VatRate::OutsideCountry) => add(&mut t.outside_country, a),
            Group::Rate(VatRate::EuServices) => add(&mut t.eu_services, a),
            Group::Rate(VatRate::ReverseCharge) => add(&mut t.reverse_charge, a),
            Group::Oss => {
                let o = t.oss.get_or_insert(OssTotal {
                    net: Decimal::ZERO,
                    vat: Some(Decimal::ZERO),
                });
                o.net += a.net;
                o.vat = Some(o.vat.unwrap_or_default() + a.vat);
            }
            Group::NoRate => {
                if fa.annotations.margin.is_some() {
                    add(&mut t.margin, a);
                }
            }
        }
    }
    t.gross = gross;
    t
}

/// Sum of every `P_13_*` and `P_14_*` the totals state: what `P_15` should be.
pub fn stated_sum(t: &Totals) -> Decimal {
    let taxed = [t.basic, t.reduced1, t.reduced2, t.taxi]
        .into_iter()
        .flatten()
        .map(|x| x.net + x.vat)
        .sum::<Decimal>();
    let oss = t
        .oss
        .map(|o| o.net + o.vat.unwrap_or_default())
        .unwrap_or_default();
    let plain = [
        t.zero_domestic,
        t.zero_intra_eu,
        t.zero_export,
        t.exempt,
        t.outside_country,
        t.eu_services,
        t.reverse_charge,
        t.margin,
    ]
    .into_iter()
    .flatten()
    .sum::<Decimal>();
    taxed + oss + plain
}

/// Recompute line values and all totals of `fa` in place (for invoices we issue).
pub fn recompute(fa: &mut Fa) {
    fill_line_values(&mut fa.lines);
    fa.totals = compute_totals(fa);
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;

    fn net_line(qty: Decimal, price: Decimal, rate: VatRate) -> Line {
        Line {
            quantity: Some(qty),
            unit_net_price: Some(price),
            rate: Some(rate),
            ..Line::default()
        }
    }

    fn gross_line(qty: Decimal, price: Decimal, rate: VatRate) -> Line {
        Line {
            quantity: Some(qty),
            unit_gross_price: Some(price),
            rate: Some(rate),
            ..Line::default()
        }
    }

    fn check(
        lines: &[Line],
        currency: &str,
        fx: Option<Decimal>,
        expected: &[(Group, Decimal, Decimal, Option<Decimal>)],
    ) {
        let got = group_totals(lines, currency, fx);
        let got: Vec<_> = got
            .into_iter()
            .map(|(g, a)| (g, a.net, a.vat, a.vat_pln))
            .collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn rounding_is_half_away_from_zero() {
        assert_eq!(round2(dec!(0.005)), dec!(0.01));
        assert_eq!(round2(dec!(-0.005)), dec!(-0.01));
        assert_eq!(round2(dec!(2.344999)), dec!(2.34));
    }

    #[test]
    fn many_lines_at_one_grosz_take_vat_from_the_sum() {
        // Per-line VAT would be round(0.0023) = 0.00 each; the law takes it from the sum.
        let lines = vec![net_line(dec!(1), dec!(0.01), VatRate::R23); 1000];
        check(
            &lines,
            "PLN",
            None,
            &[(Group::Rate(VatRate::R23), dec!(10.00), dec!(2.30), None)],
        );
    }

    #[test]
    fn mixed_rates_and_quantities() {
        let lines = vec![
            net_line(dec!(3), dec!(19.99), VatRate::R23),
            net_line(dec!(0.333), dec!(10), VatRate::R23),
            net_line(dec!(2), dec!(5.55), VatRate::R8),
            net_line(dec!(1), dec!(100), VatRate::Exempt),
            Line {
                discount: Some(dec!(1.00)),
                ..net_line(dec!(1), dec!(10), VatRate::R5)
            },
        ];
        check(
            &lines,
            "PLN",
            None,
            &[
                // 59.97 + 3.33 = 63.30 -> VAT 14.559 -> 14.56
                (Group::Rate(VatRate::R23), dec!(63.30), dec!(14.56), None),
                (Group::Rate(VatRate::R8), dec!(11.10), dec!(0.89), None),
                (Group::Rate(VatRate::R5), dec!(9.00), dec!(0.45), None),
                (Group::Rate(VatRate::Exempt), dec!(100), dec!(0), None),
            ],
        );
    }

    #[test]
    fn gross_prices_extract_vat_from_the_gross_sum() {
        let lines = vec![
            gross_line(dec!(1), dec!(123.00), VatRate::R23),
            gross_line(dec!(1), dec!(0.99), VatRate::R23),
        ];
        // 123.99 * 23 / 123 = 23.185 -> 23.19; net = 100.80
        check(
            &lines,
            "PLN",
            None,
            &[(Group::Rate(VatRate::R23), dec!(100.80), dec!(23.19), None)],
        );
    }

    #[test]
    fn a_mixed_invoice_counts_gross_priced_lines_at_their_net_value() {
        // FA_3_Przyklad_3_netto_brutto: 500 gross and 100 net, both 23%.
        // 500 holds 93.50 VAT -> 406.50 net; 506.50 * 23% = 116.495 -> 116.50.
        let lines = vec![
            gross_line(dec!(1), dec!(500), VatRate::R23),
            net_line(dec!(1), dec!(100), VatRate::R23),
            gross_line(dec!(2), dec!(54), VatRate::R8),
            gross_line(dec!(1), dec!(10), VatRate::Exempt),
        ];
        // 108 holds 8.00 VAT -> 100.00 net -> VAT 8.00; exempt counts at 10.
        check(
            &lines,
            "PLN",
            None,
            &[
                (Group::Rate(VatRate::R23), dec!(506.50), dec!(116.50), None),
                (Group::Rate(VatRate::R8), dec!(100.00), dec!(8.00), None),
                (Group::Rate(VatRate::Exempt), dec!(10), dec!(0), None),
            ],
        );
        let mut fa = crate::model::Fa::new(
            crate::model::InvoiceKind::Vat,
            "PLN",
            chrono::NaiveDate::from_ymd_opt(2026, 3, 10).unwrap(),
            "FV/1",
        );
        fa.lines = lines;
        recompute(&mut fa);
        // Each line keeps the value on its own basis, and the totals hold them all.
        assert_eq!(fa.lines[0].gross, Some(dec!(500)));
        assert_eq!(fa.lines[0].net, None);
        assert_eq!(fa.lines[1].net, Some(dec!(100)));
        assert_eq!(fa.totals.gross, dec!(623.00) + dec!(108.00) + dec!(10));
    }

    #[test]
    fn foreign_currency_converts_vat_per_rate() {
        let lines = vec![
            net_line(dec!(7), dec!(13.13), VatRate::R23),
            net_line(dec!(1), dec!(50), VatRate::R8),
        ];
        // 91.91 EUR -> VAT 21.1393 -> 21.14 EUR -> * 4.2537 = 89.923218 -> 89.92 PLN
        check(
            &lines,
            "EUR",
            Some(dec!(4.2537)),
            &[
                (
                    Group::Rate(VatRate::R23),
                    dec!(91.91),
                    dec!(21.14),
                    Some(dec!(89.92)),
                ),
                (
                    Group::Rate(VatRate::R8),
                    dec!(50),
                    dec!(4.00),
                    Some(dec!(17.01)),
                ),
            ],
        );
    }

    #[test]
    fn correction_rows_give_negative_differences() {
        let before = Line {
            before_correction: true,
            ..net_line(dec!(10), dec!(12.50), VatRate::R23)
        };
        let after = net_line(dec!(8), dec!(12.50), VatRate::R23);
        check(
            &[before, after],
            "PLN",
            None,
            &[(Group::Rate(VatRate::R23), dec!(-25.00), dec!(-5.75), None)],
        );
    }

    #[test]
    fn totals_add_up_to_p15() {
        let fa_lines = vec![
            net_line(dec!(3), dec!(19.99), VatRate::R23),
            net_line(dec!(1), dec!(7.77), VatRate::R22),
            net_line(dec!(1), dec!(100), VatRate::ZeroIntraEu),
        ];
        let groups = group_totals(&fa_lines, "PLN", None);
        let total: Decimal = groups.values().map(RateAmounts::gross).sum();
        // 59.97 -> 13.79; 7.77 -> 1.71; 100 -> 0
        assert_eq!(
            total,
            dec!(59.97) + dec!(13.79) + dec!(7.77) + dec!(1.71) + dec!(100)
        );
    }
}
