// Phone numbers in the shape LiveDeflect reports them: a country calling code and the national number
// (AU and UK with their trunk 0, US without a leading 1). Prefixes are real, assigned ranges so that
// libphonenumber-js accepts every number as valid; the subscriber digits are random.
import type { Rng } from './prng.js';

export type Country = 'AU' | 'US' | 'GB';

export interface PhoneNumber {
  countryCode: string;
  national: string;
}

const CALLING_CODES: Readonly<Record<Country, string>> = { AU: '61', US: '1', GB: '44' };

// US area codes of large metros; exchanges avoid 0/1 starts and N11 service codes.
const US_AREA_CODES = ['212', '305', '312', '404', '415', '512', '617', '702', '713', '206'] as const;

// UK mobile blocks 074x, 075x, 077x, 078x, 079x minus unassigned and reserved ones (07700 900xxx is the
// Ofcom drama range, so 0770 is left out entirely).
const UK_MOBILE_BLOCKS = [
  '740',
  '741',
  '742',
  '743',
  '751',
  '753',
  '771',
  '772',
  '773',
  '774',
  '775',
  '776',
  '777',
  '780',
  '784',
  '785',
  '786',
  '787',
  '788',
  '789',
  '790',
  '792',
  '794',
  '795',
  '796',
  '797',
  '798',
  '799',
] as const;

function usExchange(rng: Rng): string {
  const exchange = `${rng.int(2, 9)}${rng.digits(2)}`;
  return exchange.endsWith('11') || exchange === '555' ? usExchange(rng) : exchange;
}

/** A caller's mobile number: AU 04xx xxx xxx, UK 07xxx xxxxxx, US NPA-NXX-XXXX. */
export function mobileNumber(rng: Rng, country: Country): PhoneNumber {
  const countryCode = CALLING_CODES[country];
  switch (country) {
    case 'AU':
      return { countryCode, national: `04${rng.int(0, 3)}${rng.digits(7)}` };
    case 'GB':
      return { countryCode, national: `07${rng.pick(UK_MOBILE_BLOCKS).slice(1)}${rng.digits(7)}` };
    case 'US':
      return { countryCode, national: `${rng.pick(US_AREA_CODES)}${usExchange(rng)}${rng.digits(4)}` };
  }
}

/** A brand's IVR line: AU Sydney/Melbourne landlines, London 020 3/7, US metro numbers. */
export function landlineNumber(rng: Rng, country: Country): PhoneNumber {
  const countryCode = CALLING_CODES[country];
  switch (country) {
    case 'AU':
      return { countryCode, national: `0${rng.pick(['2', '3'])}9${rng.digits(7)}` };
    case 'GB':
      return { countryCode, national: `020${rng.pick(['3', '7'])}${rng.int(1, 9)}${rng.digits(6)}` };
    case 'US':
      return { countryCode, national: `${rng.pick(US_AREA_CODES)}${usExchange(rng)}${rng.digits(4)}` };
  }
}
