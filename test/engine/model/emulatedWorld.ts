import { tableProfile } from "../../../shared/config";
import { isSyncVersion } from "../../../shared/engine/managedPage";
import {
  type FieldCodecs,
  type FieldReading as MappedReading,
  parseStorage,
  readSharePointItem,
  readTableRows,
  selectManagedTable,
} from "../../../shared/mapping";
import type { FieldKey, FieldReading } from "../../../shared/sync";
import { TEST_SITE_ID } from "../../helpers/graphSeed";
import { escapeText, type SyncHarness } from "../../helpers/syncHarness";
import {
  type EntityRef,
  type PersonAction,
  type PersonEdit,
  type PersonEditView,
  type PersonEvent,
  resolvePersonEdit,
} from "../../sync/model/personEdits";
import { InvariantViolation } from "../../sync/model/syncInvariants";
import type { SnapshotRow, WorldSnapshot } from "../../sync/model/syncRunRecord";
import { type FieldInput, MODEL_FIELDS, REF_HEADER } from "./modelFields";

/** Two people editing one field of one item, each in their tool (see `applyPairEdit`). */
export interface PairEdit {
  readonly pick: number;
  readonly field: number;
  readonly sharePoint: FieldInput;
  readonly confluence: FieldInput;
}

/** A row as the page holds it: its identity and readings, and each cell's storage source (in header order). */
interface PageRow extends SnapshotRow {
  readonly sources: readonly string[];
}

interface PageRead {
  readonly body: string;
  /** Where the table element starts and ends in the body: a person's save rewrites exactly that. */
  readonly table: {
    readonly start: number;
    readonly end: number;
    readonly headerRow: string;
    readonly refColumn: number;
  };
  readonly rows: readonly PageRow[];
}

/**
 * The two replicas of one model run, on the emulators: the profile's list in the Graph emulator and its page in the
 * Confluence emulator. People act through the emulators' admin surfaces (a person's edit in SharePoint, a person
 * saving the page in the editor); the world is read in-process and synchronously, so it can be read from inside an
 * activity, between the engine's read and its writes. Values are read with the profile's own codecs, as canonical
 * values; an unreadable value is identified by its error code and the text people typed.
 *
 * Row identity: people write a row name of their own into the unmapped `Ref` cell of every row they add (and of
 * every row still without one when they save the page); a row the sync appended has none until then and is known by
 * its key, which the sync never changes.
 */
export class EmulatedWorld implements PersonEditView {
  readonly fieldKeys: readonly FieldKey[] = MODEL_FIELDS;
  readonly #h: SyncHarness;
  readonly #codecs: FieldCodecs;
  /** Names of rows the sync appended, by their key, while their `Ref` cell is still empty. */
  #appended = new Map<string, string>();
  #nextUid = 1;
  #page: PageRead;
  #items: WorldSnapshot["items"];

  constructor(h: SyncHarness, codecs: FieldCodecs) {
    this.#h = h;
    this.#codecs = codecs;
    this.#page = this.#readPage();
    this.#items = this.#readItems();
  }

  /** Both replicas now. */
  snapshot(): WorldSnapshot {
    this.#page = this.#readPage();
    this.#items = this.#readItems();
    return { items: this.#items, rows: this.#page.rows.map(({ uid, key, cells }) => ({ uid, key, cells })) };
  }

  /** The page's current version number and the sync-written versions in its history. */
  pageVersions(): { current: number; bySync: number } {
    const page = this.#h.confluence.content.findPage(this.#h.pageId);
    if (!page.ok) throw new InvariantViolation("the page is gone");
    const versions = page.value.versions;
    return {
      current: versions[versions.length - 1]!.number,
      bySync: versions.filter((version) => isSyncVersion(version.message)).length,
    };
  }

  /** Whether the item was created by the app (the sync) rather than by a person. */
  createdBySync(id: string): boolean {
    return this.#list().item(Number(id))?.author.kind === "app";
  }

  /** The list's change counter: it moves on every write to the list, the sync's and people's. */
  listChangeSeq(): number {
    return this.#list().changeSeq;
  }

  entities(side: EntityRef["side"]): readonly EntityRef[] {
    return side === "sharePoint"
      ? [...this.#items.keys()].map((id) => ({ side, id }))
      : this.#page.rows.map((row) => ({ side, uid: row.uid }));
  }

  /** A person's edit: its choices made against the replicas as they are now, then done. */
  async apply(edit: PersonEdit<FieldInput>): Promise<PersonEvent | null> {
    this.snapshot();
    const action = resolvePersonEdit(this, edit);
    return action === null ? null : this.perform(action);
  }

  /**
   * Two people, one in each tool, type into the same field of one item (`pick` among the items) and its row: the edit
   * that makes conflicts, or agreements when they type the same. Without a row for the item, only SharePoint changes.
   */
  async applyPairEdit(edit: PairEdit): Promise<PersonEvent[]> {
    this.snapshot();
    const ids = [...this.#items.keys()];
    const id = ids[edit.pick % Math.max(1, ids.length)];
    if (id === undefined) return [];
    const field = this.fieldKeys[edit.field % this.fieldKeys.length]!;
    const row = this.#page.rows.find((candidate) => candidate.key === id);
    const events = [
      await this.perform({ kind: "setValue", entity: { side: "sharePoint", id }, field, value: edit.sharePoint }),
    ];
    if (row !== undefined)
      events.push(
        await this.perform({
          kind: "setValue",
          entity: { side: "confluence", uid: row.uid },
          field,
          value: edit.confluence,
        }),
      );
    return events.filter((event): event is PersonEvent => event !== null);
  }

  /** Does what a person chose to do, through the admin surfaces, and says what it did (`null`: nothing happened). */
  async perform(action: PersonAction<FieldInput>): Promise<PersonEvent | null> {
    this.snapshot();
    switch (action.kind) {
      case "createItem": {
        const fields = Object.fromEntries(
          this.fieldKeys.flatMap((field, index) => {
            const value = action.values[index]?.sharePoint;
            // SharePoint's form refuses what it cannot hold; the person leaves that field empty.
            return value === undefined || value === null ? [] : [[field, value]];
          }),
        );
        const id = await this.#h.createItem(fields);
        return {
          kind: "created",
          entity: { side: "sharePoint", id },
          values: this.#valuesOf({ side: "sharePoint", id }),
        };
      }
      case "addRow": {
        const uid = `r${this.#nextUid++}`;
        const sources = this.#headers().map((header) => {
          if (header === REF_HEADER) return escapeText(uid);
          const field = this.fieldKeys.indexOf(header);
          return field < 0 ? "" : escapeText(action.values[field]?.text ?? "");
        });
        const rows: PageRow[] = [...this.#page.rows];
        rows.splice(Math.min(action.at, rows.length), 0, { uid, key: null, cells: {}, sources });
        await this.#savePage(rows);
        return {
          kind: "created",
          entity: { side: "confluence", uid },
          values: this.#valuesOf({ side: "confluence", uid }),
        };
      }
      case "setValue": {
        const previous = this.#valuesOf(action.entity)[action.field];
        const { entity } = action;
        if (entity.side === "sharePoint") {
          if (action.value.sharePoint === undefined) return null;
          await this.#h.editItem(entity.id, { [action.field]: action.value.sharePoint });
        } else {
          const column = this.#headers().indexOf(action.field);
          const typed = escapeText(action.value.text);
          await this.#savePage(
            this.#page.rows.map((row) =>
              row.uid === entity.uid
                ? { ...row, sources: row.sources.map((source, index) => (index === column ? typed : source)) }
                : row,
            ),
          );
        }
        return { kind: "edited", entity, field: action.field, value: this.#valuesOf(entity)[action.field]!, previous };
      }
      case "remove": {
        const { entity } = action;
        if (entity.side === "sharePoint") await this.#h.deleteItem(entity.id);
        else await this.#savePage(this.#page.rows.filter((row) => row.uid !== entity.uid));
        this.snapshot();
        return { kind: "deleted", entity };
      }
    }
  }

  #valuesOf(entity: EntityRef): Readonly<Record<FieldKey, FieldReading>> {
    this.snapshot();
    const values =
      entity.side === "sharePoint"
        ? this.#items.get(entity.id)
        : this.#page.rows.find((row) => row.uid === entity.uid)?.cells;
    if (values === undefined) throw new Error(`the person's edit of ${JSON.stringify(entity)} is not there`);
    return values;
  }

  #headers(): string[] {
    return [...this.#h.headers];
  }

  /**
   * A person saves the page with these rows (their cell sources, in header order): the table is rewritten, everything
   * around it stays as it is, and every row gets its name into the `Ref` cell if it had none.
   */
  async #savePage(rows: readonly PageRow[]): Promise<void> {
    const { body, table } = this.#page;
    const named = rows.map(({ uid, sources }) =>
      sources.map((source, index) => (index === table.refColumn && source.trim() === "" ? escapeText(uid) : source)),
    );
    const tableSource = `<table><tbody>${table.headerRow}${named.map((sources) => `<tr>${sources.map((source) => `<td>${source}</td>`).join("")}</tr>`).join("")}</tbody></table>`;
    await this.#h.savePage(body.slice(0, table.start) + tableSource + body.slice(table.end));
    this.snapshot();
  }

  #list() {
    const found = this.#h.graph.service.findList(TEST_SITE_ID, this.#h.listId);
    if (found === undefined) throw new Error(`the list ${this.#h.listId} is gone`);
    return found.list;
  }

  #readItems(): WorldSnapshot["items"] {
    const items = new Map<string, Readonly<Record<FieldKey, FieldReading>>>();
    for (const item of this.#list().liveItems()) {
      const readings = readSharePointItem(this.#codecs, item.values);
      items.set(
        String(item.id),
        Object.fromEntries(
          this.fieldKeys.map((field) => [field, observed(readings[field], JSON.stringify(item.values[field] ?? null))]),
        ),
      );
    }
    return items;
  }

  #readPage(): PageRead {
    const body = this.#h.pageBody();
    const parsed = parseStorage(body, { pageId: this.#h.pageId });
    if (!parsed.ok) throw new InvariantViolation(`the page is no longer well-formed storage: ${parsed.error.message}`);
    const selected = selectManagedTable(parsed.document, tableProfile(this.#h.profile).confluence.target, this.#codecs);
    if (!selected.ok)
      throw new InvariantViolation(
        `the page's table can no longer be synced: ${selected.errors.map((error) => error.message).join("; ")}`,
      );
    const { document } = parsed;
    const managed = selected.table;
    const refColumn = managed.table.headers.indexOf(REF_HEADER);
    const readings = readTableRows(managed);
    const headerRow =
      managed.table.headerRow === undefined
        ? ""
        : body.slice(document.start(managed.table.headerRow.node), document.end(managed.table.headerRow.node));
    const seen = new Map<string, string>();
    const rows = managed.rows.map((row, index): PageRow => {
      const sources = managed.table.headers.map((_, column) => {
        const cell = row.row.slots[column];
        return cell === undefined ? "" : body.slice(document.innerStart(cell.node), document.innerEnd(cell.node));
      });
      const ref = row.row.slots[refColumn]?.content.text.trim() ?? "";
      if (row.key.kind === "invalid")
        throw new InvariantViolation(`row ${row.rowNumber} holds the key "${row.key.text}", which nobody typed`);
      const key = row.key.kind === "item" ? row.key.id : null;
      let uid = ref;
      if (uid === "") {
        if (key === null)
          throw new InvariantViolation(
            `row ${row.rowNumber} has neither a key nor a name: no person added it and the sync appends rows with their key`,
          );
        uid = this.#appended.get(key) ?? `a${this.#nextUid++}`;
        seen.set(key, uid);
      }
      const fields = readings[index]?.fields ?? {};
      const cells = Object.fromEntries(
        this.fieldKeys.map((field) => [
          field,
          observed(fields[field], rawText(row.row.slots[managed.fieldColumns.get(field) ?? -1]?.content.text)),
        ]),
      );
      return { uid, key, cells, sources };
    });
    // A name given to an appended row lives as long as the row shows without its own.
    this.#appended = seen;
    return {
      body,
      table: { start: document.start(managed.table.node), end: document.end(managed.table.node), headerRow, refColumn },
      rows,
    };
  }
}

function rawText(text: string | undefined): string {
  return (text ?? "").trim();
}

/**
 * A codec's reading in the planner's terms. An unreadable value is named by its code and what was typed, so the same
 * text reads as the same value wherever its row has moved (the codec's message names the row).
 */
function observed(reading: MappedReading | undefined, raw: string): FieldReading {
  if (reading === undefined) return { ok: true, value: null };
  return reading.ok
    ? { ok: true, value: reading.value }
    : { ok: false, error: { code: reading.error.code, message: raw } };
}
