// What the simulator makes up about a site, derived from its id alone so every process agrees on it:
// where the brand is (which decides caller numbers and the business hours), how busy it is, and its
// IVR lines.
import { landlineNumber, type Country, type PhoneNumber } from './phoneNumbers.js';
import { createRng, unitFromParts } from './prng.js';

export interface SiteProfile {
  homeCountry: Country;
  /** Fixed offset for the business day; daylight saving is ignored. */
  utcOffsetHours: number;
  /** Calls in an average weekday hour, before the time-of-day curve. */
  weekdayCallsPerHour: number;
  brand: string;
  /** The numbers callers dial to reach the IVR. */
  ivrLines: readonly PhoneNumber[];
}

const HOME_COUNTRIES: readonly Country[] = ['AU', 'US', 'GB'];
const UTC_OFFSET_HOURS: Readonly<Record<Country, number>> = { AU: 10, US: -5, GB: 0 };
const BRANDS = ['Acme Telco', 'Northwind Energy', 'Contoso Bank', 'Fabrikam Insurance', 'Globex Retail'];

export function siteProfile(siteId: string): SiteProfile {
  const homeCountry = HOME_COUNTRIES[Math.floor(unitFromParts('site-country', siteId) * HOME_COUNTRIES.length)] ?? 'AU';
  const lines = createRng('site-lines', siteId);
  return {
    homeCountry,
    utcOffsetHours: UTC_OFFSET_HOURS[homeCountry],
    // Log-uniform from 40 to 320 calls an hour: a few large sites and many small ones. What that gives
    // the API document's example site, by hour and over a week, is in the simulator's README.
    weekdayCallsPerHour: 40 * 2 ** (3 * unitFromParts('site-volume', siteId)),
    brand: BRANDS[Math.floor(unitFromParts('site-brand', siteId) * BRANDS.length)] ?? 'Acme Telco',
    ivrLines: [0, 1, 2].map(() => landlineNumber(lines, homeCountry)),
  };
}
