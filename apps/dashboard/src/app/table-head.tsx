/** The header row every dashboard table uses. */
export function TableHead({ columns }: { columns: string[] }) {
  return (
    <thead>
      <tr style={{ textAlign: 'left', borderBottom: '2px solid #ddd' }}>
        {columns.map((c) => (
          <th key={c}>{c}</th>
        ))}
      </tr>
    </thead>
  );
}
