// A labelled form control that shows the API's error for its field beneath it.
import { ComponentChildren } from 'preact';
import { errorText, fieldError } from '../lib/errors';

export function Field(props: {
  label: string;
  name: string;
  error?: unknown;
  hint?: string;
  kind?: string; // a class beside "field" ("file": the Persian file picker's styles)
  children: ComponentChildren;
}) {
  const msg = fieldError(props.error, props.name);
  return (
    <label class={`field${props.kind ? ` ${props.kind}` : ''}${msg ? ' has-error' : ''}`} data-field={props.name}>
      <span class="label">{props.label}</span>
      {props.children}
      {msg ? (
        <span class="error" role="alert">
          {msg}
        </span>
      ) : props.hint ? (
        <span class="hint">{props.hint}</span>
      ) : null}
    </label>
  );
}

/** An error that names no field (or a field the form does not show). */
export function FormError(props: { error: unknown; fields?: string[] }) {
  const e = props.error as { field?: string } | null;
  if (!e) return null;
  if (e.field && props.fields?.includes(e.field)) return null;
  return (
    <div class="alert" role="alert">
      {errorText(props.error)}
    </div>
  );
}
