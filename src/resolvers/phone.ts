import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { maskDigits } from '../model/masking.js';
import type { PhoneNumberModel } from './models.js';

/**
 * The wire splits a number into a country code and a national number (often with its trunk 0:
 * "61" + "0400111222"). E.164 is given only when libphonenumber's full metadata calls it valid, so a
 * client can dial or match on it without second-guessing.
 */
export function phoneNumberOf(countryCode: string | null, number: string | null, maskPii: boolean): PhoneNumberModel | null {
  if (!number) return null;
  const e164 = e164Of(countryCode, number);
  if (!maskPii) return { countryCode, number, e164 };
  return { countryCode, number: maskDigits(number), e164: e164 === null ? null : maskDigits(e164) };
}

function e164Of(countryCode: string | null, number: string): string | null {
  const digits = countryCode?.replace(/\D/g, '');
  try {
    const parsed = digits
      ? parsePhoneNumberFromString(number, { defaultCallingCode: digits })
      : parsePhoneNumberFromString(number.startsWith('+') ? number : `+${number}`);
    return parsed?.isValid() ? parsed.number : null;
  } catch {
    // libphonenumber throws for a calling code it does not know ("0", "999"): such a number has no E.164 form.
    return null;
  }
}
