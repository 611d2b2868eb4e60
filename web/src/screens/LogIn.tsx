import { useState, type FormEvent } from "react";

import { ApiError, NETWORK } from "../api/client";
import { Field } from "../components/Field";
import { Notice } from "../components/Notice";
import { t } from "../i18n";
import { Link, queryParam } from "../router";
import { emailError } from "../validation";
import { logInAndReturn } from "./auth";

export function LogIn() {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [errors, setErrors] = useState<{ email?: string; password?: string }>({});
  const [failure, setFailure] = useState<string>();
  const [busy, setBusy] = useState(false);
  const expired = queryParam("expirada") === "1";
  const back = queryParam("volver");

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setFailure(undefined);
    const found = {
      email: emailError(email),
      password: password ? undefined : t.validation.required,
    };
    setErrors(found);
    if (found.email || found.password) return;
    setBusy(true);
    try {
      await logInAndReturn(email.trim(), password, "/mis-videos");
    } catch (err) {
      setBusy(false);
      if (!(err instanceof ApiError)) throw err;
      if (err.status === 401) setFailure(t.logIn.badCredentials);
      else if (err.status === 429) setFailure(t.logIn.throttled(err.retryAfter));
      else setFailure(err.status === NETWORK ? t.networkError : err.message);
    }
  };

  const signUpLink = back ? `/registro?volver=${encodeURIComponent(back)}` : "/registro";
  return (
    <>
      <h1>{t.logIn.title}</h1>
      {expired && <Notice kind="info">{t.logIn.sessionExpired}</Notice>}
      <form onSubmit={submit} noValidate className="stack" aria-busy={busy}>
        {failure && <Notice kind="error">{failure}</Notice>}
        <Field
          name="email"
          label={t.fields.email}
          type="email"
          autoComplete="username"
          value={email}
          error={errors.email}
          required
          onChange={(event) => setEmail(event.target.value)}
        />
        <Field
          name="password"
          label={t.fields.password}
          type="password"
          autoComplete="current-password"
          value={password}
          error={errors.password}
          required
          onChange={(event) => setPassword(event.target.value)}
        />
        <button type="submit" disabled={busy}>
          {busy ? t.logIn.submitting : t.logIn.submit}
        </button>
      </form>
      <p>
        {t.logIn.noAccount} <Link to={signUpLink}>{t.nav.signUp}</Link>
      </p>
    </>
  );
}
