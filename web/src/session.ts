import { useSyncExternalStore } from "react";

// The access token, kept in localStorage so every tab shares one session. It is removed on
// log-out, on any 401, and once its own expiry passes.
const KEY = "anb.session";

interface Session {
  token: string;
  expiresAt: number;
}

const listeners = new Set<() => void>();
let current: Session | null = load();

function load(): Session | null {
  try {
    const raw = window.localStorage.getItem(KEY);
    if (!raw) return null;
    const parsed = JSON.parse(raw) as Session;
    return parsed.expiresAt > Date.now() ? parsed : null;
  } catch {
    return null;
  }
}

function emit() {
  listeners.forEach((listener) => listener());
}

window.addEventListener("storage", (event) => {
  if (event.key === KEY) {
    current = load();
    emit();
  }
});

export function startSession(token: string, expiresInSecs: number): void {
  current = { token, expiresAt: Date.now() + expiresInSecs * 1000 };
  window.localStorage.setItem(KEY, JSON.stringify(current));
  emit();
}

export function endSession(): void {
  current = null;
  window.localStorage.removeItem(KEY);
  emit();
}

/** The token, or null when there is none or it has expired. */
export function currentToken(): string | null {
  if (current && current.expiresAt <= Date.now()) endSession();
  return current?.token ?? null;
}

export function useLoggedIn(): boolean {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => currentToken() !== null,
  );
}
