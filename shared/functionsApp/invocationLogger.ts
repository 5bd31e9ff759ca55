import type { InvocationContext } from "@azure/functions";
import { createLogger, globalRedactor, type Logger } from "../runtime";

/**
 * A Logger writing to the invocation's log (Application Insights traces in Azure), fields as one JSON object after
 * the message, every line passed through the secret redactor.
 */
export function invocationLogger(context: InvocationContext): Logger {
  return createLogger(({ level, message, fields }) => {
    const line = globalRedactor.redact(
      Object.keys(fields).length > 0 ? `${message} ${JSON.stringify(fields)}` : message,
    );
    context[level](line);
  });
}
