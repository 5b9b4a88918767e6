import { PAGE_CONFIG_ELEMENT_ID, type GraphiQLPageConfig } from '../pageConfig.js';

/** Reads the configuration the server embedded in the page as a JSON script element. */
export function readPageConfig(document: Document): GraphiQLPageConfig {
  const element = document.getElementById(PAGE_CONFIG_ELEMENT_ID);
  if (element?.textContent == null) {
    throw new Error(`The page has no #${PAGE_CONFIG_ELEMENT_ID} element`);
  }
  // The server wrote this JSON from a GraphiQLPageConfig value in the same build, so its shape is
  // known; a malformed page is a server bug and JSON.parse's exception reports it well enough.
  return JSON.parse(element.textContent) as GraphiQLPageConfig;
}
