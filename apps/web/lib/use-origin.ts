'use client';

import { useEffect, useState } from 'react';

/** This page's origin once in the browser; a placeholder while the export pre-renders. */
export function useOrigin(placeholder = 'https://your-control-plane'): string {
  const [origin, setOrigin] = useState(placeholder);
  useEffect(() => setOrigin(window.location.origin), []);
  return origin;
}
