/** The HTTP status of a failed Table Storage call (the SDK's RestError carries it as `statusCode`). */
export function tableStatusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === "number" ? status : undefined;
}
