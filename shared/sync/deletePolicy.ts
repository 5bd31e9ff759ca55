/**
 * What a deletion on one side does to the other, per direction of propagation: `keep` (the default) forgets the pair
 * and leaves the other side alone; `delete` deletes there too, only if that side is unchanged since the last sync.
 */
export const DELETE_POLICIES = ["keep", "delete"] as const;
export type DeletePolicy = (typeof DELETE_POLICIES)[number];
