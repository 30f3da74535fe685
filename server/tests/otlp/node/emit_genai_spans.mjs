// Emits one trace of GenAI spans with the Node.js OpenTelemetry SDK and its OTLP/HTTP protobuf
// exporter, configured only by the standard environment variables
// (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_HEADERS), as a TypeScript/Node.js app would.
// Prints the trace id, so that the test can read the run back.
import { trace, SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, NodeTracerProvider } from "@opentelemetry/sdk-trace-node";

const provider = new NodeTracerProvider({
  resource: resourceFromAttributes({ "service.name": "checkout-node" }),
  spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
});
provider.register();
const tracer = trace.getTracer("llmobserve-node-test");

let traceId = "";
await tracer.startActiveSpan("POST /recommend", { kind: SpanKind.SERVER }, async (handler) => {
  traceId = handler.spanContext().traceId;
  tracer.startActiveSpan("chat gpt-4o-mini", { kind: SpanKind.CLIENT }, (call) => {
    call.setAttributes({
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "openai",
      "gen_ai.request.model": "gpt-4o-mini",
      "gen_ai.response.model": "gpt-4o-mini-2024-07-18",
      "gen_ai.usage.input_tokens": 2000,
      "gen_ai.usage.cache_read.input_tokens": 1024,
      "gen_ai.usage.output_tokens": 300,
      "llmobserve.customer_id": "acme",
    });
    call.end();
  });
  tracer.startActiveSpan("chat claude-3-5-haiku", { kind: SpanKind.CLIENT }, (call) => {
    call.setAttributes({
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "anthropic",
      "gen_ai.request.model": "claude-3-5-haiku-20241022",
      "gen_ai.usage.input_tokens": 500,
      "gen_ai.usage.output_tokens": 40,
    });
    call.setStatus({ code: SpanStatusCode.ERROR, message: "overloaded" });
    call.end();
  });
  handler.end();
});
await provider.shutdown(); // flushes the batch
console.log(traceId);
