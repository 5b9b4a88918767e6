import type { TextMapGetter, TextMapSetter } from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace-node';
import { activeSpanFields, type Telemetry } from './telemetry.js';
import type { TracingConfig } from './tracingConfig.js';

export interface TracingOverrides {
  /** Replaces the configured exporter: tests pass an InMemorySpanExporter. */
  readonly exporter?: SpanExporter;
}

/**
 * Starts the OpenTelemetry SDK. Only called when tracing is configured, and every SDK module is imported
 * here, dynamically: with tracing off the process never loads one (a test checks).
 *
 * The provider is registered globally for the async context manager (AsyncLocalStorage), which is what
 * makes a span "active" across awaits for the HTTP server span and the log lines; the gateway itself
 * takes its tracer from the Telemetry it is handed, not from the global API.
 */
export async function startTracing(config: TracingConfig, overrides: TracingOverrides = {}): Promise<Telemetry> {
  const [node, resources, core] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/core'),
  ]);
  const exporter = overrides.exporter ?? (await exporterFor(config, node));
  const provider = new node.NodeTracerProvider({
    resource: resources.resourceFromAttributes({ 'service.name': config.serviceName }),
    sampler: samplerFor(config, node),
    spanProcessors: [new node.BatchSpanProcessor(exporter, { scheduledDelayMillis: config.scheduleDelayMs })],
  });
  const propagator = new core.CompositePropagator({ propagators: [new core.W3CTraceContextPropagator(), new core.W3CBaggagePropagator()] });
  provider.register({ propagator });
  return {
    enabled: true,
    tracer: provider.getTracer('livedeflect-graphql'),
    recordDocument: config.recordDocument,
    extract: (parent, headers) => propagator.extract(parent, headers, headerGetter),
    inject: (current, headers) => propagator.inject(current, headers, headerSetter),
    logFields: activeSpanFields,
    shutdown: () => provider.shutdown(),
    flush: () => provider.forceFlush(),
  };
}

type IncomingHeaders = Readonly<Record<string, string | string[] | undefined>>;

const headerGetter: TextMapGetter<IncomingHeaders> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => carrier[key],
};

const headerSetter: TextMapSetter<Record<string, string>> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};

type NodeSdk = typeof import('@opentelemetry/sdk-trace-node');

async function exporterFor(config: TracingConfig, node: NodeSdk): Promise<SpanExporter> {
  if (config.exporter === 'console') return new node.ConsoleSpanExporter();
  const options = { url: config.endpoint, headers: { ...config.headers } };
  if (config.protocol === 'http/json') return new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter(options);
  return new (await import('@opentelemetry/exporter-trace-otlp-proto')).OTLPTraceExporter(options);
}

function samplerFor(config: TracingConfig, node: NodeSdk) {
  const ratio = new node.TraceIdRatioBasedSampler(config.samplerRatio);
  switch (config.sampler) {
    case 'always_on':
      return new node.AlwaysOnSampler();
    case 'always_off':
      return new node.AlwaysOffSampler();
    case 'traceidratio':
      return ratio;
    case 'parentbased_always_on':
      return new node.ParentBasedSampler({ root: new node.AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new node.ParentBasedSampler({ root: new node.AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new node.ParentBasedSampler({ root: ratio });
  }
}
