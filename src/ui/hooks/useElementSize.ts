// The size of an element in CSS pixels, kept current with a ResizeObserver.

import { useLayoutEffect, useRef, useState, type RefObject } from 'react';

export function useElementSize<T extends HTMLElement>(): [RefObject<T | null>, { width: number; height: number }] {
  const ref = useRef<T>(null);
  const [size, setSize] = useState({ width: 0, height: 0 });
  useLayoutEffect(() => {
    const el = ref.current;
    if (el === null) return;
    const measure = () => {
      const r = el.getBoundingClientRect();
      setSize((s) => (s.width === r.width && s.height === r.height ? s : { width: r.width, height: r.height }));
    };
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return [ref, size];
}

let remCache: { width: number; rem: number } | undefined;

/** The root font size in CSS pixels (what 1rem is); read again only when the window resizes. */
export function remPx(): number {
  if (remCache === undefined || remCache.width !== window.innerWidth) {
    remCache = { width: window.innerWidth, rem: parseFloat(getComputedStyle(document.documentElement).fontSize) || 16 };
  }
  return remCache.rem;
}
