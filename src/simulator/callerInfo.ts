// The callerInfo field: the flat dictionary the IVR passed to contextAndInvite, serialised as a JSON
// string. Real IVRs also send nothing, or get it wrong; a rare few values are an array or broken JSON
// so the gateway's tolerant decoder is exercised by ordinary data, not only by fixtures.
import type { Rng } from './prng.js';

type Flat = Record<string, string | number | boolean>;

const ACCOUNT_TYPES = ['prepaid', 'postpaid', 'business', 'premium'];
const LANGUAGES = ['en-AU', 'en-US', 'en-GB', 'es-US'];
const INTENTS = ['billing_question', 'upgrade', 'cancel', 'outage', 'payment', 'new_service'];
const SIZES = ['Small', 'Medium', 'Large', 'XL'];

function dictionary(rng: Rng): Flat {
  const info: Flat = {};
  if (rng.chance(0.8)) info.accountType = rng.pick(ACCOUNT_TYPES);
  if (rng.chance(0.7)) info.language = rng.pick(LANGUAGES);
  if (rng.chance(0.6)) info.intent = rng.pick(INTENTS);
  if (rng.chance(0.5)) info.authenticated = rng.chance(0.6);
  if (rng.chance(0.4)) info.queueWaitSeconds = rng.int(0, 900);
  // The keys from the API document's own example.
  if (rng.chance(0.2)) {
    info.userdefinedvar = rng.int(1, 100);
    info.newtestvariable = `variablevalue${rng.int(1, 3)}`;
    info.tshirtsize = rng.pick(SIZES);
  }
  return info;
}

export function callerInfoString(rng: Rng): string {
  const roll = rng.next();
  if (roll < 0.08) return '';
  if (roll < 0.1) return '{}';
  if (roll < 0.11) return JSON.stringify(['vip', 'callback']);
  if (roll < 0.12) {
    const text = JSON.stringify(dictionary(rng));
    return text.slice(0, Math.max(1, Math.floor(text.length / 2)));
  }
  return JSON.stringify(dictionary(rng));
}
