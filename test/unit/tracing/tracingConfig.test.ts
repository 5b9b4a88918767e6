import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../../src/config.js';
import { readTracingConfig } from '../../../src/tracing/tracingConfig.js';

const read = (env: Record<string, string>) => readTracingConfig(env, (message) => new ConfigError(message));

describe('tracing configuration from the standard OTEL_* variables', () => {
  it('is off unless an exporter or an OTLP endpoint is set, and off when disabled or "none"', () => {
    assert.equal(loadConfig({}).tracing, null);
    assert.equal(read({ OTEL_SERVICE_NAME: 'x', OTEL_TRACES_SAMPLER: 'always_on' }), null);
    assert.equal(read({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }), null);
    assert.equal(read({ OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'otlp' }), null);
  });

  it('takes OTLP when only an endpoint is set, with the defaults of the spec and of this service', () => {
    assert.deepEqual(read({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }), {
      exporter: 'otlp',
      endpoint: 'http://collector:4318/v1/traces',
      protocol: 'http/protobuf',
      headers: {},
      serviceName: 'livedeflect-graphql',
      sampler: 'parentbased_always_on',
      samplerRatio: 1,
      scheduleDelayMs: 5000,
      recordDocument: false,
    });
  });

  it('prefers the traces-specific endpoint, protocol and headers, and decodes header values', () => {
    const config = read({
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example/otlp',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_HEADERS: 'x-team=core,Authorization=Basic%20abc',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-team=tracing',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
      OTEL_BSP_SCHEDULE_DELAY: '200',
      OTEL_GRAPHQL_DOCUMENT: 'true',
    });
    assert.deepEqual(
      [config?.endpoint, config?.protocol, config?.headers, config?.sampler, config?.samplerRatio, config?.scheduleDelayMs, config?.recordDocument],
      ['https://traces.example/otlp', 'http/json', { 'x-team': 'tracing', authorization: 'Basic abc' }, 'parentbased_traceidratio', 0.25, 200, true],
    );
  });

  it('refuses a bad value with a ConfigError naming the variable, and never quotes a header value', () => {
    const refusals: [Record<string, string>, RegExp][] = [
      [{ OTEL_TRACES_EXPORTER: 'zipkin' }, /OTEL_TRACES_EXPORTER/],
      [{ OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, /OTEL_EXPORTER_OTLP_PROTOCOL.*grpc is not supported/],
      [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }, /OTEL_EXPORTER_OTLP_ENDPOINT/],
      [{ OTEL_TRACES_EXPORTER: 'console', OTEL_TRACES_SAMPLER: 'sometimes' }, /OTEL_TRACES_SAMPLER/],
      [{ OTEL_TRACES_EXPORTER: 'console', OTEL_TRACES_SAMPLER_ARG: '2' }, /OTEL_TRACES_SAMPLER_ARG/],
      [{ OTEL_TRACES_EXPORTER: 'console', OTEL_BSP_SCHEDULE_DELAY: '5s' }, /OTEL_BSP_SCHEDULE_DELAY/],
      [{ OTEL_TRACES_EXPORTER: 'console', OTEL_GRAPHQL_DOCUMENT: 'maybe' }, /OTEL_GRAPHQL_DOCUMENT/],
    ];
    for (const [env, message] of refusals)
      assert.throws(
        () => loadConfig(env),
        (error: unknown) => error instanceof ConfigError && message.test(error.message),
      );
    assert.throws(
      () => loadConfig({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_HEADERS: 'x-key=%E0%A4%A' }),
      (error: unknown) => error instanceof ConfigError && /OTEL_EXPORTER_OTLP_HEADERS/.test(error.message) && !error.message.includes('%E0'),
    );
  });
});
