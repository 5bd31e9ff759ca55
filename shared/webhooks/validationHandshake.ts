/**
 * Graph's notification-URL handshake: before creating (and possibly renewing) a subscription it POSTs, with an empty
 * body, `{notificationUrl}?validationToken={URL-encoded token}` and expects, within 10 seconds, 200 with
 * `Content-Type: text/plain` and the *decoded* token as the body.
 *
 * The token is attacker-controlled input reflected in a response, so it is answered only as plain text (with
 * `nosniff`, so no browser renders it as HTML), only when present, only with an empty body, and only when short and
 * free of control characters. Real tokens are prose of about a hundred characters.
 */

/** Longest token we echo. Graph's tokens are far shorter; anything longer is not from Graph. */
export const MAX_VALIDATION_TOKEN_LENGTH = 1024;

export type ValidationHandshake =
  /** No `validationToken` parameter: an ordinary notification delivery. */
  | { kind: "none" }
  /** Echo `token` (already URL-decoded) as text/plain. */
  | { kind: "answer"; token: string }
  | { kind: "refuse"; message: string };

/** Decides how to answer a request to the webhook, from its URL and body. */
export function readValidationHandshake(url: string, body: string): ValidationHandshake {
  const params = new URL(url).searchParams;
  if (!params.has("validationToken")) return { kind: "none" };
  const values = params.getAll("validationToken");
  // URLSearchParams has already percent-decoded the value: it is the plain text token Graph wants back.
  const token = values[0] ?? "";
  if (values.length > 1) return { kind: "refuse", message: "more than one validationToken" };
  if (body.length > 0) return { kind: "refuse", message: "a validation request carries no body" };
  if (token.length === 0) return { kind: "refuse", message: "validationToken is empty" };
  if (token.length > MAX_VALIDATION_TOKEN_LENGTH)
    return { kind: "refuse", message: `validationToken is longer than ${MAX_VALIDATION_TOKEN_LENGTH} characters` };
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f]/.test(token))
    return { kind: "refuse", message: "validationToken holds control characters" };
  return { kind: "answer", token };
}
