import { t } from "./i18n";

// The sign-up rules of services/auth/src/validation.rs, checked before sending so the
// player sees mistakes at once. The server stays the judge: its answer is shown too.
export const MAX_TEXT_CHARS = 100;
export const MAX_EMAIL_CHARS = 254;
export const MIN_PASSWORD_CHARS = 8;
export const MAX_PASSWORD_CHARS = 128;
export const MAX_TITLE_CHARS = 200;

export type SignUpField =
  | "first_name"
  | "last_name"
  | "email"
  | "password1"
  | "password2"
  | "city"
  | "country";

export type SignUpForm = Record<SignUpField, string>;
export type FieldErrors<F extends string> = Partial<Record<F, string>>;

const chars = (value: string) => [...value].length;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

export function textError(value: string, max = MAX_TEXT_CHARS): string | undefined {
  const trimmed = value.trim();
  if (!trimmed) return t.validation.required;
  if (chars(trimmed) > max) return t.validation.tooLong(max);
  if (CONTROL.test(trimmed)) return t.validation.controlChars;
  return undefined;
}

const LOCAL_ATOM = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+$/;
const LABEL = /^[A-Za-z0-9-]+$/;

export function isValidEmail(address: string): boolean {
  const at = address.indexOf("@");
  if (at < 0) return false;
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  const localOk =
    local.length > 0 && local.length <= 64 && local.split(".").every((atom) => LOCAL_ATOM.test(atom));
  const labels = domain.split(".");
  const tld = labels[labels.length - 1];
  const domainOk =
    labels.length >= 2 &&
    tld.length >= 2 &&
    /[A-Za-z]/.test(tld) &&
    labels.every(
      (label) =>
        label.length > 0 &&
        label.length <= 63 &&
        !label.startsWith("-") &&
        !label.endsWith("-") &&
        LABEL.test(label),
    );
  return localOk && domainOk;
}

export function emailError(value: string): string | undefined {
  const trimmed = value.trim();
  if (!trimmed) return t.validation.required;
  if (chars(trimmed) > MAX_EMAIL_CHARS) return t.validation.tooLong(MAX_EMAIL_CHARS);
  if (!isValidEmail(trimmed)) return t.validation.email;
  return undefined;
}

export function passwordError(value: string): string | undefined {
  if (!value) return t.validation.required;
  const length = chars(value);
  if (length > MAX_PASSWORD_CHARS) return t.validation.tooLong(MAX_PASSWORD_CHARS);
  const strong =
    length >= MIN_PASSWORD_CHARS &&
    /\p{Ll}/u.test(value) &&
    /\p{Lu}/u.test(value) &&
    /[0-9]/.test(value);
  return strong ? undefined : t.validation.weakPassword(MIN_PASSWORD_CHARS);
}

export function validateSignUp(form: SignUpForm): FieldErrors<SignUpField> {
  const errors: FieldErrors<SignUpField> = {
    first_name: textError(form.first_name),
    last_name: textError(form.last_name),
    email: emailError(form.email),
    password1: passwordError(form.password1),
    password2: !form.password2
      ? t.validation.required
      : form.password2 !== form.password1
        ? t.validation.mismatch
        : undefined,
    city: textError(form.city),
    country: textError(form.country),
  };
  return Object.fromEntries(
    Object.entries(errors).filter(([, message]) => message !== undefined),
  ) as FieldErrors<SignUpField>;
}

/**
 * The field a server error is about. Auth names the field first in its messages
 * ("password2 must be the same as password1"); duplicate emails carry their own code.
 */
export function fieldOfServerError<F extends string>(
  fields: readonly F[],
  code: string,
  message: string,
): F | undefined {
  if (code === "duplicate_email") return fields.find((field) => field === "email");
  if (code === "passwords_mismatch") return fields.find((field) => field === "password2");
  const first = message.split(/\s/, 1)[0];
  return fields.find((field) => field === first);
}
