/**
 * connector-postgres-v2's answers: `command_response.body` is the JSON *text* of the result (the
 * reference runs `json.dumps` over it), so scripts written for it parse the body with
 * `json.loads`. These make that text, and nothing else does.
 */

/** Rows, each a list of its values in column order: `[[1, "apple"], [2, "pear"]]`. */
export function rowsText(rows: readonly (readonly unknown[])[]): string {
  return JSON.stringify(rows);
}

/** A statement whose command tag counts rows (INSERT, UPDATE, DELETE, SELECT, COPY...). */
export function rowsAffectedText(count: number): string {
  return JSON.stringify({ result: `${count} rows affected` });
}

/** A statement that counts nothing (CREATE, DROP, SET...). */
export function okText(): string {
  return JSON.stringify({ result: 'ok' });
}
