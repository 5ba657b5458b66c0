/**
 * Style sheets that libraries would otherwise inject inline. The CSP (`style-src 'self'`)
 * blocks inline <style> elements, so each is served as a file and linked under the element id
 * the library checks before injecting its own: react-aria's usePress looks for
 * `#react-aria-pressable-style`.
 */
import pressableUrl from './styles/pressable.css?url';

/** Links the style sheets into `doc`'s head (once). */
export function linkLibraryStyles(doc: Document): void {
  const id = 'react-aria-pressable-style';
  if (doc.getElementById(id) !== null) return;
  const link = doc.createElement('link');
  link.id = id;
  link.rel = 'stylesheet';
  link.href = pressableUrl;
  doc.head.append(link);
}
