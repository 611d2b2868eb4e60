import { useState, type FormEvent } from "react";

import { api, ApiError, NETWORK } from "../api/client";
import { Field } from "../components/Field";
import { Notice } from "../components/Notice";
import { t } from "../i18n";
import { Link } from "../router";
import {
  fieldOfServerError,
  validateSignUp,
  type FieldErrors,
  type SignUpField,
  type SignUpForm,
} from "../validation";
import { logInAndReturn } from "./auth";

const FIELDS: readonly SignUpField[] = [
  "first_name",
  "last_name",
  "email",
  "password1",
  "password2",
  "city",
  "country",
];
const EMPTY: SignUpForm = {
  first_name: "",
  last_name: "",
  email: "",
  password1: "",
  password2: "",
  city: "",
  country: "",
};
const TYPES: Partial<Record<SignUpField, string>> = {
  email: "email",
  password1: "password",
  password2: "password",
};
const AUTOCOMPLETE: Record<SignUpField, string> = {
  first_name: "given-name",
  last_name: "family-name",
  email: "email",
  password1: "new-password",
  password2: "new-password",
  city: "address-level2",
  country: "country-name",
};

export function SignUp() {
  const [form, setForm] = useState<SignUpForm>(EMPTY);
  const [errors, setErrors] = useState<FieldErrors<SignUpField>>({});
  const [serverMessage, setServerMessage] = useState<{ field?: SignUpField; text: string }>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setServerMessage(undefined);
    const found = validateSignUp(form);
    setErrors(found);
    const firstBad = FIELDS.find((field) => found[field]);
    if (firstBad) {
      document.getElementsByName(firstBad)[0]?.focus();
      return;
    }
    setBusy(true);
    try {
      await api("/api/auth/signup", { method: "POST", body: form });
      await logInAndReturn(form.email.trim(), form.password1, "/subir");
    } catch (err) {
      setBusy(false);
      if (!(err instanceof ApiError)) throw err;
      const field = fieldOfServerError(FIELDS, err.code, err.message);
      const text = err.status === NETWORK ? t.networkError : err.message;
      if (field) {
        const shown = err.code === "duplicate_email" ? t.signUp.duplicateEmail : text;
        setErrors({ [field]: shown });
        setServerMessage({ field, text: err.message });
        document.getElementsByName(field)[0]?.focus();
      } else {
        setServerMessage({ text });
      }
    }
  };

  return (
    <>
      <h1>{t.signUp.title}</h1>
      <form onSubmit={submit} noValidate className="stack" aria-busy={busy}>
        {Object.keys(errors).length > 0 && <Notice kind="error">{t.validation.fixErrors}</Notice>}
        {serverMessage && !serverMessage.field && <Notice kind="error">{serverMessage.text}</Notice>}
        {FIELDS.map((field) => (
          <Field
            key={field}
            name={field}
            label={t.fields[field]}
            type={TYPES[field] ?? "text"}
            autoComplete={AUTOCOMPLETE[field]}
            value={form[field]}
            error={errors[field]}
            serverMessage={serverMessage?.field === field ? serverMessage.text : undefined}
            hint={field === "password1" ? t.signUp.passwordHint : undefined}
            required
            onChange={(event) => setForm({ ...form, [field]: event.target.value })}
          />
        ))}
        <button type="submit" disabled={busy}>
          {busy ? t.signUp.submitting : t.signUp.submit}
        </button>
      </form>
      <p>
        {t.signUp.haveAccount} <Link to="/ingresar">{t.nav.logIn}</Link>
      </p>
    </>
  );
}
