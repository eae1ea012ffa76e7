import { useLayoutEffect, useRef, useState } from 'react'

/**
 * For a list virtualised against the document's scroll: a ref for the list and its distance from
 * the top of the document (the virtualizer's scrollMargin), measured again whenever the page's
 * size changes (panels above the list, such as a create form or callouts, move it).
 */
export function useScrollMargin() {
  const listRef = useRef<HTMLDivElement>(null)
  const [margin, setMargin] = useState(0)
  useLayoutEffect(() => {
    const el = listRef.current
    if (!el) return
    const measure = () => setMargin(el.getBoundingClientRect().top + window.scrollY)
    measure()
    const observer = new ResizeObserver(measure)
    observer.observe(document.body)
    return () => observer.disconnect()
  }, [])
  return { listRef, margin }
}
