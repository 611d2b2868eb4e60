import { api } from "../api/client";
import type { LoggedIn } from "../api/types";
import { navigate, queryParam, safeReturnPath } from "../router";
import { startSession } from "../session";

/** Logs in and goes back where the user was sent from (or to `fallback`). */
export async function logInAndReturn(email: string, password: string, fallback: string) {
  const answer = await api<LoggedIn>("/api/auth/login", {
    method: "POST",
    body: { email, password },
  });
  startSession(answer.access_token, answer.expires_in);
  navigate(safeReturnPath(queryParam("volver")) ?? fallback, { replace: true });
}
