import { useState, type ReactNode } from 'react';

/**
 * The pages after the first of a list, each fetched when asked for: a button until pressed,
 * then `page(after)`, which renders its items and its own LoadMore. A page starts after the
 * current end of the page before it, so an item added at the top never makes one go missing at
 * a page edge.
 */
export function LoadMore({ after, hasMore, label, page }: { after: string | null | undefined; hasMore: boolean; label: string; page: (after: string) => ReactNode }) {
  const [open, setOpen] = useState(false);
  if (!hasMore || !after) return null;
  if (open) return <>{page(after)}</>;
  return (
    <button type="button" className="secondary" onClick={() => setOpen(true)}>
      {label}
    </button>
  );
}
