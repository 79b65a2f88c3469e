/** One reason why a piece of input was refused, with the path of the offending field. */
export interface FieldError {
  /** Dotted path inside the item, e.g. `data.patientId`; empty when the item itself is wrong. */
  field: string;
  reason: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };
