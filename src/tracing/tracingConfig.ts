/**
 * OpenTelemetry's standard environment variables, read and checked at start like the rest of Config.
 * Tracing is off unless asked for: OTEL_TRACES_EXPORTER=otlp or console, or an OTLP endpoint set (OTLP
 * is then the exporter). OTEL_SDK_DISABLED=true and OTEL_TRACES_EXPORTER=none keep it off.
 */
export interface TracingConfig {
  readonly exporter: 'otlp' | 'console';
  /** The full URL spans are POSTed to (…/v1/traces). */
  readonly endpoint: string;
  readonly protocol: 'http/protobuf' | 'http/json';
  /** OTEL_EXPORTER_OTLP_HEADERS: sent with every export (often a collector's API key; never logged). */
  readonly headers: Readonly<Record<string, string>>;
  readonly serviceName: string;
  readonly sampler: Sampler;
  /** OTEL_TRACES_SAMPLER_ARG: the ratio of the traceidratio samplers. */
  readonly samplerRatio: number;
  /** OTEL_BSP_SCHEDULE_DELAY: how long spans wait in the batch before they are exported. */
  readonly scheduleDelayMs: number;
  /** OTEL_GRAPHQL_DOCUMENT=true puts the operation's text in graphql.document (off: literals may hold data). */
  readonly recordDocument: boolean;
}

type Sampler = (typeof SAMPLERS)[number];
const SAMPLERS = ['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'] as const;
const PROTOCOLS = ['http/protobuf', 'http/json'] as const;

type Env = Readonly<Record<string, string | undefined>>;

/** Null when tracing is off; `invalid` makes the error a bad value raises (Config's ConfigError). */
export function readTracingConfig(env: Env, invalid: (message: string) => Error): TracingConfig | null {
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === '' ? undefined : value;
  };
  if (read('OTEL_SDK_DISABLED')?.toLowerCase() === 'true') return null;
  const tracesEndpoint = read('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  const baseEndpoint = read('OTEL_EXPORTER_OTLP_ENDPOINT');
  const exporter = read('OTEL_TRACES_EXPORTER')?.toLowerCase() ?? (tracesEndpoint || baseEndpoint ? 'otlp' : 'none');
  if (exporter === 'none') return null;
  if (exporter !== 'otlp' && exporter !== 'console') {
    throw invalid(`OTEL_TRACES_EXPORTER must be otlp, console or none; got "${exporter}"`);
  }
  const endpoint = tracesEndpoint ?? `${(baseEndpoint ?? 'http://localhost:4318').replace(/\/+$/, '')}/v1/traces`;
  if (!/^https?:\/\/[^/]/.test(endpoint) || !URL.canParse(endpoint)) {
    throw invalid(`OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) must be an http(s) URL; got "${endpoint}"`);
  }
  const protocol = read('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ?? read('OTEL_EXPORTER_OTLP_PROTOCOL') ?? 'http/protobuf';
  if (!(PROTOCOLS as readonly string[]).includes(protocol)) {
    throw invalid(`OTEL_EXPORTER_OTLP_PROTOCOL must be ${PROTOCOLS.join(' or ')} (grpc is not supported); got "${protocol}"`);
  }
  const sampler = read('OTEL_TRACES_SAMPLER')?.toLowerCase() ?? 'parentbased_always_on';
  if (!(SAMPLERS as readonly string[]).includes(sampler))
    throw invalid(`OTEL_TRACES_SAMPLER must be one of ${SAMPLERS.join(', ')}; got "${sampler}"`);
  const ratioText = read('OTEL_TRACES_SAMPLER_ARG') ?? '1';
  const samplerRatio = Number(ratioText);
  if (!Number.isFinite(samplerRatio) || samplerRatio < 0 || samplerRatio > 1) {
    throw invalid(`OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1; got "${ratioText}"`);
  }
  const delayText = read('OTEL_BSP_SCHEDULE_DELAY') ?? '5000';
  if (!/^\d+$/.test(delayText)) throw invalid(`OTEL_BSP_SCHEDULE_DELAY must be whole milliseconds; got "${delayText}"`);
  const documentText = read('OTEL_GRAPHQL_DOCUMENT')?.toLowerCase() ?? 'false';
  if (documentText !== 'true' && documentText !== 'false') throw invalid(`OTEL_GRAPHQL_DOCUMENT must be true or false; got "${documentText}"`);
  return {
    exporter,
    endpoint,
    protocol: protocol as TracingConfig['protocol'],
    headers: {
      ...headerList(read('OTEL_EXPORTER_OTLP_HEADERS'), 'OTEL_EXPORTER_OTLP_HEADERS', invalid),
      ...headerList(read('OTEL_EXPORTER_OTLP_TRACES_HEADERS'), 'OTEL_EXPORTER_OTLP_TRACES_HEADERS', invalid),
    },
    serviceName: read('OTEL_SERVICE_NAME') ?? 'livedeflect-graphql',
    sampler: sampler as Sampler,
    samplerRatio,
    scheduleDelayMs: Number(delayText),
    recordDocument: documentText === 'true',
  };
}

/** `key=value,key2=value2`, URL-encoded as the OTLP exporter spec has it. The values are not quoted in errors: they are secrets. */
function headerList(text: string | undefined, name: string, invalid: (message: string) => Error): Record<string, string> {
  if (text === undefined) return {};
  const headers: Record<string, string> = {};
  for (const pair of text.split(',')) {
    const at = pair.indexOf('=');
    const key = at > 0 ? pair.slice(0, at).trim() : '';
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(key)) throw invalid(`${name} must be a list of key=value pairs separated by commas`);
    try {
      headers[key.toLowerCase()] = decodeURIComponent(pair.slice(at + 1).trim());
    } catch {
      throw invalid(`${name} has a value that is not URL-encoded correctly (header ${key})`);
    }
  }
  return headers;
}
