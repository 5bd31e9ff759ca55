/**
 * Names a mapped field everywhere in the sync rules (readings, state, plans): the SharePoint column's internal name
 * from the profile's field mapping, which the profile schema keeps unique.
 */
export type FieldKey = string;

/**
 * Reads a field's entry from a record keyed by field. Field keys are data (column names), so a column called
 * `toString` or `constructor` must not resolve to something inherited from `Object.prototype`.
 */
export function fieldEntry<T>(record: Readonly<Record<FieldKey, T>>, key: FieldKey): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
