//! The Polish tax identifier (NIP), parsed once into a validated type.
//!
//! A NIP has 10 digits; the last is a check digit: the first nine digits are
//! multiplied by the weights 6, 5, 7, 2, 3, 4, 5, 6, 7, summed, and taken mod 11.
//! A remainder of 10 is never issued, so such a number is invalid.
//!
//! [`Nip::parse`] accepts what people paste: `526-587-76-35`, `526 587 76 35`,
//! surrounding blanks. An EU VAT number (`PL5265877635`) is refused with its own
//! error, because KSeF contexts take the bare NIP and the fix is to drop `PL`.

use std::fmt;
use std::str::FromStr;

const WEIGHTS: [u32; 9] = [6, 5, 7, 2, 3, 4, 5, 6, 7];

/// A NIP with 10 digits and a valid check digit.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Nip(String);

/// Why a text is not a NIP. Each variant names what the user should fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NipError {
    #[error("the NIP is empty")]
    Empty,
    /// `PL5265877635`: an EU VAT number; the NIP is the part after `PL`.
    #[error("{input:?} is an EU VAT number; enter the NIP without the PL prefix")]
    EuPrefix { input: String },
    /// Something other than digits, dashes and spaces.
    #[error("the NIP may contain only digits (found {found:?})")]
    InvalidCharacter { found: char },
    #[error("a NIP has 10 digits, {digits} given")]
    WrongLength { digits: usize },
    #[error("the NIP's check digit does not match (typo?)")]
    Checksum,
}

impl Nip {
    /// Parses user input: digits with optional dashes and spaces.
    pub fn parse(input: &str) -> Result<Nip, NipError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(NipError::Empty);
        }
        if trimmed
            .get(..2)
            .is_some_and(|prefix| prefix.eq_ignore_ascii_case("PL"))
        {
            return Err(NipError::EuPrefix {
                input: trimmed.to_owned(),
            });
        }
        let mut digits = String::with_capacity(10);
        for c in trimmed.chars() {
            match c {
                '0'..='9' => digits.push(c),
                '-' | ' ' | '\u{a0}' => {}
                other => return Err(NipError::InvalidCharacter { found: other }),
            }
        }
        if digits.len() != 10 {
            return Err(NipError::WrongLength {
                digits: digits.len(),
            });
        }
        if check_digit(&digits) != digits.as_bytes().get(9).map(|b| u32::from(b - b'0')) {
            return Err(NipError::Checksum);
        }
        Ok(Nip(digits))
    }

    /// The 10 digits, as KSeF and the store want them.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// The check digit of the first nine digits; `None` when the remainder is 10.
fn check_digit(digits: &str) -> Option<u32> {
    let sum: u32 = digits
        .bytes()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    match sum % 11 {
        10 => None,
        digit => Some(digit),
    }
}

impl fmt::Display for Nip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Nip {
    type Err = NipError;
    fn from_str(s: &str) -> Result<Nip, NipError> {
        Nip::parse(s)
    }
}

impl AsRef<str> for Nip {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: Result<&str, NipError>) {
        assert_eq!(
            Nip::parse(input).as_ref().map(Nip::as_str),
            expected.as_ref().map(|s| *s),
            "input {input:?}"
        );
    }

    #[test]
    fn valid_nips_in_the_forms_people_paste() {
        check("5265877635", Ok("5265877635"));
        check("526-587-76-35", Ok("5265877635"));
        check("526-58-77-635", Ok("5265877635"));
        check(" 526 587 76 35 ", Ok("5265877635"));
        check("7740001454", Ok("7740001454"));
        check("9542751368", Ok("9542751368"));
        check("5261040828", Ok("5261040828"));
    }

    #[test]
    fn a_wrong_check_digit_is_a_checksum_error() {
        check("5265877636", Err(NipError::Checksum));
        check("1234567890", Err(NipError::Checksum));
    }

    #[test]
    fn a_remainder_of_ten_is_never_valid() {
        // 0,0,0,5,0,0,0,0,0 weighs 2 * 5 = 10: no tenth digit can make it valid.
        for last in 0..=9 {
            let nip = format!("000500000{last}");
            check(&nip, Err(NipError::Checksum));
        }
    }

    #[test]
    fn an_eu_prefix_gets_its_own_error() {
        check(
            "PL5265877635",
            Err(NipError::EuPrefix {
                input: "PL5265877635".into(),
            }),
        );
        check(
            " pl 526-587-76-35",
            Err(NipError::EuPrefix {
                input: "pl 526-587-76-35".into(),
            }),
        );
    }

    #[test]
    fn length_and_characters_are_reported() {
        check("", Err(NipError::Empty));
        check("   ", Err(NipError::Empty));
        check("526587763", Err(NipError::WrongLength { digits: 9 }));
        check("52658776350", Err(NipError::WrongLength { digits: 11 }));
        check(
            "526.587.76.35",
            Err(NipError::InvalidCharacter { found: '.' }),
        );
        check(
            "DE811569869",
            Err(NipError::InvalidCharacter { found: 'D' }),
        );
    }

    #[test]
    fn parse_and_display_round_trip() {
        let nip: Nip = "526-587-76-35".parse().unwrap();
        assert_eq!(nip.to_string(), "5265877635");
        assert_eq!(Nip::parse(nip.as_str()), Ok(nip));
    }
}
