import { useId, type InputHTMLAttributes, type ReactNode } from "react";

type Props = InputHTMLAttributes<HTMLInputElement> & {
  label: string;
  error?: string;
  /** The server's own words, shown under the field next to our translation. */
  serverMessage?: string;
  hint?: ReactNode;
};

/** A labelled input whose hint and error are announced with it by screen readers. */
export function Field({ label, error, serverMessage, hint, ...input }: Props) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  // An error restates the rule, so the hint steps aside while one is shown.
  const showHint = hint && !error;
  const describedBy = [showHint ? hintId : null, error ? errorId : null].filter(Boolean).join(" ");
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy || undefined}
        {...input}
      />
      {showHint && (
        <p id={hintId} className="hint">
          {hint}
        </p>
      )}
      {error && (
        <p id={errorId} className="field-error" data-testid={`error-${input.name}`}>
          {error}
          {serverMessage && serverMessage !== error && (
            <span className="server-message" lang="en">
              {" "}
              ({serverMessage})
            </span>
          )}
        </p>
      )}
    </div>
  );
}
