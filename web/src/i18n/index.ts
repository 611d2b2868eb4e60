import { es, type Messages } from "./es";

// One language today; a second one is another `Messages` picked here (e.g. from
// navigator.language) without touching any screen.
export const t: Messages = es;
export const locale = "es";

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return "";
  return new Date(iso).toLocaleString(locale, { dateStyle: "medium", timeStyle: "short" });
}
