/** Scheduled reproductions (Temporal Schedules): timetable, state, next time and the latest runs. */
import Link from 'next/link';

export interface ScheduleItem {
  id: string;
  recipe: string;
  version: number | null;
  timetable: string;
  paused: boolean;
  nextRuns: string[];
  recent: { scheduledAt: string; runId: string | null; status: string }[];
}

const utc = (iso: string) => `${iso.replace('T', ' ').slice(0, 16)} UTC`;

export function SchedulesTable({ schedules }: { schedules: ScheduleItem[] }) {
  if (!schedules.length) {
    return (
      <p style={{ color: '#555' }}>
        No scheduled reproductions. Create one with <code>reprolab schedule create workflows/recipes/smoke.yaml --every 1d</code>.
      </p>
    );
  }
  return (
    <table data-testid="schedules" style={{ borderCollapse: 'collapse', width: '100%' }}>
      <thead>
        <tr style={{ textAlign: 'left', borderBottom: '2px solid #ddd' }}>
          <th>schedule</th>
          <th>recipe</th>
          <th>timetable</th>
          <th>next</th>
          <th>latest runs</th>
        </tr>
      </thead>
      <tbody>
        {schedules.map((s) => (
          <tr key={s.id} data-schedule={s.id} style={{ borderBottom: '1px solid #eee' }}>
            <td>{s.id}</td>
            <td>
              {s.recipe}@v{s.version ?? '?'}
            </td>
            <td>{s.timetable}</td>
            <td>{s.paused ? 'paused' : s.nextRuns[0] ? utc(s.nextRuns[0]) : '—'}</td>
            <td>
              {s.recent.slice(0, 3).map((r) =>
                r.runId ? (
                  <span key={r.runId} style={{ marginRight: 8 }}>
                    <Link href={`/runs/${r.runId}`}>{r.status}</Link>
                  </span>
                ) : null,
              )}
              {!s.recent.length && '—'}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
