'use client';

import type { OperatorJob } from '@infernet/protocol';
import { EmptyState } from '@/components/ui';
import { count, fullDate, timeAgo } from './format';

/** Recent jobs my nodes served, failures with their reason; never the prompt or answer. */
export function MyJobs({ jobs }: { jobs: OperatorJob[] }) {
  if (jobs.length === 0) return <EmptyState title="Your nodes have served no jobs yet" />;
  return (
    <div className="overflow-x-auto rounded-lg border border-border bg-surface">
      {/* Model names and headings break only at spaces; a narrow screen scrolls this box. */}
      <table className="w-full text-left text-sm wrap-normal">
        <thead className="whitespace-nowrap text-muted">
          <tr>
            <th scope="col" className="px-3 py-2 font-medium">
              Model
            </th>
            <th scope="col" className="px-3 py-2 font-medium">
              Status
            </th>
            <th scope="col" className="px-3 py-2 text-right font-medium">
              Tokens
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-border">
          {jobs.map((job) => (
            <tr key={job.id} className="align-top">
              <td className="px-3 py-2">
                <span className="block">{job.model}</span>
                <time
                  dateTime={job.created_at}
                  title={fullDate(job.created_at)}
                  className="block text-xs whitespace-nowrap text-muted"
                >
                  {timeAgo(job.created_at)}
                </time>
              </td>
              <td className="px-3 py-2">
                {job.status}
                {job.failure && (
                  <span className="block text-xs text-danger">
                    {job.failure.code}: {job.failure.message}
                  </span>
                )}
              </td>
              <td className="px-3 py-2 text-right tabular-nums">{count(job.tokens)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
