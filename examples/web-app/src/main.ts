import type { Client } from '@urql/core';
import type { DeflectionStage } from '../gql/graphql.js';
import { createGatewayClient } from './client.js';
import { deflectionRateDocument, recentCallsDocument } from './documents.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

const STAGE_LABELS: Record<DeflectionStage, string> = {
  STARTED: 'Started',
  ACCEPTED: 'Accepted',
  DECLINED: 'Declined',
  TEXT_SENT: 'Text sent',
  CONVERSATION_STARTED: 'Conversation started',
};

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`the page has no #${id}`);
  return found as T;
}

const form = element<HTMLFormElement>('settings');
const endpointInput = element<HTMLInputElement>('endpoint');
const siteInput = element<HTMLInputElement>('site');
const authorizationInput = element<HTMLInputElement>('authorization');
const status = element<HTMLParagraphElement>('status');
const rate = element<HTMLElement>('rate');
const rows = element<HTMLTableSectionElement>('calls');

// ?gateway= and ?site= prefill the form, so a link can open the page on a given gateway and site.
const params = new URLSearchParams(location.search);
endpointInput.value = params.get('gateway') ?? 'http://localhost:4000/graphql';
siteInput.value = params.get('site') ?? '25508804';

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const client = createGatewayClient({ endpoint: endpointInput.value, authorization: authorizationInput.value });
  show(client, siteInput.value).catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
});

async function show(client: Client, site: string): Promise<void> {
  status.textContent = 'Loading…';
  status.dataset.state = 'loading';
  const now = Date.now();
  const [calls, stats] = await Promise.all([
    client.query(recentCallsDocument, { site, from: new Date(now - HOUR_MS).toISOString(), to: new Date(now).toISOString() }).toPromise(),
    client.query(deflectionRateDocument, { site, from: new Date(now - DAY_MS).toISOString(), to: new Date(now).toISOString() }).toPromise(),
  ]);
  const error = calls.error ?? stats.error;
  if (error) {
    fail(error.message);
    return;
  }
  const deflection = stats.data?.site.stats;
  rate.textContent =
    deflection?.deflectionRate == null ? 'no calls' : `${(deflection.deflectionRate * 100).toFixed(1)}% of ${deflection.totalCalls} calls`;
  const nodes = calls.data?.site.calls?.nodes ?? [];
  rows.replaceChildren(
    ...nodes.map((call) => {
      const row = document.createElement('tr');
      for (const text of [new Date(call.beginTime).toISOString().slice(11, 19), call.callId, call.skill ?? '', STAGE_LABELS[call.stage]]) {
        const cell = document.createElement('td');
        cell.textContent = text;
        row.append(cell);
      }
      row.dataset.stage = call.stage;
      return row;
    }),
  );
  status.textContent = `${calls.data?.site.calls?.totalCount ?? 0} calls in the last hour`;
  status.dataset.state = 'done';
}

function fail(message: string): void {
  status.textContent = `Could not load: ${message}`;
  status.dataset.state = 'error';
}
