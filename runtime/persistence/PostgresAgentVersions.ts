import type { Pool } from 'pg';
import type {
  AgentSource,
  AgentVersionRow,
  AgentVersionStore,
  VersionCandidate,
  VersionStamp,
} from '../versions/AgentVersion.ts';

interface VersionDbRow {
  agent_id: string;
  number: number;
  hash: string;
  label: string;
  definition: Record<string, unknown>;
  source: AgentSource | null;
  created_at: string | number;
}

function versionFromRow(r: VersionDbRow): AgentVersionRow {
  return {
    agentId: r.agent_id,
    number: Number(r.number),
    hash: r.hash,
    label: r.label,
    definition: r.definition,
    source: r.source,
    createdAt: Number(r.created_at),
  };
}

/**
 * Agent versions on PostgreSQL (or the embedded database): `mandate_agent_version`, immutable by
 * trigger, and `mandate_agent_active_version`. Numbering takes a transaction-scoped advisory lock
 * per agent, so two nodes recording at once cannot hand out one number twice.
 */
export class PostgresAgentVersions implements AgentVersionStore {
  readonly #pool: Pool;

  constructor(pool: Pool) {
    this.#pool = pool;
  }

  async recordVersion(v: VersionCandidate): Promise<{ version: VersionStamp; created: boolean }> {
    const client = await this.#pool.connect();
    try {
      await client.query('begin');
      await client.query(`select pg_advisory_xact_lock(hashtext('mandate_agent_version:' || $1))`, [v.agentId]);
      const same = await client.query<VersionDbRow>(
        'select * from mandate_agent_version where agent_id = $1 and hash = $2',
        [v.agentId, v.hash],
      );
      if (same.rows[0] !== undefined) {
        await client.query('commit');
        return { version: versionFromRow(same.rows[0]), created: false };
      }
      const { definition, source } = v.content();
      const inserted = await client.query<VersionDbRow>(
        `insert into mandate_agent_version (agent_id, number, hash, label, definition, source, created_at)
         select $1, coalesce(max(number), 0) + 1, $2, $3, $4::jsonb, $5::jsonb, $6 from mandate_agent_version where agent_id = $1
         returning *`,
        [
          v.agentId,
          v.hash,
          v.label,
          JSON.stringify(definition),
          source === null ? null : JSON.stringify(source),
          v.createdAt,
        ],
      );
      await client.query('commit');
      return { version: versionFromRow(inserted.rows[0]!), created: true };
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async listVersions(agentId: string): Promise<AgentVersionRow[]> {
    const rows = await this.#pool.query<VersionDbRow>(
      'select * from mandate_agent_version where agent_id = $1 order by number',
      [agentId],
    );
    return rows.rows.map(versionFromRow);
  }

  async setActiveVersion(agentId: string, number: number, at: number): Promise<void> {
    await this.#pool.query(
      `insert into mandate_agent_active_version (agent_id, number, at) values ($1, $2, $3)
       on conflict (agent_id) do update set number = excluded.number, at = excluded.at`,
      [agentId, number, at],
    );
  }

  async activeVersion(agentId: string): Promise<number | undefined> {
    const rows = await this.#pool.query<{ number: number }>(
      'select number from mandate_agent_active_version where agent_id = $1',
      [agentId],
    );
    return rows.rows[0] === undefined ? undefined : Number(rows.rows[0].number);
  }

  async activeVersions(): Promise<Map<string, number>> {
    const rows = await this.#pool.query<{ agent_id: string; number: number }>(
      'select agent_id, number from mandate_agent_active_version',
    );
    return new Map(rows.rows.map((r) => [r.agent_id, Number(r.number)]));
  }
}
