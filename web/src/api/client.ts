import { currentToken, endSession } from "../session";
import { navigate } from "../router";

/** An error answer of the gateway: its `{"error", "code"}` body and status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfter: string | null = null,
  ) {
    super(message);
  }
}

/** Status 0: the request never got an answer. */
export const NETWORK = 0;

/**
 * Ends the session and sends the user to log in, remembering where they were so they come
 * back to it afterwards.
 */
export function sessionExpired(): void {
  endSession();
  const here = window.location.pathname + window.location.search;
  if (window.location.pathname === "/ingresar") return;
  navigate(`/ingresar?volver=${encodeURIComponent(here)}&expirada=1`, { replace: true });
}

export async function errorFrom(response: Response): Promise<ApiError> {
  let code = "http_" + response.status;
  let message = response.statusText;
  try {
    const body = (await response.json()) as { error?: string; code?: string };
    code = body.code ?? code;
    message = body.error ?? message;
  } catch {
    // A body that is not the JSON error shape keeps the status text.
  }
  return new ApiError(response.status, code, message, response.headers.get("retry-after"));
}

interface Options {
  method?: string;
  body?: unknown;
  /** Send the token; a 401 then means the session is over. */
  auth?: boolean;
  signal?: AbortSignal;
}

export async function api<T>(path: string, options: Options = {}): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (options.body !== undefined) headers["content-type"] = "application/json";
  if (options.auth) {
    const token = currentToken();
    if (!token) {
      sessionExpired();
      throw new ApiError(401, "not_logged_in", "not logged in");
    }
    headers.authorization = `Bearer ${token}`;
  }

  let response: Response;
  try {
    response = await fetch(path, {
      method: options.method ?? "GET",
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === "AbortError") throw err;
    throw new ApiError(NETWORK, "network", String(err));
  }

  if (!response.ok) {
    const error = await errorFrom(response);
    if (options.auth && response.status === 401) sessionExpired();
    throw error;
  }
  return (await response.json()) as T;
}
