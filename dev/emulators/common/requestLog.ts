/** One served call, as the admin surface reports it; tests count API calls from these. */
export interface RequestLogEntry {
  /** Sequence number, from 1, in arrival order. */
  seq: number;
  method: string;
  /** Path without the query string. */
  path: string;
  query: string;
  status: number;
  /** ISO time the response was sent. */
  at: string;
  /** Set for sub-requests served inside another call (e.g. `$batch`), naming the outer call's seq. */
  parentSeq?: number;
}

export class RequestLog {
  #entries: RequestLogEntry[] = [];
  #next = 1;

  record(entry: Omit<RequestLogEntry, "seq" | "at">): RequestLogEntry {
    const full: RequestLogEntry = { seq: this.#next++, at: new Date().toISOString(), ...entry };
    this.#entries.push(full);
    return full;
  }

  /** Reserves a sequence number for a call whose status is not known yet (its sub-requests refer to it). */
  reserve(): number {
    return this.#next++;
  }

  recordReserved(seq: number, entry: Omit<RequestLogEntry, "seq" | "at">): void {
    this.#entries.push({ seq, at: new Date().toISOString(), ...entry });
    this.#entries.sort((a, b) => a.seq - b.seq);
  }

  entries(): RequestLogEntry[] {
    return [...this.#entries];
  }

  clear(): void {
    this.#entries = [];
  }
}
