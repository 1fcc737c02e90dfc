import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { LatarniaCategory, LatarniaMessage, LatarniaType } from '../domain/latarnia/latarnia-feed';

export interface NewLatarniaMessage {
  /** Publish a new version of this event; undefined: a new event. */
  eventId?: number;
  category: LatarniaCategory;
  type: LatarniaType;
  title: string;
  text: string;
  start: Date;
  end?: Date;
  published: Date;
}

interface Row {
  id: string;
  event_id: number;
  version: number;
  category: LatarniaCategory;
  type: LatarniaType;
  title: string;
  text: string;
  start_at: Date;
  end_at: Date | null;
  published_at: Date;
}

const toMessage = (r: Row): LatarniaMessage => ({
  id: r.id,
  eventId: r.event_id,
  category: r.category,
  type: r.type,
  title: r.title,
  text: r.text,
  start: r.start_at.toISOString(),
  ...(r.end_at ? { end: r.end_at.toISOString() } : {}),
  version: r.version,
  published: r.published_at.toISOString(),
});

/** Every published version of every Latarnia announcement (the feed is append-only; only the admin API clears it). */
@Injectable()
export class LatarniaRepository {
  constructor(private readonly db: DataSource) {}

  /** Newest publication first. */
  async all(): Promise<LatarniaMessage[]> {
    const rows = (await this.db.query('SELECT * FROM ksef_simulator.latarnia_messages ORDER BY published_at DESC, event_id DESC, version DESC')) as Row[];
    return rows.map(toMessage);
  }

  async byId(id: string): Promise<LatarniaMessage | undefined> {
    const rows = (await this.db.query('SELECT * FROM ksef_simulator.latarnia_messages WHERE id = $1', [id])) as Row[];
    return rows[0] && toMessage(rows[0]);
  }

  async latestOfEvent(eventId: number): Promise<LatarniaMessage | undefined> {
    const rows = (await this.db.query('SELECT * FROM ksef_simulator.latarnia_messages WHERE event_id = $1 ORDER BY version DESC LIMIT 1', [eventId])) as Row[];
    return rows[0] && toMessage(rows[0]);
  }

  /** Stores the next version of the event (version 1 of a new event from the sequence); (event_id, version) is unique. */
  async publish(m: NewLatarniaMessage): Promise<LatarniaMessage> {
    const rows = (await this.db.query(
      `WITH ev AS (SELECT COALESCE($2::int, nextval('ksef_simulator.latarnia_event_seq')::int) AS event_id)
       INSERT INTO ksef_simulator.latarnia_messages (id, event_id, version, category, type, title, text, start_at, end_at, published_at)
       SELECT $1, ev.event_id, COALESCE((SELECT max(version) FROM ksef_simulator.latarnia_messages WHERE event_id = ev.event_id), 0) + 1,
              $3, $4, $5, $6, $7, $8, $9
       FROM ev RETURNING *`,
      [randomUUID(), m.eventId ?? null, m.category, m.type, m.title, m.text, m.start, m.end ?? null, m.published],
    )) as Row[];
    return toMessage(rows[0]);
  }

  async clear(): Promise<void> {
    await this.db.query('DELETE FROM ksef_simulator.latarnia_messages');
  }
}
